"""The database schema, as an ordered set of sqlite-utils migrations.

A new database gets the current schema from m001 (m002-m004 were the first release's steps
towards it and do nothing now); a database made before the compact revlog is converted by
m007_i14_compact_revlog (store.migrate_revlog), after the backup store.db takes.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from loopdrill.store import compact_cards
from loopdrill.store.aggregates import (
    AGGREGATE_TRIGGERS,
    ROLLOVER_TRIGGERS,
    TABLES,
    TOTALS_REBUILD,
    local_hour_sql,
    script_statements,
    study_day_sql,
    trigger_statements,
)
from loopdrill.store.migrate_revlog import convert_reviews
from loopdrill.store.rows import ms_sql, stamp_sql

migrations = Migrations("loopdrill")
# meta key set by m007: services.library replays every card's log once after the migration
REPLAY_PENDING = "replay_pending"

CARDS = """
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
CREATE INDEX cards_lapsed ON cards(deck) WHERE lapses > 0;
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

# The revlog (DESIGN.md section 3): integer keys and times, the study day each answer counted
# on (fixed when written), and only what a replay of the card's log cannot give back cheaply
# for the running totals. What was typed lives in revlog_typed (auto-graded answers only);
# revlog_undo keeps, for the newest drilled answers, the card's state before them and what
# else the answer changed, which undo restores.
REVLOG = """
ALTER TABLE cards ADD COLUMN num INTEGER;
UPDATE cards SET num = rowid;
CREATE UNIQUE INDEX cards_num ON cards(num);
CREATE TABLE revlog (
    id INTEGER PRIMARY KEY,
    card INTEGER NOT NULL,     -- cards.num
    at INTEGER NOT NULL,       -- when, ms since the Unix epoch (UTC)
    day INTEGER NOT NULL,      -- the study day it counted on: days since 1970-01-01
    hour INTEGER NOT NULL,     -- the local hour (0-23) it was given at
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    ms INTEGER NOT NULL,       -- time taken to answer
    state INTEGER NOT NULL,    -- the card's state before the answer
    reps INTEGER NOT NULL,     -- reviews before it
    lapses INTEGER NOT NULL,   -- lapses before it
    ivl INTEGER NOT NULL,      -- the interval before it, whole days
    elapsed INTEGER NOT NULL,  -- whole 24-hour periods since the previous review
    r INTEGER,                 -- predicted recall at the answer, millionths
    cram INTEGER NOT NULL
);
CREATE INDEX revlog_card ON revlog(card, at);
CREATE TABLE revlog_typed (
    id INTEGER PRIMARY KEY, answer TEXT, proposed INTEGER, verdict TEXT
);
CREATE TABLE revlog_undo (
    id INTEGER PRIMARY KEY, session TEXT NOT NULL, before TEXT NOT NULL, effects TEXT NOT NULL
);
"""

# The revlog as the first release stored it, for readers written against that layout.
REVIEWS_VIEW = f"""
CREATE VIEW reviews AS SELECT r.id AS id, c.id AS card_id, c.deck AS deck,
    {stamp_sql("r.at")} AS reviewed_at,
    r.rating AS rating, r.ms AS duration_ms, t.answer AS answer, t.proposed AS proposed,
    t.verdict AS verdict, r.state AS state_before, r.reps AS reps_before,
    r.lapses AS lapses_before, r.ivl AS interval_before, r.r / 1e6 AS retrievability,
    r.elapsed AS elapsed_days, r.cram AS cram, u.session AS session, r.day AS day,
    r.hour AS hour,
    NULL AS state_after, NULL AS scheduled_days, NULL AS before, NULL AS after,
    NULL AS effects
FROM revlog r JOIN cards c ON c.num = r.card LEFT JOIN revlog_typed t ON t.id = r.id
    LEFT JOIN revlog_undo u ON u.id = r.id;
"""

# An insert into that view (first-release code, tests) writes the revlog row it means.
_AT = ms_sql("NEW.reviewed_at")
REVIEWS_VIEW_INSERT = f"""
CREATE TRIGGER reviews_insert INSTEAD OF INSERT ON reviews BEGIN
    INSERT INTO revlog (card, at, day, hour, rating, ms, state, reps, lapses, ivl, elapsed, r,
        cram)
    SELECT num, {_AT}, {study_day_sql(_AT)}, {local_hour_sql(_AT)}, NEW.rating,
        coalesce(NEW.duration_ms, 0),
        coalesce(NEW.state_before, 0), coalesce(NEW.reps_before, 0),
        coalesce(NEW.lapses_before, 0), CAST(coalesce(NEW.interval_before, 0) AS INTEGER),
        CAST(coalesce(NEW.elapsed_days, 0) AS INTEGER),
        CAST(round(NEW.retrievability * 1e6) AS INTEGER), coalesce(NEW.cram, 0)
    FROM cards WHERE id = NEW.card_id;
    INSERT INTO revlog_typed SELECT last_insert_rowid(), NEW.answer, NEW.proposed, NEW.verdict
    WHERE coalesce(NEW.answer, NEW.proposed, NEW.verdict) IS NOT NULL;
END;
"""

CARD_NUMBER_TRIGGER = """
CREATE TRIGGER cards_number AFTER INSERT ON cards WHEN NEW.num IS NULL BEGIN
    UPDATE cards SET num = (SELECT coalesce(max(num), 0) + 1 FROM cards) WHERE rowid = NEW.rowid;
END;
"""


def _create_revlog(db: Database) -> None:
    for statement in [*script_statements(REVLOG), *script_statements(TABLES),
                      *script_statements(REVIEWS_VIEW),
                      *trigger_statements(REVIEWS_VIEW_INSERT),
                      *trigger_statements(CARD_NUMBER_TRIGGER),
                      *trigger_statements(AGGREGATE_TRIGGERS),
                      *trigger_statements(ROLLOVER_TRIGGERS)]:
        db.execute(statement)


@migrations()
def m001_initial(db: Database) -> None:
    """Decks, cards with their FSRS state, the revlog and its running totals, options, meta."""
    for statement in script_statements(CARDS):
        db.execute(statement)
    _create_revlog(db)


@migrations()
def m002_review_aggregates(db: Database) -> None:
    """Squashed into m001 (running totals per UTC hour, in the first release)."""


@migrations()
def m003_study_day_aggregates(db: Database) -> None:
    """Squashed into m001 (running totals per study day and per card)."""


@migrations()
def m004_covering_card_index(db: Database) -> None:
    """Squashed into m001 (a covering per-card revlog index)."""


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
    when cards were added (the stats' "cards added"): store.clock_totals. The table is one of
    the revlog's running totals (store.aggregates keeps and rebuilds it; on a database from
    before the compact revlog, m007 does)."""
    from loopdrill.store import clock_totals as ct

    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'cards_added'").fetchone():
        db.execute(ct.ADDED_INDEX)
    db.execute(ct.CLOCK_TABLE)


@migrations()
def m007_i14_compact_revlog(db: Database) -> None:
    """A database made before the compact revlog: its `reviews` rows move to `revlog` with
    every review kept (store.migrate_revlog), the old tables and triggers go, and the totals
    are rebuilt. Nothing to do for a database m001 made."""
    if "reviews" not in db.table_names():
        return
    old_triggers = [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND (tbl_name IN "
        "('reviews', 'options'))")]
    for name in old_triggers:
        db.execute(f"DROP TRIGGER {name}")
    for table in ("review_hours", "review_days", "review_cards", "review_calibration",
                  "review_clock"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    if "cards_lapsed" not in {i.name for i in db["cards"].indexes}:  # type: ignore[union-attr]
        db.execute("CREATE INDEX cards_lapsed ON cards(deck) WHERE lapses > 0")
    for statement in script_statements(REVLOG):
        db.execute(statement)
    for statement in script_statements(TABLES):
        db.execute(statement)
    convert_reviews(db)
    db.execute("DROP TABLE reviews")
    for statement in [*script_statements(REVIEWS_VIEW),
                      *trigger_statements(REVIEWS_VIEW_INSERT),
                      *trigger_statements(CARD_NUMBER_TRIGGER),
                      *trigger_statements(AGGREGATE_TRIGGERS),
                      *trigger_statements(ROLLOVER_TRIGGERS),
                      *script_statements(TOTALS_REBUILD)]:
        db.execute(statement)
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (REPLAY_PENDING,))


@migrations()
def m_i19_studied_index(db: Database) -> None:
    """Small indexes the stats read instead of the table (store.clock_totals): studied cards'
    memory (the histograms) and lapsed cards' deck, tags and lapses (weak spots, leeches),
    which replaces cards_lapsed."""
    from loopdrill.store.clock_totals import LAPSED_INDEX, STUDIED_INDEX

    for name, ddl in (("cards_studied", STUDIED_INDEX), ("cards_lapsed_tags", LAPSED_INDEX)):
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone():
            db.execute(ddl)
    db.execute("DROP INDEX IF EXISTS cards_lapsed")


@migrations()
def m_size14_studied_in_queue(db: Database) -> None:
    """cards_studied folded into cards_review_queue (store.compact_cards)."""
    compact_cards.studied_in_queue(db)


@migrations(transactional=False)
def m_size14_added_ms(db: Database) -> None:
    """cards.added in ms, not a text stamp: the cards table rebuilt (store.compact_cards)."""
    compact_cards.added_in_ms(db)


@migrations()
def m_size14_new_queue_partial(db: Database) -> None:
    """cards_new_queue holds new cards only (store.compact_cards)."""
    compact_cards.new_cards_only(db)
