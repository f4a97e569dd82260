"""A review or relearning card without a memory state (an SM-2 card an older loopdrill
imported) is answered as a lapse-free review, and the replay of its answers agrees."""

from __future__ import annotations

import datetime as dt

import pytest

from loopdrill.core.model import CardState, Rating
from loopdrill.core.options import Options
from loopdrill.engine.answer import Memory, answer, from_sm2, make_scheduler, settled
from loopdrill.engine.replay import HistoryReplayer, to_micros

NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)


def test_from_sm2_is_anki_s_derivation() -> None:
    # rslib memory_state.rs zero_history_is_handled: interval 100, ease 1.3 -> S 100, D 9.98
    stability, difficulty = from_sm2(1.3, 100)
    assert stability == pytest.approx(100, rel=1e-4) and 9 < difficulty <= 10
    assert from_sm2(2.5, 30)[0] == pytest.approx(30, rel=1e-4)
    assert from_sm2(0, 0) == from_sm2(2.5, 1)  # unknown ease and interval: 250%, a day


@pytest.mark.parametrize(("last", "days"), [(NOW - dt.timedelta(days=40), 30), (None, 1)])
def test_settled_fills_the_memory_and_the_last_review(last: dt.datetime | None,
                                                      days: int) -> None:
    due = NOW - dt.timedelta(days=10)
    memory = settled(Memory(CardState.REVIEW, None, None, None, due, last, 5, 0))
    assert memory.stability == pytest.approx(from_sm2(2.5, days)[0])
    assert memory.last_review == due - dt.timedelta(days=days)
    relearning = settled(Memory(CardState.RELEARNING, None, None, None, due, None, 5, 1))
    assert relearning.step == 0 and relearning.difficulty is not None
    learned = Memory(CardState.REVIEW, None, 3.0, 5.0, due, last, 5, 0)
    assert settled(learned) is learned


@pytest.mark.parametrize("state", [CardState.REVIEW, CardState.RELEARNING])
@pytest.mark.parametrize("last", [NOW - dt.timedelta(days=20), None])
def test_answers_and_their_replay_agree(state: CardState, last: dt.datetime | None) -> None:
    scheduler = make_scheduler(Options(), fuzz=False)
    start = Memory(state, None, None, None, NOW - dt.timedelta(days=2), last, 4, 1)
    memory, history = start, []
    for hours, rating in ((0, Rating.GOOD), (30, Rating.AGAIN), (31, Rating.GOOD)):
        at = NOW + dt.timedelta(hours=hours)
        memory = answer(scheduler, memory, rating, at).after
        history.append((to_micros(at), int(rating), False))
    row = (int(state), None, None, None, to_micros(start.due or NOW),
           to_micros(last) if last else None, 4, 1)
    replayed = HistoryReplayer(scheduler).replay("c", history, row)[1]
    assert replayed[0] == int(memory.state) and replayed[6:] == (memory.reps, memory.lapses)
    assert replayed[2] == pytest.approx(memory.stability, rel=1e-4)
    assert replayed[3] == pytest.approx(memory.difficulty, rel=1e-4)
    assert memory.due is not None and replayed[4] == to_micros(memory.due)
    assert HistoryReplayer(scheduler).replay("c", [], row)[1] == row  # not answered: as stored
