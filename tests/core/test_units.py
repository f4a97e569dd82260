"""The number and unit parser, with hypothesis: any string gives a value or a UnitError."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loopdrill.core.units import (
    MONEY,
    SIZE,
    TIME,
    UnitError,
    format_value,
    parse_quantity,
    to_unit,
)


@pytest.mark.parametrize(
    ("text", "hint", "value", "family"),
    [
        ("0.023", None, 0.023, None),
        ("$0.023", MONEY, 0.023, MONEY),
        ("0.625 USD", MONEY, 0.625, MONEY),
        ("1.2k", None, 1200, None),
        ("4M", None, 4e6, None),
        ("3e-5", None, 3e-5, None),
        ("12%", "percent", 12, "percent"),
        ("43 m 12 s", TIME, 2592, TIME),
        ("1h 30m", TIME, 5400, TIME),
        ("2592 s", TIME, 2592, TIME),
        ("1 MiB", SIZE, 1048576, SIZE),
        ("4B", SIZE, 4, SIZE),
        ("4B", None, 4e9, None),
        ("1,000,000", None, 1e6, None),
        ("  -2.5  ", None, -2.5, None),
    ],
)
def test_accepted_forms(text: str, hint: str | None, value: float, family: str | None) -> None:
    quantity = parse_quantity(text, family_hint=hint)
    assert quantity.value == pytest.approx(value)
    assert quantity.family == family


def test_decimal_comma_is_an_error_with_a_hint() -> None:
    with pytest.raises(UnitError, match=r"use a dot for decimals \(e.g. 0.023\)"):
        parse_quantity("0,023")


@pytest.mark.parametrize("text", ["", "abc", "$$5", "1e999", "43 m 12 KB", "5 parsecs"])
def test_unreadable_inputs(text: str) -> None:
    with pytest.raises(UnitError):
        parse_quantity(text, family_hint=TIME)


def test_conversion_within_a_family_and_refusal_across() -> None:
    assert to_unit(parse_quantity("43 m 12 s", family_hint=TIME), "min") == (43.2, "")
    assert to_unit(parse_quantity("2 GiB", family_hint=SIZE), "MiB") == (2048, "")
    value, reason = to_unit(parse_quantity("1 MiB", family_hint=TIME), "min")
    assert value is None and reason == "you answered a data size; the card wants a time"


def test_format_value() -> None:
    assert format_value(0.625, "USD") == "$0.625"
    assert format_value(43.2, "min") == "43.2 min"
    assert format_value(1048576, "B") == "1,048,576 B"
    assert format_value(0.0000166667, "USD") == "$0.0000166667"


@given(st.text(max_size=300))
def test_any_string_gives_a_value_or_a_unit_error(text: str) -> None:
    for hint in (None, TIME, SIZE, MONEY):
        with contextlib.suppress(UnitError):
            parse_quantity(text, family_hint=hint)
