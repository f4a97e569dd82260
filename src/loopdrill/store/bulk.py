"""Writes shared by answers, imports and rescheduling: card memory states, revlog rows, and
the indexes a big write drops and builds again. (The bulk revlog writes that count totals with
numpy are store.revlog_bulk: loading numpy is left to the commands that write history.)"""

from __future__ import annotations

import itertools
import operator
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlite_utils import Database

BULK_ROWS = 20_000


def set_memories(db: Database, rows: Iterable[tuple[Any, ...]]) -> None:
    """Store memory states: (state, step, stability, difficulty, due, last review, reps,
    lapses, card number), written in number order (a third faster than by card id)."""
    ordered: list[tuple[Any, ...]] = sorted(rows, key=operator.itemgetter(8))
    db.conn.executemany(
        "UPDATE cards SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, "
        "last_review = ?, reps = ?, lapses = ? WHERE num = ?", ordered)


# a revlog row's columns in the order bulk writes use (store.schema.REVLOG)
REVLOG_COLUMNS = ("card", "at", "day", "hour", "rating", "ms", "state", "reps", "lapses", "ivl",
                  "elapsed", "r", "cram")
INSERT_REVLOG = (f"INSERT INTO revlog ({', '.join(REVLOG_COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(REVLOG_COLUMNS))})")
ROWS_PER_INSERT = 50  # a fifth less time per row than one row per statement
INSERT_REVLOGS = INSERT_REVLOG + f", ({', '.join('?' * len(REVLOG_COLUMNS))})" * (
    ROWS_PER_INSERT - 1)


def insert_revlog(conn: sqlite3.Connection, rows: Iterable[tuple[Any, ...]], count: int
                  ) -> None:
    """Insert `count` revlog rows (REVLOG_COLUMNS), ROWS_PER_INSERT to a statement, in
    order."""
    values = itertools.chain.from_iterable(rows)
    size = ROWS_PER_INSERT * len(REVLOG_COLUMNS)
    conn.executemany(INSERT_REVLOGS, (tuple(itertools.islice(values, size))
                                      for _ in range(count // ROWS_PER_INSERT)))
    conn.executemany(INSERT_REVLOG, zip(*[values] * len(REVLOG_COLUMNS), strict=False))


@contextmanager
def indexes_dropped(db: Database, table: str, rows: int, *, over: Sequence[str] = ()
                    ) -> Iterator[None]:
    """For a write of more than BULK_ROWS rows: drop the table's secondary indexes (those
    naming one of the columns `over`, when given) and build them again after, several times
    faster than keeping them up to date row by row (the caller holds the transaction, so
    nobody sees the table without them)."""
    if rows <= BULK_ROWS:
        yield
        return
    conn = db.conn
    indexes = [(name, sql) for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL", (table,)) if not over or any(c in sql for c in over)]
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    yield
    for _, ddl in indexes:
        conn.execute(ddl)

