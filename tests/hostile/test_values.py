"""Values out of range or unreadable: one clear error (DeckError, OptionError), never a
traceback, and nothing accepted that breaks every later drill or import."""

from __future__ import annotations

from pathlib import Path

import pytest

from loopdrill.core.model import DeckError
from loopdrill.core.options import OptionError, parse_option
from loopdrill.formats.native import parse_deck
from loopdrill.formats.review_csv import read_review_csv

BIG = "1" * 400
HUGE = "1" * 5000


@pytest.mark.parametrize("key,value", [
    ("learning_steps", "inf"), ("learning_steps", "nan"), ("learning_steps", "1e300"),
    ("learning_steps", "1e10d"), ("relearning_steps", "1m 1e308m"), ("learning_steps", [1e400]),
    ("learning_steps", "0.0001s"), ("learning_steps", " ".join(["1m"] * 21)),
    ("learning_steps", BIG), ("new_per_day", BIG), ("new_per_day", 10**5000),
    ("new_per_day", float("inf")), ("new_per_day", 2.5), ("maximum_interval", "inf"),
    ("desired_retention", 10**400), ("desired_retention", "nan"), ("rollover_hour", "24"),
    ("leech_threshold", 0), ("bury_siblings", 10**5000), ("leech_action", HUGE),
    (HUGE, 1),
], ids=lambda v: v[:20] if isinstance(v, str) else type(v).__name__)
def test_absurd_option_values_are_refused_in_one_short_sentence(key: str, value: object
                                                                ) -> None:
    with pytest.raises(OptionError) as caught:
        parse_option(key, value)
    assert len(str(caught.value)) < 400 and "\n" not in str(caught.value)


@pytest.mark.parametrize("key,value,expected", [
    ("learning_steps", "30s 10m 1d", (0.5, 10.0, 1440.0)), ("new_per_day", "2e3", 2000),
    ("new_per_day", 20.0, 20), ("desired_retention", "0.85", 0.85)])
def test_sane_option_values_still_read(key: str, value: object, expected: object) -> None:
    assert parse_option(key, value) == expected


def deck(extra: str = "", item: str = "front: f\n    back: b") -> str:
    return f"deck: t\ntitle: T\n{extra}\nitems:\n  - id: a\n    {item}\n"


@pytest.mark.parametrize("text,words", [
    (deck("defaults: {as_of: 2026-13-45}"), "not a valid timestamp"),
    (deck("defaults: {as_of: !!timestamp not-a-date}"), "not a valid timestamp"),
    (deck("description: !!float abc"), "not a valid float"),
    (deck("description: !!int abc"), "not a valid int"),
    (deck("description: !!bool maybe"), "not a valid bool"),
    (deck(f"description: {HUGE}"), "not a valid int"),
    (deck("options: {learning_steps: [.inf]}"), "learning_steps"),
    (deck(f"options: {{new_per_day: {BIG}}}"), "new_per_day"),
    (deck(item=f"kind: numeric\n    front: f\n    answer: {BIG}"), "answer"),
    (deck(item="kind: numeric\n    front: f\n    answer: .inf"), "answer"),
    (deck(item=f"kind: calc\n    front: f {{x}}\n    vars: {{x: [{BIG}]}}\n    answer: x"),
     "every value must be a number"),
    (deck(item="kind: calc\n    front: f {x}\n    vars: {x: {min: 0, max: 1, step: 5.0e-324}}"
               "\n    answer: x"), "more than 1,000,000,000 values"),
    (deck(item=f"kind: calc\n    front: f {{x}}\n    vars: {{x: {{min: 0, max: {BIG}}}}}"
               "\n    answer: x"), "must be numbers"),
    (deck("x: &a [1]\ny: *a"), "anchors and aliases"),
    (deck("x: &a [*a]"), "anchors and aliases"),
])
def test_unreadable_yaml_values_are_deck_errors(text: str, words: str) -> None:
    with pytest.raises(DeckError) as caught:
        parse_deck(text, "d.yaml")
    assert words in str(caught.value)
    assert len(str(caught.value)) < 1000


def test_an_alias_bomb_is_refused_at_once() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    text = deck("\n".join(lines) + "\noptions: {learning_steps: *a9}")
    with pytest.raises(DeckError) as caught:
        parse_deck(text, "bomb.yaml")
    assert "anchors and aliases" in str(caught.value) and len(str(caught.value)) < 200


@pytest.mark.parametrize("stamp,duration,words", [
    ("0001-01-01T00:00:00+01:00", "1", "outside the years"),
    ("9999-12-31T23:59:59-01:00", "1", "outside the years"),
    ("0001-01-01T00:00:00Z", "1", "outside the years"),
    ("2026-01-01T00:00:00Z", str(2**63), "more than 2,147,483,647 ms"),
    ("2026-01-01T00:00:00Z", HUGE, "more than 2,147,483,647 ms"),
])
def test_review_times_and_durations_out_of_range(tmp_path: Path, stamp: str, duration: str,
                                                 words: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f"card_id,reviewed_at,rating,duration_ms\nd/a,{stamp},3,{duration}\n")
    with pytest.raises(DeckError) as caught:
        read_review_csv(path)
    assert words in str(caught.value) and len(str(caught.value)) < 300
