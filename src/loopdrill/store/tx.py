"""One explicit transaction helper: everything inside commits together or not at all.

Writers queue for SQLite's one write lock instead of failing: `transaction` takes the lock
up front (BEGIN IMMEDIATE) and, when another loopdrill holds it longer than the busy timeout
(an import, a refit), says so once and keeps waiting, so a busy database never costs an
answer or a `config`. A caller that must not wait long (the TUI's UI thread) gives a
`patience` and gets `Busy` when it runs out, with nothing written.
"""

from __future__ import annotations

import sqlite3
import sys
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from itertools import count

from sqlite_utils import Database

from loopdrill.store.backup import database_file
from loopdrill.store.db import StoreError
from loopdrill.store.failures import converted

GIVE_UP_S = 600.0  # a lock held this long is a stuck program, not an import: say so and stop
_savepoints = count()
Waiting = Callable[[Database], None]
_patience: weakref.WeakKeyDictionary[Database, float] = weakref.WeakKeyDictionary()


BUSY = "Another loopdrill is writing to the database; try again in a moment."


class Busy(Exception):
    """Another connection held the write lock for longer than the caller's patience."""


class LockedTooLong(StoreError):
    """The write lock stayed taken for GIVE_UP_S; one sentence naming the file."""


def impatient(db: Database, seconds: float) -> None:
    """Make `seconds` the patience of every transaction on this handle that gives none (the
    TUI's UI thread: it must never freeze on the lock)."""
    _patience[db] = seconds


def say_waiting(db: Database) -> None:
    """The default notice while waiting: one line on stderr."""
    print(f"loopdrill: waiting for another loopdrill to finish writing {_file(db)}…",
          file=sys.stderr, flush=True)


@contextmanager
def transaction(db: Database, *, patience: float | None = None,
                on_wait: Waiting | None = say_waiting
                ) -> Iterator[Database]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception.

    IMMEDIATE takes the write lock up front, so what is read inside (a card's state before
    an answer) is what the write is based on, and no other writer can come in between.
    Nested inside another transaction on the same connection, it is a savepoint of it.
    Waits for the lock: at most `patience` seconds (then `Busy`; see also `impatient`), or
    else as long as it takes (calling `on_wait` once after the busy timeout; `LockedTooLong`
    after GIVE_UP_S). A read-only file, a full disk or a damaged file raise CannotWrite or
    Damaged (store.failures), one sentence naming the file, with nothing written.
    """
    conn = db.conn
    if conn.in_transaction:
        name = f"nested_{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:  # SQLite ends it by itself on a full disk
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    try:
        _begin(db, _patience.get(db) if patience is None else patience, on_wait)
        try:
            yield db
        except BaseException:
            if conn.in_transaction:
                with suppress(sqlite3.Error):  # a damaged file may refuse even that
                    conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.Error as exc:  # a read-only file, a full disk, a damaged file: one sentence
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        problem = converted(exc, _file(db) if _file(db) != "the database" else "")
        if problem is None:
            raise
        raise problem from exc


def _begin(db: Database, patience: float | None,
           on_wait: Waiting | None) -> None:
    conn = db.conn
    if patience is not None:
        timeout = _busy_timeout(conn)
        conn.execute(f"PRAGMA busy_timeout = {int(patience * 1000)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not _locked(exc):
                raise
            raise Busy(str(exc)) from None
        finally:
            conn.execute(f"PRAGMA busy_timeout = {timeout}")
        return
    started = time.monotonic()
    told = False
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _locked(exc):
                raise
            if time.monotonic() - started > GIVE_UP_S:
                raise LockedTooLong(
                    f"{_file(db)} has been locked by another program for "
                    f"{GIVE_UP_S / 60:.0f} minutes; nothing was written") from None
            if not told and on_wait is not None:
                on_wait(db)
                told = True


def _locked(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # the primary code of an extended one
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _busy_timeout(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA busy_timeout").fetchone()[0])


def _file(db: Database) -> str:
    try:
        return database_file(db.conn) or "the database"
    except sqlite3.Error:  # a damaged file
        return "the database"
