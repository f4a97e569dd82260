"""Tolerance rules and the Good/Hard/Again boundaries; choice and text grading; hypothesis:
whatever is typed, the graders return a verdict."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.core.grading import (
    AnswerError,
    Tolerance,
    ToleranceError,
    grade_choice,
    grade_numeric,
    grade_text,
    normalize,
    parse_picks,
)
from loopdrill.core.model import Rating

DEFAULT = Tolerance.parse(None)
OPTIONS = ["Frugality", "Bias for Action", "Dive Deep", "Earn Trust"]


@pytest.mark.parametrize(
    ("raw", "unit", "tolerance"),
    [(None, None, Tolerance()), ("5%", None, Tolerance(relative=0.05)),
     (" 2.5 % ", None, Tolerance(relative=0.025)), ("0.01", None, Tolerance(absolute=0.01)),
     (0.01, None, Tolerance(absolute=0.01)), (0, None, Tolerance(absolute=0.0)),
     ("0", "USD", Tolerance(absolute=0.0)), ("30 s", "min", Tolerance(absolute=0.5)),
     ("$0.05", "USD", Tolerance(absolute=0.05))],
)
def test_tolerance_forms(raw: object, unit: str | None, tolerance: Tolerance) -> None:
    assert Tolerance.parse(raw, unit) == tolerance


@pytest.mark.parametrize(("raw", "unit"), [("-1", None), ("150%", None), ("-5%", None),
                                           ("abc", None), ("x%", None), (True, None),
                                           ([5], None), ("5 MB", "min"), ("nan", None),
                                           ("inf", None)])
def test_bad_tolerances(raw: object, unit: str | None) -> None:
    with pytest.raises(ToleranceError, match="tolerance"):
        Tolerance.parse(raw, unit)


@pytest.mark.parametrize(
    ("typed", "rating"),
    [("43.2", Rating.GOOD), ("43.24", Rating.GOOD), ("43.25", Rating.GOOD),
     ("43.15", Rating.GOOD), ("43.3", Rating.HARD), ("43.35", Rating.HARD),
     ("43.36", Rating.AGAIN), ("44", Rating.AGAIN), ("43 m 12 s", Rating.GOOD),
     ("2592 s", Rating.GOOD), ("0.72 h", Rating.GOOD)],
)
def test_default_tolerance_is_three_significant_digits(typed: str, rating: Rating) -> None:
    assert grade_numeric(typed, 43.2, "min", DEFAULT).proposed == rating


def test_default_tolerance_scales_with_the_magnitude() -> None:
    assert DEFAULT.allowed(0.0000166667) == pytest.approx(5e-8)
    assert grade_numeric("0.0000167", 0.0000166667, "USD", DEFAULT).proposed == Rating.GOOD
    assert grade_numeric("1,230,000", 1234567, None, DEFAULT).proposed == Rating.GOOD
    assert grade_numeric("1.24M", 1234567, None, DEFAULT).proposed == Rating.HARD
    assert grade_numeric("0", 0, None, DEFAULT).proposed == Rating.GOOD
    assert grade_numeric("0.001", 0, None, DEFAULT).proposed == Rating.AGAIN


@pytest.mark.parametrize(
    ("typed", "rating"),
    [("0.625", Rating.GOOD), ("$0.65", Rating.GOOD), ("0.65625", Rating.GOOD),
     ("0.66", Rating.HARD), ("0.71875", Rating.HARD), ("0.72", Rating.AGAIN),
     ("$0.55", Rating.HARD), ("0.5", Rating.AGAIN), ("62.5 cents", Rating.GOOD)],
)
def test_relative_tolerance_boundaries(typed: str, rating: Rating) -> None:
    assert grade_numeric(typed, 0.625, "USD", Tolerance.parse("5%")).proposed == rating


@pytest.mark.parametrize(
    ("typed", "rating"),
    [("10", Rating.GOOD), ("10.5", Rating.GOOD), ("9.5", Rating.GOOD), ("11.5", Rating.HARD),
     ("8.5", Rating.HARD), ("11.6", Rating.AGAIN), ("10 min 30 s", Rating.GOOD)],
)
def test_absolute_tolerance_boundaries(typed: str, rating: Rating) -> None:
    assert grade_numeric(typed, 10, "min", Tolerance.parse("0.5")).proposed == rating


def test_exact_tolerance_forgives_float_noise_only() -> None:
    exact = Tolerance.parse(0)
    assert grade_numeric("43.2", 43.199999999997544, "min", exact).proposed == Rating.GOOD
    assert grade_numeric("43.21", 43.2, "min", exact).proposed == Rating.AGAIN


def test_verdicts_say_what_was_expected_and_by_how_much() -> None:
    right = grade_numeric("$0.625", 0.625, "USD", Tolerance.parse("5%"))
    assert (right.correct, right.expected, right.detail) == (True, "$0.625", "")
    close = grade_numeric("0.66", 0.625, "USD", Tolerance.parse("5%"))
    assert not close.correct
    assert close.detail == "you said $0.66: off by $0.035 (+5.6%), tolerance 5%"
    nearly = grade_numeric("43.24", 43.2, "min", DEFAULT)
    assert nearly.correct and "off by 0.04 min" in nearly.detail


def test_another_family_is_wrong_with_the_reason() -> None:
    verdict = grade_numeric("43 MB", 43.2, "min", DEFAULT)
    assert verdict.proposed == Rating.AGAIN and not verdict.unreadable
    assert verdict.detail == "you answered a data size, the card wants a time"
    verdict = grade_numeric("4B", 4, "B", DEFAULT)
    assert verdict.proposed == Rating.GOOD


def test_empty_means_i_do_not_know() -> None:
    for typed in ("", "   ", "\x00\t"):
        verdict = grade_numeric(typed, 43.2, "min", DEFAULT)
        assert verdict.proposed == Rating.AGAIN and "not known" in verdict.detail
    assert "not known" in grade_text("", ["Kinesis"]).detail
    assert "not known" in grade_choice((), OPTIONS, {"Frugality"}).detail


def test_an_unreadable_number_is_again_with_the_hint() -> None:
    verdict = grade_numeric("0,023", 0.023, "USD", DEFAULT)
    assert verdict.proposed == Rating.AGAIN and verdict.unreadable
    assert verdict.detail.startswith("use a dot for decimals: 0.023")


def test_choice_needs_exactly_the_right_set() -> None:
    assert grade_choice([1], OPTIONS, {"Frugality"}).proposed == Rating.GOOD
    assert grade_choice({1, 3}, OPTIONS, {"Frugality", "Dive Deep"}).proposed == Rating.GOOD
    partial = grade_choice([1], OPTIONS, {"Frugality", "Dive Deep"})
    assert partial.proposed == Rating.AGAIN and partial.detail == "missed Dive Deep"
    extra = grade_choice([1, 2], OPTIONS, {"Frugality"})
    assert extra.detail == "wrongly picked Bias for Action"
    assert extra.expected == "a) Frugality"
    out = grade_choice([7], OPTIONS, {"Frugality"})
    assert out.unreadable and "letters a-d" in out.detail


@pytest.mark.parametrize(("typed", "picks"), [("b", {2}), ("a c", {1, 3}), ("A,C", {1, 3}),
                                              (" a, c ;d ", {1, 3, 4}), ("c c", {3}),
                                              ("dive deep", {3}), ("Frugality; Dive Deep", {1, 3}),
                                              ("", set())])
def test_picks_are_option_texts_or_letters(typed: str, picks: set[int]) -> None:
    assert parse_picks(typed, OPTIONS) == picks


@pytest.mark.parametrize("typed", ["0", "e", "1", "1.5", "-1", "99999", "ａ ｂ ｚ", "Ownership"])
def test_bad_picks(typed: str) -> None:
    with pytest.raises(AnswerError, match="letters a-d"):
        parse_picks(typed, OPTIONS)


def test_a_numeric_option_is_matched_by_its_text_first() -> None:
    azs = ["3", "6", "2", "1"]
    assert parse_picks("3", azs) == {1}  # the option "3", not the third option ("2")
    assert grade_choice(parse_picks("3", azs), azs, {"3"}).proposed == Rating.GOOD
    assert parse_picks("c", azs) == {3}
    assert parse_picks("3 6", azs) == {1, 2}
    many = [f"option {n}" for n in range(1, 31)]
    assert parse_picks("27", many) == {27}  # beyond 26 options: numbers
    with pytest.raises(AnswerError, match="numbers 1-30"):
        parse_picks("a", many)


def test_text_ignores_case_spacing_punctuation_and_unicode_forms() -> None:
    accepted = ["Kinesis Data Streams", "Kinesis"]
    for typed in ("kinesis  data-streams!", "KINESIS", " Kinesis. ", "Ｋｉｎｅｓｉｓ"):
        assert grade_text(typed, accepted).proposed == Rating.GOOD, typed
    assert normalize("ﬁle   Ⅸ") == normalize("FILE ix")
    assert grade_text("Kinesis Data Stream", accepted).proposed == Rating.HARD
    assert grade_text("SQS", ["SNS"]).proposed == Rating.AGAIN
    wrong = grade_text("Kafka", accepted)
    assert wrong.expected == "Kinesis Data Streams / Kinesis" and not wrong.correct


ANY_TEXT = st.text(max_size=200) | st.text(
    alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=10_050)


@settings(max_examples=150, deadline=None)
@given(ANY_TEXT)
def test_any_typed_text_gives_a_verdict(typed: str) -> None:
    for unit in (None, "min", "MiB", "USD", "%", "M"):
        verdict = grade_numeric(typed, 43.2, unit, DEFAULT)
        assert verdict.proposed in (Rating.AGAIN, Rating.HARD, Rating.GOOD)
        assert len(verdict.typed) <= 10_000 and verdict.typed.isprintable()
    assert grade_text(typed, ["Kinesis Data Streams", "Kinesis"]).proposed in Rating
    try:
        picks = parse_picks(typed, OPTIONS)
    except AnswerError:
        return
    assert grade_choice(picks, OPTIONS, {"Frugality"}).proposed in Rating


def test_huge_and_odd_inputs() -> None:
    for typed in ("9" * 10_000, "😀" * 5000, "\x1b[31m5\x1b[0m", "1e308 min", "5\n6"):
        verdict = grade_numeric(typed, 5, "min", DEFAULT)
        assert verdict.proposed == Rating.AGAIN
    assert grade_numeric("5\u200b", 5, "min", DEFAULT).proposed == Rating.GOOD
    assert grade_text("😀" * 10_000, ["Kinesis"]).proposed == Rating.AGAIN
