"""The one forgetting curve: equal to py-fsrs' own, bit for bit, and its SQL form alike."""

from __future__ import annotations

import datetime as dt
import sqlite3

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.engine.curve import (
    DEFAULT_DECAY,
    curve_factor,
    next_interval,
    retrievability,
    retrievability_after,
)
from loopdrill.store.curve import retrievability_sql

T0 = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
stabilities = st.floats(0.001, 5000, allow_nan=False)
retentions = st.floats(0.7, 0.99)
decays = st.floats(0.1, 0.8)


def test_defaults_are_py_fsrs() -> None:
    scheduler = fsrs.Scheduler()
    assert DEFAULT_DECAY == fsrs.scheduler.FSRS_DEFAULT_DECAY == scheduler.parameters[20]
    assert curve_factor(DEFAULT_DECAY) == scheduler._FACTOR
    assert retrievability_after(10.0, 10.0) == pytest.approx(0.9, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(stabilities, retentions, decays, st.integers(0, 3000))
def test_curve_and_interval_equal_py_fsrs(stability: float, retention: float, decay: float,
                                          days: int) -> None:
    parameters = list(fsrs.scheduler.DEFAULT_PARAMETERS)
    parameters[20] = decay
    scheduler = fsrs.Scheduler(parameters=parameters, desired_retention=retention)
    card = fsrs.Card(state=fsrs.State.Review, stability=stability, difficulty=5.0,
                     last_review=T0)
    now = T0 + dt.timedelta(days=days, hours=3)
    assert retrievability_after(days, stability, decay) == \
        scheduler.get_card_retrievability(card, now)
    assert next_interval(stability, retention, decay, scheduler.maximum_interval) == \
        scheduler._next_interval(stability=stability)
    assert next_interval(stability, retention, decay, 7) <= 7


def test_fractional_days_and_no_future() -> None:
    later = T0 + dt.timedelta(hours=36)
    assert retrievability(4.0, T0, later) == retrievability_after(1.5, 4.0)
    assert retrievability(4.0, later, T0) == 1.0  # a review in the future counts as now


@settings(max_examples=60, deadline=None)
@given(st.floats(-5, 4000), stabilities | st.just(0.0), decays)
def test_sql_form_equals_the_curve(days: float, stability: float, decay: float) -> None:
    conn = sqlite3.connect(":memory:")
    sql = retrievability_sql("?", "?", decay)
    value = conn.execute(f"SELECT {sql}", (days, stability)).fetchone()[0]
    assert value == pytest.approx(retrievability_after(days, stability, decay), rel=1e-12)
