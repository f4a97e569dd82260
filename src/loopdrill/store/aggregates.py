"""Running totals of the revlog, kept by triggers, so the stats never sort a million reviews.

review_days: answers per study day (the day stored on each revlog row when it was written:
no total depends on the reading process's time zone), deck, state before the answer, young,
rating and cram. A change of the rollover hour recomputes the stored days once and rebuilds
it (triggers on `options`). review_cards: review-state answers per card (the tags' true
retention). review_calibration: long-term answers by the FSRS benchmark's raw bin keys.
review_clock (store.clock_totals): answers per study day, deck and local hour.
store.bulk pauses the triggers for a big write and adds what store.fold.TotalsFold sums.
"""

from __future__ import annotations

import datetime as dt
import time

from loopdrill.store.clock_totals import CLOCK_TABLE

ROLLOVER = ("coalesce((SELECT CAST(value AS INTEGER) FROM options "
            "WHERE scope = '' AND key = 'rollover_hour'), 4)")
EPOCH_DATE = dt.date(1970, 1, 1)
MS_PER_DAY = 86_400_000


def day_number(day: dt.date) -> int:
    """A study day as the revlog stores it: days since 1970-01-01."""
    return (day - EPOCH_DATE).days


def day_date(number: int) -> dt.date:
    """The inverse of day_number."""
    return EPOCH_DATE + dt.timedelta(days=number)


def study_day_sql(at_ms: str) -> str:
    """SQL for the study day number of a time in ms, in the process's local time shifted back by
    the stored rollover hour (used only where the days are stamped: migration, rollover)."""
    return (f"CAST(julianday(date({at_ms} / 1000.0, 'unixepoch', 'localtime', "
            f"'-' || {ROLLOVER} || ' hours')) - 2440587.5 AS INTEGER)")


def local_hour_sql(at_ms: str) -> str:
    """SQL for the local hour (0-23) of a time in ms, in the process's local time."""
    return f"CAST(strftime('%H', {at_ms} / 1000, 'unixepoch', 'localtime') AS INTEGER)"


def _date(day: str) -> str:
    return f"date({day} * 86400, 'unixepoch')"


TABLES = """
CREATE TABLE review_days (
    day TEXT NOT NULL, deck TEXT NOT NULL, state INTEGER NOT NULL,
    young INTEGER NOT NULL, rating INTEGER NOT NULL, cram INTEGER NOT NULL,
    n INTEGER NOT NULL, ms INTEGER NOT NULL,
    review INTEGER GENERATED ALWAYS AS (state = 2) VIRTUAL,
    PRIMARY KEY (day, deck, state, young, rating, cram)
) WITHOUT ROWID;
CREATE TABLE review_cards (
    card_id TEXT PRIMARY KEY, n INTEGER NOT NULL, passed INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE review_calibration (
    deck TEXT NOT NULL, days INTEGER NOT NULL, reps INTEGER NOT NULL,
    lapses INTEGER NOT NULL, tenth INTEGER NOT NULL, n INTEGER NOT NULL,
    r_sum REAL NOT NULL, passed INTEGER NOT NULL, loss REAL NOT NULL,
    PRIMARY KEY (deck, days, reps, lapses, tenth)
) WITHOUT ROWID;
""" + CLOCK_TABLE + ";"

_P = "min(max({r}.r / 1e6, 1e-6), 1 - 1e-6)"
_LOSS = "CASE WHEN {r}.rating > 1 THEN -ln(" + _P + ") ELSE -ln(1 - " + _P + ") END"
_DAYS = "review_days (day, deck, state, young, rating, cram, n, ms)"
_DAYS_KEY = "{day}, c.deck, {r}.state, {r}.ivl < 21, {r}.rating, {r}.cram"
_REVIEW_ANSWER = "{r}.state = 2 AND {r}.cram = 0"
_LONG_TERM = "{r}.r IS NOT NULL AND {r}.cram = 0 AND {r}.elapsed >= 1"
_TENTH = "min({r}.r / 100000, 9)"

_REBUILD_DAYS = f"""
    DELETE FROM review_days;
    INSERT INTO {_DAYS} SELECT {_DAYS_KEY.format(day=_date("r.day"), r="r")},
        COUNT(*), SUM(r.ms) FROM revlog r JOIN cards c ON c.num = r.card
        GROUP BY r.day, c.deck, r.state, r.ivl < 21, r.rating, r.cram;
    DELETE FROM review_clock;
    INSERT INTO review_clock SELECT date(r.day * 86400, 'unixepoch'), c.deck, r.hour, COUNT(*),
        SUM(r.rating > 1) FROM revlog r JOIN cards c ON c.num = r.card
        GROUP BY r.day, c.deck, r.hour;
"""

INSERT_TRIGGER, DELETE_TRIGGER = "revlog_totals_insert", "revlog_totals_delete"
AGGREGATE_TRIGGERS = f"""
CREATE TRIGGER revlog_totals_insert AFTER INSERT ON revlog BEGIN
    INSERT INTO {_DAYS} SELECT {_DAYS_KEY.format(day=_date("NEW.day"), r="NEW")}, 1, NEW.ms
    FROM cards c WHERE c.num = NEW.card
    ON CONFLICT DO UPDATE SET n = n + 1, ms = ms + excluded.ms;
    INSERT INTO review_cards SELECT c.id, 1, NEW.rating > 1 FROM cards c
    WHERE c.num = NEW.card AND {_REVIEW_ANSWER.format(r="NEW")}
    ON CONFLICT DO UPDATE SET n = n + 1, passed = passed + excluded.passed;
    INSERT INTO review_calibration SELECT c.deck, NEW.elapsed, NEW.reps, NEW.lapses,
        {_TENTH.format(r="NEW")}, 1, NEW.r / 1e6, NEW.rating > 1, {_LOSS.format(r="NEW")}
    FROM cards c WHERE c.num = NEW.card AND {_LONG_TERM.format(r="NEW")}
    ON CONFLICT DO UPDATE SET n = n + 1, r_sum = r_sum + excluded.r_sum,
        passed = passed + excluded.passed, loss = loss + excluded.loss;
    INSERT INTO review_clock SELECT {_date("NEW.day")}, c.deck, NEW.hour, 1, NEW.rating > 1
    FROM cards c WHERE c.num = NEW.card
    ON CONFLICT DO UPDATE SET n = n + 1, passed = passed + excluded.passed;
END;
CREATE TRIGGER revlog_totals_delete AFTER DELETE ON revlog BEGIN
    UPDATE review_days SET n = n - 1, ms = ms - OLD.ms
    WHERE day = {_date("OLD.day")}
      AND deck = (SELECT deck FROM cards WHERE num = OLD.card)
      AND state = OLD.state AND young = (OLD.ivl < 21) AND rating = OLD.rating
      AND cram = OLD.cram;
    UPDATE review_cards SET n = n - 1, passed = passed - (OLD.rating > 1)
    WHERE card_id = (SELECT id FROM cards WHERE num = OLD.card)
      AND {_REVIEW_ANSWER.format(r="OLD")};
    UPDATE review_calibration SET n = n - 1, r_sum = r_sum - OLD.r / 1e6,
        passed = passed - (OLD.rating > 1), loss = loss - {_LOSS.format(r="OLD")}
    WHERE {_LONG_TERM.format(r="OLD")}
      AND deck = (SELECT deck FROM cards WHERE num = OLD.card) AND days = OLD.elapsed
      AND reps = OLD.reps AND lapses = OLD.lapses AND tenth = {_TENTH.format(r="OLD")};
    UPDATE review_clock SET n = n - 1, passed = passed - (OLD.rating > 1)
    WHERE day = {_date("OLD.day")} AND deck = (SELECT deck FROM cards WHERE num = OLD.card)
      AND hour = OLD.hour;
    DELETE FROM revlog_typed WHERE id = OLD.id;
    DELETE FROM revlog_undo WHERE id = OLD.id;
END;
"""

# A change of the rollover hour: each row's study day is stamped again, once, with the local
# time of the process that changes it, and the day totals rebuilt.
ROLLOVER_TRIGGERS = "".join(
    f"""
CREATE TRIGGER options_rollover_{event.lower()} AFTER {event} ON options
WHEN {row}.scope = '' AND {row}.key = 'rollover_hour' BEGIN
    UPDATE revlog SET day = {study_day_sql("at")};
    {_REBUILD_DAYS}
END;
""" for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")))

TOTALS_REBUILD = _REBUILD_DAYS + f"""
DELETE FROM review_cards;
DELETE FROM review_calibration;
INSERT INTO review_cards SELECT c.id, COUNT(*), SUM(r.rating > 1) FROM revlog r
    JOIN cards c ON c.num = r.card WHERE {_REVIEW_ANSWER.format(r="r")} GROUP BY c.id;
INSERT INTO review_calibration SELECT c.deck, r.elapsed, r.reps, r.lapses,
    {_TENTH.format(r="r")}, COUNT(*), SUM(r.r / 1e6), SUM(r.rating > 1),
    SUM({_LOSS.format(r="r")}) FROM revlog r JOIN cards c ON c.num = r.card
    WHERE {_LONG_TERM.format(r="r")} GROUP BY 1, 2, 3, 4, 5;
"""


def script_statements(script: str) -> list[str]:
    """The statements of a script that holds no triggers."""
    return [part.strip() for part in script.split(";") if part.strip()]


def trigger_statements(script: str) -> list[str]:
    """The CREATE TRIGGER statements of a script (their bodies hold semicolons)."""
    return [part.strip() + " END" for part in script.split("END;") if part.strip()]


class StudyDays:
    """The study day number of times in ms, as `study_day_sql` gives it: the C library's local
    offset for the moment (looked up once per quarter hour), minus the rollover hour."""

    def __init__(self, rollover_hour: int) -> None:
        self.shift = rollover_hour * 3_600_000
        self._offsets: dict[int, int] = {}

    def __call__(self, at_ms: int) -> int:
        return (at_ms + self.offset(at_ms) - self.shift) // MS_PER_DAY

    def day_hour(self, at_ms: int) -> tuple[int, int]:
        """Both the study day number and the local hour."""
        local = at_ms + self.offset(at_ms)
        return (local - self.shift) // MS_PER_DAY, local // 3_600_000 % 24

    def hour(self, at_ms: int) -> int:
        """The local hour (0-23) of a time in ms, as local_hour_sql gives it."""
        return (at_ms + self.offset(at_ms)) // 3_600_000 % 24

    def offset(self, at_ms: int) -> int:
        """The local offset from UTC at a time, in ms (one lookup per quarter hour)."""
        block = at_ms // 900_000
        offset = self._offsets.get(block)
        if offset is None:
            offset = self._offsets[block] = time.localtime(block * 900).tm_gmtoff * 1000
        return offset
