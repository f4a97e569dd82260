"""Backups through SQLite's backup API: before migrations and once a day; newest 7 kept."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

KEEP = 7


def backup(conn: sqlite3.Connection, folder: Path, *, reason: str = "daily",
           now: dt.datetime | None = None) -> Path:
    """Copy the live database into `folder` and prune old copies."""
    moment = now or dt.datetime.now(dt.UTC)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"loopdrill-{moment:%Y%m%d-%H%M%S}-{reason}.db"
    dest = sqlite3.connect(str(target))
    try:
        conn.backup(dest)
    finally:
        dest.close()
    prune(folder)
    return target


def prune(folder: Path, keep: int = KEEP) -> None:
    """Delete all but the newest `keep` backups."""
    copies = sorted(folder.glob("loopdrill-*.db"))
    for old in copies[:-keep] if keep else copies:
        old.unlink(missing_ok=True)


def backed_up_today(folder: Path, today: dt.date) -> bool:
    """Whether a backup was already taken on this (UTC) date."""
    return any(folder.glob(f"loopdrill-{today:%Y%m%d}-*.db"))
