"""Pure helpers for fitting FSRS to one learner (DESIGN.md section 4).

Training items are built as Anki builds them: per card, non-cram reviews grouped by study day
(delta_t = study days since the previous review, 0 within a day), one item per review that
comes a day or more after the previous one, holding the card's history up to it. The fit runs
in fsrs-rs-python (float32); its parameters are rounded to 6 places and kept inside py-fsrs'
bounds before `fsrs.Scheduler` sees them. Rescheduling replays a history with the arithmetic
of core.fastfsrs' lean replica of py-fsrs and py-fsrs' own fuzz formula, its draw fixed per
card and answer (fuzz_draw), so the result equals answering every review through
`fsrs.Scheduler` with that draw (tests check it on random histories). The retention
simulation is in core.optimize_sim.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from typing import Any

import fsrs
import fsrs.scheduler

from loopdrill.core.fastfsrs import LeanScheduler
from loopdrill.core.forked import forked
from loopdrill.core.model import CardState
from loopdrill.core.scheduling import Memory

History = list[tuple[int, int]]  # (rating 1-4, study days since the card's previous review)
MIN_REVIEWS = 400  # training items (long-term reviews) below which no fit is attempted
LEARNING, REVIEW, RELEARNING = 1, 2, 3
STABILITY_MIN = 0.001


def iter_histories(rows: Iterable[tuple[str, int, int]]) -> Iterator[History]:
    """Per card, its reviews as (rating, delta_t), each card's as soon as its rows end.
    `rows` are (card id, study day number, rating), ordered by card then time."""
    current: str | None = None
    history: History = []
    last_day = 0
    for card, day, rating in rows:
        if card != current:
            if history:
                yield history
            current, history, last_day = card, [], day
        history.append((rating, day - last_day))
        last_day = day
    if history:
        yield history


def day_histories(rows: Iterable[tuple[str, int, int]]) -> list[History]:
    """Every card's history (see iter_histories)."""
    return list(iter_histories(rows))


def training_items(histories: Sequence[History]) -> list[History]:
    """One item per review a day or more after the previous one: the history up to it."""
    return [h[: i + 1] for h in histories for i in range(1, len(h)) if h[i][1] > 0]


def long_term_reviews(histories: Sequence[History]) -> int:
    """How many training items the histories give (what a fit learns from)."""
    return sum(1 for h in histories for _, delta in h[1:] if delta > 0)


def safe_parameters(raw: Sequence[float]) -> list[float]:
    """Float32 parameters rounded to 6 places and kept inside py-fsrs' bounds."""
    lower = fsrs.scheduler.LOWER_BOUNDS_PARAMETERS
    upper = fsrs.scheduler.UPPER_BOUNDS_PARAMETERS
    if len(raw) != len(lower):
        raise ValueError(f"expected {len(lower)} parameters, got {len(raw)}")
    return [min(max(round(float(w), 6), lo), hi) for w, lo, hi in zip(raw, lower, upper,
                                                                       strict=True)]


def rs_items(histories: Iterable[History]) -> tuple[list[Any], int]:
    """fsrs-rs-python FSRSItems for the training items (review objects shared by prefixes),
    and how many cards they come from."""
    import fsrs_rs_python as rs  # only the fit worker and tests need the Rust model

    items: list[Any] = []
    review, item = rs.FSRSReview, rs.FSRSItem
    cards = 0
    for history in histories:
        reviews = [review(r, d) for r, d in history]
        before = len(items)
        items.extend(item(reviews[: i + 1]) for i in range(1, len(history))
                     if history[i][1] > 0)
        cards += len(items) > before
    return items, cards


def _metrics(evaluation: Any) -> dict[str, float]:
    return {"log_loss": float(evaluation.log_loss), "rmse_bins": float(evaluation.rmse_bins)}


def fit_histories(histories: Iterable[History], current: Sequence[float]) -> dict[str, Any]:
    """Fit parameters with fsrs-rs-python ("parameters") and evaluate the current ("before")
    and the fitted ones ("after") on the same items. Runs in a worker process: fsrs-rs-python
    holds the GIL while it works. Where the platform forks, the current parameters are
    evaluated in a forked child while this process trains (one core each)."""
    import fsrs_rs_python as rs

    items, cards = rs_items(histories)  # consumed as the histories arrive
    result: dict[str, Any] = {"items": len(items), "cards": cards}
    if len(items) < MIN_REVIEWS:
        return result
    model = rs.FSRS(list(current))
    before = forked(lambda: _metrics(model.evaluate(items)))
    try:
        fitted = safe_parameters(model.compute_parameters(items))
        after = _metrics(rs.FSRS(fitted).evaluate(items))
    except BaseException:
        with suppress(Exception):
            before()  # reap the child
        raise
    return {**result, "parameters": fitted, "before": before(), "after": after}


class HistoryEncoder:
    """Revlog rows to the worker's input: one line per card, `rating delta_t rating delta_t
    ...`, delta_t in study days since the card's previous review. Rows are (card id, study
    day, rating) ordered by card then time, fed in chunks (a card may span two)."""

    def __init__(self) -> None:
        self.card: str | None = None
        self.day = 0

    def encode(self, rows: Iterable[tuple[str, int, int]]) -> str:
        parts: list[str] = []
        card, last = self.card, self.day
        for current, day, rating in rows:
            if current != card:
                parts.append(f"\n{rating} 0")
                card = current
            else:
                parts.append(f" {rating} {day - last}")
            last = day
        self.card, self.day = card, last
        return "".join(parts)


def parse_histories(lines: Iterable[bytes]) -> Iterator[History]:
    """The histories HistoryEncoder wrote, one per non-empty line, as they arrive."""
    for line in lines:
        numbers = [int(n) for n in line.split()]
        if numbers:
            yield list(zip(numbers[0::2], numbers[1::2], strict=True))


# -- rescheduling ------------------------------------------------------------------------------

_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, float("inf"), 0.05))


def fuzzed_days(days: int, maximum: int, draw: float) -> int:
    """py-fsrs 6.3.2's fuzzed interval for a `days`-day review interval and a draw in [0, 1)."""
    if days < 2.5:
        return days
    delta = 1.0 + sum(f * max(min(float(days), end) - start, 0.0)
                      for start, end, f in _FUZZ_RANGES)
    low, high = max(2, round(days - delta)), min(round(days + delta), maximum)
    low = min(low, high)
    return min(round(draw * (high - low + 1) + low), maximum)


_MASK = (1 << 64) - 1


def fuzz_draw(card_id: str, reps_before: int, rating: int) -> float:
    """A uniform draw in [0, 1) fixed by the card, its reps before the answer and the rating:
    splitmix64 of the seed core.scheduling.answer uses. Seeding a Mersenne Twister per card,
    as answer does, would cost a third of the time rescheduling 100,000 cards takes."""
    z = (zlib.crc32(card_id.encode()) * 1_000_003 + reps_before * 7 + rating
         + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return ((z ^ (z >> 31)) >> 11) / 9007199254740992.0


MemoryRow = tuple[int, int | None, float, float, dt.datetime, dt.datetime, int, int]


class Replayer:
    """A card's memory after its non-cram reviews, as answering each through this
    fsrs.Scheduler would leave it, with fuzz (when the scheduler has it) drawn by fuzz_draw.

    The loop is core.fastfsrs.LeanScheduler.review with the same float operations in the same
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


def review_interval(stability: float, retention: float, decay: float, maximum: int) -> int:
    """py-fsrs' next interval in whole days for a stability and desired retention."""
    factor = 0.9 ** (1 / -decay) - 1
    days = (stability / factor) * (retention ** (1 / -decay) - 1)
    return int(min(max(round(days), 1), maximum))
