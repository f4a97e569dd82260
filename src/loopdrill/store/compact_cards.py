"""Smaller card indexes and columns (issue 14: the database at most Anki's size), as the
bodies of store.schema's m_size14 migrations.

- The queue's covering index takes difficulty and serves the stats' studied cards too, so
  cards_studied goes (store.clock_totals.STUDIED_QUEUE_INDEX).
- cards_new_queue holds new cards only (WHERE state = 0): its readers want new cards (the
  queue's new cards, the stats' new-card counts), other lookups by deck take cards_item; an
  answer on a studied card no longer moves an entry in it.
- cards.added is whole ms since the Unix epoch (as revlog.at), not a 32-byte text stamp:
  26 bytes less per card in the table and again in cards_added.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3

from sqlite_utils import Database

from loopdrill.store.clock_totals import STUDIED_QUEUE_INDEX
from loopdrill.store.rows import ms_sql


def studied_in_queue(db: Database) -> None:
    """cards_review_queue as STUDIED_QUEUE_INDEX, and no cards_studied."""
    _index_as(db, "cards_review_queue", STUDIED_QUEUE_INDEX)
    db.execute("DROP INDEX IF EXISTS cards_studied")


NEW_QUEUE_INDEX = ("CREATE INDEX cards_new_queue ON cards(deck, state, position) "
                   "WHERE state = 0")


def new_cards_only(db: Database) -> None:
    """cards_new_queue as NEW_QUEUE_INDEX (state stays in it: a query's `state = 0` then reads
    the index alone)."""
    _index_as(db, "cards_new_queue", NEW_QUEUE_INDEX)


def _index_as(db: Database, name: str, ddl: str) -> None:
    """The index `name` as `ddl` makes it: made again when it differs or is missing."""
    row = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    if row is None or row[0] != ddl:
        db.execute(f"DROP INDEX IF EXISTS {name}")
        db.execute(ddl)


def added_in_ms(db: Database) -> None:
    """cards.added (a text stamp, m005) as INTEGER ms, by SQLite's 12-step rebuild of the table:
    the old one renamed aside, a new one made from its DDL with the column's type changed and
    filled from it (every rowid kept), the old one dropped, its indexes and trigger made again.
    The rows come out packed, where ALTER TABLE DROP COLUMN would leave the 26 bytes a row saves
    as holes in its pages. Foreign keys are off meanwhile, as the procedure says (a card whose
    deck is gone is kept as it was); the caller runs it outside a transaction."""
    columns = {name: kind.upper() for _, name, kind, *_ in db.execute("PRAGMA table_info(cards)")}
    if columns.get("added") == "INTEGER":
        return
    table = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'cards'"
                       ).fetchone()[0]
    table, changed = re.subn(r"\badded\s+TEXT\b", "added INTEGER", table, flags=re.IGNORECASE)
    if changed != 1:
        raise RuntimeError(f"cannot find cards.added in {table!r}")
    attached = [ddl for (ddl,) in db.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'cards' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL")]
    names = ", ".join(columns)
    values = ", ".join(ms_sql(c) if c == "added" else c for c in columns)
    foreign_keys = db.execute("PRAGMA foreign_keys").fetchone()[0]
    db.execute("PRAGMA foreign_keys = OFF")
    # legacy: the rename leaves the `reviews` view and the triggers that name `cards` as they
    # are (they name the new table once it exists)
    db.execute("PRAGMA legacy_alter_table = ON")
    try:
        with db.atomic():
            db.execute("ALTER TABLE cards RENAME TO cards_size14_old")
            db.execute(table)
            db.execute(f"INSERT INTO cards (rowid, {names}) SELECT rowid, {values} "
                       "FROM cards_size14_old ORDER BY rowid")
            db.execute("DROP TABLE cards_size14_old")
            for ddl in attached:
                db.execute(ddl)
    finally:
        db.execute("PRAGMA legacy_alter_table = OFF")
        db.execute(f"PRAGMA foreign_keys = {int(foreign_keys)}")
    _vacuum_if_loose(db)


def _vacuum_if_loose(db: Database) -> None:
    """VACUUM when more than a quarter of the file is free pages (the rebuilt table's old
    pages): they would otherwise stay in the file until new rows fill them. Skipped when
    another connection holds the database (the pages are reused later all the same)."""
    free = db.execute("PRAGMA freelist_count").fetchone()[0]
    if free * 4 <= db.execute("PRAGMA page_count").fetchone()[0]:
        return
    with contextlib.suppress(sqlite3.OperationalError):
        db.execute("VACUUM")
