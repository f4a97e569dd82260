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
# state before, state after, reps before, lapses before, interval before (days), R before,
# days since the last review, interval after (days), before JSON, after JSON
# a memory after an answer: stability, difficulty and both times are set
Answered = tuple[int, int | None, float, float, int, int, int, int]
StepRow = tuple[int, int, int, int, float, float | None, float, float, str, str]
NEW_MEMORY: MemoryRow = (NEW, None, None, None, None, None, 0, 0)


def to_micros(moment: dt.datetime) -> int:
    """Whole microseconds since the Unix epoch of an aware datetime (exact)."""
    return (moment - EPOCH) // MICROSECOND


def from_micros(micros: int) -> dt.datetime:
    """The inverse of to_micros (UTC)."""
    return EPOCH + dt.timedelta(microseconds=micros)


US_PER_HOUR, US_PER_MINUTE = 3_600_000_000, 60_000_000


class Stamps:
    """The stored text stamp (timeutil.to_stamp's) of a time in µs, twice as fast as
    isoformat on an aware datetime: each hour's text is made once."""

    def __init__(self) -> None:
        self.hours: dict[int, str] = {}

    def __call__(self, micros: int) -> str:
        hour, rest = divmod(micros, US_PER_HOUR)
        prefix = self.hours.get(hour)
        if prefix is None:  # 'YYYY-MM-DDTHH:'
            prefix = self.hours[hour] = from_micros(hour * US_PER_HOUR).isoformat()[:14]
        # seconds as a float: k / 1e6 for a whole k is within 1e-14 of it, far from where
        # six decimals round the other way; % formats a quarter faster than an f-string here
        return "%s%02d:%09.6f+00:00" % (prefix, rest // US_PER_MINUTE,  # noqa: UP031
                                        rest % US_PER_MINUTE / 1e6)


def memory_json(memory: MemoryRow) -> str:
    """The revlog's before/after JSON of a memory (store.rows.memory_to_json's format:
    times as Unix seconds)."""
    state, step, s, d, due, last, reps, lapses = memory
    return (f"[{state},{'null' if step is None else step},{'null' if s is None else repr(s)},"
            f"{'null' if d is None else repr(d)},"
            f"{'null' if due is None else repr(due / 1_000_000)},"
            f"{'null' if last is None else repr(last / 1_000_000)},{reps},{lapses}]")


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
        fuzz_at = (max((i for i, (_, _, cram) in enumerate(history) if not cram), default=-1)
                   if self.fuzz else -1)
        state, reps, lapses = NEW, 0, 0
        step: int | None = None
        s = d = 0.0
        due = last = 0
        before_json = memory_json(NEW_MEMORY)
        interval_before = 0.0
        rows: list[StepRow] = []
        for index, (now, rating, cram) in enumerate(history):
            r: float | None = None
            elapsed = 0.0
            if state != NEW:
                elapsed = (now - last) / 1_000_000 / 86400
                # engine.queue.retrievability_after, its max() written out (bit for bit)
                r = (1 + r_factor * (elapsed if elapsed > 0.0 else 0.0)
                     / (1e-6 if s < 1e-6 else s)) ** -w20
            if cram:
                rows.append((state, state, reps, lapses, interval_before, r, elapsed,
                             interval_before, before_json, before_json))
                continue
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
            after_json = (f"[{new_state},{'null' if new_step is None else new_step},{s!r},{d!r},"
                          f"{due / 1_000_000!r},{now / 1_000_000!r},{new_reps},{new_lapses}]")
            interval_after = wait / 1_000_000 / 86400
            rows.append((state, new_state, reps, lapses, interval_before, r, elapsed,
                         interval_after, before_json, after_json))
            state, step, reps, lapses = new_state, new_step, new_reps, new_lapses
            before_json, interval_before = after_json, interval_after
        if state == NEW:
            return rows, NEW_MEMORY
        return rows, (state, step, s, d, due, last, reps, lapses)
