"""Opening the user's library: the database, daily backups, and the built-in decks."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from loopdrill import paths
from loopdrill.core.model import DeckError
from loopdrill.services.edit import reapply_overrides
from loopdrill.store.backup import backed_up_today, backup
from loopdrill.store.db import StoreError, damage, is_read_only, open_db
from loopdrill.store.decks import builtin_hashes, deck_hashes, retire_decks, sync_deck
from loopdrill.store.failures import DAMAGED, Damaged
from loopdrill.store.readonly import writable
from loopdrill.store.schema import REPLAY_PENDING
from loopdrill.store.settings import get_meta
from loopdrill.store.tx import transaction


@dataclass
class Library:
    """An open database and where it lives."""

    db: Database
    path: Path
    backup_dir: Path
    warnings: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.db.conn.close()


def open_library(db_path: Path, now: dt.datetime, *, builtins: bool = True,
                 daily_backup: bool = True, read_only: bool = False,
                 checked: bool = False) -> Library:
    """Open the database, take the day's backup, and load or refresh the built-in decks.
    A daily backup that fails (a full disk) never stops the command: `warnings` says so.
    `read_only` (a command that only reads): nothing is written to the database, and the
    built-in decks are not refreshed (store.db.open_db); so too for a read-only file.
    `checked`: a small file is first checked for damage (store.db.damage), and Damaged is
    raised before anything is written or backed up."""
    backup_dir = paths.backups(db_path)
    db = open_db(db_path, backup_dir=backup_dir, read_only=read_only)
    if is_read_only(db) and get_meta(db, REPLAY_PENDING) and writable(str(db_path)):
        db.conn.close()  # a converted database whose states wait for their replay: do it now
        db = open_db(db_path, backup_dir=backup_dir)
    found = damage(db) if checked and not is_read_only(db) else None
    if found is not None:
        db.conn.close()
        raise Damaged(DAMAGED, str(db_path), found)
    library = Library(db, db_path, backup_dir)
    builtins = builtins and not is_read_only(db)
    try:
        if get_meta(db, REPLAY_PENDING) and not is_read_only(db):  # the compact-revlog migration
            from loopdrill.services.doctor import replay_states

            replay_states(db)
        if daily_backup and str(db_path) != ":memory:":
            library.warnings += daily(db, db_path, backup_dir, now)
        if builtins:
            sync_builtins(db, now)
    except OSError as exc:
        library.close()
        raise StoreError(f"cannot write beside the database {db_path} ({exc.strerror})") from None
    except BaseException:
        library.close()
        raise
    return library


def daily(db: Database, db_path: Path, backup_dir: Path, now: dt.datetime) -> list[str]:
    """Take the day's backup unless there is one; a failure is a warning, not an error."""
    try:
        if not backed_up_today(backup_dir, now.date(), db_path.stem):
            backup(db.conn, backup_dir, now=now)
    except OSError as exc:
        return [f"today's backup of {db_path} into {backup_dir} failed ({exc.strerror or exc}); "
                "carrying on without it"]
    return []


def sync_builtins(db: Database, now: dt.datetime, folder: Path | None = None) -> list[str]:
    """Load the built-in decks whose files changed since last time; progress is kept."""
    folder = folder or paths.builtin_decks()
    known = deck_hashes(db)
    changed = []
    shipped: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        shipped.add(digest)
        if digest in known.values():
            continue
        from loopdrill.formats.native import read_deck  # YAML and the graded kinds: only here

        try:
            deck = read_deck(path)
        except DeckError:
            continue  # a broken built-in never blocks the drill; `loopdrill check` reports it
        if known.get(deck.slug) == digest:
            continue
        with transaction(db):
            sync_deck(db, deck, now, builtin=True, content_hash=digest)
            reapply_overrides(db, deck.slug, now)  # the user's local edits win
        changed.append(deck.slug)
    gone = [slug for slug, digest in builtin_hashes(db).items() if digest not in shipped]
    if gone:  # a built-in deck no longer shipped: retired, its reviews kept
        retire_decks(db, gone)
    return changed
