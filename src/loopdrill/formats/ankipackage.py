"""Anki packages (.apkg, .colpkg): notes become items, decks become decks, and the revlog
comes along as review history. Read from a temporary copy, opened read-only."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import zstandard

from loopdrill.core.cards import card_id
from loopdrill.core.model import DeckError, DeckSpec, Item, Problem, Rating, ReviewRecord
from loopdrill.formats.ankitext import slugify
from loopdrill.formats.htmltext import html_to_text

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
MAX_COLLECTION = 512 * 1024 * 1024  # refuse past this, before decompressing it all
CHUNK = 1 << 20


@dataclass(frozen=True)
class NoteType:
    """What loopdrill needs of an Anki note type."""

    name: str
    cloze: bool
    templates: int


def read_apkg(path: Path, *, deck: str | None = None,
              limit: int = MAX_COLLECTION) -> tuple[list[DeckSpec], list[ReviewRecord],
                                                    list[Problem]]:
    """Decks, review history and warnings from a package; DeckError lists every problem."""
    with _collection(path, limit) as db_path:
        try:
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
            try:
                return _read(conn, str(path), deck)
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise DeckError([Problem(str(path), 0, f"the collection inside is not a readable "
                                     f"SQLite database ({exc})")]) from None


@contextmanager
def _collection(path: Path, limit: int) -> Iterator[Path]:
    """The package's collection, decompressed (with a size cap) into a temporary file."""
    name = str(path)
    if not path.exists():
        raise DeckError([Problem(name, 0, "no such file")])
    if not zipfile.is_zipfile(path):
        raise DeckError([Problem(name, 0, "not an Anki package (not a zip file)")])
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as tmp:
        members = {info.filename: info for info in archive.infolist()}
        member = next((members[n] for n in COLLECTIONS if n in members), None)
        if member is None:
            raise DeckError([Problem(name, 0, "a zip file, but not an Anki package (no "
                                     "collection.anki21b, .anki21 or .anki2 inside)")])
        if member.file_size > limit:
            raise DeckError([Problem(name, 0, f"{member.filename} would unpack to "
                                     f"{member.file_size:,} bytes, over the {limit:,} limit")])
        target = Path(tmp) / "collection.sqlite"
        written = 0
        with archive.open(member) as source, target.open("wb") as out:
            stream = source
            if member.filename.endswith("anki21b"):
                stream = zstandard.ZstdDecompressor().stream_reader(source)
            try:
                while chunk := stream.read(CHUNK):
                    written += len(chunk)
                    if written > limit:
                        raise DeckError([Problem(name, 0, f"{member.filename} unpacks to more "
                                                 f"than the {limit:,}-byte limit")])
                    out.write(chunk)
            except zstandard.ZstdError as exc:
                raise DeckError([Problem(name, 0, f"{member.filename} is not valid zstd data "
                                         f"({exc})")]) from None
            except (zipfile.BadZipFile, OSError) as exc:
                raise DeckError([Problem(name, 0, f"the zip file is damaged ({exc})")]) from None
        yield target


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _note_types(conn: sqlite3.Connection) -> dict[int, NoteType]:
    if "notetypes" in _tables(conn):
        types = {}
        for ntid, name in conn.execute("SELECT id, name FROM notetypes"):
            configs = [bytes(c or b"") for (c,) in conn.execute(
                "SELECT config FROM templates WHERE ntid = ?", (ntid,))]
            cloze = "cloze" in name.lower() or any(b"{{cloze:" in c for c in configs)
            types[ntid] = NoteType(name, cloze, len(configs))
        return types
    (models,) = conn.execute("SELECT models FROM col").fetchone()
    return {int(k): NoteType(m["name"], m.get("type") == 1, len(m.get("tmpls", [])))
            for k, m in json.loads(models).items()}


def _deck_names(conn: sqlite3.Connection) -> dict[int, str]:
    if "decks" in _tables(conn):
        return {did: name.replace("\x1f", "::") for did, name in
                conn.execute("SELECT id, name FROM decks")}
    (decks,) = conn.execute("SELECT decks FROM col").fetchone()
    return {int(k): d["name"] for k, d in json.loads(decks).items()}


def _read(conn: sqlite3.Connection, name: str, deck_override: str | None
          ) -> tuple[list[DeckSpec], list[ReviewRecord], list[Problem]]:
    types = _note_types(conn)
    decks = _deck_names(conn)
    first_deck: dict[int, int] = {}
    for nid, did in conn.execute("SELECT nid, did FROM cards ORDER BY id"):
        first_deck.setdefault(nid, did)
    problems: list[Problem] = []
    items: dict[str, list[Item]] = {}
    titles: dict[str, str] = {}
    where: dict[int, tuple[str, str, NoteType]] = {}
    for nid, guid, mid, tags, flds in conn.execute(
            "SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"):
        kind = types.get(mid)
        if kind is None or (not kind.cloze and kind.templates not in (1, 2)):
            what = kind.name if kind else f"unknown note type {mid}"
            problems.append(Problem(name, 0, f"note {nid}: note type {what!r} is not Basic, "
                                    "Basic (and reversed card) or Cloze"))
            continue
        deck_name = decks.get(first_deck.get(nid, 1), "Default")
        slug = deck_override or slugify(deck_name)
        titles.setdefault(slug, deck_name)
        fields = [html_to_text(f) for f in str(flds).split("\x1f")]
        item = _item(str(guid), kind, fields, str(tags).split(), nid)
        if item is None:
            problems.append(Problem(name, 0, f"note {nid}: its first field is empty"))
            continue
        items.setdefault(slug, []).append(item)
        where[nid] = (slug, str(guid), kind)
    if problems:
        raise DeckError(problems)
    if not items:
        raise DeckError([Problem(name, 0, "the package has no notes")])
    reviews = _reviews(conn, where)
    return ([DeckSpec(slug, titles[slug], tuple(found), origin=name)
             for slug, found in items.items()], reviews, [])


def _item(guid: str, kind: NoteType, fields: list[str], tags: list[str],
          nid: int) -> Item | None:
    if not fields or not fields[0]:
        return None
    if kind.cloze:
        values: dict[str, object] = {"text": fields[0]}
        if len(fields) > 1 and fields[1]:
            values["extra"] = fields[1]
        return Item(guid, "cloze", values, tuple(tags))
    values = {"front": fields[0], "back": fields[1] if len(fields) > 1 and fields[1] else "—"}
    if kind.templates == 2:
        values["reversible"] = True
    return Item(guid, "basic", values, tuple(tags))


def _reviews(conn: sqlite3.Connection,
             where: dict[int, tuple[str, str, NoteType]]) -> list[ReviewRecord]:
    cards = {cid: (nid, ord_) for cid, nid, ord_ in conn.execute("SELECT id, nid, ord FROM cards")}
    out = []
    for rid, cid, ease, ms, kind in conn.execute(
            "SELECT id, cid, ease, time, type FROM revlog ORDER BY id"):
        if cid not in cards or ease not in (1, 2, 3, 4) or kind not in (0, 1, 2, 3):
            continue  # manual reschedules, deleted cards
        nid, ord_ = cards[cid]
        if nid not in where:
            continue
        slug, guid, note_type = where[nid]
        variant = f"c{ord_ + 1}" if note_type.cloze else ("r" if ord_ == 1 else "")
        out.append(ReviewRecord(card_id(slug, guid, variant),
                                dt.datetime.fromtimestamp(rid / 1000, dt.UTC),
                                Rating(ease), max(0, int(ms or 0)), cram=kind == 3))
    return out
