"""Scheduling options: their defaults, how a value is read from text, and how layers combine."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any


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


def _steps(text: Any) -> tuple[float, ...]:
    if isinstance(text, list | tuple):
        parts = [str(p) for p in text]
    else:
        parts = str(text).replace(",", " ").split()
    out = []
    for part in parts:
        out.append(_minutes(part))
    if any(s <= 0 for s in out):
        raise ValueError("steps must be positive")
    return tuple(out)


def _minutes(part: str) -> float:
    units = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0}
    part = part.strip().lower()
    if part and part[-1] in units:
        return float(part[:-1]) * units[part[-1]]
    return float(part)


def _bool(text: Any) -> bool:
    if isinstance(text, bool):
        return text
    low = str(text).strip().lower()
    if low in {"1", "true", "yes", "on"}:
        return True
    if low in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _ranged(kind: Callable[[Any], Any], lo: float, hi: float) -> Callable[[Any], Any]:
    def parse(text: Any) -> Any:
        if isinstance(text, bool):
            raise ValueError("expected a number")
        value = kind(text)
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo:g} and {hi:g}")
        return value

    return parse


def _action(text: Any) -> str:
    value = str(text).strip().lower()
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
        raise OptionError(f"unknown option {key!r}; known options: {', '.join(NAMES)}")
    try:
        return PARSERS[key](value)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"option {key}: {value!r} is not valid ({exc})") from None


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
