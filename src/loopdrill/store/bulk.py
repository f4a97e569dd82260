"""Writes shared by answers, imports and rescheduling: card memory states and bulk inserts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlite_utils import Database

from loopdrill.store.aggregates import (
    AGGREGATE_BACKFILL,
    AGGREGATE_TRIGGERS,
    script_statements,
    trigger_statements,
)

BULK_ROWS = 20_000

SET_MEMORY = (
    "UPDATE cards SET state = :state, step = :step, stability = :stability, "
    "difficulty = :difficulty, due = :due, last_review = :last_review, reps = :reps, "
    "lapses = :lapses WHERE id = :id"
)


def set_memories(db: Database, rows: Iterable[Mapping[str, Any]]) -> None:
    """Store memory states (`memory_columns(...)` plus the card `id`)."""
    db.conn.executemany(SET_MEMORY, rows)


def insert_many(db: Database, table: str, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """executemany an INSERT; a big batch goes in with the table's secondary indexes dropped
    and rebuilt after, which is several times faster. The caller holds the transaction."""
    conn = db.conn
    indexes: list[str] = []
    if len(rows) > BULK_ROWS:
        indexes = [ddl for (ddl,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL", (table,))]
        for ddl in indexes:
            conn.execute(f"DROP INDEX {ddl.split()[2]}")
    conn.executemany(sql, rows)
    for ddl in indexes:
        conn.execute(ddl)


@contextmanager
def aggregates_deferred(db: Database, rows: int) -> Iterator[None]:
    """For a batch of more than BULK_ROWS revlog writes: pause the triggers that keep the
    running totals and rebuild the totals once afterwards (the caller holds the transaction)."""
    if rows <= BULK_ROWS:
        yield
        return
    conn = db.conn
    for name in ("reviews_aggregate_insert", "reviews_aggregate_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    yield
    for statement in script_statements(AGGREGATE_BACKFILL) + trigger_statements(
            AGGREGATE_TRIGGERS):
        conn.execute(statement)
