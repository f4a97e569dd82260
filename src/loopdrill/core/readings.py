"""How a typed quantity is read against a card: the decimal and binary readings of data
sizes, the unit a unitless card's question names, and availability percentages ("nines").

AWS writes "10 GB", "1 MB", "400 KB" where it means binary sizes (GiB, MiB, KiB). A typed
size is right when it matches under either reading of its prefix and of the card's: KB as
1,000 or 1,024 bytes, MB as 1,000² or 1,024², and so on (KiB, MiB... have one reading).

An availability is judged by what it leaves out: 99.95% allows five times the downtime of
99.99%. A percentage card whose answer is from 99% to below 100% is graded on 100 - x.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loopdrill.core.quantity import (
    ARTICLE,
    COUNT,
    SIZE,
    UNITS,
    Quantity,
    QuantityError,
    format_number,
    unit_family,
)

#: Decimal size prefixes and their binary names: KB is 1,000 B, or 1,024 B read as KiB.
BINARY_NAME = {"KB": "KiB", "MB": "MiB", "GB": "GiB", "TB": "TiB", "PB": "PiB"}
_POWER = {"KB": 1, "MB": 2, "GB": 3, "TB": 4, "PB": 5}
_IN_UNIT = re.compile(r"\bin\s+(KiB|MiB|GiB|TiB|KB|MB|GB|TB|bytes|ms|seconds|minutes|hours|"
                      r"days|USD|dollars)\b", re.IGNORECASE)
NINES_FROM = 99.0
PLAIN_NUMBER = "type a plain number, without a unit: this card's answer has none"


@dataclass(frozen=True)
class Reading:
    """A typed quantity in the card's unit under one reading of the prefixes; `note` says
    which reading and the exact figure ("" for the plain reading)."""

    value: float
    note: str = ""


def _binary(unit: str | None) -> str | None:
    """The binary name a decimal size prefix may stand for (MB -> MiB), else None."""
    return BINARY_NAME.get((unit or "").strip().upper())


def _binary_factor(decimal: str) -> float:
    return 1024.0 ** _POWER[decimal.strip().upper()]


def implied_unit(front: str) -> str | None:
    """The unit a question asks for in words ("..., in MB per second?"), if it names one."""
    found = _IN_UNIT.search(front or "")
    if found is None:
        return None
    word = found.group(1)
    return word if word.lower() in UNITS else None


def readings(quantity: Quantity, unit: str | None) -> list[Reading]:
    """The typed quantity in the card's unit, plain reading first, then (data sizes) the
    binary readings of a decimal prefix; QuantityError when the families differ."""
    if unit is None:
        if quantity.family in (None, COUNT):
            return [Reading(quantity.value)]
        raise QuantityError(f"you answered {ARTICLE[quantity.family]}, "
                            "the card wants a plain number")
    family, factor = unit_family(unit)
    if quantity.family is None:
        return [Reading(quantity.value)]
    if quantity.family != family:
        raise QuantityError(f"you answered {ARTICLE[quantity.family]}, "
                            f"the card wants {ARTICLE[family]}")
    plain = [Reading(quantity.value / factor)]
    if family != SIZE:
        return plain
    typed_bin = _binary(quantity.unit)
    card_bin = _binary(unit)
    typed_bytes = [(quantity.value, quantity.unit or "B")]
    if typed_bin is not None and quantity.unit is not None:
        count = quantity.value / UNITS[quantity.unit.lower()][1]
        typed_bytes.append((count * _binary_factor(quantity.unit), typed_bin))
    card_units = [(factor, unit)] + ([(_binary_factor(unit), card_bin)] if card_bin else [])
    out = plain
    for bytes_, typed_name in typed_bytes:
        for card_factor, card_name in card_units:
            if (typed_name, card_name) == (quantity.unit or "B", unit):
                continue  # the plain reading, already first
            value = bytes_ / card_factor
            shown_typed = f"{format_number(bytes_ / _unit_bytes(typed_name))} {typed_name}"
            renamed = [f"{d} as {b}" for d, b in ((quantity.unit, typed_name), (unit, card_name))
                       if d != b and d is not None]
            how = f"reading {' and '.join(dict.fromkeys(renamed))}: " if renamed else ""
            out.append(Reading(value, f"{how}{shown_typed} = {format_number(bytes_)} bytes = "
                                      f"{format_number(value)} {card_name}"))
    return out


def _unit_bytes(name: str) -> float:
    return UNITS[name.lower()][1]


def is_nines(expected: float, unit: str | None) -> bool:
    """An availability-style percentage: graded on what it leaves out (100 - x)."""
    return unit is not None and unit.strip() == "%" and NINES_FROM <= expected < 100
