"""Pure helpers for fitting FSRS to one learner (DESIGN.md section 4).

Training items are built as Anki builds them: per card, non-cram reviews grouped by study day
(delta_t = study days since the previous review, 0 within a day), one item per review that
comes a day or more after the previous one, holding the card's history up to it. The fit runs
in fsrs-rs-python (float32); its parameters are rounded to 6 places and kept inside py-fsrs'
bounds before `fsrs.Scheduler` sees them. Rescheduling replays a history with the lean replica
of py-fsrs (core.fastfsrs, checked bit for bit) plus py-fsrs' fuzz drawn exactly as
core.scheduling.answer seeds it, so the result equals answering every review through
`fsrs.Scheduler`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

import fsrs
import fsrs.scheduler

from loopdrill.core.fastfsrs import LeanScheduler
from loopdrill.core.model import CardState
from loopdrill.core.scheduling import Memory

History = list[tuple[int, int]]  # (rating 1-4, study days since the card's previous review)
MIN_REVIEWS = 400  # long-term reviews a fit needs (Anki asks for a few hundred too)
LEARNING, REVIEW, RELEARNING = 1, 2, 3
STABILITY_MIN = 0.001


def day_histories(rows: Iterable[tuple[str, int, int]]) -> list[History]:
    """Per card, its reviews as (rating, delta_t). `rows` are (card id, study day number,
    rating), ordered by card then time."""
    out: list[History] = []
    current: str | None = None
    history: History = []
    last_day = 0
    for card, day, rating in rows:
        if card != current:
            if history:
                out.append(history)
            current, history, last_day = card, [], day
        history.append((rating, day - last_day))
        last_day = day
    if history:
        out.append(history)
    return out


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


def rs_items(histories: Sequence[History]) -> list[Any]:
    """fsrs-rs-python FSRSItems for the training items (review objects shared by prefixes)."""
    import fsrs_rs_python as rs  # only the fit worker and tests need the Rust model

    items: list[Any] = []
    review, item = rs.FSRSReview, rs.FSRSItem
    for history in histories:
        reviews = [review(r, d) for r, d in history]
        items.extend(item(reviews[: i + 1]) for i in range(1, len(history))
                     if history[i][1] > 0)
    return items


def fit_histories(histories: Sequence[History], current: Sequence[float]) -> dict[str, Any]:
    """Fit parameters with fsrs-rs-python and evaluate the current and the fitted ones on the
    same items. Runs in the worker process: it holds the GIL while it trains."""
    import fsrs_rs_python as rs

    items = rs_items(histories)
    if not items:
        raise ValueError("no review a day or more after the card's previous one")
    fitted = safe_parameters(rs.FSRS(list(current)).compute_parameters(items))
    before = rs.FSRS(list(current)).evaluate(items)
    after = rs.FSRS(fitted).evaluate(items)
    return {"parameters": fitted, "items": len(items),
            "before": {"log_loss": before.log_loss, "rmse_bins": before.rmse_bins},
            "after": {"log_loss": after.log_loss, "rmse_bins": after.rmse_bins}}


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


def fuzz_draw(card_id: str, reps_before: int, rating: int) -> float:
    """The draw core.scheduling.answer makes for this answer (same seed, same generator)."""
    seed = zlib.crc32(card_id.encode()) * 1_000_003 + reps_before * 7 + rating
    return random.Random(seed).random()


class Replayer:
    """A card's memory after its non-cram reviews, as answering each through this
    fsrs.Scheduler (fuzz seeded as in core.scheduling.answer) would leave it.

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
        return Memory(CardState(state), None if state == REVIEW else step, s, d, last + wait,
                      last, reps, lapses)


def review_interval(stability: float, retention: float, decay: float, maximum: int) -> int:
    """py-fsrs' next interval in whole days for a stability and desired retention."""
    factor = 0.9 ** (1 / -decay) - 1
    days = (stability / factor) * (retention ** (1 / -decay) - 1)
    return int(min(max(round(days), 1), maximum))
