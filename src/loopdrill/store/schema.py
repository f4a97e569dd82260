"""The database schema, as an ordered set of sqlite-utils migrations."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

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
