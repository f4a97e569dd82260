"""Backups through SQLite's backup API: before migrations and once a day; newest 7 kept.

A backup is named after its database (`work.db` gives `work-20261205-090000-daily.db`), so
two databases in one folder keep their own sets. It is written under a temporary name
(`….db.part`) and renamed only when complete, so a copy cut short by a kill or a full disk
never counts as a backup; such leftovers are deleted by the next backup.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
import sqlite3
import time
from contextlib import suppress
from pathlib import Path

KEEP = 7
PART = ".part"
STALE_PART_S = 60.0  # a temporary copy untouched this long was abandoned (a live one grows)


class BackupError(OSError):
    """A backup could not be written; `strerror` says why in a few words."""


def backup(conn: sqlite3.Connection, folder: Path, *, reason: str = "daily",
           now: dt.datetime | None = None) -> Path:
    """Copy the live database into `folder` and prune old and incomplete copies.
    BackupError (an OSError) when it cannot be written; nothing is left behind then."""
    moment = now or dt.datetime.now(dt.UTC)
    stem = database_stem(conn)
    final = folder / f"{stem}-{moment:%Y%m%d-%H%M%S}-{reason}.db"
    part = final.with_name(f"{final.name}.{os.getpid()}{PART}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(part))
        try:
            conn.backup(dest)
        finally:
            dest.close()
        os.replace(part, final)
    except (OSError, sqlite3.Error) as exc:
        _remove(part)
        _remove(_journal(part))
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BackupError(getattr(exc, "errno", None) or 0, why) from None
    prune(folder, stem)
    return final


def database_file(conn: sqlite3.Connection) -> str:
    """The file of this connection's main database ('' for an in-memory one)."""
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row is not None and row[2] else ""


def database_stem(conn: sqlite3.Connection) -> str:
    """The name backups of this connection's database start with: its file name without the
    extension (`loopdrill` for an in-memory database)."""
    file = database_file(conn)
    return Path(file).stem if file else "loopdrill"


def _pattern(stem: str) -> re.Pattern[str]:
    return re.compile(re.escape(stem) + r"-(\d{8})-(\d{6})-[a-z-]+\.db")


def copies(folder: Path, stem: str) -> list[Path]:
    """The complete backups of one database, oldest first."""
    pattern = _pattern(stem)
    found = [p for p in folder.glob(f"{glob.escape(stem)}-*.db") if pattern.fullmatch(p.name)]
    return sorted((p for p in found if not _journal(p).exists()),
                  key=lambda p: p.name[len(stem):])


def prune(folder: Path, stem: str = "loopdrill", keep: int = KEEP) -> None:
    """Delete all but the newest `keep` backups of one database, and its incomplete copies:
    abandoned temporary files, and copies an older loopdrill left with a hot journal beside
    them (cut short while being written)."""
    pattern = _pattern(stem)
    for path in folder.glob(f"{glob.escape(stem)}-*"):
        if PART in path.name and pattern.match(path.name):  # the copy or its journal
            try:
                stale = time.time() - path.stat().st_mtime > STALE_PART_S
            except OSError:
                continue
            if stale:
                _remove(path)
        elif pattern.fullmatch(path.name) and _journal(path).exists():
            _remove(path)
            _remove(_journal(path))
    complete = copies(folder, stem)
    for old in complete[:-keep] if keep else complete:
        _remove(old)


def backed_up_today(folder: Path, today: dt.date, stem: str = "loopdrill") -> bool:
    """Whether a complete backup of this database was taken on this (UTC) date."""
    day = f"{today:%Y%m%d}"
    return any(p.name[len(stem) + 1:].startswith(day) for p in copies(folder, stem))


def _journal(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def _remove(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)
