"""Stats math against hand-computed values: streaks, log loss, RMSE(bins), bins, R at a date."""

from __future__ import annotations

import datetime as dt
import math
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from loopdrill.core.stats import (
    Bin,
    bin_edges,
    calibration_bin,
    clip,
    day_bounds,
    forgetting_factor,
    log_loss,
    ratio,
    retrievability_at,
    rmse_bins,
    streaks,
)

D = dt.date


def test_streaks_count_back_from_today_or_yesterday() -> None:
    today = D(2026, 11, 23)
    days = [D(2026, 11, 20), D(2026, 11, 21), D(2026, 11, 22), D(2026, 11, 1), D(2026, 11, 2)]
    assert streaks(days, today) == (3, 3)  # nothing yet today: counts from yesterday
    assert streaks([*days, today], today) == (4, 4)
    assert streaks([D(2026, 11, 21), *days[3:]], today) == (0, 2)  # a gap yesterday breaks it
    assert streaks([], today) == (0, 0)


def test_log_loss_is_the_benchmark_formula_with_clipping() -> None:
    assert log_loss([(0.9, True), (0.8, False)]) == pytest.approx(
        (-math.log(0.9) - math.log(0.2)) / 2)
    assert log_loss([(1.0, False)]) == pytest.approx(-math.log(1e-6))
    assert log_loss([(0.0, True)]) == pytest.approx(-math.log(1e-6))
    assert log_loss([]) is None
    assert clip(2.0) == 1 - 1e-6 and clip(-1.0) == 1e-6


def test_rmse_bins_weights_each_bin_by_its_count() -> None:
    # bin A: 3 reviews, mean predicted 0.9, 2 passed (0.667); bin B: 1 review, 0.5, 1 passed
    bins = [Bin(3, 2.7, 2), Bin(1, 0.5, 1), Bin(0, 0.0, 0)]
    expected = math.sqrt((3 * (0.9 - 2 / 3) ** 2 + 1 * (0.5 - 1) ** 2) / 4)
    assert rmse_bins(bins) == pytest.approx(expected)
    assert rmse_bins([Bin(0, 0.0, 0)]) is None
    assert bins[0].predicted == pytest.approx(0.9) and bins[2].actual is None


def test_bins_are_the_fsrs_rs_bins() -> None:
    edges = bin_edges()
    assert len(edges) == 20 and edges[0] == 0.0
    assert edges[1] == pytest.approx(math.log(2) / math.log(21))  # 0.2277
    assert edges[19] == pytest.approx(math.log(20) / math.log(21))  # 0.9840

    def get_bin(p: float) -> int:  # fsrs-rs: floor(exp(p ln 21)) - 1, clamped to 0..19
        return min(max(math.floor(math.exp(p * math.log(21))) - 1, 0), 19)

    for i in range(1001):
        p = i / 1000
        assert calibration_bin(p) == get_bin(p), p


def test_retrievability_at_a_date() -> None:
    last = dt.datetime(2026, 11, 13, 9, tzinfo=dt.UTC)
    decay = 0.1542
    assert retrievability_at(10, last, last + dt.timedelta(days=10), decay) == pytest.approx(0.9)
    later = retrievability_at(10, last, last + dt.timedelta(days=30), decay)
    assert later == pytest.approx((1 + forgetting_factor(decay) * 3) ** -decay)
    assert retrievability_at(10, last, last - dt.timedelta(days=1), decay) == 1.0
    assert ratio(1, 0) is None and ratio(1, 4) == 0.25


def test_day_bounds_follow_the_rollover_and_daylight_saving() -> None:
    utc = day_bounds(D(2026, 11, 22), 2, 4, dt.UTC)
    assert [b.isoformat() for b in utc] == ["2026-11-22T04:00:00+00:00",
                                            "2026-11-23T04:00:00+00:00",
                                            "2026-11-24T04:00:00+00:00"]
    berlin = day_bounds(D(2026, 10, 24), 2, 4, ZoneInfo("Europe/Berlin"))
    hours = [(b - a).total_seconds() / 3600 for a, b in pairwise(berlin)]
    assert hours == [25.0, 24.0]  # the day clocks go back is 25 hours long
