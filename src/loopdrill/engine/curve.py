"""The FSRS-6 forgetting curve and the interval it gives: the one place they are written.

R(t) = (1 + factor * t / S) ** -decay, with factor = 0.9 ** (1 / -decay) - 1 so that R(S) = 0.9;
the interval for a desired retention is the t where R(t) equals it, in whole days (at least 1,
at most the maximum). Both use py-fsrs 6.3.2's float operations in its order, so they equal
`fsrs.Scheduler.get_card_retrievability` and its next interval bit for bit (tests check it).
`decay` is the positive parameter w[20] throughout. The SQL form of the curve (for reports and
searches over every card) is store.curve.retrievability_sql, built on curve_factor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

DEFAULT_DECAY = 0.1542  # py-fsrs' FSRS_DEFAULT_DECAY: w[20] of the default parameters
STABILITY_FLOOR = 1e-6  # a stored stability of 0 must not divide by zero


def curve_factor(decay: float) -> float:
    """The curve's factor for a decay w[20]: R(S) is 0.9 exactly."""
    factor: float = 0.9 ** (1 / -decay) - 1
    return factor


def retrievability_after(days: float, stability: float, decay: float = DEFAULT_DECAY) -> float:
    """R after `days` (negative counts as 0) for a card of stability `stability`."""
    return forgetting_curve(decay)(days, stability)


@lru_cache(maxsize=16)
def forgetting_curve(decay: float) -> Callable[[float, float], float]:
    """retrievability_after for one decay, its factor computed once (a replay asks a million
    times): R of (days, stability). Kept per decay, so retrievability_after (the SQL function
    fsrs_retrievability, called per due card when a drill builds its queue) does not build
    it again on every call."""
    factor = curve_factor(decay)

    def after(days: float, stability: float) -> float:
        r: float = (1 + factor * (days if days > 0 else 0.0)
                    / (STABILITY_FLOOR if stability < STABILITY_FLOOR else stability)) ** -decay
        return r
    return after


def retrievability(stability: float, last_review: dt.datetime, now: dt.datetime,
                   decay: float = DEFAULT_DECAY) -> float:
    """R at `now` for a card last reviewed at `last_review` (fractional days elapsed)."""
    return retrievability_after((now - last_review).total_seconds() / 86400, stability, decay)


def next_interval(stability: float, retention: float, decay: float, maximum: int) -> int:
    """py-fsrs' next interval in whole days for a stability and desired retention."""
    return interval_rule(retention, decay, maximum)(stability)


def interval_rule(retention: float, decay: float, maximum: int) -> Callable[[float], int]:
    """next_interval for one retention, decay and maximum, its constants computed once (the
    same float operations: a replay asks a million times)."""
    factor = curve_factor(decay)
    term = (retention ** (1 / -decay)) - 1

    def interval(stability: float) -> int:
        days = round((stability / factor) * term)
        return int(1 if days < 1 else maximum if days > maximum else days)
    return interval
