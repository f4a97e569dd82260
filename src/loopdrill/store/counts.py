"""Today's counts for the shell prompt on a plain read-only sqlite3 connection. Nothing here
imports sqlite-utils (40 ms to load): `loopdrill status` must start in well under 60 ms."""

from __future__ import annotations

import json
import os
import sqlite3

from loopdrill.store import readonly

ACTIVE = "retired = 0 AND suspended = 0 AND (buried_until IS NULL OR buried_until <= ?)"


def open_read_only(path: str) -> sqlite3.Connection | None:
    """The database opened read-only (never created or written), or None when there is none
    or it is not a loopdrill database. (os.path, not pathlib: 5 ms less to start.)"""
    if not os.path.isfile(path):
        return None
    try:
        conn = readonly.connect(path, timeout=1)  # also in a folder we may not write
        conn.execute("SELECT 1 FROM cards LIMIT 1").fetchall()
    except sqlite3.Error:
        return None
    return conn


def studied_on(conn: sqlite3.Connection, day: str) -> dict[str, tuple[int, int]]:
    """Per deck, (new cards introduced, review-state cards reviewed) on a study day
    ('YYYY-MM-DD', cram answers not counted), from the revlog's running totals."""
    sql = ("SELECT deck, SUM(n * (state = 0)), SUM(n * (state = 2)) FROM review_days "
           "WHERE day = ? AND cram = 0 GROUP BY deck")
    return {d: (int(n or 0), int(r or 0)) for d, n, r in conn.execute(sql, (day,))}


def option_layers(conn: sqlite3.Connection) -> tuple[dict[str, dict[str, object]],
                                                     dict[str, dict[str, object]]]:
    """The stored options by scope ('' global, else a deck slug) and each shown deck's file
    options (decks hidden by `deck delete` are left out)."""
    stored: dict[str, dict[str, object]] = {}
    for scope, key, value in conn.execute("SELECT scope, key, value FROM options"):
        stored.setdefault(scope, {})[key] = json.loads(value)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(decks)")}
    hidden = "WHERE hidden = 0" if "hidden" in columns else ""
    files = {slug: json.loads(options or "{}")
             for slug, options in conn.execute(f"SELECT slug, options FROM decks {hidden}")}
    return stored, files


def due_by_deck(conn: sqlite3.Connection, now: str, day_end: str) -> dict[str, tuple[int, int]]:
    """Per deck, (learning cards due before the day ends, review cards due before it)."""
    sql = (f"SELECT deck, SUM(state IN (1, 3)), SUM(state = 2) FROM cards "
           f"WHERE state IN (1, 2, 3) AND due < ? AND {ACTIVE} GROUP BY deck")
    return {d: (int(l_ or 0), int(r or 0)) for d, l_, r in conn.execute(sql, (day_end, now))}


def new_available(conn: sqlite3.Connection, deck: str, now: str, limit: int) -> int:
    """New cards a deck could introduce, counted up to `limit`."""
    sql = (f"SELECT COUNT(*) FROM (SELECT 1 FROM cards WHERE deck = ? AND state = 0 "
           f"AND {ACTIVE} LIMIT ?)")
    return int(conn.execute(sql, (deck, now, limit)).fetchone()[0])
