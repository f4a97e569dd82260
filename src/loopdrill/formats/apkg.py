"""Anki packages (.apkg, .colpkg): notes become items, decks become decks, and the revlog comes
along as review history.

The collection inside (`collection.anki21b`, zstd; else `collection.anki21`, else
`collection.anki2`) is unpacked with a size cap into a temporary file and opened read-only. Both
schemas are read: the legacy one (note types and decks as JSON in `col`) and schema 18
(`notetypes`, `fields`, `templates`, `decks` tables). A note type is cloze when Anki says so (its
kind, or a `{{cloze:` template); otherwise one with one or two card templates is basic, and a
note is reversible when the package holds its second card. Other note types (three or more
templates, a single field, Image Occlusion) are problems naming the note.
"""

from __future__ import annotations

import datetime as dt
import json
import lzma
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import zstandard

from loopdrill.core.model import DeckError, DeckSpec, Item, Problem, Rating, ReviewRecord
from loopdrill.formats.batch import (
    ImportBatch,
    check_slug,
    derived_id,
    derived_warning,
    gc_paused,
    slugify,
)
from loopdrill.formats.html_text import html_to_text

SUFFIXES = (".apkg", ".colpkg")
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
MAX_UNPACKED = 512 * 1024 * 1024  # refuse a collection that unpacks to more (tests lower it)
CHUNK = 1 << 20
EMPTY_BACK = "(empty)"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, EOFError,
              OSError, NotImplementedError, RuntimeError, ValueError)
SHAPE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError)


@dataclass(frozen=True)
class NoteType:
    """What loopdrill needs of an Anki note type: its name and what it becomes (None when
    loopdrill has no such kind)."""

    name: str
    kind: str | None


@dataclass(frozen=True)
class Placed:
    """Where a note went: its deck slug, item id and kind (for the revlog's card ids)."""

    deck: str
    item: str
    cloze: bool


def read_apkg(path: Path, *, deck: str | None = None, limit: int | None = None) -> ImportBatch:
    """Decks, review history and warnings from a package; DeckError lists every problem.

    `deck` puts every note in that deck; `limit` (default MAX_UNPACKED) caps the unpacked
    collection's size."""
    name = str(path)
    check_slug(name, deck)
    if path.suffix.lower() not in SUFFIXES:
        raise DeckError([Problem(name, 0, "not an Anki package: expected .apkg or .colpkg, not "
                                 f"{path.suffix or 'no extension'}")])
    with _collection(path, MAX_UNPACKED if limit is None else limit) as db_path:
        try:
            uri = f"file:{quote(str(db_path))}?mode=ro"
            with closing(sqlite3.connect(uri, uri=True)) as conn, gc_paused():
                return _Reader(conn, name, deck, path.stem).read()
        except sqlite3.Error as exc:
            raise DeckError([Problem(name, 0, "the collection inside is not a readable Anki "
                                     f"database ({exc})")]) from None
        except SHAPE_ERRORS as exc:
            raise DeckError([Problem(name, 0, "the collection inside is not in a shape "
                                     f"loopdrill knows ({type(exc).__name__}: {exc})")]) from None


@contextmanager
def _collection(path: Path, limit: int) -> Iterator[Path]:
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
    with archive, tempfile.TemporaryDirectory(prefix="loopdrill-apkg-") as tmp:
        members = {info.filename: info for info in archive.infolist()}
        member = next((members[n] for n in COLLECTIONS if n in members), None)
        if member is None:
            raise DeckError([Problem(name, 0, "a zip file, but not an Anki package (no "
                                     "collection.anki21b, .anki21 or .anki2 inside)")])
        if member.file_size > limit:
            raise DeckError([Problem(name, 0, f"{member.filename} would unpack to "
                                     f"{member.file_size:,} bytes, over the {limit:,}-byte "
                                     "limit")])
        target = Path(tmp) / "collection.sqlite"
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


class _Reader:
    """Reads one opened collection into an ImportBatch."""

    def __init__(self, conn: sqlite3.Connection, name: str, deck: str | None, stem: str) -> None:
        self.conn, self.name, self.override, self.stem = conn, name, deck, stem
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.decks: dict[str, dict[str, Item]] = {}
        self.titles: dict[str, str] = {}

    def read(self) -> ImportBatch:
        conn = self.conn
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"notes", "cards"} <= tables:
            raise DeckError([Problem(self.name, 0, "the collection has no notes or cards table; "
                                     "not an Anki collection")])
        modern = {"notetypes", "templates", "fields", "decks"} <= tables
        types = _modern_types(conn) if modern else _legacy_types(conn)
        deck_names = _modern_decks(conn) if modern else _legacy_decks(conn)
        columns = {r[1] for r in conn.execute("PRAGMA table_info(cards)")}
        home = "CASE WHEN odid != 0 THEN odid ELSE did END" if "odid" in columns else "did"
        cards: dict[int, tuple[int, int]] = {}
        first_deck: dict[int, int] = {}
        ords: dict[int, set[int]] = {}
        for cid, nid, did, ord_ in conn.execute(
                f"SELECT id, nid, {home}, ord FROM cards ORDER BY nid, ord, id"):
            cards[cid] = (nid, ord_)
            first_deck.setdefault(nid, did)
            ords.setdefault(nid, set()).add(ord_)
        placed = self._notes(types, deck_names, first_deck, ords)
        reviews = self._reviews(cards, placed) if "revlog" in tables else ()
        if self.problems:
            raise DeckError(self.problems)
        if not self.decks:
            raise DeckError([Problem(self.name, 0, "the package has no notes to import")])
        specs = tuple(DeckSpec(slug, self.titles[slug], tuple(items.values()), origin=self.name)
                      for slug, items in self.decks.items())
        return ImportBatch(specs, reviews, tuple(self.warnings))

    def _notes(self, types: dict[int, NoteType], deck_names: dict[int, str],
               first_deck: dict[int, int], ords: dict[int, set[int]]) -> dict[int, Placed]:
        placed: dict[int, Placed] = {}
        derived = empty_backs = skipped = 0
        for nid, guid, mid, tags, flds in self.conn.execute(
                "SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"):
            note_type = types.get(mid)
            if note_type is None or note_type.kind is None:
                what = f"{note_type.name!r}" if note_type else f"{mid} (missing from the package)"
                self.problems.append(Problem(self.name, 0, f"note type {what} is not one "
                                             "loopdrill reads (Basic, Basic (and reversed "
                                             "card), Basic (optional reversed card), Cloze)",
                                             f"note {nid}"))
                continue
            fields = [html_to_text(f) for f in _text(flds).split("\x1f")]
            if not fields[0]:
                skipped += 1
                continue
            item_id = _text(guid).strip()
            if not item_id:
                item_id = derived_id(fields[0])
                derived += 1
            values: dict[str, object]
            if note_type.kind == "cloze":
                values = {"text": fields[0]}
                if len(fields) > 1 and fields[1]:
                    values["extra"] = fields[1]
            else:
                back = fields[1] if len(fields) > 1 else ""
                if not back:
                    back, empty_backs = EMPTY_BACK, empty_backs + 1
                values = {"front": fields[0], "back": back}
                if 1 in ords.get(nid, ()):
                    values["reversible"] = True
            did = first_deck.get(nid, 1)
            title = deck_names.get(did) or ("Default" if did == 1 else f"Deck {did}")
            slug = self.override or slugify(title)
            items = self.decks.setdefault(slug, {})
            self.titles.setdefault(slug, title)
            if item_id in items:
                self.warnings.append(Problem(self.name, 0, "a second note with the same guid; "
                                             "the later one is kept", f"note {nid}"))
            items[item_id] = Item(item_id, "cloze" if note_type.kind == "cloze" else "basic",
                                  values, tuple(dict.fromkeys(_text(tags).split())))
            placed[nid] = Placed(slug, item_id, note_type.kind == "cloze")
        if skipped:
            self.warnings.append(Problem(self.name, 0, f"{skipped:,} note(s) with an empty "
                                         "first field skipped (Anki makes no card of them)"))
        if empty_backs:
            self.warnings.append(Problem(self.name, 0, f"{empty_backs:,} note(s) have an empty "
                                         f"back, shown as {EMPTY_BACK!r}"))
        if derived:
            self.warnings.append(derived_warning(self.name, derived))
        return placed

    def _reviews(self, cards: dict[int, tuple[int, int]],
                 placed: dict[int, Placed]) -> tuple[ReviewRecord, ...]:
        out: list[ReviewRecord] = []
        orphans = 0
        for rid, cid, ease, ms, kind in self.conn.execute(
                "SELECT id, cid, ease, time, type FROM revlog ORDER BY id"):
            if ease not in (1, 2, 3, 4) or kind not in (0, 1, 2, 3):
                continue  # manual reschedules and resets
            note = cards.get(cid)
            where = placed.get(note[0]) if note else None
            if note is None or where is None:
                orphans += 1
                continue
            ord_ = note[1]
            variant = f":c{ord_ + 1}" if where.cloze else (":r" if ord_ == 1 else "")
            try:
                when = EPOCH + dt.timedelta(milliseconds=int(rid))
            except (OverflowError, TypeError, ValueError):
                orphans += 1
                continue
            duration = ms if isinstance(ms, int) and ms > 0 else 0
            out.append(ReviewRecord(f"{where.deck}/{where.item}{variant}", when, Rating(ease),
                                    duration, kind == 3))
        if orphans:
            self.warnings.append(Problem(self.name, 0, f"{orphans:,} review(s) skipped: their card "
                                         "or note is not in the package or not imported, or "
                                         "their time is impossible"))
        return tuple(out)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _kind(name: str, cloze: bool, templates: int, fields: int) -> str | None:
    if "image occlusion" in name.lower():
        return None
    if cloze:
        return "cloze"
    return "basic" if templates in (1, 2) and fields >= 2 else None


def _legacy_types(conn: sqlite3.Connection) -> dict[int, NoteType]:
    (models,) = conn.execute("SELECT models FROM col").fetchone()
    types = {}
    for key, model in json.loads(_text(models)).items():
        name, templates = str(model.get("name", key)), model.get("tmpls", [])
        cloze = model.get("type") == 1 or any("{{cloze:" in str(t.get("qfmt", ""))
                                              for t in templates)
        types[int(key)] = NoteType(name, _kind(name, cloze, len(templates),
                                               len(model.get("flds", [{}, {}]))))
    return types


def _modern_types(conn: sqlite3.Connection) -> dict[int, NoteType]:
    templates: dict[int, list[bytes]] = {}
    for ntid, config in conn.execute("SELECT ntid, config FROM templates"):
        templates.setdefault(ntid, []).append(bytes(config or b""))
    fields = dict(conn.execute("SELECT ntid, count(*) FROM fields GROUP BY ntid").fetchall())
    types = {}
    for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
        own = templates.get(ntid, [])
        cloze = _proto_field1(bytes(config or b"")) == 1 or any(b"{{cloze:" in t for t in own)
        types[ntid] = NoteType(_text(name), _kind(_text(name), cloze, len(own),
                                                  fields.get(ntid, 0)))
    return types


def _proto_field1(blob: bytes) -> int:
    """Field 1 of a protobuf message (a note type's kind: 1 is cloze); 0 when absent."""
    i = 0
    try:
        while i < len(blob):
            key, i = _varint(blob, i)
            wire = key & 7
            if wire == 0:
                value, i = _varint(blob, i)
                if key >> 3 == 1:
                    return value
            elif wire == 2:
                length, i = _varint(blob, i)
                i += length
            elif wire in (1, 5):
                i += 8 if wire == 1 else 4
            else:
                return 0
    except IndexError:
        return 0
    return 0


def _varint(blob: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = blob[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _legacy_decks(conn: sqlite3.Connection) -> dict[int, str]:
    (decks,) = conn.execute("SELECT decks FROM col").fetchone()
    return {int(k): str(d.get("name", "")) for k, d in json.loads(_text(decks)).items()}


def _modern_decks(conn: sqlite3.Connection) -> dict[int, str]:
    return {did: _text(name).replace("\x1f", "::")
            for did, name in conn.execute("SELECT id, name FROM decks")}
