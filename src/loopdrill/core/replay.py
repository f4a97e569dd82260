"""Rebuild a card's memory state by replaying its review history through FSRS, one revlog
row per review.

`HistoryReplayer.replay` is LeanScheduler.review (py-fsrs' arithmetic, the same float
operations in the same order) run over a whole history with times as integer microseconds
and the state in plain locals, writing each review's revlog columns as it goes: an import
replays 200,000 reviews. Every answer but the last is unfuzzed, so states are reproducible;
the last one is fuzzed (when the scheduler fuzzes) with the draw core.optimizer.fuzz_draw
fixes per card and answer, as rescheduling does, so imported cards do not all fall due
together and a reschedule with the same parameters moves nothing. Cram answers are kept as
rows but leave the state alone. Tests check the rows against answering through py-fsrs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import fsrs

from loopdrill.core.fastfsrs import STABILITY_MIN, LeanScheduler
from loopdrill.core.optimizer import fuzz_draw, fuzzed_days

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
US_PER_DAY = 86_400_000_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)

# (state, step, stability, difficulty, due µs, last review µs, reps, lapses)
MemoryRow = tuple[int, int | None, float | None, float | None, int | None, int | None, int, int]
# state before, state after, reps before, lapses before, interval before (days), R before,
# days since the last review, interval after (days), before JSON, after JSON
# a memory after an answer: stability, difficulty and both times are set
Answered = tuple[int, int | None, float, float, int, int, int, int]
StepRow = tuple[int, int, int, int, float, float | None, float, float, str, str]
NEW_MEMORY: MemoryRow = (NEW, None, None, None, None, None, 0, 0)


def to_micros(moment: dt.datetime) -> int:
    """Whole microseconds since the Unix epoch of an aware datetime (exact)."""
    return (moment - EPOCH) // _US


def from_micros(micros: int) -> dt.datetime:
    """The inverse of to_micros (UTC)."""
    return EPOCH + dt.timedelta(microseconds=micros)


def memory_json(memory: MemoryRow) -> str:
    """The revlog's before/after JSON of a memory (store.rows.memory_to_json's format:
    times as Unix seconds)."""
    state, step, s, d, due, last, reps, lapses = memory
    return (f"[{state},{'null' if step is None else step},{'null' if s is None else repr(s)},"
            f"{'null' if d is None else repr(d)},"
            f"{'null' if due is None else repr(due / 1_000_000)},"
            f"{'null' if last is None else repr(last / 1_000_000)},{reps},{lapses}]")


def _interval_days(due: int | None, last: int | None) -> float:
    return 0.0 if due is None or last is None else (due - last) / 1_000_000 / 86400


class HistoryReplayer:
    """Replays whole histories with one scheduler's parameters and options."""

    def __init__(self, scheduler: fsrs.Scheduler) -> None:
        self.lean = LeanScheduler(scheduler)
        self.fuzz = scheduler.enable_fuzzing
        self.w20 = float(scheduler.parameters[20])
        self.r_factor = 0.9 ** (1 / -self.w20) - 1  # core.queue.retrievability_after's
        self.learning = self._steps(scheduler.learning_steps)
        self.relearning = self._steps(scheduler.relearning_steps)

    @staticmethod
    def _steps(steps: Sequence[dt.timedelta]) -> tuple[tuple[int, ...], int]:
        """The steps in µs, and the Hard wait on the first step as py-fsrs computes it."""
        steps = tuple(steps)
        if not steps:
            return (), 0
        hard = steps[0] * 1.5 if len(steps) == 1 else (steps[0] + steps[1]) / 2.0
        return tuple(s // _US for s in steps), hard // _US

    def replay(self, card_id: str, history: Sequence[tuple[int, int, bool]]
               ) -> tuple[list[StepRow], MemoryRow]:
        """Revlog columns for each (time µs, rating 1-4, cram) of a card's history, oldest
        first, and the memory after it."""
        w20, r_factor = self.w20, self.r_factor
        last_answer = max((i for i, (_, _, cram) in enumerate(history) if not cram), default=-1)
        memory = NEW_MEMORY
        before_json = memory_json(memory)
        rows: list[StepRow] = []
        for index, (now, rating, cram) in enumerate(history):
            state, _, s, _, due, last, reps, lapses = memory
            r: float | None = None
            elapsed = 0.0
            if last is not None:
                elapsed = (now - last) / 1_000_000 / 86400
                if s is not None:
                    r = float((1 + r_factor * max(0.0, elapsed) / max(s, 1e-6)) ** -w20)
            interval_before = _interval_days(due, last)
            if cram:
                rows.append((state, state, reps, lapses, interval_before, r, elapsed,
                             interval_before, before_json, before_json))
                continue
            answered = self._answer(memory, rating, now, card_id if index == last_answer
                                    and self.fuzz else None)
            new_state, step, s, d, due, last, new_reps, new_lapses = memory = answered
            after_json = (f"[{new_state},{'null' if step is None else step},{s!r},{d!r},"
                          f"{due / 1_000_000!r},{last / 1_000_000!r},{new_reps},{new_lapses}]")
            rows.append((state, new_state, reps, lapses, interval_before, r, elapsed,
                         (due - last) / 1_000_000 / 86400, before_json, after_json))
            before_json = after_json
        return rows, memory

    def _answer(self, memory: MemoryRow, rating: int, now: int, fuzz_card: str | None
                ) -> Answered:
        """LeanScheduler.review on a MemoryRow; fuzzed with fuzz_draw when `fuzz_card`."""
        lean = self.lean
        old_state, old_step, s, d, _, last, reps, lapses = memory
        state = LEARNING if old_state == NEW else old_state
        step = 0 if old_state == NEW else old_step
        days = (now - last) // US_PER_DAY if last is not None else None
        if s is None or d is None:
            s = max(lean.w[rating - 1], STABILITY_MIN)
            d = lean.initial_difficulty(rating, clamp=True)
        elif days is not None and days < 1:
            s = lean.short_term_stability(s, rating)
            d = lean.next_difficulty(d, rating)
        else:
            elapsed = max(0, days or 0)
            r = (1 + lean.factor * elapsed / s) ** lean.decay if last is not None else 0
            s = lean.next_stability(d, s, r, rating)
            d = lean.next_difficulty(d, rating)
        wait: int | None = None  # µs; None: whole days from the stability
        if state == REVIEW:
            if rating == 1 and self.relearning[0]:
                state, step, wait = RELEARNING, 0, self.relearning[0][0]
        else:
            steps, hard = self.learning if state == LEARNING else self.relearning
            assert step is not None
            if not steps or (step >= len(steps) and rating >= 2):
                state, step = REVIEW, None
            elif rating == 1:
                step, wait = 0, steps[0]
            elif rating == 2:
                wait = hard if step == 0 else steps[step]
            elif rating == 3 and step + 1 != len(steps):
                step += 1
                wait = steps[step]
            else:
                state, step = REVIEW, None
        if wait is None:
            whole = lean.next_interval(s)
            if fuzz_card is not None:
                whole = fuzzed_days(whole, lean.maximum_interval,
                                    fuzz_draw(fuzz_card, reps, rating))
            wait = whole * US_PER_DAY
        lapse = old_state == REVIEW and rating == 1
        return (state, step, s, d, now + wait, now, reps + 1, lapses + int(lapse))
