"""Typed numbers with units: `0.023`, `$0.023`, `1.2k`, `3e-5`, `12%`, `1,000,000`, `1 MiB`,
`43 m 12 s`, `1h 30m`.

A value converts within its family (time, data size, money, percent, count) to the family's
base unit (seconds, bytes, USD, percent points, ones). Letters that mean two things are settled
by the card's family: `4B` is bytes on a data-size card and billions elsewhere, `4M` and `4m`
are minutes on a time card and millions elsewhere. Every failure is a QuantityError with a
one-line message; nothing else escapes, whatever the input.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

TIME, SIZE, MONEY, PERCENT, COUNT = "time", "data size", "money", "percent", "count"
FAMILIES = (TIME, SIZE, MONEY, PERCENT, COUNT)
ARTICLE = {TIME: "a time", SIZE: "a data size", MONEY: "an amount of money",
           PERCENT: "a percentage", COUNT: "a count", None: "a plain number"}

# Each row: names (the first is how the unit is shown), family, factor to the base unit.
_UNIT_TABLE: list[tuple[tuple[str, ...], str, float]] = [
    (("ns", "nanosecond", "nanoseconds"), TIME, 1e-9),
    (("µs", "μs", "us", "microsecond", "microseconds"), TIME, 1e-6),
    (("ms", "msec", "msecs", "millisecond", "milliseconds"), TIME, 1e-3),
    (("s", "sec", "secs", "second", "seconds"), TIME, 1.0),
    (("min", "mins", "minute", "minutes"), TIME, 60.0),
    (("h", "hr", "hrs", "hour", "hours"), TIME, 3600.0),
    (("d", "day", "days"), TIME, 86400.0),
    (("wk", "w", "wks", "week", "weeks"), TIME, 604800.0),
    (("B", "byte", "bytes"), SIZE, 1.0),
    (("KB",), SIZE, 1e3), (("MB",), SIZE, 1e6), (("GB",), SIZE, 1e9), (("TB",), SIZE, 1e12),
    (("PB",), SIZE, 1e15),
    (("KiB",), SIZE, 2.0**10), (("MiB",), SIZE, 2.0**20), (("GiB",), SIZE, 2.0**30),
    (("TiB",), SIZE, 2.0**40), (("PiB",), SIZE, 2.0**50),
    (("USD", "$", "dollar", "dollars"), MONEY, 1.0),
    (("cents", "cent"), MONEY, 0.01),
    (("%", "percent", "pct"), PERCENT, 1.0),
    (("x", "times", "count"), COUNT, 1.0),
]
#: Unit names, lower-cased, to (family, factor to the family's base unit).
UNITS: dict[str, tuple[str, float]] = {
    name.lower(): (family, factor) for names, family, factor in _UNIT_TABLE for name in names
}
_SHOWN = {name.lower(): names[0] for names, _, _ in _UNIT_TABLE for name in names}
#: Multipliers on a bare number (`1.2k`, `4 million`); m/M and b/B are decided by the family.
MULTIPLIERS: dict[str, float] = {"k": 1e3, "thousand": 1e3, "mn": 1e6, "million": 1e6,
                                 "bn": 1e9, "billion": 1e9, "tn": 1e12, "trillion": 1e12}
#: A card's `unit:` may also be a count multiplier: `unit: M` means "answer in millions".
CARD_COUNT_UNITS = {"k": 1e3, "K": 1e3, "M": 1e6, "mn": 1e6, "bn": 1e9}
MAX_INPUT = 200

_LEAD = re.compile(r"\s*(?:and\s+)?([-+]?)\s*(\$?)\s*((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
                   r"(?:[eE][-+]?[0-9]+)?)")
_WORD = re.compile(r"\s*([A-Za-zµμ]+|%|\$)")
_GROUPED = re.compile(r"(?<![0-9.,])[1-9][0-9]{0,2}(?:,[0-9]{3})+(?![0-9]|,[0-9])")
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-"})


class QuantityError(ValueError):
    """The text is not a number this drill can read; the message says why in one line."""


@dataclass(frozen=True)
class Quantity:
    """A parsed answer: its value in the family's base unit, the family (None for a bare
    number, which is taken in the card's unit) and the unit as written, if any."""

    value: float
    family: str | None
    unit: str | None = None


def unit_family(unit: str) -> tuple[str, float]:
    """The family of a card's unit and its factor to the family's base unit."""
    key = unit.strip() if isinstance(unit, str) else ""
    if key in CARD_COUNT_UNITS:
        return COUNT, CARD_COUNT_UNITS[key]
    found = UNITS.get(key.lower()) if key != "m" else UNITS["min"]
    if found is None:
        raise QuantityError(f"unknown unit {unit!r} (use e.g. USD, %, ms, s, min, h, d, "
                            "B, KB, MB, GB, KiB, MiB, or k, M, bn for counts)")
    return found


def family_of(unit: str | None) -> str | None:
    """The family of a card's unit, None for a card without one (or an unknown unit)."""
    if unit is None:
        return None
    try:
        return unit_family(unit)[0]
    except QuantityError:
        return None


def parse_quantity(text: str, *, family_hint: str | None = None) -> Quantity:
    """Read a typed answer; `family_hint` is the card's unit family (it settles `4B`, `4M`)."""
    raw = _clean(text)
    cleaned = _GROUPED.sub(lambda m: m.group(0).replace(",", ""), raw)
    if "," in cleaned:
        example = re.sub(r"([0-9]),([0-9])", r"\1.\2", raw)
        shown = f": {example}" if len(example) <= 40 else ""
        raise QuantityError(f"use a dot for decimals{shown} (commas only group thousands)")
    parts = _split(cleaned, raw)
    hint = TIME if len(parts) > 1 else family_hint
    quantities = [_one(sign, dollar, number, words, hint) for sign, dollar, number, words in parts]
    if len(quantities) == 1:
        return quantities[0]
    if any(q.family != TIME for q in quantities) or any(p[0] for p in parts[1:]):
        raise QuantityError("only times can be written in parts, like 43 m 12 s or 1h 30m")
    return Quantity(math.fsum(q.value for q in quantities), TIME, quantities[-1].unit)


def _clean(text: str) -> str:
    if not isinstance(text, str):
        raise QuantityError("the answer must be text")
    if len(text) > MAX_INPUT:
        raise QuantityError("too long to be a number")
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES).strip()
    if not folded:
        raise QuantityError("no answer")
    if len(folded) > MAX_INPUT:
        raise QuantityError("too long to be a number")
    return folded


def _split(cleaned: str, raw: str) -> list[tuple[str, str, str, list[str]]]:
    """Parts of `[sign] [$] number [words]`, e.g. `43 m` and `12 s`."""
    parts: list[tuple[str, str, str, list[str]]] = []
    position = 0
    while position < len(cleaned):
        lead = _LEAD.match(cleaned, position)
        if lead is None or (not parts and lead.group(0).lstrip().startswith("and")):
            raise QuantityError(f"cannot read {_short(raw)} as a number")
        position = lead.end()
        words: list[str] = []
        while (word := _WORD.match(cleaned, position)) is not None:
            if word.group(1).lower() == "and" and _LEAD.match(cleaned, word.end()):
                break
            words.append(word.group(1))
            position = word.end()
        parts.append((lead.group(1), lead.group(2), lead.group(3), words))
    if len(parts) > 1 and not all(words for *_, words in parts):
        raise QuantityError(f"cannot read {_short(raw)} as one number")
    return parts


def _short(raw: str) -> str:
    return repr(raw if len(raw) <= 30 else raw[:27] + "...")


def _one(sign: str, dollar: str, number: str, words: list[str], hint: str | None) -> Quantity:
    value = float(number) * (-1.0 if sign == "-" else 1.0)
    if not math.isfinite(value):
        raise QuantityError("the number is out of range")
    if len(words) > 2:
        raise QuantityError(f"cannot read {' '.join(words)!r} after the number")
    multiplier, family, factor, unit = 1.0, None, 1.0, None
    for index, word in enumerate(words):
        meaning = _word(word, hint)
        if isinstance(meaning, float) and index == 0:
            multiplier = meaning
        elif isinstance(meaning, tuple) and unit is None:
            family, factor = UNITS[meaning[0]]
            unit = meaning[1]
        else:
            raise QuantityError(f"cannot read {' '.join(words)!r} after the number")
    if dollar:
        if family not in (None, MONEY):
            raise QuantityError(f"cannot read $ with {unit}: write $5 or 5 USD")
        family, unit = MONEY, unit or "$"
    value *= multiplier * factor
    if not math.isfinite(value):
        raise QuantityError("the number is out of range")
    if family is None and multiplier != 1.0 and hint == COUNT:
        family = COUNT
    return Quantity(value, family, unit)


def _word(word: str, hint: str | None) -> float | tuple[str, str]:
    """A multiplier, or (key in UNITS, unit as shown); QuantityError if unknown."""
    low = word.lower()
    if low == "m":
        return ("min", "min") if hint == TIME else 1e6
    if low == "b":
        return ("b", "B") if hint == SIZE else 1e9
    if low in MULTIPLIERS:
        return MULTIPLIERS[low]
    if word == "T":
        return 1e12
    if low in UNITS:
        return low, _SHOWN[low]
    raise QuantityError(f"unknown unit {word!r}")


def in_unit(quantity: Quantity, unit: str | None) -> float:
    """The quantity expressed in a card's unit; QuantityError when the families differ."""
    if unit is None:
        if quantity.family in (None, COUNT):
            return quantity.value
        raise QuantityError(f"you answered {ARTICLE[quantity.family]}, "
                            "the card wants a plain number")
    family, factor = unit_family(unit)
    if quantity.family is None:
        return quantity.value
    if quantity.family != family:
        raise QuantityError(f"you answered {ARTICLE[quantity.family]}, "
                            f"the card wants {ARTICLE[family]}")
    return quantity.value / factor


def format_value(value: float, unit: str | None) -> str:
    """A number for display with its unit: $0.625, $0.30, 43.2 min, 12%, 2.6M, 1 MiB."""
    text = format_number(value)
    if unit is None:
        return text
    if unit in ("$", "USD", "usd"):
        if "." in text and len(text.rsplit(".", 1)[1]) == 1:
            text += "0"  # cents: $0.30, not $0.3
        return f"-${text[1:]}" if text.startswith("-") else f"${text}"
    if unit == "%" or unit in CARD_COUNT_UNITS:
        return f"{text}{unit}"
    return f"{text} {unit}"


def format_number(value: float) -> str:
    """Six significant digits with thousands separators and no trailing zeros; whole numbers
    in full; tiny values written out (0.0000166667) rather than in scientific notation."""
    if not math.isfinite(value):
        return str(value)
    if value != 0 and abs(value) < 1e-4:
        decimals = min(20, 5 - math.floor(math.log10(abs(value))))
        return f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1e5:
        return f"{value:,.0f}"
    return f"{value:,.6g}"
