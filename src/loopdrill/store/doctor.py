"""The checks `loopdrill doctor` runs on the database itself: SQLite's integrity check, rows
that belong to nothing, and the running totals against a recomputation from the revlog."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

from loopdrill.store.aggregates import TOTALS_REBUILD, script_statements
from loopdrill.store.rows import MEMORY_COLUMNS

# rows that belong to nothing: (what, count query, delete statement)
ORPHANS = (
    ("revlog rows of no card", "SELECT COUNT(*) FROM revlog WHERE card NOT IN "
     "(SELECT num FROM cards)", "DELETE FROM revlog WHERE card NOT IN (SELECT num FROM cards)"),
    ("typed answers of no revlog row", "SELECT COUNT(*) FROM revlog_typed WHERE id NOT IN "
     "(SELECT id FROM revlog)", "DELETE FROM revlog_typed WHERE id NOT IN (SELECT id FROM revlog)"),
    ("undo entries of no revlog row", "SELECT COUNT(*) FROM revlog_undo WHERE id NOT IN "
     "(SELECT id FROM revlog)", "DELETE FROM revlog_undo WHERE id NOT IN (SELECT id FROM revlog)"),
    ("cards without a revlog number", "SELECT COUNT(*) FROM cards WHERE num IS NULL",
     "UPDATE cards SET num = (SELECT coalesce(max(num), 0) FROM cards) + rowid "
     "WHERE num IS NULL"),
)
# a review's time (revlog.at, ms) must be from 1970 to 8999, as every reader takes them
IMPOSSIBLE = "{at} < 0 OR {at} >= 221845392000000"  # 9000-01-01T00:00:00Z
# table: key columns
TOTALS = {"review_days": 6, "review_cards": 1, "review_calibration": 5, "review_clock": 3}


def impossible_reviews(db: Database) -> list[str]:
    """The card of each review at an impossible time (an older loopdrill accepted year 1)."""
    return [str(card) for (card,) in db.conn.execute(
        "SELECT coalesce(c.id, r.card) FROM revlog r LEFT JOIN cards c ON c.num = r.card "
        f"WHERE {IMPOSSIBLE.format(at='r.at')} ORDER BY r.id")]


def delete_impossible_reviews(db: Database) -> None:
    """Delete the reviews at impossible times, with their typed answers and undo entries."""
    for table in ("revlog_typed", "revlog_undo"):
        db.conn.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM revlog WHERE "
                        f"{IMPOSSIBLE.format(at='at')})")
    db.conn.execute(f"DELETE FROM revlog WHERE {IMPOSSIBLE.format(at='at')}")


def integrity(db: Database) -> list[str]:
    """What SQLite's integrity_check reports; empty when it says ok."""
    rows = [str(r[0]) for r in db.conn.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def orphans(db: Database) -> list[tuple[str, int]]:
    """(what, how many) for each kind of orphan row found."""
    found = []
    for what, count, _ in ORPHANS:
        n = int(db.conn.execute(count).fetchone()[0])
        if n:
            found.append((what, n))
    return found


def remove_orphans(db: Database, what: str) -> None:
    """Remove (or number) the orphan rows of one kind `orphans` named."""
    db.conn.execute(next(delete for kind, _, delete in ORPHANS if kind == what))


def _totals(db: Database, table: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    keys = TOTALS[table]
    out = {}
    for row in db.conn.execute(f"SELECT * FROM {table}"):
        values = row[keys:]
        if values[0]:  # n: a key whose answers were all taken back counts nothing
            out[tuple(row[:keys])] = tuple(values)
    return out


def totals_off(db: Database) -> list[str]:
    """The running totals that differ from a recomputation from the revlog: one line per
    table, how many keys differ. The recomputation runs in a savepoint rolled back after."""
    stored = {table: _totals(db, table) for table in TOTALS}
    conn = db.conn
    conn.execute("SAVEPOINT doctor_totals")
    try:
        for statement in script_statements(TOTALS_REBUILD):
            conn.execute(statement)
        fresh = {table: _totals(db, table) for table in TOTALS}
    finally:
        conn.execute("ROLLBACK TO doctor_totals")
        conn.execute("RELEASE doctor_totals")
    lines = []
    for table in TOTALS:
        keys = stored[table].keys() | fresh[table].keys()
        off = sum(not _same(stored[table].get(k), fresh[table].get(k)) for k in keys)
        if off:
            lines.append(f"{table}: {off} of {len(keys)} totals differ from the revlog")
    return lines


def _same(a: tuple[Any, ...] | None, b: tuple[Any, ...] | None) -> bool:
    if a is None or b is None:
        return a == b
    return all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) if isinstance(x, float)
               or isinstance(y, float) else x == y for x, y in zip(a, b, strict=True))


def rebuild_totals(db: Database) -> None:
    """Recompute every running total from the revlog (the caller holds the transaction)."""
    for statement in script_statements(TOTALS_REBUILD):
        db.conn.execute(statement)


def card_memories(db: Database) -> Iterator[tuple[Any, ...]]:
    """Every card: (number, id, deck, state, step, stability, difficulty, due, last review,
    reps, lapses)."""
    yield from db.conn.execute(f"SELECT num, id, deck, {MEMORY_COLUMNS} FROM cards ORDER BY num")

