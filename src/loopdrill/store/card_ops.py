"""The browser's writes on chosen cards: suspend, bury, flag, forget, set the due date; each
one transaction, with a snapshot of what it changes so the TUI can undo the last one.

Forget and set-due (and an Anki import's schedules, store.imported) are also written to
`manual_log` (time, card, what, the state before and the due date given), which `card ID`
lists beside the reviews."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from loopdrill.core.timeutil import to_stamp
from loopdrill.store.tx import transaction

# the columns an action may change; a snapshot holds them per card
SNAPSHOT = ("suspended", "buried_until", "flag", "state", "step", "stability", "difficulty",
            "due", "last_review", "reps", "lapses")


@dataclass(frozen=True)
class Snapshot:
    """The changeable columns of some cards before an action, and the manual-log rows the
    action wrote (deleted again by restore)."""

    rows: tuple[tuple[Any, ...], ...]
    first_log: int | None = None


def _chunks(ids: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for at in range(0, len(ids), size):
        yield ids[at:at + size]


def snapshot(db: Database, ids: Sequence[str]) -> Snapshot:
    """The changeable columns of these cards now."""
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(ids):
        rows.extend(db.conn.execute(
            f"SELECT id, {', '.join(SNAPSHOT)} FROM cards WHERE id IN "
            f"({', '.join('?' * len(chunk))})", list(chunk)))
    last = db.conn.execute("SELECT max(id) FROM manual_log").fetchone()[0]
    return Snapshot(tuple(rows), (last or 0) + 1)


def restore(db: Database, before: Snapshot) -> None:
    """Put the cards back as the snapshot has them; drop the manual-log rows written since."""
    with transaction(db) as tx:
        tx.conn.executemany(
            f"UPDATE cards SET {', '.join(f'{c} = ?' for c in SNAPSHOT)} WHERE id = ?",
            (row[1:] + row[:1] for row in before.rows))
        if before.first_log is not None:
            tx.conn.execute("DELETE FROM manual_log WHERE id >= ?", (before.first_log,))


def _update(db: Database, assignment: str, values: Sequence[Any], ids: Sequence[str]) -> int:
    changed = 0
    with transaction(db) as tx:
        for chunk in _chunks(ids):
            cursor = tx.conn.execute(
                f"UPDATE cards SET {assignment} WHERE id IN ({', '.join('?' * len(chunk))})",
                [*values, *chunk])
            changed += cursor.rowcount
    return changed


def set_suspended(db: Database, ids: Sequence[str], suspended: bool) -> int:
    """Suspend or unsuspend cards."""
    return _update(db, "suspended = ?", [int(suspended)], ids)


def set_buried(db: Database, ids: Sequence[str], until: dt.datetime | None) -> int:
    """Bury cards until a moment (the next study day), or unbury them (None)."""
    return _update(db, "buried_until = ?", [to_stamp(until) if until else None], ids)


def set_flag(db: Database, ids: Sequence[str], flag: int) -> int:
    """Flag cards 1-7, or clear their flag (0)."""
    return _update(db, "flag = ?", [flag], ids)


def log_manual(conn: Any, card_id: str, at: dt.datetime, action: str, before: tuple[Any, ...],
         due: str | None) -> None:
    conn.execute("INSERT INTO manual_log (card_id, at, action, before, due) "
                 "VALUES (?, ?, ?, ?, ?)",
                 (card_id, to_stamp(at), action, json.dumps(before), due))


def forget(db: Database, ids: Sequence[str], now: dt.datetime) -> int:
    """Make cards new again (Anki's Reset): no memory state, no due date, counts cleared;
    their reviews stay in the revlog and a manual entry records the reset."""
    before = snapshot(db, ids)
    with transaction(db) as tx:
        for row in before.rows:
            tx.conn.execute(
                "UPDATE cards SET state = 0, step = NULL, stability = NULL, difficulty = NULL, "
                "due = NULL, last_review = NULL, reps = 0, lapses = 0 WHERE id = ?", (row[0],))
            log_manual(tx.conn, row[0], now, "forget", row[1:], None)
    return len(before.rows)


def set_due(db: Database, dues: dict[str, dt.datetime], now: dt.datetime) -> int:
    """Give studied cards a new due date (Anki's Set due date); logged as manual entries."""
    before = snapshot(db, list(dues))
    with transaction(db) as tx:
        for row in before.rows:
            due = to_stamp(dues[row[0]])
            tx.conn.execute("UPDATE cards SET due = ? WHERE id = ?", (due, row[0]))
            log_manual(tx.conn, row[0], now, "set-due", row[1:], due)
    return len(before.rows)


@dataclass(frozen=True)
class ManualEntry:
    """A forget or set-due written to the manual log."""

    at: dt.datetime
    action: str
    due: dt.datetime | None


def manual_entries(db: Database, card_id: str) -> list[ManualEntry]:
    """A card's manual entries, oldest first."""
    rows = db.conn.execute("SELECT at, action, due FROM manual_log WHERE card_id = ? "
                           "ORDER BY at, id", (card_id,))
    return [ManualEntry(dt.datetime.fromisoformat(at), action,
                        dt.datetime.fromisoformat(due) if due else None)
            for at, action, due in rows]
