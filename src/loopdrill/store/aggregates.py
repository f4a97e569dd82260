"""Running totals of the revlog, kept by triggers, so the stats never sort 200k reviews.

review_days: answers per study day (the local date the answer was given on, the day starting
at the rollover hour), deck, review state, young, rating and cram. A change of the rollover
hour rebuilds it (triggers on `options`). review_cards: review-state answers per card (the
tags' true retention). review_calibration: long-term answers by the FSRS benchmark's raw bin
keys. bulk.insert_reviews pauses the insert trigger for a big import and adds what
TotalsFold sums in Python instead.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

ROLLOVER = ("coalesce((SELECT CAST(value AS INTEGER) FROM options "
            "WHERE scope = '' AND key = 'rollover_hour'), 4)")


def study_day_sql(stamp: str) -> str:
    """SQL for the study day ('YYYY-MM-DD') of a stored UTC stamp: the process's local time
    (the zone rules Python's astimezone uses), shifted back by the stored rollover hour; ''
    for a stamp that is not a time (a corrupt row)."""
    return f"coalesce(date({stamp}, 'localtime', '-' || {ROLLOVER} || ' hours'), '')"


TABLES = """
CREATE TABLE review_days (
    day TEXT NOT NULL, deck TEXT NOT NULL, review INTEGER NOT NULL,
    young INTEGER NOT NULL, rating INTEGER NOT NULL, cram INTEGER NOT NULL,
    n INTEGER NOT NULL, ms INTEGER NOT NULL,
    PRIMARY KEY (day, deck, review, young, rating, cram)
) WITHOUT ROWID;
CREATE TABLE review_cards (
    card_id TEXT PRIMARY KEY, n INTEGER NOT NULL, passed INTEGER NOT NULL
) WITHOUT ROWID;
"""

_P = "min(max({r}.retrievability, 1e-6), 1 - 1e-6)"
_LOSS = "CASE WHEN {r}.rating > 1 THEN -ln(" + _P + ") ELSE -ln(1 - " + _P + ") END"
_DAYS_KEY = ("{day}, {r}.deck, {r}.state_before = 2, {r}.interval_before < 21, {r}.rating, "
             "{r}.cram")
_REVIEW_ANSWER = "{r}.state_before = 2 AND {r}.cram = 0"

_REBUILD_DAYS = f"""
    DELETE FROM review_days;
    INSERT INTO review_days SELECT {_DAYS_KEY.format(day=study_day_sql("r.reviewed_at"), r="r")},
        COUNT(*), SUM(r.duration_ms) FROM reviews r GROUP BY 1, 2, 3, 4, 5, 6;
"""

INSERT_TRIGGER, DELETE_TRIGGER = "reviews_aggregate_insert", "reviews_aggregate_delete"
AGGREGATE_TRIGGERS = f"""
CREATE TRIGGER reviews_aggregate_insert AFTER INSERT ON reviews BEGIN
    INSERT INTO review_days VALUES ({_DAYS_KEY.format(day=study_day_sql("NEW.reviewed_at"),
                                                      r="NEW")}, 1, NEW.duration_ms)
    ON CONFLICT DO UPDATE SET n = n + 1, ms = ms + excluded.ms;
    INSERT INTO review_cards SELECT NEW.card_id, 1, NEW.rating > 1
    WHERE {_REVIEW_ANSWER.format(r="NEW")}
    ON CONFLICT DO UPDATE SET n = n + 1, passed = passed + excluded.passed;
    INSERT INTO review_calibration SELECT NEW.deck, CAST(NEW.elapsed_days AS INTEGER),
        NEW.reps_before, NEW.lapses_before, min(CAST(NEW.retrievability * 10 AS INTEGER), 9),
        1, NEW.retrievability, NEW.rating > 1, {_LOSS.format(r="NEW")}
    WHERE NEW.retrievability IS NOT NULL AND NEW.cram = 0 AND NEW.elapsed_days >= 1
    ON CONFLICT DO UPDATE SET n = n + 1, r_sum = r_sum + excluded.r_sum,
        passed = passed + excluded.passed, loss = loss + excluded.loss;
END;
CREATE TRIGGER reviews_aggregate_delete AFTER DELETE ON reviews BEGIN
    UPDATE review_days SET n = n - 1, ms = ms - OLD.duration_ms
    WHERE day = {study_day_sql("OLD.reviewed_at")} AND deck = OLD.deck
      AND review = (OLD.state_before = 2) AND young = (OLD.interval_before < 21)
      AND rating = OLD.rating AND cram = OLD.cram;
    UPDATE review_cards SET n = n - 1, passed = passed - (OLD.rating > 1)
    WHERE card_id = OLD.card_id AND {_REVIEW_ANSWER.format(r="OLD")};
    UPDATE review_calibration SET n = n - 1, r_sum = r_sum - OLD.retrievability,
        passed = passed - (OLD.rating > 1), loss = loss - {_LOSS.format(r="OLD")}
    WHERE OLD.retrievability IS NOT NULL AND OLD.cram = 0 AND OLD.elapsed_days >= 1
      AND deck = OLD.deck AND days = CAST(OLD.elapsed_days AS INTEGER)
      AND reps = OLD.reps_before AND lapses = OLD.lapses_before
      AND tenth = min(CAST(OLD.retrievability * 10 AS INTEGER), 9);
END;
"""

ROLLOVER_TRIGGERS = "".join(
    f"""
CREATE TRIGGER options_rollover_{event.lower()} AFTER {event} ON options
WHEN {row}.scope = '' AND {row}.key = 'rollover_hour' BEGIN {_REBUILD_DAYS} END;
""" for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")))

AGGREGATE_BACKFILL = _REBUILD_DAYS + f"""
DELETE FROM review_cards;
DELETE FROM review_calibration;
INSERT INTO review_cards SELECT r.card_id, COUNT(*), SUM(r.rating > 1) FROM reviews r
    WHERE {_REVIEW_ANSWER.format(r="r")} GROUP BY 1;
INSERT INTO review_calibration SELECT r.deck, CAST(r.elapsed_days AS INTEGER), r.reps_before,
    r.lapses_before, min(CAST(r.retrievability * 10 AS INTEGER), 9), COUNT(*),
    SUM(r.retrievability), SUM(r.rating > 1), SUM({_LOSS.format(r="r")}) FROM reviews r
    WHERE r.retrievability IS NOT NULL AND r.cram = 0 AND r.elapsed_days >= 1
    GROUP BY 1, 2, 3, 4, 5;
"""


def script_statements(script: str) -> list[str]:
    """The statements of a script that holds no triggers."""
    return [part.strip() for part in script.split(";") if part.strip()]


def trigger_statements(script: str) -> list[str]:
    """The CREATE TRIGGER statements of a script (their bodies hold semicolons)."""
    return [part.strip() + " END" for part in script.split("END;") if part.strip()]


class TotalsFold:
    """What the revlog's insert trigger would add to the running totals for a batch of rows,
    summed in Python while the batch is written with the trigger paused (a bulk import).

    Rows are revlog tuples in store.bulk.REVLOG_COLUMNS order. The study day is the one
    SQLite's `date(t, 'localtime', '-N hours')` gives: the C library's local offset for the
    moment (looked up once per quarter hour), minus the rollover hour."""

    def __init__(self, rollover_hour: int) -> None:
        self.shift = rollover_hour * 3600
        self.rows = 0  # counted so far
        self.days: dict[tuple[Any, ...], list[int]] = {}
        self.cards: dict[str, list[int]] = {}
        self.calibration: dict[tuple[Any, ...], list[float]] = {}
        self._hours: dict[str, str] = {}
        self._offsets: dict[int, int] = {}
        self._dates: dict[int, str] = {}

    def study_day(self, stamp: str) -> str:
        """The study day of a stored stamp, '' when it is not a time. An hour whose quarter
        hours all fall on one study day is looked up once."""
        hour = stamp[:13]
        day = self._hours.get(hour)
        if day is None:
            day = self._hours[hour] = self._hour_day(hour)
        return day or self._day(stamp)

    def _hour_day(self, hour: str) -> str:
        """The study day of a whole UTC hour, '' when it is not one day (or not a time)."""
        days = {self._day(f"{hour}:{minute}:00.000000+00:00") for minute in ("00", "15", "30",
                                                                             "45", "59")}
        return days.pop() if len(days) == 1 else ""

    def _day(self, stamp: str) -> str:
        try:
            seconds = dt.datetime.fromisoformat(stamp).timestamp()
        except ValueError:
            return ""
        block = int(seconds // 900)
        offset = self._offsets.get(block)
        if offset is None:
            offset = self._offsets[block] = time.localtime(block * 900).tm_gmtoff
        number = int((seconds + offset - self.shift) // 86400)
        day = self._dates.get(number)
        if day is None:
            day = self._dates[number] = (EPOCH_DATE + dt.timedelta(days=number)).isoformat()
        return day

    def add(self, rows: Iterable[Sequence[Any]], sign: int = 1) -> None:
        """Count revlog rows (sign -1: take rows about to be deleted away)."""
        days, cards, calibration = self.days, self.cards, self.calibration
        study_day, hours, log = self.study_day, self._hours, math.log
        rows = list(rows)
        self.rows += len(rows)
        for (card_id, deck, stamp, rating, ms, state, reps, lapses, interval, r, elapsed,
             cram) in map(_folded, rows):
            review, passed = state == 2, rating > 1
            day = hours.get(stamp[:13]) or study_day(stamp)
            key = (day, deck, review, interval < 21, rating, cram)
            total = days.get(key)
            if total is None:
                days[key] = [sign, sign * ms]
            else:
                total[0] += sign
                total[1] += sign * ms
            if cram:
                continue
            if review:
                card = cards.get(card_id)
                if card is None:
                    cards[card_id] = [sign, sign * passed]
                else:
                    card[0] += sign
                    card[1] += sign * passed
            if r is not None and elapsed >= 1:
                p = 1e-6 if r < 1e-6 else 1 - 1e-6 if r > 1 - 1e-6 else r
                loss = -log(p) if passed else -log(1 - p)
                tenth = int(r * 10)
                bin_key = (deck, int(elapsed), reps, lapses, tenth if tenth < 9 else 9)
                bin_total = calibration.get(bin_key)
                if bin_total is None:
                    calibration[bin_key] = [sign, sign * r, sign * passed, sign * loss]
                else:
                    bin_total[0] += sign
                    bin_total[1] += sign * r
                    bin_total[2] += sign * passed
                    bin_total[3] += sign * loss

    def counts(self) -> tuple[Any, ...]:
        """What was counted, as plain values (to send from another process to `merge`)."""
        return self.rows, self.days, self.cards, self.calibration

    def merge(self, counts: tuple[Any, ...]) -> None:
        """Add another fold's `counts`."""
        rows, days, cards, calibration = counts
        self.rows += rows
        for mine, theirs in ((self.days, days), (self.cards, cards),
                             (self.calibration, calibration)):
            for key, total in theirs.items():
                if key in mine:
                    mine[key] = [a + b for a, b in zip(mine[key], total, strict=True)]
                else:
                    mine[key] = list(total)

    def write(self, conn: sqlite3.Connection) -> None:
        """Add the counts to the totals (the caller holds the transaction)."""
        conn.executemany(
            "INSERT INTO review_days VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE "
            "SET n = n + excluded.n, ms = ms + excluded.ms",
            (key + tuple(total) for key, total in self.days.items()))
        conn.executemany(
            "INSERT INTO review_cards VALUES (?, ?, ?) ON CONFLICT DO UPDATE "
            "SET n = n + excluded.n, passed = passed + excluded.passed",
            ((card, *total) for card, total in self.cards.items()))
        conn.executemany(
            "INSERT INTO review_calibration VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO "
            "UPDATE SET n = n + excluded.n, r_sum = r_sum + excluded.r_sum, "
            "passed = passed + excluded.passed, loss = loss + excluded.loss",
            (key + tuple(total) for key, total in self.calibration.items()))


EPOCH_DATE = dt.date(1970, 1, 1)
# card_id, deck, reviewed_at, rating, duration_ms, state_before, reps_before, lapses_before,
# interval_before, retrievability, elapsed_days, cram: positions in a revlog row
_folded = operator.itemgetter(0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 15)
