"""FSRS policy with a fixed clock: the reference vector, previews, leeches, labels."""

from __future__ import annotations

import datetime as dt

import pytest

from loopdrill.core.model import CardState, Rating
from loopdrill.core.options import Options
from loopdrill.engine.answer import (
    Memory,
    answer,
    interval_label,
    is_leech,
    make_scheduler,
    preview,
    retrievability,
)

T0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)


def test_reference_vector_good6_again2_good5() -> None:
    scheduler = make_scheduler(Options(), fuzz=False)
    memory, now, intervals = Memory(), T0, []
    for rating in [3] * 6 + [1] * 2 + [3] * 5:
        outcome = answer(scheduler, memory, Rating(rating), now)
        memory = outcome.after
        intervals.append(outcome.interval.days)
        assert memory.due is not None
        now = memory.due
    assert intervals == [0, 2, 11, 46, 163, 498, 0, 0, 2, 4, 7, 12, 21]


def test_new_card_learning_steps_are_one_and_ten_minutes() -> None:
    scheduler = make_scheduler(Options(), fuzz=False)
    outcomes = preview(scheduler, Memory(), T0)
    assert outcomes[Rating.AGAIN].interval == dt.timedelta(minutes=1)
    assert outcomes[Rating.GOOD].interval == dt.timedelta(minutes=10)
    assert outcomes[Rating.GOOD].after.state == CardState.LEARNING
    assert outcomes[Rating.EASY].after.state == CardState.REVIEW


def test_preview_matches_the_answer_it_previews_with_fuzz() -> None:
    scheduler = make_scheduler(Options())
    memory = Memory()
    for _ in range(4):
        memory = answer(scheduler, memory, Rating.GOOD, memory.due or T0, seed="x").after
    assert memory.due is not None
    shown = preview(scheduler, memory, memory.due, seed="x")
    for rating in Rating:
        assert answer(scheduler, memory, rating, memory.due, seed="x") == shown[rating]


def test_lapse_counts_only_from_review_state_and_makes_leeches() -> None:
    scheduler = make_scheduler(Options(), fuzz=False)
    memory = answer(scheduler, Memory(), Rating.EASY, T0).after
    assert memory.state == CardState.REVIEW
    lapsed = answer(scheduler, memory, Rating.AGAIN, memory.due or T0)
    assert lapsed.lapse and lapsed.after.lapses == 1
    assert lapsed.after.state == CardState.RELEARNING
    relearn = answer(scheduler, lapsed.after, Rating.AGAIN, lapsed.after.due or T0)
    assert not relearn.lapse and relearn.after.lapses == 1
    assert is_leech(Memory(lapses=8), Options())
    assert not is_leech(Memory(lapses=7), Options())
    assert is_leech(Memory(lapses=3), Options(leech_threshold=3))


def test_retrievability_is_none_for_new_and_falls_with_time() -> None:
    scheduler = make_scheduler(Options(), fuzz=False)
    assert retrievability(scheduler, Memory(), T0) is None
    memory = answer(scheduler, Memory(), Rating.EASY, T0).after
    soon = retrievability(scheduler, memory, T0 + dt.timedelta(days=1))
    late = retrievability(scheduler, memory, T0 + dt.timedelta(days=30))
    assert soon is not None and late is not None and 1 > soon > late > 0


def test_fitted_parameters_are_rounded_before_fsrs_checks_them() -> None:
    params = [0.2120000123, *make_scheduler(Options()).parameters[1:]]
    scheduler = make_scheduler(Options(), params)
    assert scheduler.parameters[0] == pytest.approx(0.212)


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (dt.timedelta(seconds=30), "<1m"),
        (dt.timedelta(minutes=10), "10m"),
        (dt.timedelta(hours=3), "3h"),
        (dt.timedelta(days=2), "2d"),
        (dt.timedelta(days=45), "1.5mo"),
        (dt.timedelta(days=730), "2y"),
    ],
)
def test_interval_labels(delta: dt.timedelta, label: str) -> None:
    assert interval_label(delta) == label
