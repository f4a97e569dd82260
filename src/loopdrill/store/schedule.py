"""What rescheduling reads and writes besides the replay: the reviews counted, the cards due
by given times, the decks a global fit reaches, and the card indexes a big update rebuilds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database

from loopdrill.store.bulk import BULK_ROWS
from loopdrill.store.decks import deck_filter
from loopdrill.store.rows import MEMORY_COLUMNS


def review_total(db: Database) -> int:
    """Non-cram reviews in the revlog (from the trigger-kept hourly totals)."""
    row = db.conn.execute("SELECT coalesce(SUM(n), 0) FROM review_days WHERE cram = 0")
    return int(row.fetchone()[0])


def due_before(db: Database, ends: tuple[str, str], deck: str | None) -> tuple[int, int]:
    """How many studied, active cards (of the deck and the decks under it, or all) fall due
    before each of two stamps."""
    where, args = deck_filter("deck", deck)
    row = db.conn.execute(
        "SELECT coalesce(SUM(due < ?), 0), coalesce(SUM(due < ?), 0) FROM cards "
        f"WHERE state IN (1, 2, 3) AND retired = 0 AND suspended = 0{where}",
        (*ends, *args)).fetchone()
    return int(row[0]), int(row[1])


def decks_without_parameters(db: Database) -> list[str]:
    """The decks a global fit reaches: those without parameters of their own."""
    own = {key.split(":", 1)[1] for (key,) in db.conn.execute(
        "SELECT key FROM meta WHERE key LIKE 'parameters:%'")}
    return [slug for (slug,) in db.conn.execute("SELECT slug FROM decks") if slug not in own]


@contextmanager
def memory_indexes_dropped(db: Database, rows: int) -> Iterator[None]:
    """For a batch of more than BULK_ROWS memory updates: drop the card indexes over memory
    columns and build them again after, several times faster than updating them row by row
    (the caller holds the transaction, so nobody sees the cards without them)."""
    ddl: list[str] = []
    if rows > BULK_ROWS:
        ddl = [sql for (sql,) in db.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cards' "
            "AND sql IS NOT NULL") if any(c in sql for c in MEMORY_COLUMNS.split(", "))]
        for sql in ddl:
            db.conn.execute(f"DROP INDEX {sql.split()[2]}")
    yield
    for sql in ddl:
        db.conn.execute(sql)
