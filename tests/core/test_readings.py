"""Grading rules for the flagship facts: availability graded on what it leaves out, decimal
and binary readings of data sizes, the unit a unitless question names."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill import paths
from loopdrill.core.graded_kinds import grade, prepare
from loopdrill.core.grading import Tolerance, grade_numeric
from loopdrill.core.model import Item, Rating
from loopdrill.formats.native import read_deck

COMMON_NINES = ("99", "99.5", "99.9", "99.95", "99.99", "99.999")


def availability_cards() -> list[Item]:
    """Built-in numeric cards whose answer is an availability (unit %, 99 or more), found by
    their content so that editing the decks keeps them covered."""
    found = []
    for path in sorted(paths.builtin_decks().glob("*.yaml")):
        for item in read_deck(path).items:
            if item.kind == "numeric" and str(item.fields.get("unit", "")).strip() == "%":
                expected = prepare("numeric", item.fields, random.Random(0)).expected
                if expected is not None and 99 <= expected < 100:
                    found.append(item)
    return found


AVAILABILITY = availability_cards()


def test_the_built_in_decks_have_availability_cards() -> None:
    assert len(AVAILABILITY) >= 10


@pytest.mark.parametrize("item", AVAILABILITY, ids=lambda i: i.id)
def test_every_other_number_of_nines_is_again(item: Item) -> None:
    prompt = prepare("numeric", item.fields, random.Random(0))
    assert prompt.expected is not None
    for typed in COMMON_NINES:
        verdict = grade("numeric", item.fields, prompt, typed)
        if float(typed) == prompt.expected:
            assert verdict.proposed == Rating.GOOD, (item.id, typed)
        else:
            assert verdict.proposed == Rating.AGAIN, (item.id, typed, verdict.detail)
            assert "graded on what it leaves out" in verdict.detail
    exact = f"{prompt.expected:g}"
    padded = f"{exact}0" if "." in exact else f"{exact}.0"  # 99.990, 99.0
    for typed in (exact, f"{exact} %", padded, f"{exact}%"):
        assert grade("numeric", item.fields, prompt, typed).proposed == Rating.GOOD, typed


def test_nines_feedback_says_how_much_more_downtime() -> None:
    verdict = grade_numeric("99.95", 99.99, "%", Tolerance())
    assert verdict.detail.startswith("99.95% leaves 0.05% out, 5 times the downtime of 99.99%")
    assert grade_numeric("100", 99.9, "%", Tolerance()).proposed == Rating.AGAIN
    assert grade_numeric("12", 12, "%", Tolerance()).proposed == Rating.GOOD  # not nines


DECIMAL = ("KB", "MB", "GB", "TB")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5000), st.sampled_from(range(4)), st.sampled_from(range(4)))
def test_decimal_and_binary_readings_of_one_size_are_both_right(count: int, typed_power: int,
                                                              card_power: int) -> None:
    # A card "N MB" (AWS style): N MB decimal and N MiB binary are both right, typed in any
    # prefix whose figure is exact.
    card = DECIMAL[card_power]
    shift = 1000 ** (card_power - typed_power) if card_power >= typed_power else None
    typed_unit = DECIMAL[typed_power]
    if shift is None:
        return
    decimal_typed = f"{count * shift} {typed_unit}"
    binary_typed = f"{count * 1024 ** (card_power - typed_power)} {typed_unit}"
    for typed in (decimal_typed, binary_typed, f"{count * 1024 ** (card_power - typed_power)} "
                  f"{typed_unit[0]}iB"):
        verdict = grade_numeric(typed, count, card, Tolerance())
        assert verdict.proposed == Rating.GOOD, (typed, count, card, verdict.detail)


@pytest.mark.parametrize(("typed", "expected", "unit", "note"), [
    ("10 GB", 10240, "MB", "reading GB as GiB and MB as MiB: 10 GiB = 10,737,418,240 bytes"),
    ("1 MB", 1, "MiB", "reading MB as MiB: 1 MiB = 1,048,576 bytes = 1 MiB"),
    ("400 KiB", 400, "KB", "reading KB as KiB: 400 KiB = 409,600 bytes = 400 KiB"),
    ("256 KB", 256, "KiB", "262,144 bytes"),
    ("10.24 GB", 10240, "MB", ""),
])
def test_aws_sizes_are_right_with_the_exact_figure(typed: str, expected: float, unit: str,
                                                   note: str) -> None:
    verdict = grade_numeric(typed, expected, unit, Tolerance())
    assert verdict.proposed == Rating.GOOD
    assert note in verdict.detail


def test_a_unitless_card_takes_the_unit_its_question_names() -> None:
    front = "Inbound bandwidth in MB per second?"
    assert grade_numeric("2 MB", 2, None, Tolerance(), front).proposed == Rating.GOOD
    assert grade_numeric("2000 KB", 2, None, Tolerance(), front).proposed == Rating.GOOD
    assert grade_numeric("2", 2, None, Tolerance(), front).proposed == Rating.GOOD
    refused = grade_numeric("4 MB", 4, None, Tolerance(), "Billed as how many requests?")
    assert refused.unreadable
    assert refused.detail == "type a plain number, without a unit: this card's answer has none"
