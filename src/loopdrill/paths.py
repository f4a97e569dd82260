"""Every location loopdrill uses, in one place. Nothing is created at import time."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "loopdrill"
DB_ENV = "LOOPDRILL_DB"


def data_dir() -> Path:
    """The platform's user data directory for loopdrill."""
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def database(override: str | os.PathLike[str] | None = None) -> Path:
    """The database in use: `--db`, else LOOPDRILL_DB, else the user data directory."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return data_dir() / "loopdrill.db"


def error_log() -> Path:
    """Where an unexpected error's traceback is written (the newest one only)."""
    return Path(platformdirs.user_log_dir(APP, appauthor=False)) / "last-error.log"


def backups(db_path: Path) -> Path:
    """Backups live beside the database they copy."""
    return db_path.parent / "backups"


def media(db_path: Path) -> Path:
    """Images and sounds of imported Anki notes live beside the database."""
    return db_path.parent / "media"


def builtin_decks() -> Path:
    """The built-in deck files: inside the installed package, or the checkout's `decks/`."""
    packaged = Path(__file__).parent / "decks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "decks"
