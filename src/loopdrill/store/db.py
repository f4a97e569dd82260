"""Opening the database: pragmas, migrations, and clear errors for files we cannot use."""

from __future__ import annotations

import math
import os
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from loopdrill.engine.curve import retrievability_after
from loopdrill.store import readonly
from loopdrill.store.backup import BackupError, backup, database_file
from loopdrill.store.errors import StoreError as StoreError
from loopdrill.store.failures import DAMAGED, READ_ONLY, kind_of
from loopdrill.store.schema import migrations

BUSY_TIMEOUT_MS = 5000
# A new file's pages: 2 KB, not SQLite's 4 KB. An answer changes ~10 b-tree pages, each
# written whole to the log and then to the file: at 2 KB, 1,000 answers at 200,000 reviews take
# 0.280 s, not 0.298 (0.262 s CPU, not 0.272), for a file 2% larger and a stats report 5%
# slower. A file made before keeps the 4 KB pages it has (SQLite changes them only in a VACUUM
# out of WAL mode).
PAGE_SIZE = 2048
QUICK_CHECK_MAX = 16 * 1024 * 1024
_files: weakref.WeakKeyDictionary[Database, str] = weakref.WeakKeyDictionary()
_read_only: weakref.WeakSet[Database] = weakref.WeakSet()


def open_db(path: Path | str, *, backup_dir: Path | None = None,
            read_only: bool = False) -> Database:
    """Open (creating if need be) and migrate the database at `path`.

    A backup is taken into `backup_dir` before any migration of an existing file.
    `read_only` (a command that only reads): the file is opened so that nothing can be
    written, unless it must first be created or upgraded and may be. A file this process may
    not write (store.readonly.writable) is always opened read-only; one that needs upgrading
    then is a StoreError saying so. `is_read_only` tells which way a handle was opened.
    """
    memory = str(path) == ":memory:"
    if not memory:
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path} is a directory, not a database file")
        existed = path.exists() and path.stat().st_size > 0
        if existed and (read_only or not readonly.writable(str(path))):
            db = _open_read_only(path)
            if db is not None:
                return db
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data directory {path.parent}: "
                             f"{exc.strerror}") from None
    existed = not memory and Path(path).exists() and Path(path).stat().st_size > 0
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None, check_same_thread=not memory)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the database {path}: {exc}") from None
    with _closed_on_error(conn, path):
        _configure(conn, memory)
        db = Database(conn)
        _check_version(db, path)
        pending = migrations.pending(db)
        if pending:
            if existed and backup_dir is not None:
                try:
                    backup(conn, backup_dir, reason="pre-migration")
                except BackupError as exc:
                    raise StoreError(f"cannot back up {path} into {backup_dir} before upgrading "
                                     f"it ({exc.strerror}); nothing was changed") from None
            migrations.apply(db)
    _files[db] = "" if memory else str(Path(path).resolve())
    return db


def is_read_only(db: Database) -> bool:
    """Whether `db` was opened read-only (open_db): nothing written through it can succeed."""
    return db in _read_only


def writable_again(db: Database) -> Database | None:
    """A new, writable connection to the file of `db` (a read-only connection) when the file
    can be written now (made writable since); else None."""
    file = _files.get(db)
    if not file or not is_read_only(db) or not readonly.writable(file):
        return None
    return open_db(file)


def damage(db: Database) -> str | None:
    """SQLite's first finding when the file is damaged (PRAGMA quick_check), else None; only
    on a file of at most QUICK_CHECK_MAX bytes, where it takes milliseconds (0.27 s on 57 MB),
    so a command that writes never starts writing into a damaged file it could check."""
    file = _files.get(db)
    if not file or os.path.getsize(file) > QUICK_CHECK_MAX:
        return None
    try:
        found = str(db.conn.execute("PRAGMA quick_check(1)").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return str(exc)
    if found == "ok":
        return None
    lines = [line for line in found.splitlines() if line and not line.startswith("***")]
    return f"quick_check: {lines[0][:120] if lines else 'not ok'}"


def memory_copy(db: Database) -> Database:
    """A copy of `db` in memory, to run checks that write and roll back (doctor's
    recomputation of the totals) on a file opened read-only. Its pages are the file's size
    (SQLite copies into memory only pages of one size: a file of 2 KB or 4 KB pages)."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA page_size = {db.conn.execute('PRAGMA page_size').fetchone()[0]}")
    db.conn.backup(conn)
    _configure(conn, memory=True)
    copy = Database(conn)
    _files[copy] = ""
    return copy


def _open_read_only(path: Path) -> Database | None:
    """The existing file opened read-only; None when it must be upgraded first and may be
    (open_db then opens it for writing and migrates it)."""
    try:
        conn = readonly.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise _unusable(path, exc) from None
    with _closed_on_error(conn, path):
        _configure(conn, memory=False, read_only=True)
        db = Database(conn)
        _check_version(db, path)
        if migrations.pending(db):
            conn.close()
            if readonly.writable(str(path)):
                return None
            raise StoreError(f"{path} was written by an older loopdrill and must be upgraded "
                             "before it can be read, but it is read-only; make it writable and "
                             "run any loopdrill command once")
    _files[db] = str(path.resolve())
    _read_only.add(db)
    return db


@contextmanager
def _closed_on_error(conn: sqlite3.Connection, path: Path | str) -> Iterator[None]:
    """`conn` closed when what follows fails; an SQLite error becomes one naming the file."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _unusable(path, exc) from None
    except StoreError:
        conn.close()
        raise


def _unusable(path: Path | str, exc: sqlite3.Error) -> StoreError:
    """Why a file could not be opened, in one sentence naming it (store.failures.kind_of
    tells a damaged file and a read-only one)."""
    kind = kind_of(exc)
    if kind == DAMAGED:
        return StoreError(f"{path} is not a loopdrill database or is corrupt ({exc}); a backup "
                          f"in {Path(path).parent / 'backups'} can replace it")
    cannot_open = getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_CANTOPEN
    if kind == READ_ONLY or cannot_open:
        return StoreError(f"cannot write the database {path} ({exc})")
    return StoreError(f"cannot use the database {path} ({exc})")


@contextmanager
def own_connection(db: Database) -> Iterator[Database]:
    """A connection of the calling thread's own to the same database, closed after: every
    thread has its own (SQLite refuses a connection made in another thread). An in-memory
    database, which a second connection cannot see, is shared as it is (tests)."""
    file = _files.get(db)
    if file is None:  # not opened by open_db: ask the connection (this thread's, then)
        file = database_file(db.conn)
    if not file:
        yield db
        return
    own = open_db(file, read_only=is_read_only(db))
    try:
        yield own
    finally:
        own.conn.close()


def _configure(conn: sqlite3.Connection, memory: bool, read_only: bool = False) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not memory and not read_only:
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before WAL: a new file's only
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA wal_autocheckpoint = 10000")  # pages (20 MB), not 1,000
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.create_function("fsrs_retrievability", 3, _retrievability, deterministic=True)
    try:
        conn.execute("SELECT pow(2, 2), ln(2), floor(1.5)").fetchone()
    except sqlite3.OperationalError:  # an SQLite built without its math functions
        conn.create_function("pow", 2, math.pow, deterministic=True)
        conn.create_function("ln", 1, math.log, deterministic=True)
        conn.create_function("floor", 1, math.floor, deterministic=True)


def _retrievability(days: float | None, stability: float | None, decay: float) -> float | None:
    """SQL function: FSRS retrievability after `days` for a card of `stability`."""
    if days is None or stability is None:
        return None
    return retrievability_after(days, stability, decay)


def _check_version(db: Database, path: Path | str) -> None:
    known = {m.name for m in migrations.pending(Database(memory=True))}
    applied = {m.name for m in migrations.applied(db)}
    unknown = applied - known
    if unknown:
        raise StoreError(f"{path} was written by a newer loopdrill (schema {sorted(unknown)[-1]});"
                         " upgrade loopdrill to open it")
    tables = set(db.table_names())
    if tables and not applied and "cards" not in tables and "_sqlite_migrations" not in tables:
        raise StoreError(f"{path} is an SQLite file but not a loopdrill database")
