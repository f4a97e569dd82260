"""Running totals of the revlog, kept by triggers, so the stats never sort 200k reviews.

review_days: answers per study day (the local date the answer was given on, the day starting
at the rollover hour), deck, review state, young, rating and cram. A change of the rollover
hour rebuilds it (triggers on `options`). review_cards: review-state answers per card (the
tags' true retention). review_calibration: long-term answers by the FSRS benchmark's raw bin
keys. bulk.aggregates_deferred pauses the revlog triggers for a big import and rebuilds.
"""

from __future__ import annotations

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
