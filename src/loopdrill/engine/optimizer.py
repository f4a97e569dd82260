"""Rescheduling with fitted parameters (DESIGN.md section 4); the fit is in engine.fit.

Rescheduling replays a history with the arithmetic of engine.fastfsrs' lean replica of py-fsrs
and py-fsrs' own fuzz formula, its draw fixed per card and answer (fuzz_draw), so the result
equals answering every review through `fsrs.Scheduler` with that draw (tests check it on
random histories). The retention simulation is in engine.simulate.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import fsrs

from loopdrill.core.model import CardState
from loopdrill.engine.answer import Memory
from loopdrill.engine.fastfsrs import LeanScheduler
from loopdrill.engine.fuzz import fuzz_draw, fuzzed_days

__all__ = ["Replayer", "fuzz_draw", "fuzzed_days"]

LEARNING, REVIEW, RELEARNING = 1, 2, 3
STABILITY_MIN = 0.001

MemoryRow = tuple[int, int | None, float, float, dt.datetime, dt.datetime, int, int]


class Replayer:
    """A card's memory after its non-cram reviews, as answering each through this
    fsrs.Scheduler would leave it, with fuzz (when the scheduler has it) drawn by fuzz_draw.

    The loop is engine.fastfsrs.LeanScheduler.review with the same float operations in the same
    order, specialised for a whole history: plain locals instead of a Memory per review, and
    the interval (and its fuzz) computed for the last review only, since no intermediate due
    date affects what follows. Tests check it against py-fsrs on random histories."""

    def __init__(self, scheduler: fsrs.Scheduler) -> None:
        lean = LeanScheduler(scheduler)
        self.w = lean.w
        self.decay, self.factor = lean.decay, lean.factor
        self.retention = lean.retention
        self.maximum = scheduler.maximum_interval
        self.learning = lean.learning_steps
        self.relearning = lean.relearning_steps
        self.easy_difficulty = lean.easy_difficulty
        self.fuzz = scheduler.enable_fuzzing

    def final(self, card_id: str, history: Sequence[tuple[dt.datetime, int]]) -> Memory:
        """The memory after `history` ((time, rating) oldest first, at least one)."""
        state, step, s, d, due, last, reps, lapses = self.final_row(card_id, history)
        return Memory(CardState(state), step, s, d, due, last, reps, lapses)

    def final_row(self, card_id: str, history: Sequence[tuple[dt.datetime, int]]
                  ) -> MemoryRow:
        """final() as a plain tuple (state, step, stability, difficulty, due, last review,
        reps, lapses): rescheduling builds 100,000 of them."""
        w, decay, factor, easy_d = self.w, self.decay, self.factor, self.easy_difficulty
        learning, relearning = self.learning, self.relearning
        e = math.e
        state, step, reps, lapses = 0, 0, 0, 0
        s = d = 0.0
        last = history[0][0]
        wait: dt.timedelta | None = None
        rating = 3
        for moment, rating in history:
            if state == 0:
                state, step = LEARNING, 0
                s = max(w[rating - 1], STABILITY_MIN)
                d = min(max(w[4] - (e ** (w[5] * (rating - 1))) + 1, 1.0), 10.0)
            else:
                days = (moment - last).days
                if days < 1:
                    increase: float = (e ** (w[17] * (rating - 3 + w[18]))) * (s ** -w[19])
                    if rating >= 2:
                        increase = max(increase, 1.0)
                    s = max(s * increase, STABILITY_MIN)
                else:
                    r = (1 + factor * max(0, days) / s) ** decay
                    if rating == 1:
                        long_term = (w[11] * (d ** -w[12]) * (((s + 1) ** (w[13])) - 1)
                                     * (e ** ((1 - r) * w[14])))
                        s = max(min(long_term, s / (e ** (w[17] * w[18]))), STABILITY_MIN)
                    else:
                        hard = w[15] if rating == 2 else 1
                        easy = w[16] if rating == 4 else 1
                        s = max(s * (1 + (e ** (w[8])) * (11 - d) * (s ** -w[9])
                                     * ((e ** ((1 - r) * w[10])) - 1) * hard * easy),
                                STABILITY_MIN)
                arg_2 = d + (10.0 - d) * (-(w[6] * (rating - 3))) / 9.0
                d = min(max(w[7] * easy_d + (1 - w[7]) * arg_2, 1.0), 10.0)
            if state == REVIEW:
                if rating == 1:
                    lapses += 1
                    if relearning:
                        state, step, wait = RELEARNING, 0, relearning[0]
                    else:
                        wait = None
                else:
                    wait = None
            else:
                steps = learning if state == LEARNING else relearning
                count = len(steps)
                if not steps or (step >= count and rating >= 2):
                    state, wait = REVIEW, None
                elif rating == 1:
                    step, wait = 0, steps[0]
                elif rating == 2:
                    if step == 0 and count == 1:
                        wait = steps[0] * 1.5
                    elif step == 0:
                        wait = (steps[0] + steps[1]) / 2.0
                    else:
                        wait = steps[step]
                elif rating == 3 and step + 1 != count:
                    step += 1
                    wait = steps[step]
                else:
                    state, wait = REVIEW, None
            reps += 1
            last = moment
        if wait is None:
            days = min(max(round((s / factor) * ((self.retention ** (1 / decay)) - 1)), 1),
                       self.maximum)
            if self.fuzz:
                days = fuzzed_days(days, self.maximum, fuzz_draw(card_id, reps - 1, rating))
            wait = dt.timedelta(days=days)
        return (state, None if state == REVIEW else step, s, d, last + wait, last, reps,
                lapses)

