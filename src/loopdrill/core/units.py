"""Typed numbers with units: parse `$0.023`, `1.2k`, `3e-5`, `12%`, `43 m 12 s`, `1 MiB`.

Values convert within a family (time, data size, money, percent, count) to the family's base
unit (seconds, bytes, USD, percent points, ones). Every failure is a UnitError with a
one-line message; nothing else escapes, whatever the input.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

TIME, SIZE, MONEY, PERCENT, COUNT = "time", "data size", "money", "percent", "count"

UNITS: dict[str, tuple[str, float]] = {}
for _names, _family, _factor in [
    (("ms", "msec", "millisecond", "milliseconds"), TIME, 0.001),
    (("s", "sec", "secs", "second", "seconds"), TIME, 1.0),
    (("m", "min", "mins", "minute", "minutes"), TIME, 60.0),
    (("h", "hr", "hrs", "hour", "hours"), TIME, 3600.0),
    (("d", "day", "days"), TIME, 86400.0),
    (("w", "wk", "week", "weeks"), TIME, 604800.0),
    (("b", "byte", "bytes"), SIZE, 1.0),
    (("kb",), SIZE, 1e3), (("mb",), SIZE, 1e6), (("gb",), SIZE, 1e9), (("tb",), SIZE, 1e12),
    (("pb",), SIZE, 1e15),
    (("kib",), SIZE, 2.0**10), (("mib",), SIZE, 2.0**20), (("gib",), SIZE, 2.0**30),
    (("tib",), SIZE, 2.0**40),
    (("$", "usd", "dollar", "dollars"), MONEY, 1.0),
    (("%", "percent", "pct"), PERCENT, 1.0),
    (("x", "times"), COUNT, 1.0),
]:
    for _name in _names:
        UNITS[_name] = (_family, _factor)

# Multipliers written straight after a number: 1.2k, 4M, 3bn. "m" is minutes and "b" bytes
# unless the card wants a count (or money), when they are millions and billions.
MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "mn": 1e6, "million": 1e6, "bn": 1e9,
               "billion": 1e9, "trillion": 1e12}
COUNT_LETTERS = {"m": 1e6, "b": 1e9, "t": 1e12}

ARTICLE = {TIME: "a time", SIZE: "a data size", MONEY: "an amount of money",
           PERCENT: "a percentage", COUNT: "a count"}
MAX_INPUT = 200
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_TOKEN = re.compile(rf"\s*(\$)?\s*({_NUMBER})\s*([A-Za-zµ%$]+)?\s*")
_GROUPED = re.compile(r"(?<![\d.])[1-9]\d{0,2}(?:,\d{3})+(?![\d,])")


class UnitError(ValueError):
    """The text is not a number this drill can read; the message says why in one line."""


@dataclass(frozen=True)
class Quantity:
    """A parsed answer: its value in the family's base unit, and the family (None: bare)."""

    value: float
    family: str | None


def unit_family(unit: str) -> tuple[str, float]:
    """The family of a unit name and its factor to the family's base unit."""
    key = unit.strip()
    found = UNITS.get(key.lower()) if key not in ("M", "B") else None
    if key in ("MB", "GB", "KB", "TB", "PB") or key.lower().endswith("ib"):
        found = UNITS.get(key.lower())
    if found is None:
        raise UnitError(f"unknown unit {unit!r}")
    return found


def parse_quantity(text: str, *, family_hint: str | None = None) -> Quantity:
    """Read a typed answer. `family_hint` is the card's family: it settles `4M` (millions,
    unless the card is a time) and `4B` (bytes only when the card is a data size)."""
    raw = text.strip()
    if not raw:
        raise UnitError("no answer")
    if len(raw) > MAX_INPUT:
        raise UnitError("too long to be a number")
    cleaned = _GROUPED.sub(lambda m: m.group(0).replace(",", ""), raw)
    if "," in cleaned:
        example = re.sub(r"(\d),(\d)", r"\1.\2", raw)[:40]
        raise UnitError(f"use a dot for decimals (e.g. {example}); commas only group thousands")
    parts: list[tuple[float, str | None]] = []
    position = 0
    while position < len(cleaned):
        match = _TOKEN.match(cleaned, position)
        if match is None or match.end() == position:
            raise UnitError(f"cannot read {raw!r} as a number")
        dollar, number, unit = match.groups()
        value = float(number)
        if not math.isfinite(value):
            raise UnitError("the number is out of range")
        if dollar:
            if unit not in (None, "USD", "usd"):
                raise UnitError(f"cannot read {raw!r} as an amount of money")
            unit = "$"
        parts.append((value, unit))
        position = match.end()
    if not parts:
        raise UnitError(f"cannot read {raw!r} as a number")
    quantities = [_one(value, unit, family_hint) for value, unit in parts]
    if len(quantities) == 1:
        return quantities[0]
    if any(q.family != TIME for q in quantities):
        raise UnitError("only times can be written in parts, like 43 m 12 s")
    return Quantity(sum(q.value for q in quantities), TIME)


def _one(value: float, unit: str | None, hint: str | None) -> Quantity:
    if unit is None:
        return Quantity(value, None)
    low = unit.lower()
    if low in MULTIPLIERS:
        return Quantity(value * MULTIPLIERS[low], None)
    if low in COUNT_LETTERS and hint in (None, COUNT, MONEY, PERCENT):
        return Quantity(value * COUNT_LETTERS[low], None)
    if unit == "M" and hint != TIME:
        return Quantity(value * 1e6, None)
    try:
        family, factor = unit_family(unit if unit not in ("M", "B") else unit.lower())
    except UnitError:
        raise UnitError(f"unknown unit {unit!r}") from None
    return Quantity(value * factor, family)


def to_unit(quantity: Quantity, unit: str | None) -> tuple[float | None, str]:
    """The quantity in a card's unit, or (None, reason) when the families differ."""
    if unit is None:
        if quantity.family in (None, COUNT):
            return quantity.value, ""
        return None, f"you answered {ARTICLE[quantity.family]}; the card wants a plain number"
    family, factor = unit_family(unit)
    if quantity.family is None or quantity.family == family:
        return (quantity.value / factor if quantity.family else quantity.value), ""
    return None, f"you answered {ARTICLE[quantity.family]}; the card wants {ARTICLE[family]}"


def format_value(value: float, unit: str | None) -> str:
    """A number for display with its unit: $0.625, 43.2 min, 1,048,576 B."""
    text = format_number(value)
    if unit is None:
        return text
    if unit in ("$", "USD"):
        if "." in text and len(text.rsplit(".", 1)[1]) == 1:
            text += "0"  # cents: $0.30, not $0.3
        return f"-${text[1:]}" if text.startswith("-") else f"${text}"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}"


def format_number(value: float) -> str:
    """Six significant digits with thousands separators, no trailing zeros; whole numbers in
    full; tiny prices written out (0.0000166667) rather than in scientific notation."""
    if value != 0 and abs(value) < 1e-4:
        decimals = min(15, 5 - math.floor(math.log10(abs(value))))
        return f"{value:.{decimals}f}".rstrip("0")
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1e5:
        return f"{value:,.0f}"
    return f"{value:,.6g}"
