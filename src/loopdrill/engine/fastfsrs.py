"""A lean replica of `fsrs.Scheduler.review_card` (py-fsrs 6.3.2) without fuzz.

Replaying a 200,000-review history through py-fsrs spends most of its time copying cards and
dispatching enums. This module computes the same numbers with the same operations in the same
order (tests compare it with py-fsrs bit for bit on random histories); it is used only where
no fuzz applies: the replay of past reviews. Answers in the drill go through py-fsrs itself.
"""

from __future__ import annotations

import datetime as dt
import math

import fsrs

from loopdrill.core.model import CardState
from loopdrill.engine.answer import Memory

STABILITY_MIN = 0.001
LEARNING, REVIEW, RELEARNING = 1, 2, 3


class LeanScheduler:
    """The arithmetic of an fsrs.Scheduler, read once from it."""

    def __init__(self, scheduler: fsrs.Scheduler) -> None:
        self.w = tuple(float(p) for p in scheduler.parameters)
        self.decay = -self.w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1
        self.retention = scheduler.desired_retention
        self.maximum_interval = scheduler.maximum_interval
        self.learning_steps = tuple(scheduler.learning_steps)
        self.relearning_steps = tuple(scheduler.relearning_steps)
        self.easy_difficulty = self.initial_difficulty(4, clamp=False)

    # -- the formulas, as py-fsrs writes them ------------------------------------------------
    def initial_difficulty(self, rating: int, clamp: bool) -> float:
        d: float = self.w[4] - (math.e ** (self.w[5] * (rating - 1))) + 1
        return min(max(d, 1.0), 10.0) if clamp else d

    def next_interval(self, stability: float) -> int:
        days: float = (stability / self.factor) * ((self.retention ** (1 / self.decay)) - 1)
        whole: int = min(max(round(days), 1), self.maximum_interval)
        return whole

    def short_term_stability(self, stability: float, rating: int) -> float:
        w = self.w
        increase: float = (math.e ** (w[17] * (rating - 3 + w[18]))) * (stability ** -w[19])
        if rating >= 2:
            increase = max(increase, 1.0)
        return max(stability * increase, STABILITY_MIN)

    def next_difficulty(self, difficulty: float, rating: int) -> float:
        w = self.w
        delta = -(w[6] * (rating - 3))
        arg_2 = difficulty + (10.0 - difficulty) * delta / 9.0
        return min(max(w[7] * self.easy_difficulty + (1 - w[7]) * arg_2, 1.0), 10.0)

    def next_stability(self, d: float, s: float, r: float, rating: int) -> float:
        w = self.w
        new: float
        if rating == 1:
            long_term: float = (w[11] * (d ** -w[12]) * (((s + 1) ** (w[13])) - 1)
                         * (math.e ** ((1 - r) * w[14])))
            short_term = s / (math.e ** (w[17] * w[18]))
            new = min(long_term, short_term)
        else:
            hard = w[15] if rating == 2 else 1
            easy = w[16] if rating == 4 else 1
            new = s * (1 + (math.e ** (w[8])) * (11 - d) * (s ** -w[9])
                       * ((math.e ** ((1 - r) * w[10])) - 1) * hard * easy)
        return max(new, STABILITY_MIN)

    # -- one review ----------------------------------------------------------------------------
    def review(self, memory: Memory, rating: int, now: dt.datetime) -> Memory:
        """The memory after one review at `now` (no fuzz)."""
        state = LEARNING if memory.state == CardState.NEW else int(memory.state)
        step = 0 if memory.state == CardState.NEW else memory.step
        s, d, last = memory.stability, memory.difficulty, memory.last_review
        days = (now - last).days if last is not None else None
        if s is None or d is None:
            s = max(self.w[rating - 1], STABILITY_MIN)
            d = self.initial_difficulty(rating, clamp=True)
        elif days is not None and days < 1:
            s = self.short_term_stability(s, rating)
            d = self.next_difficulty(d, rating)
        else:
            elapsed = max(0, days or 0)
            r = (1 + self.factor * elapsed / s) ** self.decay if last is not None else 0
            s = self.next_stability(d, s, r, rating)
            d = self.next_difficulty(d, rating)
        interval: dt.timedelta
        if state == REVIEW:
            if rating == 1 and self.relearning_steps:
                state, step = RELEARNING, 0
                interval = self.relearning_steps[0]
            else:
                interval = dt.timedelta(days=self.next_interval(s))
        else:
            steps = self.learning_steps if state == LEARNING else self.relearning_steps
            assert step is not None
            if not steps or (step >= len(steps) and rating >= 2):
                state, step = REVIEW, None
                interval = dt.timedelta(days=self.next_interval(s))
            elif rating == 1:
                step = 0
                interval = steps[0]
            elif rating == 2:
                if step == 0 and len(steps) == 1:
                    interval = steps[0] * 1.5
                elif step == 0 and len(steps) >= 2:
                    interval = (steps[0] + steps[1]) / 2.0
                else:
                    interval = steps[step]
            elif rating == 3 and step + 1 != len(steps):
                step += 1
                interval = steps[step]
            else:
                state, step = REVIEW, None
                interval = dt.timedelta(days=self.next_interval(s))
        lapse = memory.state == CardState.REVIEW and rating == 1
        return Memory(CardState(state), step, s, d, now + interval, now, memory.reps + 1,
                      memory.lapses + int(lapse))
