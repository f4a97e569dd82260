"""The bridge the deck loader and the drill call: validate_fields, prepare, grade; and every
auto-graded item of the built-in decks passes."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.core.graded_kinds import GRADED, Prompt, grade, prepare, validate_fields
from loopdrill.core.model import Rating

Fields = dict[str, Any]
NUMERIC: Fields = {"front": "DynamoDB on-demand, USD per million WRU?", "answer": 0.625,
                   "unit": "USD", "tolerance": "5%"}
DOWNTIME: Fields = {"front": "Downtime of 99.9% over 30 days?", "answer": 43.2,
                    "unit": "min", "tolerance": "1%"}
CHOICE: Fields = {"front": "Active-active for one Region violates?", "answer": "Frugality",
                  "choices": ["Frugality", "Bias for Action", "Dive Deep", "Earn Trust"]}
SEVERAL: Fields = {**CHOICE, "answer": ["Frugality", "Dive Deep"]}
TEXT: Fields = {"front": "Sharded, replayable ordered log?",
                "answer": ["Kinesis Data Streams", "Kinesis"]}
CALC: Fields = {"front": "Downtime per 30 days at {slo}% availability, in minutes?",
                "vars": {"slo": [99, 99.5, 99.9]}, "answer": "(100 - slo) / 100 * 30 * 24 * 60",
                "unit": "min", "tolerance": "2%"}
DECKS = Path(__file__).resolve().parents[2] / "decks"


@pytest.mark.parametrize(("kind", "fields"), [("numeric", NUMERIC), ("numeric", DOWNTIME),
                                              ("choice", CHOICE), ("choice", SEVERAL),
                                              ("text", TEXT), ("calc", CALC)])
def test_good_items_have_no_problems(kind: str, fields: dict[str, Any]) -> None:
    assert validate_fields(kind, fields) == []


@pytest.mark.parametrize(
    ("kind", "fields", "problem"),
    [("numeric", {**NUMERIC, "front": ""}, "`front` is required"),
     ("numeric", {**NUMERIC, "answer": None}, "`answer` is required"),
     ("numeric", {k: v for k, v in NUMERIC.items() if k != "answer"}, "`answer` is required"),
     ("numeric", {**NUMERIC, "answer": "lots"}, "`answer` must be a number"),
     ("numeric", {**NUMERIC, "answer": True}, "`answer` must be a number"),
     ("numeric", {**DOWNTIME, "answer": "5 MB"}, "the card wants a time"),
     ("numeric", {**NUMERIC, "unit": "parsecs"}, "`unit`: unknown unit 'parsecs'"),
     ("numeric", {**NUMERIC, "unit": 5}, "`unit` must be text"),
     ("numeric", {**NUMERIC, "tolerance": "lots"}, "`tolerance`"),
     ("numeric", {**NUMERIC, "tolerance": "-5%"}, "`tolerance`"),
     ("choice", {**CHOICE, "choices": ["Only one"]}, "at least two options"),
     ("choice", {**CHOICE, "choices": "Frugality, Dive Deep"}, "at least two options"),
     ("choice", {**CHOICE, "choices": ["A", "A", "Frugality"]}, "the same option twice"),
     ("choice", {**CHOICE, "answer": "Ownership"}, "'Ownership' is not among the choices"),
     ("choice", {**CHOICE, "answer": []}, "must be one of the choices"),
     ("choice", {**CHOICE, "answer": ["Frugality", "Frugality"]}, "same option twice"),
     ("text", {**TEXT, "answer": []}, "list of accepted answers"),
     ("text", {**TEXT, "answer": ["Kinesis", "?!"]}, "list of accepted answers"),
     ("text", {**TEXT, "answer": {"a": 1}}, "list of accepted answers"),
     ("calc", {**CALC, "vars": None}, "`vars` is required"),
     ("calc", {**CALC, "vars": {"slo": []}}, "the list of values is empty"),
     ("calc", {**CALC, "vars": {"slo": {"min": 100, "max": 99}}}, "min 100 is above max 99"),
     ("calc", {**CALC, "vars": {"slo": {"min": 99, "max": 100, "step": 0}}}, "step must be"),
     ("calc", {**CALC, "front": "At {slo}% and {n} nodes?"}, "{n} but no var n"),
     ("calc", {**CALC, "answer": "(100 - slo) * hours"}, "'hours' is not a declared variable"),
     ("calc", {**CALC, "answer": "__import__('os').system('x')"}, "may be called"),
     ("calc", {**CALC, "answer": "slo.real"}, "attribute access"),
     ("calc", {**CALC, "answer": "9**9**9"}, "exponent"),
     ("calc", {**CALC, "answer": "1 / (slo - 99.5)"}, "divides by zero for slo=99.5"),
     ("calc", {**CALC, "vars": {"n": {"min": 0, "max": 10}}, "front": "{n}?",
               "answer": "100 / n"}, "divides by zero for n=0"),
     ("calc", {**CALC, "unit": "lightyears"}, "unknown unit"),
     ("basic", {"front": "x", "back": "y"}, "not auto-graded")],
)
def test_every_problem_is_reported(kind: str, fields: dict[str, Any], problem: str) -> None:
    problems = validate_fields(kind, fields)
    assert any(problem in p for p in problems), problems


def test_all_problems_at_once() -> None:
    fields = {"front": "", "answer": "x", "unit": "parsecs", "tolerance": "lots"}
    assert len(validate_fields("numeric", fields)) >= 3


def test_numeric_answer_may_be_written_with_its_unit() -> None:
    fields = {**DOWNTIME, "answer": "43 m 12 s"}
    assert validate_fields("numeric", fields) == []
    prompt = prepare("numeric", fields, random.Random(0))
    assert prompt.expected == pytest.approx(43.2)
    assert grade("numeric", fields, prompt, "2592 s").proposed == Rating.GOOD


def test_numeric_prompt_and_grades() -> None:
    prompt = prepare("numeric", NUMERIC, random.Random(0))
    assert prompt == Prompt(NUMERIC["front"], expected=0.625)
    assert grade("numeric", NUMERIC, prompt, "$0.625").proposed == Rating.GOOD
    assert grade("numeric", NUMERIC, prompt, "0.68").proposed == Rating.HARD
    assert grade("numeric", NUMERIC, prompt, "1").proposed == Rating.AGAIN
    assert grade("numeric", NUMERIC, prompt, "").proposed == Rating.AGAIN
    prompt = prepare("numeric", DOWNTIME, random.Random(0))
    assert grade("numeric", DOWNTIME, prompt, "43 m 12 s").proposed == Rating.GOOD
    wrong = grade("numeric", DOWNTIME, prompt, "43 MB")
    assert wrong.detail == "you answered a data size, the card wants a time"


def test_choices_are_shuffled_deterministically_and_graded_by_letter() -> None:
    first = prepare("choice", SEVERAL, random.Random(7))
    again = prepare("choice", SEVERAL, random.Random(7))
    assert first.choices == again.choices
    assert sorted(first.choices) == sorted(SEVERAL["choices"])
    orders = {prepare("choice", SEVERAL, random.Random(s)).choices for s in range(20)}
    assert len(orders) > 1
    right = ["abcd"[first.choices.index(o)] for o in ("Frugality", "Dive Deep")]
    assert grade("choice", SEVERAL, first, " ".join(right)).proposed == Rating.GOOD
    assert grade("choice", SEVERAL, first, ",".join(reversed(right))).proposed == Rating.GOOD
    assert grade("choice", SEVERAL, first, right[0]).proposed == Rating.AGAIN
    out = grade("choice", SEVERAL, first, "9")
    assert out.unreadable and out.typed == "9" and "letters a-d" in out.detail
    assert grade("choice", SEVERAL, first, "frugality, dive deep").proposed == Rating.GOOD


def test_text_grades() -> None:
    prompt = prepare("text", TEXT, random.Random(0))
    assert prompt == Prompt(TEXT["front"])
    assert grade("text", TEXT, prompt, "kinesis data-streams").proposed == Rating.GOOD
    assert grade("text", TEXT, prompt, "SQS").proposed == Rating.AGAIN


def test_calc_draws_values_into_the_front_and_grades_them() -> None:
    seen = set()
    for seed in range(30):
        prompt = prepare("calc", CALC, random.Random(seed))
        slo = prompt.values["slo"]
        seen.add(slo)
        assert f"at {slo:g}% availability" in prompt.front
        assert prompt.expected is not None
        assert prompt.expected == pytest.approx((100 - slo) / 100 * 43200)
        assert grade("calc", CALC, prompt, f"{prompt.expected:.2f}").proposed == Rating.GOOD
        assert grade("calc", CALC, prompt, f"{prompt.expected * 2:.2f}").proposed == Rating.AGAIN
    assert seen == {99, 99.5, 99.9}


def test_calc_front_shows_big_numbers_with_separators() -> None:
    fields = {"front": "{n} writes of {size} KB?", "vars": {"n": [1234567], "size": [2.5]},
              "answer": "n * size", "unit": "KB"}
    prompt = prepare("calc", fields, random.Random(0))
    assert prompt.front == "1,234,567 writes of 2.5 KB?"
    assert grade("calc", fields, prompt, "3.09 GB").proposed == Rating.GOOD


def test_calc_redraws_when_a_value_fails() -> None:
    fields = {"front": "{n}?", "vars": {"n": {"min": 0, "max": 1}}, "answer": "1 / n"}
    assert validate_fields("calc", fields)  # refused at load ...
    prompt = prepare("calc", fields, random.Random(0))  # ... and never shown with n = 0
    assert prompt.values == {"n": 1} and prompt.expected == 1


def _graded_items() -> list[tuple[str, str, dict[str, Any]]]:
    items = []
    for path in sorted(DECKS.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
            if item.get("kind") in GRADED:
                fields = {k: v for k, v in item.items()
                          if k not in ("id", "kind", "tags", "source", "as_of")}
                items.append((f"{path.stem}/{item['id']}", item["kind"], fields))
    return items


def test_every_built_in_graded_item_is_valid_and_gradable() -> None:
    items = _graded_items()
    assert items
    rng = random.Random(0)
    for name, kind, fields in items:
        assert validate_fields(kind, fields) == [], name
        prompt = prepare(kind, fields, rng)
        if prompt.expected is not None:
            assert grade(kind, fields, prompt, repr(prompt.expected)).correct, name


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.integers(0, 1000))
def test_any_typed_answer_gives_a_verdict(typed: str, seed: int) -> None:
    for kind, fields in (("numeric", NUMERIC), ("choice", SEVERAL), ("text", TEXT),
                         ("calc", CALC)):
        prompt = prepare(kind, fields, random.Random(seed))
        verdict = grade(kind, fields, prompt, typed)
        assert verdict.proposed in (Rating.AGAIN, Rating.HARD, Rating.GOOD)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["front", "answer", "unit", "tolerance", "choices",
                                        "vars"]),
                       st.none() | st.booleans() | st.integers() | st.floats() | st.text()
                       | st.lists(st.text() | st.integers(), max_size=4)
                       | st.dictionaries(st.text(max_size=5), st.integers() | st.floats(),
                                         max_size=3)),
       st.sampled_from(GRADED))
def test_any_fields_give_a_list_of_problems(fields: dict[str, Any], kind: str) -> None:
    problems = validate_fields(kind, fields)
    assert all(isinstance(p, str) and p for p in problems)
    if not problems:
        prompt = prepare(kind, fields, random.Random(0))
        grade(kind, fields, prompt, "1")
