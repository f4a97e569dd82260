"""A card's media files (the images and sounds an Anki package brought, in the media folder
beside the database: `loopdrill where`), opened in the system's viewer from the drill."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from sqlite_utils import Database

from loopdrill import paths
from loopdrill.formats.html_text import media_names
from loopdrill.store.backup import database_file

VIEWER = "open" if sys.platform == "darwin" else "xdg-open"  # the system's "open this file"


def media_folder(db: Database) -> Path | None:
    """The media folder of this database (None for an in-memory one)."""
    file = database_file(db.conn)
    return paths.media(Path(file)) if file else None


def viewer() -> str | None:
    """The command that opens a file in the system's viewer, if this system has one."""
    return shutil.which(VIEWER)


def open_media(db: Database, texts: Iterable[str]) -> tuple[bool, str]:
    """Open the media files the card's texts name; (whether any opened, one line saying
    what happened or why nothing did)."""
    names = media_names(texts)
    if not names:
        return False, "This card has no image or sound."
    folder = media_folder(db)
    found = [folder / name for name in names if folder is not None and _inside(folder, name)
             and (folder / name).is_file()]
    if not found:
        return False, f"Media file not found: {names[0]} (not in {folder or 'any media folder'})."
    command = viewer()
    if command is None:
        return False, (f"No viewer to open media with ({VIEWER} is not installed); the file "
                       f"is {found[0]}.")
    for path in found:
        try:  # detached, in a session of its own: it stays open when the drill ends
            subprocess.Popen([command, str(path)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        except OSError as exc:
            return False, f"Could not open {path.name}: {exc.strerror or exc}."
    missing = len(names) - len(found)
    opened = ", ".join(p.name for p in found)
    return True, f"Opened {opened}" + (f" ({missing} not found)." if missing else ".")


def _inside(folder: Path, name: str) -> bool:
    """Whether a name stays inside the folder (no `../`, no absolute path)."""
    try:
        return (folder / name).resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False
