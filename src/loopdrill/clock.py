"""The one place the wall clock is read; LOOPDRILL_NOW fixes it for tests and demos."""

from __future__ import annotations

import datetime as dt
import os

NOW_ENV = "LOOPDRILL_NOW"
EARLIEST = dt.datetime(1900, 1, 1)
LATEST = dt.datetime(9000, 1, 1)  # room for the 100-year maximum interval and more


class ClockError(ValueError):
    """LOOPDRILL_NOW holds something that is not a time."""


def now() -> dt.datetime:
    """The current moment in UTC, or the fixed one from LOOPDRILL_NOW."""
    fixed = os.environ.get(NOW_ENV)
    if fixed:
        try:
            moment = dt.datetime.fromisoformat(fixed)
        except ValueError:
            raise ClockError(f"{NOW_ENV}={fixed!r} is not an ISO time "
                             "(e.g. 2026-11-23T09:00:00Z)") from None
        if not EARLIEST <= moment.replace(tzinfo=None) <= LATEST:
            raise ClockError(f"{NOW_ENV}={fixed!r} is outside the years "
                             f"{EARLIEST.year}-{LATEST.year - 1} loopdrill can schedule in")
        if moment.tzinfo is None:
            moment = moment.astimezone()
        return moment.astimezone(dt.UTC)
    return dt.datetime.now(dt.UTC)
