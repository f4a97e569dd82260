"""What rescheduling reads and writes besides the replay: the reviews counted, the cards due
by given times, the decks a global fit reaches, and the card indexes a big update rebuilds."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlite_utils import Database

from loopdrill.store.bulk import indexes_dropped
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


def memory_indexes_dropped(db: Database, rows: int) -> AbstractContextManager[None]:
    """For a batch of more than BULK_ROWS memory updates: the card indexes over memory
    columns dropped, and built again after."""
    return indexes_dropped(db, "cards", rows, over=MEMORY_COLUMNS.split(", "))
