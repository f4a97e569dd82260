"""Running totals of answers by study day and local hour of the day, and when cards were added.

review_clock: answers (cram included) per study day, deck and local hour, with how many
passed (not Again): the stats' hour-of-day chart over any period reads a few thousand rows
instead of every review. Kept by its own triggers (a bulk import leaves them on: one more
upsert per row), rebuilt when the rollover hour changes, like store.aggregates' review_days.
cards_added: an index on cards.added (m005_i16_browser), so "cards added" in a period is a
range count.
"""

from __future__ import annotations

from loopdrill.store.aggregates import study_day_sql


def local_hour_sql(stamp: str) -> str:
    """SQL for the local hour (0-23) of a stored UTC stamp; -1 when it is not a time."""
    return f"coalesce(CAST(strftime('%H', {stamp}, 'localtime') AS INTEGER), -1)"


CLOCK_TABLE = """
CREATE TABLE IF NOT EXISTS review_clock (
    day TEXT NOT NULL, deck TEXT NOT NULL, hour INTEGER NOT NULL,
    n INTEGER NOT NULL, passed INTEGER NOT NULL,
    PRIMARY KEY (day, deck, hour)
) WITHOUT ROWID
"""

_KEY = "{day}, {r}.deck, {hour}"

CLOCK_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS reviews_clock_insert AFTER INSERT ON reviews BEGIN
    INSERT INTO review_clock VALUES ({_KEY.format(day=study_day_sql("NEW.reviewed_at"), r="NEW",
                                                   hour=local_hour_sql("NEW.reviewed_at"))},
        1, NEW.rating > 1)
    ON CONFLICT DO UPDATE SET n = n + 1, passed = passed + excluded.passed;
END""",
    f"""CREATE TRIGGER IF NOT EXISTS reviews_clock_delete AFTER DELETE ON reviews BEGIN
    UPDATE review_clock SET n = n - 1, passed = passed - (OLD.rating > 1)
    WHERE day = {study_day_sql("OLD.reviewed_at")} AND deck = OLD.deck
      AND hour = {local_hour_sql("OLD.reviewed_at")};
END""",
]

CLOCK_REBUILD = f"""
    DELETE FROM review_clock;
    INSERT INTO review_clock SELECT {_KEY.format(day=study_day_sql("r.reviewed_at"), r="r",
                                                   hour=local_hour_sql("r.reviewed_at"))},
        COUNT(*), SUM(r.rating > 1) FROM reviews r GROUP BY 1, 2, 3;
"""

CLOCK_ROLLOVER_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS options_rollover_clock_{event.lower()} AFTER {event} ON options
WHEN {row}.scope = '' AND {row}.key = 'rollover_hour' BEGIN {CLOCK_REBUILD} END"""
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))]

# no IF NOT EXISTS: store.bulk.indexes_dropped reads the index name from its DDL
ADDED_INDEX = "CREATE INDEX cards_added ON cards(added, deck)"

# a card's add time, where none was recorded (cards from before m_i19): its first answer or the
# time its deck was last loaded, whichever is earlier
