"""Bulk writes of revlog rows (a history import, a re-import, deleting a card's history):
their running totals are counted with numpy (store.fold) while the revlog's triggers are
paused, and written once at the end. Only the commands that write history load this module
and numpy."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlite_utils import Database

from loopdrill.store import bulk
from loopdrill.store.aggregates import (
    AGGREGATE_TRIGGERS,
    DELETE_TRIGGER,
    INSERT_TRIGGER,
    trigger_statements,
)
from loopdrill.store.bulk import INSERT_REVLOG, REVLOG_COLUMNS, indexes_dropped, insert_revlog
from loopdrill.store.fold import RevlogBatch, TotalsFold


class ReviewsBulk:
    """Revlog rows going in a chunk at a time; with a fold (a bulk write) their running
    totals are counted with numpy instead of by the paused insert trigger. A row may carry
    what was typed (answer, proposed, verdict) after the revlog columns."""

    def __init__(self, conn: sqlite3.Connection, fold: TotalsFold | None) -> None:
        self.conn = conn
        self.fold = fold

    def add_all(self, batches: Iterable[RevlogBatch | list[tuple[Any, ...]]]) -> None:
        """Insert batches of rows, each given as columns or as tuples (add)."""
        for batch in batches:
            if isinstance(batch, RevlogBatch):
                if self.fold is not None:
                    self.fold.add(batch)
                insert_revlog(self.conn, batch.rows(), len(batch))
            else:
                self.add(batch)

    def add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert rows (and count them, in a bulk write)."""
        stream = iter(rows)
        width = len(REVLOG_COLUMNS)
        fold = self.fold
        while chunk := list(itertools.islice(stream, 5_000)):
            for typed, run in itertools.groupby(chunk, lambda row: len(row) > width):
                rows = list(run)
                if fold is not None:
                    fold.add_rows(rows)  # RevlogBatch.of_rows takes the revlog columns
                if not typed:
                    self.conn.executemany(INSERT_REVLOG, rows)
                    continue
                for row in rows:
                    review_id = self.conn.execute(INSERT_REVLOG, row[:width]).lastrowid
                    self.conn.execute("INSERT INTO revlog_typed VALUES (?, ?, ?, ?)",
                                      (review_id, *row[width:]))


@contextmanager
def reviews_bulk(db: Database, count: int, cards: Mapping[int, tuple[str, str]]
                 ) -> Iterator[ReviewsBulk]:
    """A write of `count` revlog rows of `cards` (number -> (card id, deck)); the caller holds
    the transaction. More than BULK_ROWS go in with the card index dropped and built again
    after, and with the running totals' insert trigger paused: the rows are counted in Python
    (store.fold.TotalsFold) and the totals added once at the end."""
    conn = db.conn
    if count <= bulk.BULK_ROWS:
        yield ReviewsBulk(conn, None)
        return
    fold = TotalsFold(cards)
    with _trigger_paused(db, INSERT_TRIGGER, fold), indexes_dropped(db, "revlog", count):
        yield ReviewsBulk(conn, fold)


def delete_reviews(db: Database, cards: Mapping[int, tuple[str, str]]) -> None:
    """Delete the revlog rows of `cards` (number -> (card id, deck)); the caller holds the
    transaction. Many rows go with the delete trigger paused and their totals taken away
    once (store.fold.TotalsFold)."""
    conn = db.conn
    fold = TotalsFold(cards)
    numbers = list(cards)
    for start in range(0, len(numbers), 500):
        part = numbers[start : start + 500]
        fold.add_rows(conn.execute(f"SELECT {', '.join(REVLOG_COLUMNS)} FROM revlog WHERE card "
                              f"IN ({', '.join('?' * len(part))})", part), sign=-1)
    if fold.rows <= bulk.BULK_ROWS:
        conn.executemany("DELETE FROM revlog WHERE card = ?", ((n,) for n in numbers))
        return
    with _trigger_paused(db, DELETE_TRIGGER, fold):
        for start in range(0, len(numbers), 500):
            part = numbers[start : start + 500]
            marks = ", ".join("?" * len(part))
            for table in ("revlog_typed", "revlog_undo"):
                conn.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM revlog "
                             f"WHERE card IN ({marks}))", part)
            conn.execute(f"DELETE FROM revlog WHERE card IN ({marks})", part)


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
