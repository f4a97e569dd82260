"""The database schema, as an ordered set of sqlite-utils migrations."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from loopdrill.store.aggregates import (
    AGGREGATE_BACKFILL,
    AGGREGATE_TRIGGERS,
    ROLLOVER_TRIGGERS,
    TABLES,
    script_statements,
    trigger_statements,
)

migrations = Migrations("loopdrill")


@migrations()
def m001_initial(db: Database) -> None:
    """Decks, cards with their FSRS state, the append-only revlog, options and meta."""
    db.executescript(
        """
        CREATE TABLE decks (
            slug TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT '',
            options TEXT NOT NULL DEFAULT '{}',
            content_hash TEXT NOT NULL DEFAULT '',
            builtin INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT
        );
        CREATE TABLE cards (
            id TEXT PRIMARY KEY,
            deck TEXT NOT NULL REFERENCES decks(slug),
            item TEXT NOT NULL,
            variant TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL,
            content TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '',
            source TEXT,
            as_of TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT,
            flag INTEGER NOT NULL DEFAULT 0,
            retired INTEGER NOT NULL DEFAULT 0,
            state INTEGER NOT NULL DEFAULT 0,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due TEXT,
            last_review TEXT,
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0
        );
        -- covering index for today's reviews: no table lookups while building the queue
        CREATE INDEX cards_review_queue ON cards(state, due, deck, stability, last_review,
                                                 suspended, retired, buried_until, id);
        CREATE INDEX cards_new_queue ON cards(deck, state, position);
        CREATE INDEX cards_item ON cards(deck, item);
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL REFERENCES cards(id),
            deck TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            duration_ms INTEGER NOT NULL DEFAULT 0,
            answer TEXT,
            proposed INTEGER,
            verdict TEXT,
            state_before INTEGER NOT NULL,
            state_after INTEGER NOT NULL,
            reps_before INTEGER NOT NULL DEFAULT 0,
            lapses_before INTEGER NOT NULL DEFAULT 0,
            interval_before REAL NOT NULL DEFAULT 0,
            retrievability REAL,
            elapsed_days REAL NOT NULL DEFAULT 0,
            scheduled_days REAL NOT NULL DEFAULT 0,
            before TEXT NOT NULL,
            after TEXT NOT NULL,
            effects TEXT NOT NULL DEFAULT '{}',
            cram INTEGER NOT NULL DEFAULT 0,
            session TEXT
        );
        CREATE INDEX reviews_card ON reviews(card_id, reviewed_at);
        CREATE INDEX reviews_time ON reviews(reviewed_at);
        CREATE TABLE options (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (scope, key)
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )


@migrations()
def m002_review_aggregates(db: Database) -> None:
    """Running totals of the revlog, kept by triggers, so stats never sort 200k reviews.

    review_hours: answers per UTC hour (study days are built from hours in Python), deck,
    review state, young, rating and cram. review_calibration: long-term answers by the
    FSRS benchmark's raw bin keys.
    """
    for statement in script_statements(
        """
        CREATE TABLE review_hours (
            hour TEXT NOT NULL, deck TEXT NOT NULL, review INTEGER NOT NULL,
            young INTEGER NOT NULL, rating INTEGER NOT NULL, cram INTEGER NOT NULL,
            n INTEGER NOT NULL, ms INTEGER NOT NULL,
            PRIMARY KEY (hour, deck, review, young, rating, cram)
        ) WITHOUT ROWID;
        CREATE TABLE review_calibration (
            deck TEXT NOT NULL, days INTEGER NOT NULL, reps INTEGER NOT NULL,
            lapses INTEGER NOT NULL, tenth INTEGER NOT NULL, n INTEGER NOT NULL,
            r_sum REAL NOT NULL, passed INTEGER NOT NULL, loss REAL NOT NULL,
            PRIMARY KEY (deck, days, reps, lapses, tenth)
        ) WITHOUT ROWID;
        CREATE INDEX cards_lapsed ON cards(deck) WHERE lapses > 0;
        """
    ) + trigger_statements(_M002_TRIGGERS) + script_statements(_M002_BACKFILL):
        db.execute(statement)



@migrations()
def m003_study_day_aggregates(db: Database) -> None:
    """Running totals per study day and per card instead of per UTC hour (store.aggregates):
    the stats read a few thousand rows, not sixty thousand."""
    for statement in [
        "DROP TRIGGER IF EXISTS reviews_aggregate_insert",
        "DROP TRIGGER IF EXISTS reviews_aggregate_delete",
        "DROP TABLE review_hours",
        *script_statements(TABLES),
        *trigger_statements(AGGREGATE_TRIGGERS),
        *trigger_statements(ROLLOVER_TRIGGERS),
        *script_statements(AGGREGATE_BACKFILL),
    ]:
        db.execute(statement)


@migrations()
def m004_covering_card_index(db: Database) -> None:
    """The per-card revlog index also holds rating and cram, so reading every card's history
    in order (the optimizer, rescheduling) never visits the table."""
    db.execute("DROP INDEX reviews_card")
    db.execute("CREATE INDEX reviews_card ON reviews(card_id, reviewed_at, rating, cram)")


@migrations()
def m005_i16_browser(db: Database) -> None:
    """The card browser's columns: when a card was added (its first review or its deck's
    last load for cards from before), decks hidden by `deck delete` (built-in ones), and
    local overrides of built-in items (`edit`)."""
    if "added" not in db.table("cards").columns_dict:
        db.execute("ALTER TABLE cards ADD COLUMN added TEXT")
        db.execute("""UPDATE cards SET added = min(
            coalesce((SELECT min(reviewed_at) FROM reviews WHERE card_id = cards.id), '9'),
            coalesce((SELECT updated_at FROM decks WHERE slug = cards.deck), '9'))""")
        db.execute("UPDATE cards SET added = NULL WHERE added = '9'")
    if "hidden" not in db.table("decks").columns_dict:
        db.execute("ALTER TABLE decks ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0")
    db.execute("""CREATE TABLE IF NOT EXISTS overrides (
        deck TEXT NOT NULL, item TEXT NOT NULL, fields TEXT NOT NULL,
        shipped TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (deck, item))""")
    # small partial indexes for is:suspended and flag: (store.search writes their conditions)
    # (no IF NOT EXISTS: store.bulk.indexes_dropped reads the index name from the DDL)
    names = {index.name for index in db.table("cards").indexes}
    if "cards_suspended" not in names:
        db.execute("CREATE INDEX cards_suspended ON cards(id) WHERE suspended = 1")
    if "cards_flagged" not in names:
        db.execute("CREATE INDEX cards_flagged ON cards(flag) WHERE flag > 0")

# m002 as it was first applied (store.aggregates holds the current statements)
_P = "min(max({r}.retrievability, 1e-6), 1 - 1e-6)"
_LOSS = ("CASE WHEN {r}.rating > 1 THEN -ln(" + _P + ") ELSE -ln(1 - " + _P + ") END")

_M002_TRIGGERS = f"""
CREATE TRIGGER reviews_aggregate_insert AFTER INSERT ON reviews BEGIN
    INSERT INTO review_hours VALUES (substr(NEW.reviewed_at, 1, 13), NEW.deck,
        NEW.state_before = 2, NEW.interval_before < 21, NEW.rating, NEW.cram, 1,
        NEW.duration_ms)
    ON CONFLICT DO UPDATE SET n = n + 1, ms = ms + excluded.ms;
    INSERT INTO review_calibration SELECT NEW.deck, CAST(NEW.elapsed_days AS INTEGER),
        NEW.reps_before, NEW.lapses_before, min(CAST(NEW.retrievability * 10 AS INTEGER), 9),
        1, NEW.retrievability, NEW.rating > 1, {_LOSS.format(r="NEW")}
    WHERE NEW.retrievability IS NOT NULL AND NEW.cram = 0 AND NEW.elapsed_days >= 1
    ON CONFLICT DO UPDATE SET n = n + 1, r_sum = r_sum + excluded.r_sum,
        passed = passed + excluded.passed, loss = loss + excluded.loss;
END;
CREATE TRIGGER reviews_aggregate_delete AFTER DELETE ON reviews BEGIN
    UPDATE review_hours SET n = n - 1, ms = ms - OLD.duration_ms
    WHERE hour = substr(OLD.reviewed_at, 1, 13) AND deck = OLD.deck
      AND review = (OLD.state_before = 2) AND young = (OLD.interval_before < 21)
      AND rating = OLD.rating AND cram = OLD.cram;
    UPDATE review_calibration SET n = n - 1, r_sum = r_sum - OLD.retrievability,
        passed = passed - (OLD.rating > 1), loss = loss - {_LOSS.format(r="OLD")}
    WHERE OLD.retrievability IS NOT NULL AND OLD.cram = 0 AND OLD.elapsed_days >= 1
      AND deck = OLD.deck AND days = CAST(OLD.elapsed_days AS INTEGER)
      AND reps = OLD.reps_before AND lapses = OLD.lapses_before
      AND tenth = min(CAST(OLD.retrievability * 10 AS INTEGER), 9);
END;
"""

_M002_BACKFILL = f"""
DELETE FROM review_hours;
DELETE FROM review_calibration;
INSERT INTO review_hours SELECT substr(reviewed_at, 1, 13), deck, state_before = 2,
    interval_before < 21, rating, cram, COUNT(*), SUM(duration_ms) FROM reviews
    GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO review_calibration SELECT deck, CAST(elapsed_days AS INTEGER), reps_before,
    lapses_before, min(CAST(retrievability * 10 AS INTEGER), 9), COUNT(*),
    SUM(retrievability), SUM(rating > 1), SUM({_LOSS.format(r="reviews")}) FROM reviews
    WHERE retrievability IS NOT NULL AND cram = 0 AND elapsed_days >= 1 GROUP BY 1, 2, 3, 4, 5;
"""


@migrations()
def m006_i16_manual_log(db: Database) -> None:
    """The log of manual changes that are not answers (forget, set-due): when, which card,
    its state before and the due date given (store.card_ops)."""
    db.execute("""CREATE TABLE IF NOT EXISTS manual_log (
        id INTEGER PRIMARY KEY, card_id TEXT NOT NULL, at TEXT NOT NULL, action TEXT NOT NULL,
        before TEXT NOT NULL, due TEXT)""")
    db.execute("CREATE INDEX IF NOT EXISTS manual_log_card ON manual_log(card_id, at)")


@migrations()
def m_i19_review_clock(db: Database) -> None:
    """Answers per study day and local hour (the stats' hour-of-day chart), and an index on
    when cards were added (the stats' "cards added"): store.clock_totals."""
    from loopdrill.store import clock_totals as ct

    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'cards_added'").fetchone():
        db.execute(ct.ADDED_INDEX)
    db.execute(ct.CLOCK_TABLE)
    for statement in [*ct.CLOCK_TRIGGERS, *ct.CLOCK_ROLLOVER_TRIGGERS,
                      *script_statements(ct.CLOCK_REBUILD)]:
        db.execute(statement)
