"""Scheduling options: their defaults, how a value is read from text, and how layers combine."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from loopdrill.core.text import shown


@dataclass(frozen=True)
class Options:
    """Everything a deck's schedule depends on (DESIGN.md section 4)."""

    desired_retention: float = 0.9
    new_per_day: int = 20
    reviews_per_day: int = 200
    learning_steps: tuple[float, ...] = (1.0, 10.0)  # minutes
    relearning_steps: tuple[float, ...] = (10.0,)  # minutes
    maximum_interval: int = 36500  # days
    rollover_hour: int = 4
    leech_threshold: int = 8
    leech_action: str = "suspend"  # or "tag"
    bury_siblings: bool = True
    learn_ahead_minutes: int = 20


class OptionError(ValueError):
    """An unknown option or a value it cannot take; the message is one sentence."""


MAX_STEPS = 20
STEP_RANGE = (1 / 60, 365 * 1440.0)  # one second to a year, in minutes
MAX_TEXT = 200  # an option's value is short; a longer one is refused before it is read


def _steps(text: Any) -> tuple[float, ...]:
    if isinstance(text, list | tuple):
        parts = [_short(p) for p in text]
    else:
        parts = _short(text).replace(",", " ").split()
    if len(parts) > MAX_STEPS:
        raise ValueError(f"at most {MAX_STEPS} steps")
    out = tuple(_minutes(part) for part in parts)
    lo, hi = STEP_RANGE
    if not all(lo <= s <= hi for s in out):  # NaN fails every comparison
        raise ValueError("each step must be between 1s and 365d")
    return out


def _minutes(part: str) -> float:
    units = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0}
    part = part.strip().lower()
    scale = 1.0
    if part and part[-1] in units:
        part, scale = part[:-1], units[part[-1]]
    try:
        value = float(part) * scale
    except ValueError:
        raise ValueError("a step is a number of minutes, or with s, m, h or d") from None
    if not math.isfinite(value):
        raise ValueError("each step must be between 1s and 365d")
    return value


def _short(value: Any) -> str:
    """An option value as text, refused when it is too long to be one (a 5,000-digit
    number, a pasted file)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_TEXT:
        raise ValueError("too long")
    text = str(value)
    if len(text) > MAX_TEXT:
        raise ValueError("too long")
    return text


def _bool(text: Any) -> bool:
    if isinstance(text, bool):
        return text
    low = _short(text).strip().lower()
    if low in {"1", "true", "yes", "on"}:
        return True
    if low in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _ranged(kind: type[int] | type[float], lo: float, hi: float) -> Callable[[Any], Any]:
    def parse(text: Any) -> Any:
        if isinstance(text, bool):
            raise ValueError("expected a number")
        if isinstance(text, float) and kind is int and not text.is_integer():
            raise ValueError("expected a whole number")
        try:
            value = kind(text if isinstance(text, int | float) else _short(text).strip())
        except (ValueError, OverflowError, TypeError):
            if kind is int:
                try:  # "2e3" or 30.0 as text: a whole number written as a float
                    number = float(_short(text))
                except (ValueError, OverflowError, TypeError):
                    number = math.nan
                if number.is_integer() and lo <= number <= hi:
                    return int(number)
            raise ValueError(f"expected a number between {lo:g} and {hi:g}") from None
        if not lo <= value <= hi:  # NaN fails every comparison
            raise ValueError(f"must be between {lo:g} and {hi:g}")
        return value

    return parse


def _action(text: Any) -> str:
    value = _short(text).strip().lower()
    if value not in {"suspend", "tag"}:
        raise ValueError("must be suspend or tag")
    return value


PARSERS: dict[str, Callable[[Any], Any]] = {
    "desired_retention": _ranged(float, 0.7, 0.99),
    "new_per_day": _ranged(int, 0, 9999),
    "reviews_per_day": _ranged(int, 0, 99999),
    "learning_steps": _steps,
    "relearning_steps": _steps,
    "maximum_interval": _ranged(int, 1, 36500),
    "rollover_hour": _ranged(int, 0, 23),
    "leech_threshold": _ranged(int, 1, 99),
    "leech_action": _action,
    "bury_siblings": _bool,
    "learn_ahead_minutes": _ranged(int, 0, 1440),
}

HELP: dict[str, str] = {
    "desired_retention": "chance of recall FSRS aims for at each review (0.70-0.99)",
    "new_per_day": "new cards introduced per study day",
    "reviews_per_day": "review cards shown per study day",
    "learning_steps": "steps for new cards, e.g. '1m 10m'",
    "relearning_steps": "steps after a lapse, e.g. '10m'",
    "maximum_interval": "longest interval in days",
    "rollover_hour": "local hour the study day starts (global only)",
    "leech_threshold": "lapses that make a card a leech",
    "leech_action": "what happens to a leech: suspend or tag",
    "bury_siblings": "hide an item's other cards until the next day",
    "learn_ahead_minutes": "show learning cards this early rather than end a session",
}

GLOBAL_ONLY = frozenset({"rollover_hour"})
NAMES = tuple(f.name for f in fields(Options))


def parse_option(key: str, value: Any) -> Any:
    """Read one option's value (text from the command line or a YAML value)."""
    if key not in PARSERS:
        raise OptionError(f"unknown option {shown(key, 40)}; known options: {', '.join(NAMES)}")
    try:
        return PARSERS[key](value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise OptionError(f"option {key}: {shown(value, 60)} is not valid ({exc})") from None


def merge(base: Options, *layers: Mapping[str, Any]) -> Options:
    """Options with each layer's values applied in turn (later layers win)."""
    result = base
    for layer in layers:
        changes = {k: parse_option(k, v) for k, v in layer.items()}
        result = replace(result, **changes)
    return result


def as_text(key: str, value: Any) -> str:
    """An option value the way `config` prints it."""
    if isinstance(value, tuple):
        return " ".join(f"{v:g}m" for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
