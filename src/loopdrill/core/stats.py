"""Stats math that needs no database: study-day bounds, streaks, calibration metrics, and the
forgetting curve at a moment (DESIGN.md section 6). Standard library only."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from loopdrill.core.timeutil import day_start

YOUNG_DAYS = 21
"""An interval under this many days is young; from it on, mature (as in Anki)."""
CALIBRATION_BINS = 20
EPSILON = 1e-6


def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to divide."""
    return part / whole if whole else None


def day_bounds(first: dt.date, days: int, rollover_hour: int,
               tz: dt.tzinfo | None = None) -> list[dt.datetime]:
    """The starts (UTC) of `days` consecutive study days from `first`, plus the end of the
    last one: days + 1 moments. Exact across daylight-saving changes."""
    return [day_start(first + dt.timedelta(days=i), rollover_hour, tz) for i in range(days + 1)]


def streaks(days: Iterable[dt.date], today: dt.date) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days with reviews. The current streak
    counts back from today, or from yesterday when nothing is done yet today."""
    present = set(days)
    longest = run = 0
    previous: dt.date | None = None
    for day in sorted(present):
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    cursor = today if today in present else today - dt.timedelta(days=1)
    current = 0
    while cursor in present:
        current += 1
        cursor -= dt.timedelta(days=1)
    return current, longest


def clip(p: float) -> float:
    """A probability kept within [1e-6, 1 - 1e-6], as the FSRS benchmark does for log loss."""
    return min(max(p, EPSILON), 1 - EPSILON)


def log_loss(predictions: Iterable[tuple[float, bool]]) -> float | None:
    """Mean of -[y ln p + (1 - y) ln(1 - p)] over (p, recalled) pairs, p clipped."""
    total, n = 0.0, 0
    for p, recalled in predictions:
        q = clip(p)
        total -= math.log(q) if recalled else math.log(1 - q)
        n += 1
    return total / n if n else None


def bin_edges(bins: int = CALIBRATION_BINS) -> list[float]:
    """Lower edges of the predicted-R bins fsrs-rs uses for RMSE(bins) (its `get_bin`:
    floor(exp(p ln(bins + 1))) - 1): bin k holds ln(k + 1)/ln(bins + 1) <= p < the next edge.
    Narrow near 1, where FSRS predictions crowd."""
    return [0.0] + [math.log(k + 1) / math.log(bins + 1) for k in range(1, bins)]


def calibration_bin(p: float, bins: int = CALIBRATION_BINS) -> int:
    """The bin of a predicted R (see `bin_edges`)."""
    edges = bin_edges(bins)
    return max(k for k, edge in enumerate(edges) if p >= edge) if p >= 0 else 0


@dataclass(frozen=True)
class Bin:
    """One calibration bin: reviews, the sum of predicted R and how many passed."""

    count: int
    predicted_sum: float
    passed: int

    @property
    def predicted(self) -> float | None:
        return ratio(self.predicted_sum, self.count)

    @property
    def actual(self) -> float | None:
        return ratio(self.passed, self.count)


def rmse_bins(bins: Sequence[Bin]) -> float | None:
    """RMSE(bins): sqrt(sum n_b (pred_b - act_b)^2 / sum n_b) over non-empty bins."""
    total = sum(b.count for b in bins)
    if not total:
        return None
    squares = sum(b.count * (b.predicted_sum / b.count - b.passed / b.count) ** 2
                  for b in bins if b.count)
    return math.sqrt(squares / total)


def forgetting_factor(decay: float) -> float:
    """FSRS-6's factor, chosen so that R = 0.9 when the elapsed time equals the stability."""
    return float(0.9 ** (1 / -decay) - 1)


def retrievability_at(stability: float, last_review: dt.datetime, moment: dt.datetime,
                      decay: float) -> float:
    """FSRS-6 R(t) = (1 + factor * t / S) ** -decay, t in days from the last review to
    `moment` (never negative): what a card will be recalled with if not reviewed again."""
    days = max(0.0, (moment - last_review).total_seconds() / 86400)
    return float((1 + forgetting_factor(decay) * days / max(stability, EPSILON)) ** -decay)
