"""Time helpers: UTC text stamps for storage and the study day with its rollover hour."""

from __future__ import annotations

import datetime as dt

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND = dt.timedelta(milliseconds=1)


def to_ms(moment: dt.datetime) -> int:
    """Whole ms since the Unix epoch (rounded down), as the revlog stores times."""
    return (moment - EPOCH) // MILLISECOND


def from_ms(ms: int) -> dt.datetime:
    """The inverse of to_ms (UTC)."""
    return EPOCH + dt.timedelta(milliseconds=ms)


def to_stamp(moment: dt.datetime) -> str:
    """A fixed-width, sortable UTC text stamp (what the database stores), such as
    2026-11-23T09:00:00.000000+00:00."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times must carry a timezone")
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def from_stamp(text: str) -> dt.datetime:
    """Parse a stored stamp (or any ISO-8601 time with a zone) into an aware UTC datetime."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time without a timezone: {text!r}")
    return moment.astimezone(UTC)


def study_day(moment: dt.datetime, rollover_hour: int, tz: dt.tzinfo | None = None) -> dt.date:
    """The study day a moment belongs to: local date, with the day starting at the rollover hour."""
    local = moment.astimezone(tz)
    return (local - dt.timedelta(hours=rollover_hour)).date()


def day_start(day: dt.date, rollover_hour: int, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The moment (UTC) a study day begins."""
    naive = dt.datetime.combine(day, dt.time(hour=rollover_hour))
    local = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return local.astimezone(UTC)


def next_day_start(
    moment: dt.datetime, rollover_hour: int, tz: dt.tzinfo | None = None
) -> dt.datetime:
    """The moment (UTC) the study day after `moment`'s begins: the end of today's study day."""
    today = study_day(moment, rollover_hour, tz)
    return day_start(today + dt.timedelta(days=1), rollover_hour, tz)
