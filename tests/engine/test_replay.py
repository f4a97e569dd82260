"""The whole-history replay writes the revlog columns answering through py-fsrs would give."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.core.model import CardState, Rating
from loopdrill.core.options import Options
from loopdrill.engine.answer import Memory, answer, answer_in_order, make_scheduler
from loopdrill.engine.curve import retrievability_after
from loopdrill.engine.replay import (
    NEW_MEMORY,
    HistoryReplayer,
    MemoryRow,
    from_micros,
    same_state,
    to_micros,
)

T0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)

histories = st.lists(
    st.tuples(st.sampled_from([1, 2, 3, 4]),
              st.one_of(st.integers(0, 3600), st.integers(3600, 86400 * 400),
                        st.integers(0, 10**12).map(lambda us: us / 10**6)),
              st.sampled_from([False, False, False, True])),
    min_size=1, max_size=25,
)
OPTIONS = st.sampled_from([Options(), Options(learning_steps=(), relearning_steps=()),
                           Options(learning_steps=(1.0,), desired_retention=0.8),
                           Options(relearning_steps=(5.0, 30.0), maximum_interval=40)])


def reference(options: Options, card_id: str, history: list[tuple[dt.datetime, int, bool]],
              params: list[float] | None = None, start: Memory | None = None
              ) -> tuple[list[tuple[object, ...]], Memory]:
    """Each review answered through py-fsrs (no fuzz), the last one as the drill answers it
    (fuzzed, Hard < Good < Easy kept: engine.answer.answer_in_order)."""
    plain = make_scheduler(options, params, fuzz=False)
    w20 = float(plain.parameters[20])
    last_answer = max((i for i, (_, _, cram) in enumerate(history) if not cram), default=-1)
    memory, rows = start or Memory(), []
    for index, (moment, rating, cram) in enumerate(history):
        r, elapsed = None, 0.0
        if memory.last_review is not None:
            elapsed = (moment - memory.last_review).total_seconds() / 86400
            if memory.stability is not None:
                r = retrievability_after(elapsed, memory.stability, w20)
        after = memory
        if not cram:
            if index == last_answer:  # as the drill answers it: fuzzed, buttons in order
                after = answer_in_order(make_scheduler(options, params), memory,
                                        Rating(rating), moment, card_id)[Rating(rating)].after
            else:
                after = answer(plain, memory, Rating(rating), moment).after
        whole = int(elapsed // 1) if memory.last_review is not None else 0
        if memory.last_review is not None:
            whole = (moment - memory.last_review) // dt.timedelta(days=1)
        rows.append((int(memory.state), memory.reps, memory.lapses,
                     int(memory.interval_days // 1), whole,
                     None if r is None else round(r * 1e6)))
        memory = after
    return rows, memory


TRUE = [0.5, 1.5, 3.5, 12.0, 6.0, 0.6, 2.5, 0.01, 1.6, 0.2, 0.9, 1.6, 0.08, 0.3, 1.6, 0.5,
        2.0, 0.6, 0.1, 0.05, 0.2]
# where a replay starts: new, or a manual baseline (engine.replay.manual_start)
STARTS = st.sampled_from([
    None,
    Memory(CardState.REVIEW, None, 12.5, 6.1, T0 - dt.timedelta(days=3), T0 - dt.timedelta(
        days=20), 7, 1),
    Memory(CardState.LEARNING, 1, 2.3, 5.0, T0, T0 - dt.timedelta(minutes=10), 2, 0),
    Memory(CardState.RELEARNING, 0, 0.9, 8.7, T0, T0 - dt.timedelta(hours=30), 9, 3),
])


def as_row(memory: Memory) -> MemoryRow:
    return (int(memory.state), memory.step, memory.stability, memory.difficulty,
            None if memory.due is None else to_micros(memory.due),
            None if memory.last_review is None else to_micros(memory.last_review),
            memory.reps, memory.lapses)


@settings(max_examples=250, deadline=None)
@given(histories, OPTIONS, st.sampled_from([None, TRUE]), st.sampled_from(["a/1", "deck/b"]),
       STARTS)
def test_rows_equal_answering_through_py_fsrs(gaps: list[tuple[int, float, bool]],
                                              options: Options, params: list[float] | None,
                                              card: str, start: Memory | None) -> None:
    """Stability and difficulty within STATE_TOLERANCE (float32), all else exactly."""
    moment, history = T0, []
    for rating, gap, cram in gaps:
        moment += dt.timedelta(seconds=gap)
        history.append((moment, rating, cram))
    expected_rows, expected = reference(options, card, history, params, start)
    replayed = ([(to_micros(m), g, c) for m, g, c in history],
                as_row(start) if start else NEW_MEMORY)
    rows, memory = HistoryReplayer(make_scheduler(options, params)).replay(card, *replayed)
    # without rows (doctor, a reschedule): the same memory, no columns
    assert HistoryReplayer(make_scheduler(options, params), rows=False).replay(
        card, *replayed) == ([], memory)
    # R before in millionths, from a float32 stability: off by one at most
    assert [row[:5] for row in rows] == [row[:5] for row in expected_rows]
    for row, want in zip(rows, expected_rows, strict=True):
        assert (row[5] is None) == (want[5] is None)
        assert row[5] is None or abs(row[5] - want[5]) <= 1
    due, last = memory[4], memory[5]
    assert same_state(memory[:4] + memory[6:], (
        int(expected.state), expected.step, expected.stability, expected.difficulty,
        expected.reps, expected.lapses))
    assert (from_micros(due) if due is not None else None) == expected.due
    assert (from_micros(last) if last is not None else None) == expected.last_review


def test_micros_round_trip() -> None:
    moment = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)
    assert from_micros(to_micros(moment)) == moment
