"""Tolerance rules, choice and text grading, calc prompts, item checks, the formula guard."""

from __future__ import annotations

import contextlib
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.core.autograde import (
    Tolerance,
    grade,
    grade_choice,
    grade_number,
    grade_text,
    prepare,
    validate_fields,
)
from loopdrill.core.model import Rating
from loopdrill.core.safeeval import FormulaError, compile_formula, evaluate, parse_var_spec

CALC = {"front": "Downtime per 30 days at {slo}% availability, in minutes?",
        "vars": {"slo": [99, 99.5, 99.9]}, "answer": "(100 - slo) / 100 * 30 * 24 * 60",
        "unit": "min", "tolerance": "2%"}


@pytest.mark.parametrize(
    ("typed", "rating"),
    [("0.625", Rating.GOOD), ("$0.65", Rating.GOOD), ("0.68", Rating.HARD),
     ("0.75", Rating.AGAIN), ("", Rating.AGAIN), ("ten", Rating.AGAIN)],
)
def test_relative_tolerance_good_hard_again(typed: str, rating: Rating) -> None:
    assert grade_number(typed, 0.625, "USD", Tolerance.parse("5%")).proposed == rating


def test_default_tolerance_is_three_significant_digits() -> None:
    tol = Tolerance.parse(None)
    assert grade_number("43.2", 43.2, "min", tol).proposed == Rating.GOOD
    assert grade_number("43.24", 43.2, "min", tol).proposed == Rating.GOOD
    assert grade_number("43.3", 43.2, "min", tol).proposed == Rating.HARD
    assert grade_number("44", 43.2, "min", tol).proposed == Rating.AGAIN


def test_absolute_tolerance_and_units() -> None:
    tol = Tolerance.parse(0.5)
    assert grade_number("43 m 12 s", 43.2, "min", tol).proposed == Rating.GOOD
    assert grade_number("2592 s", 43.2, "min", tol).proposed == Rating.GOOD
    wrong = grade_number("43 MB", 43.2, "min", tol)
    assert wrong.proposed == Rating.AGAIN and "data size" in wrong.detail


def test_choice_needs_exactly_the_right_set() -> None:
    options = ["Frugality", "Bias for Action", "Dive Deep", "Earn Trust"]
    assert grade_choice("1", options, {"Frugality"}).proposed == Rating.GOOD
    assert grade_choice("1 3", options, {"Frugality", "Dive Deep"}).proposed == Rating.GOOD
    assert grade_choice("1", options, {"Frugality", "Dive Deep"}).proposed == Rating.AGAIN
    assert "from 1 to 4" in grade_choice("7", options, {"Frugality"}).detail


def test_text_ignores_case_spacing_and_punctuation() -> None:
    accepted = ["Kinesis Data Streams", "Kinesis"]
    assert grade_text("kinesis  data-streams!", accepted).proposed == Rating.GOOD
    assert grade_text("Kinesis Data Stream", accepted).proposed == Rating.HARD
    assert grade_text("SQS", accepted).proposed == Rating.AGAIN


def test_calc_draws_values_into_the_front_and_grades_them() -> None:
    prompt = prepare("calc", CALC, random.Random(3))
    slo = prompt.values["slo"]
    assert f"{slo:g}%" in prompt.front
    expected = (100 - slo) / 100 * 43200
    assert prompt.expected == pytest.approx(expected)
    assert grade("calc", CALC, prompt, f"{expected:.2f}").proposed == Rating.GOOD


def test_big_numbers_get_thousands_separators() -> None:
    fields = {**CALC, "front": "{n} writes", "vars": {"n": [1234567]}, "answer": "n"}
    assert prepare("calc", fields, random.Random()).front == "1,234,567 writes"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({**CALC, "answer": "__import__('os').system('x')"}, "may be called"),
        ({**CALC, "answer": "slo.real"}, "attribute is not allowed"),
        ({**CALC, "answer": "(lambda: 1)()"}, "may be called"),
        ({**CALC, "answer": "[s for s in slo]"}, "not allowed"),
        ({**CALC, "answer": "9**9**9"}, "too large"),
        ({**CALC, "answer": "1 / (slo - 99)"}, "divides by zero for slo=99"),
        ({**CALC, "answer": "nines * 2"}, "'nines' is not a declared variable"),
        ({**CALC, "vars": {"slo": []}}, "empty"),
        ({**CALC, "vars": {"slo": {"min": 5, "max": 1}}}, "above max"),
        ({**CALC, "vars": {"slo": {"min": 1, "max": 5, "step": 0}}}, "step must be positive"),
        ({**CALC, "front": "at {sla}%"}, "no var sla"),
        ({**CALC, "unit": "parsec"}, "unknown unit"),
        ({**CALC, "tolerance": "lots"}, "tolerance"),
    ],
)
def test_bad_calc_items_are_refused(fields: dict[str, object], problem: str) -> None:
    problems = validate_fields("calc", fields)
    assert any(problem in p for p in problems), problems


def test_choice_and_text_items_are_checked() -> None:
    assert validate_fields("choice", {"front": "q", "choices": ["a", "b"], "answer": "c"})
    assert validate_fields("choice", {"front": "q", "choices": ["a"], "answer": "a"})
    assert not validate_fields("choice", {"front": "q", "choices": ["a", "b"], "answer": ["a"]})
    assert validate_fields("text", {"front": "q", "answer": []})
    assert validate_fields("numeric", {"front": "q", "answer": "cheap"})


def test_var_ranges() -> None:
    assert parse_var_spec("n", {"min": 1, "max": 2, "step": 0.5}).choices == (1, 1.5, 2)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_formula_compiles_or_is_refused_and_runs_fast(source: str) -> None:
    try:
        formula = compile_formula(source, ["x", "y"])
    except FormulaError:
        return
    start = time.perf_counter()
    with contextlib.suppress(FormulaError):
        evaluate(formula, {"x": 3.0, "y": 7.0})
    assert time.perf_counter() - start < 0.05


@given(st.text(max_size=12_000))
def test_any_typed_answer_gives_a_verdict(typed: str) -> None:
    for verdict in (grade_number(typed, 1.0, "s", Tolerance.parse("1%")),
                    grade_text(typed, ["Kinesis"]),
                    grade_choice(typed, ["a", "b"], {"a"})):
        assert verdict.proposed in Rating
