"""Opening a stranger's Anki package safely: the collection inside (`collection.anki21b`,
zstd; else `collection.anki21`, else `collection.anki2`) unpacked with a size cap into a
temporary file, and the SQLite connection on it bounded (value sizes, time, no views or
virtual tables among the tables read). formats.apkg reads what it holds."""

from __future__ import annotations

import lzma
import sqlite3
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import zstandard

from loopdrill.core.model import DeckError, Problem
from loopdrill.core.text import clean
from loopdrill.processes import scratch_dir

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
CHUNK = 1 << 20
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, EOFError,
              OSError, NotImplementedError, RuntimeError, ValueError)
# a stranger's database runs its own SQL (generated columns, a huge zeroblob): every string or
# blob is capped, and reading stops at a deadline
MAX_VALUE_BYTES = 128 * 1024 * 1024
ANKI_TABLES = ("col", "notes", "cards", "revlog", "notetypes", "templates", "fields", "decks",
               "deck_config", "config", "graves", "tags")


class Deadline:
    """A progress handler: stops any statement once the read has run `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.timed_out = False

    def __call__(self) -> int:
        if time.monotonic() > self.end:
            self.timed_out = True
            return 1
        return 0


def bound(conn: sqlite3.Connection, name: str, deadline: Deadline, ops: int) -> None:
    """Bound what reading a stranger's collection may cost; DeckError when the tables it
    reads are views or virtual tables (SQL that runs when read: an endless recursive CTE)."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.set_progress_handler(deadline, ops)
    marks = ",".join("?" * len(ANKI_TABLES))
    odd = conn.execute(f"SELECT name FROM sqlite_master WHERE name IN ({marks}) AND (type != "
                       "'table' OR sql LIKE 'CREATE VIRTUAL%')", ANKI_TABLES).fetchall()
    if odd:
        raise DeckError([Problem(name, 0, f"the collection's {clean(str(odd[0][0]))} is not "
                                 "a plain table; not an Anki collection loopdrill can import")])


@contextmanager
def unpacked_collection(path: Path, limit: int) -> Iterator[Path]:
    """The package's collection, unpacked into a temporary file: refused when the zip says it
    is bigger than `limit`, and cut off as soon as unpacking passes `limit`."""
    name = str(path)
    if not path.is_file():
        raise DeckError([Problem(name, 0, "is a directory, not an Anki package" if path.is_dir()
                                 else "no such file")])
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise DeckError([Problem(name, 0, f"not an Anki package (not a zip file: {exc})")]
                        ) from None
    with archive, scratch_dir("loopdrill-apkg-") as tmp:
        members = {info.filename: info for info in archive.infolist()}
        member = next((members[n] for n in COLLECTIONS if n in members), None)
        if member is None:
            raise DeckError([Problem(name, 0, "a zip file, but not an Anki package (no "
                                     "collection.anki21b, .anki21 or .anki2 inside)")])
        if member.file_size > limit:
            raise DeckError([Problem(name, 0, f"{member.filename} would unpack to "
                                     f"{member.file_size:,} bytes, over the {limit:,}-byte "
                                     "limit")])
        target = tmp / "collection.sqlite"
        try:
            _unpack(archive, member, target, limit, name)
        except zstandard.ZstdError as exc:
            raise DeckError([Problem(name, 0, f"{member.filename} is not valid zstd data "
                                     f"({exc})")]) from None
        except ZIP_ERRORS as exc:
            raise DeckError([Problem(name, 0, f"the package is damaged ({exc})")]) from None
        yield target


def _unpack(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, limit: int,
            name: str) -> None:
    written = 0
    with archive.open(member) as source, target.open("wb") as out:
        stream: Any = source
        if member.filename.endswith("anki21b"):
            stream = zstandard.ZstdDecompressor().stream_reader(source, read_across_frames=True)
        while chunk := stream.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise DeckError([Problem(name, 0, f"{member.filename} unpacks to more than the "
                                         f"{limit:,}-byte limit")])
            out.write(chunk)
    with target.open("r+b") as db:  # a WAL-mode file cannot be opened read-only on its own
        header = db.read(20)
        if header.startswith(b"SQLite format 3\x00") and header[18:20] == b"\x02\x02":
            db.seek(18)
            db.write(b"\x01\x01")
