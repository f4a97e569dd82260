"""Stats math that needs no database: streaks, calibration metrics, bins, forgetting curve."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def streaks(days: Iterable[dt.date], today: dt.date) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days with reviews. The current streak
    counts back from today, or from yesterday when nothing is done yet today."""
    ordered = sorted(set(days))
    longest = run = 0
    previous: dt.date | None = None
    for day in ordered:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    present = set(ordered)
    cursor = today if today in present else today - dt.timedelta(days=1)
    current = 0
    while cursor in present:
        current += 1
        cursor -= dt.timedelta(days=1)
    return current, longest


def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to divide."""
    return part / whole if whole else None


@dataclass(frozen=True)
class BinGroup:
    """One group of reviews with its mean predicted and measured recall."""

    count: int
    predicted: float
    actual: float


def rmse_bins(groups: Sequence[BinGroup]) -> float | None:
    """RMSE(bins) as the FSRS benchmark computes it: weighted by each group's size."""
    total = sum(g.count for g in groups)
    if not total:
        return None
    return math.sqrt(sum(g.count * (g.predicted - g.actual) ** 2 for g in groups) / total)


def interval_bin(days: float) -> float:
    """The benchmark's bin for the days since the previous review (days >= 1)."""
    return round(2.48 * 3.62 ** math.floor(math.log(days) / math.log(3.62)), 2)


def count_bin(reviews: int) -> float:
    """The benchmark's bin for the review's position in the card's history (>= 1)."""
    return round(1.99 * 1.89 ** math.floor(math.log(reviews) / math.log(1.89)), 0)


def lapse_bin(lapses: int) -> float:
    """The benchmark's bin for the lapses before the review."""
    if lapses == 0:
        return 0
    return round(1.65 * 1.73 ** math.floor(math.log(lapses) / math.log(1.73)), 0)
