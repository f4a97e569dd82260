"""store.fold.grouped, which sums a bulk write's running totals: the same sums as a plain
Python fold, whether the keys are summed in a table of them all or sorted."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from loopdrill.store import fold


@pytest.mark.parametrize("dense", [1 << 20, 0])
@pytest.mark.parametrize("spread", [3, 10**6])
def test_grouped_sums_as_a_python_fold(monkeypatch: pytest.MonkeyPatch, dense: int,
                                        spread: int) -> None:
    monkeypatch.setattr(fold, "DENSE_KEYS", dense)
    rng = np.random.default_rng(spread)
    keys = [rng.integers(-spread, spread, 5000), rng.integers(0, 4, 5000)]
    values = [rng.integers(-10**12, 10**12, 5000), rng.random(5000)]
    expected: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0, 0.0])
    for a, b, n, x in zip(*(k.tolist() for k in keys), *(v.tolist() for v in values),
                          strict=True):
        expected[(a, b)][0] += n
        expected[(a, b)][1] += x
    got_keys, got_values = fold.grouped(keys, values)
    got = {(a, b): (n, x) for a, b, n, x in zip(*(k.tolist() for k in got_keys),
                                               *(v.tolist() for v in got_values), strict=True)}
    assert got.keys() == expected.keys()
    assert list(got) == sorted(got)
    for key, (n, x) in got.items():
        assert n == expected[key][0] and isinstance(n, int)
        assert x == pytest.approx(expected[key][1], rel=1e-12)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"])
@pytest.mark.parametrize("dense", [1 << 18, 0])
def test_days_hours_are_each_times_day_hour(monkeypatch: pytest.MonkeyPatch, zone: str,
                                            dense: int) -> None:
    """The study day and local hour of many times at once are StudyDays.day_hour's, across
    daylight-saving changes (Lord Howe's are half an hour)."""
    import time

    from loopdrill.store.aggregates import StudyDays

    monkeypatch.setenv("TZ", zone)
    monkeypatch.setattr(fold, "DENSE_KEYS", dense)
    time.tzset()
    try:
        rng = np.random.default_rng(7)
        at = np.sort(rng.integers(1_767_225_600_000, 1_798_761_600_000, 20_000))  # 2026
        got = fold.days_hours(StudyDays(4), at)
        expected = [StudyDays(4).day_hour(t) for t in at.tolist()]
        assert list(zip(*(g.tolist() for g in got), strict=True)) == expected
    finally:
        monkeypatch.undo()
        time.tzset()
