"""Writes shared by answers, imports and rescheduling: card memory states and bulk inserts."""

from __future__ import annotations

import itertools
import operator
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlite_utils import Database

from loopdrill.store.aggregates import (
    AGGREGATE_TRIGGERS,
    DELETE_TRIGGER,
    INSERT_TRIGGER,
    ROLLOVER,
    TotalsFold,
    trigger_statements,
)

BULK_ROWS = 20_000

SET_MEMORY = (
    "UPDATE cards SET state = :state, step = :step, stability = :stability, "
    "difficulty = :difficulty, due = :due, last_review = :last_review, reps = :reps, "
    "lapses = :lapses WHERE id = :id"
)


def set_memories(db: Database, rows: Iterable[tuple[Any, ...]]) -> None:
    """Store memory states: (state, step, stability, difficulty, due, last review, reps,
    lapses, card rowid), written in rowid order (a third faster than by card id)."""
    ordered: list[tuple[Any, ...]] = sorted(rows, key=operator.itemgetter(8))
    db.conn.executemany(
        "UPDATE cards SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, "
        "last_review = ?, reps = ?, lapses = ? WHERE rowid = ?", ordered)


# a revlog row's columns in the order bulk writes use; a row may stop before the last four
# (what was typed and graded, and the session: only answers given in the drill have them),
# which saves binding four NULLs per row
REVLOG_COLUMNS = (
    "card_id", "deck", "reviewed_at", "rating", "duration_ms", "state_before", "state_after",
    "reps_before", "lapses_before", "interval_before", "retrievability", "elapsed_days",
    "scheduled_days", "before", "after", "cram", "answer", "proposed", "verdict", "session")
SHORT = 16


def _insert_sql(columns: Sequence[str]) -> str:
    return (f"INSERT INTO reviews ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})")


INSERT_REVIEWS = {len(REVLOG_COLUMNS): _insert_sql(REVLOG_COLUMNS),
                  SHORT: _insert_sql(REVLOG_COLUMNS[:SHORT])}


def insert_reviews(db: Database, rows: Iterable[tuple[Any, ...]], count: int) -> None:
    """Insert `count` revlog rows (REVLOG_COLUMNS order; the caller holds the transaction)."""
    with reviews_bulk(db, count) as bulk:
        bulk.add(rows)


class ReviewsBulk:
    """Revlog rows going in a chunk at a time; with a fold (a bulk write) their running
    totals are counted in Python instead of by the paused insert trigger."""

    def __init__(self, conn: sqlite3.Connection, fold: TotalsFold | None) -> None:
        self.conn = conn
        self.fold = fold

    def add(self, rows: Iterable[tuple[Any, ...]], *, counted: bool = False) -> None:
        """Insert rows, counting them unless they were `counted` elsewhere (their counts then
        come through `merge`)."""
        stream = iter(rows)
        while chunk := list(itertools.islice(stream, 5_000)):
            if self.fold is not None and not counted:
                self.fold.add(chunk)
            for width, run in itertools.groupby(chunk, len):  # in order: rowids follow rows
                self.conn.executemany(INSERT_REVIEWS[width], run)

    def merge(self, counts: Any) -> None:
        """Add counts made elsewhere (TotalsFold.counts of the fold from new_fold)."""
        if self.fold is not None:
            self.fold.merge(counts)

    def new_fold(self) -> TotalsFold | None:
        """An empty fold with this write's rollover, to count rows elsewhere."""
        return TotalsFold(self.fold.shift // 3600) if self.fold is not None else None


@contextmanager
def reviews_bulk(db: Database, count: int) -> Iterator[ReviewsBulk]:
    """A write of `count` revlog rows (the caller holds the transaction). More than BULK_ROWS
    go in with the indexes dropped and built again after, and with the running totals'
    insert trigger paused: the rows are counted in Python (aggregates.TotalsFold) and the
    totals added once at the end."""
    conn = db.conn
    if count <= BULK_ROWS:
        yield ReviewsBulk(conn, None)
        return
    fold = TotalsFold(int(conn.execute(f"SELECT {ROLLOVER}").fetchone()[0]))
    with _trigger_paused(db, INSERT_TRIGGER, fold), indexes_dropped(db, "reviews", count):
        yield ReviewsBulk(conn, fold)


def delete_reviews(db: Database, card_ids: Sequence[str]) -> None:
    """Delete the cards' revlog rows (the caller holds the transaction); many rows go with
    the delete trigger paused and their totals taken away once (TotalsFold)."""
    conn = db.conn
    delete = "DELETE FROM reviews WHERE card_id = ?"
    fold = TotalsFold(int(conn.execute(f"SELECT {ROLLOVER}").fetchone()[0]))
    for start in range(0, len(card_ids), 500):
        chunk = card_ids[start : start + 500]
        fold.add(conn.execute(f"SELECT {', '.join(REVLOG_COLUMNS)} FROM reviews WHERE card_id "
                              f"IN ({', '.join('?' * len(chunk))})", chunk), sign=-1)
    if fold.rows <= BULK_ROWS:
        conn.executemany(delete, ((c,) for c in card_ids))
        return
    with _trigger_paused(db, DELETE_TRIGGER, fold):
        conn.executemany(delete, ((c,) for c in card_ids))


@contextmanager
def _trigger_paused(db: Database, name: str, fold: TotalsFold) -> Iterator[None]:
    """Drop a revlog trigger for a bulk write, then write what `fold` counted instead and
    create the trigger again."""
    conn = db.conn
    conn.execute(f"DROP TRIGGER {name}")
    yield
    fold.write(conn)
    conn.execute(next(t for t in trigger_statements(AGGREGATE_TRIGGERS)
                      if t.startswith(f"CREATE TRIGGER {name} ")))


@contextmanager
def indexes_dropped(db: Database, table: str, rows: int) -> Iterator[None]:
    """For an insert of more than BULK_ROWS rows: drop the table's secondary indexes and
    build them again after, several times faster than keeping them up to date row by row."""
    if rows <= BULK_ROWS:
        yield
        return
    conn = db.conn
    indexes = [ddl for (ddl,) in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL", (table,))]
    for ddl in indexes:
        conn.execute(f"DROP INDEX {ddl.split()[2]}")
    yield
    for ddl in indexes:
        conn.execute(ddl)
