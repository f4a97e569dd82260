"""Opening a database only to read it, without sqlite-utils (`loopdrill status` starts in
well under 60 ms): never created, never written, and readable in a folder we may not write.

SQLite reads a WAL database through its `-shm` index file, which it must create when it is
missing; in a read-only folder it cannot, and even a read fails ("attempt to write a readonly
database"). With no `-wal` file beside it, nothing can be waiting in a log, so the file is
opened `immutable` instead: read as it is, without the index or any locking."""

from __future__ import annotations

import os
import sqlite3
from urllib.parse import quote


def connect(path: str, *, timeout: float = 5.0, check_same_thread: bool = True
            ) -> sqlite3.Connection:
    """`path` opened read-only (sqlite3.Error when it cannot be read at all); autocommit."""
    uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None,
                           check_same_thread=check_same_thread)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN) \
                or os.path.exists(path + "-wal"):
            raise
    conn = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=timeout,
                           isolation_level=None, check_same_thread=check_same_thread)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def writable(path: str) -> bool:
    """Whether this process may write the existing file at `path` and its folder (where the
    `-wal` and `-shm` files go). A file nobody may write (chmod a-w) counts as read-only even
    for root, who could: it was made read-only on purpose."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return True  # not there yet: it will be created, or fail saying why
    folder = os.path.dirname(os.path.abspath(path))
    return bool(mode & 0o222) and os.access(path, os.W_OK) and os.access(folder, os.W_OK)
