"""Numbers with units: every accepted form, conversion within a family, refusals with reasons,
and hypothesis: any string gives a Quantity or a QuantityError."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.core.quantity import (
    COUNT,
    FAMILIES,
    MONEY,
    PERCENT,
    SIZE,
    TIME,
    Quantity,
    QuantityError,
    format_value,
    in_unit,
    parse_quantity,
    unit_family,
)


@pytest.mark.parametrize(
    ("text", "hint", "value", "family"),
    [
        ("0.023", None, 0.023, None),
        (".5", None, 0.5, None),
        ("$0.023", MONEY, 0.023, MONEY),
        ("$ 0.023", None, 0.023, MONEY),
        ("0.625 USD", MONEY, 0.625, MONEY),
        ("0.625usd", MONEY, 0.625, MONEY),
        ("5 cents", MONEY, 0.05, MONEY),
        ("-$5", MONEY, -5, MONEY),
        ("1.2k", None, 1200, None),
        ("1.2K", None, 1200, None),
        ("4M", None, 4e6, None),
        ("4 million", None, 4e6, None),
        ("3bn", None, 3e9, None),
        ("4B", None, 4e9, None),
        ("4B", MONEY, 4e9, None),
        ("$4M", MONEY, 4e6, MONEY),
        ("$1.2k", MONEY, 1200, MONEY),
        ("4 billion dollars", MONEY, 4e9, MONEY),
        ("3e-5", None, 3e-5, None),
        ("3E5", None, 3e5, None),
        ("12%", PERCENT, 12, PERCENT),
        ("12 percent", None, 12, PERCENT),
        ("1,000,000", None, 1e6, None),
        ("1,234.5", None, 1234.5, None),
        ("$1,000", MONEY, 1000, MONEY),
        ("  -2.5  ", None, -2.5, None),
        ("+7", None, 7, None),
        ("−3", None, -3, None),  # U+2212 minus sign
        ("１２％", None, 12, PERCENT),  # full-width digits and percent, NFKC
    ],
)
def test_accepted_numbers(text: str, hint: str | None, value: float, family: str | None) -> None:
    quantity = parse_quantity(text, family_hint=hint)
    assert quantity.value == pytest.approx(value)
    assert quantity.family == family


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("250 ms", 0.25), ("5 µs", 5e-6), ("5 us", 5e-6), ("30 s", 30), ("30 sec", 30),
     ("2 min", 120), ("2 m", 120), ("2 minutes", 120), ("1 hr", 3600), ("1.5 h", 5400),
     ("2 d", 172800), ("2 days", 172800), ("1 day", 86400), ("1 week", 604800)],
)
def test_time_units(text: str, seconds: float) -> None:
    quantity = parse_quantity(text, family_hint=TIME)
    assert quantity.family == TIME
    assert quantity.value == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "hint", "seconds"),
    [("43 m 12 s", TIME, 2592), ("43m12s", TIME, 2592), ("1h 30m", TIME, 5400),
     ("1h 30m", None, 5400), ("1 hour and 30 minutes", None, 5400),
     ("2 d 3 h 4 min 5 s", COUNT, 183845), ("1 min 500 ms", TIME, 60.5)],
)
def test_compound_times(text: str, hint: str | None, seconds: float) -> None:
    quantity = parse_quantity(text, family_hint=hint)
    assert quantity.family == TIME
    assert quantity.value == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "hint", "nbytes"),
    [("4B", SIZE, 4), ("4 bytes", SIZE, 4), ("3 KB", SIZE, 3e3), ("3kb", SIZE, 3e3),
     ("2 MB", SIZE, 2e6), ("1 GB", SIZE, 1e9), ("1 TB", SIZE, 1e12),
     ("1 KiB", SIZE, 1024), ("1 MiB", None, 2**20), ("1 GiB", SIZE, 2**30),
     ("1 TiB", SIZE, 2**40)],
)
def test_data_sizes_decimal_and_binary(text: str, hint: str | None, nbytes: float) -> None:
    quantity = parse_quantity(text, family_hint=hint)
    assert quantity.family == SIZE
    assert quantity.value == pytest.approx(nbytes)


def test_the_cards_family_settles_ambiguous_letters() -> None:
    assert parse_quantity("4B", family_hint=SIZE) == Quantity(4, SIZE, "B")
    assert parse_quantity("4B", family_hint=TIME).value == 4e9
    assert parse_quantity("4B", family_hint=COUNT).family == COUNT
    assert parse_quantity("4m", family_hint=TIME) == Quantity(240, TIME, "min")
    assert parse_quantity("4M", family_hint=TIME).family == TIME
    assert parse_quantity("4m", family_hint=MONEY).value == 4e6


def test_decimal_comma_is_an_error_with_a_hint() -> None:
    with pytest.raises(QuantityError, match=r"^use a dot for decimals: 0\.023"):
        parse_quantity("0,023")
    with pytest.raises(QuantityError, match=r"use a dot for decimals: 10\.5 min"):
        parse_quantity("10,5 min", family_hint=TIME)
    with pytest.raises(QuantityError, match="dot for decimals"):
        parse_quantity("1,0000")


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "no answer"), ("   ", "no answer"), ("abc", "cannot read"), ("$$5", "cannot read"),
     ("--5", "cannot read"), ("1e999", "out of range"), ("5 parsecs", "unknown unit 'parsecs'"),
     ("43 m 12 KB", "only times"), ("1 000 000", "as one number"), ("1h30", "as one number"),
     ("$4 ms", r"write \$5 or 5 USD"), ("4 k k", "cannot read"), ("x" * 201, "too long"),
     ("5 #", "cannot read"), ("and 5", "cannot read")],
)
def test_unreadable_answers(text: str, message: str) -> None:
    with pytest.raises(QuantityError, match=message):
        parse_quantity(text, family_hint=TIME)


def test_conversion_into_the_cards_unit() -> None:
    assert in_unit(parse_quantity("43 m 12 s", family_hint=TIME), "min") == pytest.approx(43.2)
    assert in_unit(parse_quantity("2592 s", family_hint=TIME), "min") == pytest.approx(43.2)
    assert in_unit(parse_quantity("2 GiB", family_hint=SIZE), "MiB") == 2048
    assert in_unit(parse_quantity("1 GB", family_hint=SIZE), "MB") == 1000
    assert in_unit(parse_quantity("$0.625", family_hint=MONEY), "USD") == 0.625
    assert in_unit(parse_quantity("2.6M", family_hint=COUNT), "M") == pytest.approx(2.6)
    assert in_unit(parse_quantity("2600k", family_hint=COUNT), "M") == pytest.approx(2.6)


def test_a_bare_number_is_taken_in_the_cards_unit() -> None:
    assert in_unit(parse_quantity("43.2", family_hint=TIME), "min") == 43.2
    assert in_unit(parse_quantity("2.6", family_hint=COUNT), "M") == 2.6
    assert in_unit(parse_quantity("0.12", family_hint=PERCENT), "%") == 0.12


@pytest.mark.parametrize(
    ("text", "unit", "reason"),
    [("1 MiB", "min", "you answered a data size, the card wants a time"),
     ("5 min", "MB", "you answered a time, the card wants a data size"),
     ("$5", "%", "you answered an amount of money, the card wants a percentage"),
     ("5 s", None, "you answered a time, the card wants a plain number")],
)
def test_another_family_is_refused_with_the_reason(text: str, unit: str | None,
                                                     reason: str) -> None:
    with pytest.raises(QuantityError, match=reason):
        in_unit(parse_quantity(text), unit)


def test_unit_family_validates_a_cards_unit() -> None:
    assert unit_family("min") == (TIME, 60.0)
    assert unit_family("MiB") == (SIZE, 2.0**20)
    assert unit_family("B") == (SIZE, 1.0)
    assert unit_family("USD") == (MONEY, 1.0)
    assert unit_family("%") == (PERCENT, 1.0)
    assert unit_family("M") == (COUNT, 1e6)
    with pytest.raises(QuantityError, match="unknown unit 'furlongs'"):
        unit_family("furlongs")


def test_format_value() -> None:
    assert format_value(0.625, "USD") == "$0.625"
    assert format_value(0.3, "USD") == "$0.30"
    assert format_value(-2, "$") == "-$2"
    assert format_value(43.2, "min") == "43.2 min"
    assert format_value(1, "MiB") == "1 MiB"
    assert format_value(1048576, "B") == "1,048,576 B"
    assert format_value(12, "%") == "12%"
    assert format_value(2.6, "M") == "2.6M"
    assert format_value(0.0000166667, "USD") == "$0.0000166667"
    assert format_value(1234567.891, None) == "1,234,568"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from((None, *FAMILIES)))
def test_any_string_gives_a_quantity_or_a_quantity_error(text: str, hint: str | None) -> None:
    with contextlib.suppress(QuantityError):
        quantity = parse_quantity(text, family_hint=hint)
        assert quantity.family in (None, *FAMILIES)
        for unit in (None, "min", "MiB", "USD", "%", "M"):
            with contextlib.suppress(QuantityError):
                in_unit(quantity, unit)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"\s*[-+$]{0,2}[0-9.,]{1,12}(e-?[0-9]{1,4})?\s*[a-zA-Z%$µ ]{0,12}"
                     r"([0-9.]{1,5}\s*[a-z]{0,4}){0,3}", fullmatch=True))
def test_number_like_strings_never_crash(text: str) -> None:
    with contextlib.suppress(QuantityError):
        parse_quantity(text, family_hint=TIME)
