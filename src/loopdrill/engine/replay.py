"""Rebuild a card's memory state by replaying its review history through FSRS, one revlog
row per review.

`HistoryReplayer.replay` is LeanScheduler.review (py-fsrs' arithmetic, the same float
operations in the same order) run over a whole history with times as integer microseconds
and the state in plain locals, writing each review's revlog columns as it goes: an import
replays 200,000 reviews. Every answer but the last is unfuzzed, so states are reproducible;
the last one is fuzzed (when the scheduler fuzzes) with the draw engine.optimizer.fuzz_draw
fixes per card and answer, as rescheduling does, so imported cards do not all fall due
together and a reschedule with the same parameters moves nothing. Cram answers are kept as
rows but leave the state alone. Tests check the rows against answering through py-fsrs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import fsrs

from loopdrill.engine.fastfsrs import STABILITY_MIN, LeanScheduler
from loopdrill.engine.optimizer import fuzz_draw, fuzzed_days

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
US_PER_DAY = 86_400_000_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)

# (state, step, stability, difficulty, due µs, last review µs, reps, lapses)
MemoryRow = tuple[int, int | None, float | None, float | None, int | None, int | None, int, int]
# a revlog row's replayed columns: state before, reps before, lapses before, interval before
# (whole days), whole 24-hour periods since the last review, R before (millionths)
StepRow = tuple[int, int, int, int, int, int | None]
NEW_MEMORY: MemoryRow = (NEW, None, None, None, None, None, 0, 0)


def to_micros(moment: dt.datetime) -> int:
    """Whole microseconds since the Unix epoch of an aware datetime (exact)."""
    return (moment - EPOCH) // MICROSECOND


def from_micros(micros: int) -> dt.datetime:
    """The inverse of to_micros (UTC)."""
    return EPOCH + dt.timedelta(microseconds=micros)


class HistoryReplayer:
    """Replays whole histories with one scheduler's parameters and options."""

    def __init__(self, scheduler: fsrs.Scheduler) -> None:
        self.lean = LeanScheduler(scheduler)
        self.fuzz = scheduler.enable_fuzzing
        self.w20 = float(scheduler.parameters[20])
        self.r_factor = 0.9 ** (1 / -self.w20) - 1  # engine.queue.retrievability_after's
        self.learning = self._steps(scheduler.learning_steps)
        self.relearning = self._steps(scheduler.relearning_steps)

    @staticmethod
    def _steps(steps: Sequence[dt.timedelta]) -> tuple[tuple[int, ...], int]:
        """The steps in µs, and the Hard wait on the first step as py-fsrs computes it."""
        steps = tuple(steps)
        if not steps:
            return (), 0
        hard = steps[0] * 1.5 if len(steps) == 1 else (steps[0] + steps[1]) / 2.0
        return tuple(s // MICROSECOND for s in steps), hard // MICROSECOND

    def _in_order_days(self, card_id: str, reps: int, rating: int, s_after: float,
                       s: float, d: float, days: int) -> int:
        """The last answer's interval, a passing review, as engine.answer.in_order sets it:
        each of Hard .. `rating` from the stability it would give (the loop's formulas),
        fuzzed with its own draw, then Good at least Hard + 1 day and Easy at least Good + 1."""
        lean = self.lean
        w, e, factor, decay = lean.w, math.e, lean.factor, lean.decay
        interval_term = (lean.retention ** (1 / decay)) - 1
        maximum = lean.maximum_interval
        floor: int | None = None
        whole = 0
        for grade in range(2, rating + 1):
            if grade == rating:
                stability = s_after
            elif days < 1:
                increase: float = (e ** (w[17] * (grade - 3 + w[18]))) * (s ** -w[19])
                stability = s * (increase if increase >= 1.0 else 1.0)
            else:
                retrievability = (1 + factor * days / s) ** decay
                easy = w[16] if grade == 4 else 1
                hard = w[15] if grade == 2 else 1
                stability = s * (1 + (e ** (w[8])) * (11 - d) * (s ** -w[9])
                                 * ((e ** ((1 - retrievability) * w[10])) - 1) * hard * easy)
            stability = stability if stability >= STABILITY_MIN else STABILITY_MIN
            whole = round((stability / factor) * interval_term)
            whole = 1 if whole < 1 else maximum if whole > maximum else whole
            if self.fuzz:
                whole = fuzzed_days(whole, maximum, fuzz_draw(card_id, reps, grade))
            if floor is not None and whole < floor:
                whole = floor
            floor = whole + 1
        return whole

    def replay(self, card_id: str, history: Sequence[tuple[int, int, bool]]
               ) -> tuple[list[StepRow], MemoryRow]:
        """Revlog columns for each (time µs, rating 1-4, cram) of a card's history, oldest
        first, and the memory after it.

        One loop over plain locals with LeanScheduler's formulas written out (the same
        operations in the same order; a history of 200,000 reviews makes method calls
        count): state, step, s(tability), d(ifficulty), due and last (µs), reps, lapses."""
        lean = self.lean
        w, e, factor, decay = lean.w, math.e, lean.factor, lean.decay
        w20, r_factor, easy_d = self.w20, self.r_factor, lean.easy_difficulty
        interval_term = (lean.retention ** (1 / decay)) - 1
        maximum = lean.maximum_interval
        learning, hard_learning = self.learning
        relearning, hard_relearning = self.relearning
        last_at = max((i for i, (_, _, cram) in enumerate(history) if not cram), default=-1)
        fuzz_at = last_at if self.fuzz else -1
        state, reps, lapses = NEW, 0, 0
        step: int | None = None
        s = d = 0.0
        due = last = 0
        ivl = 0
        rows: list[StepRow] = []
        for index, (now, rating, cram) in enumerate(history):
            r: int | None = None
            whole_days = 0
            if state != NEW:
                elapsed = (now - last) / 1_000_000 / 86400
                whole_days = (now - last) // US_PER_DAY
                # engine.queue.retrievability_after, its max() written out (bit for bit)
                r = round((1 + r_factor * (elapsed if elapsed > 0.0 else 0.0)
                           / (1e-6 if s < 1e-6 else s)) ** -w20 * 1e6)
            rows.append((state, reps, lapses, ivl, whole_days, r))
            if cram:
                continue
            s_before, d_before = s, d
            # memory: py-fsrs' stability and difficulty after the answer
            new_step: int | None
            if state == NEW:
                new_state, new_step = LEARNING, 0
                s = max(w[rating - 1], STABILITY_MIN)
                d = min(max(w[4] - (e ** (w[5] * (rating - 1))) + 1, 1.0), 10.0)
            else:
                new_state, new_step = state, step
                days = (now - last) // US_PER_DAY
                if days < 1:
                    increase: float = (e ** (w[17] * (rating - 3 + w[18]))) * (s ** -w[19])
                    if rating >= 2 and increase < 1.0:
                        increase = 1.0
                    s = s * increase
                    if s < STABILITY_MIN:
                        s = STABILITY_MIN
                else:
                    retrievability = (1 + factor * days / s) ** decay  # days >= 1
                    if rating == 1:
                        long_term = (w[11] * (d ** -w[12]) * (((s + 1) ** (w[13])) - 1)
                                     * (e ** ((1 - retrievability) * w[14])))
                        s = max(min(long_term, s / (e ** (w[17] * w[18]))), STABILITY_MIN)
                    else:
                        hard = w[15] if rating == 2 else 1
                        easy = w[16] if rating == 4 else 1
                        s = s * (1 + (e ** (w[8])) * (11 - d) * (s ** -w[9])
                                 * ((e ** ((1 - retrievability) * w[10])) - 1) * hard * easy)
                        if s < STABILITY_MIN:
                            s = STABILITY_MIN
                arg_2 = d + (10.0 - d) * (-(w[6] * (rating - 3))) / 9.0
                d = w[7] * easy_d + (1 - w[7]) * arg_2
                if d < 1.0:
                    d = 1.0
                elif d > 10.0:
                    d = 10.0
            # schedule: py-fsrs' state machine; wait None means whole days from stability
            wait: int | None = None
            if new_state == REVIEW:
                if rating == 1 and relearning:
                    new_state, new_step, wait = RELEARNING, 0, relearning[0]
            else:
                steps, hard_wait = ((learning, hard_learning) if new_state == LEARNING
                                    else (relearning, hard_relearning))
                assert new_step is not None
                at = new_step
                if not steps or (at >= len(steps) and rating >= 2):
                    new_state, new_step = REVIEW, None
                elif rating == 1:
                    new_step, wait = 0, steps[0]
                elif rating == 2:
                    wait = hard_wait if at == 0 else steps[at]
                elif rating == 3 and at + 1 != len(steps):
                    new_step, wait = at + 1, steps[at + 1]
                else:
                    new_state, new_step = REVIEW, None
            if wait is None and index == last_at and state == REVIEW and rating >= 2:
                # the card's last answer, a passing review: Hard < Good < Easy as the
                # drill's buttons applied them (engine.answer.in_order), from the state
                # before this answer (s_before, d_before)
                whole = self._in_order_days(card_id, reps, rating, s, s_before, d_before,
                                            (now - last) // US_PER_DAY)
                wait = whole * US_PER_DAY
            if wait is None:  # LeanScheduler.next_interval, written out
                whole = round((s / factor) * interval_term)
                whole = 1 if whole < 1 else maximum if whole > maximum else whole
                if index == fuzz_at:
                    whole = fuzzed_days(whole, maximum,
                                        fuzz_draw(card_id, reps, rating))
                wait = whole * US_PER_DAY
            lapse = state == REVIEW and rating == 1
            new_reps, new_lapses = reps + 1, lapses + lapse
            due, last = now + wait, now
            state, step, reps, lapses = new_state, new_step, new_reps, new_lapses
            ivl = wait // US_PER_DAY
        if state == NEW:
            return rows, NEW_MEMORY
        return rows, (state, step, s, d, due, last, reps, lapses)
