"""Stored options (global scope '' or a deck slug) and small meta values."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlite_utils import Database

from loopdrill.store.tx import transaction

GLOBAL = ""


def get_options(db: Database, scope: str = GLOBAL) -> dict[str, Any]:
    """The options set for a scope."""
    rows = db.conn.execute("SELECT key, value FROM options WHERE scope = ?", (scope,))
    return {k: json.loads(v) for k, v in rows}


def set_option(db: Database, key: str, value: Any, scope: str = GLOBAL) -> None:
    """Set one option in a scope."""
    with transaction(db) as tx:
        tx.conn.execute(
            "INSERT INTO options (scope, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT(scope, key) DO UPDATE SET value = excluded.value",
            (scope, key, json.dumps(value)),
        )


def unset_option(db: Database, key: str, scope: str = GLOBAL) -> bool:
    """Remove one option from a scope; True when it was set."""
    with transaction(db) as tx:
        cur = tx.conn.execute("DELETE FROM options WHERE scope = ? AND key = ?", (scope, key))
        return cur.rowcount > 0


def get_meta(db: Database, key: str) -> str | None:
    """A meta value."""
    row = db.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def set_meta(db: Database, key: str, value: str) -> None:
    """Set a meta value (the caller may hold a transaction; this one makes its own if not)."""
    sql = ("INSERT INTO meta (key, value) VALUES (?, ?) "
           "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
    if db.conn.in_transaction:
        db.conn.execute(sql, (key, value))
    else:
        with transaction(db) as tx:
            tx.conn.execute(sql, (key, value))


EXAM_DATE = "exam_date"  # meta key: the interview date the stats screen (and Home) plan for


def exam_date(db: Database) -> dt.date | None:
    """The saved interview date, if any (a value that is not a date counts as none)."""
    text = get_meta(db, EXAM_DATE)
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def set_exam_date(db: Database, day: dt.date | None) -> None:
    """Save the interview date (None forgets it)."""
    if day is not None:
        set_meta(db, EXAM_DATE, day.isoformat())
        return
    with transaction(db) as tx:
        tx.conn.execute("DELETE FROM meta WHERE key = ?", (EXAM_DATE,))


def delete_meta(db: Database, key: str) -> None:
    """Remove a meta entry (nothing when there is none)."""
    db.conn.execute("DELETE FROM meta WHERE key = ?", (key,))
