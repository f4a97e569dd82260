"""Anki packages (.apkg, .colpkg): notes become items, decks become decks, and the revlog comes
along as review history.

The collection inside is unpacked with a size cap and opened read-only and bounded
(formats.apkg_open). Both schemas are read: the legacy one (note types and decks as JSON in
`col`) and schema 18 (`notetypes`, `fields`, `templates`, `decks` tables). Every note becomes
an item of kind `anki`, each card rendered from its own template (formats.anki_notes); notes
of Image Occlusion are skipped with a warning and a count.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from loopdrill.core.model import DeckError, DeckSpec, Item, Problem, Rating, ReviewRecord
from loopdrill.core.options import OptionError, parse_option
from loopdrill.core.text import clean, unbold
from loopdrill.formats import anki_cards
from loopdrill.formats import anki_collection as collection
from loopdrill.formats.anki_collection import NoteType
from loopdrill.formats.anki_notes import note_item, variant
from loopdrill.formats.apkg_open import Deadline, bound, unpacked_collection
from loopdrill.formats.apkg_rows import read_note_data
from loopdrill.formats.batch import (
    EARLIEST,
    LATEST,
    MAX_DURATION_MS,
    ImportBatch,
    check_slug,
    derived_id,
    derived_warning,
    gc_paused,
    slugify,
)
from loopdrill.formats.html_text import html_to_text

SUFFIXES = (".apkg", ".colpkg")
MAX_UNPACKED = 512 * 1024 * 1024  # refuse a collection that unpacks to more (tests lower it)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
SHAPE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError)
READ_SECONDS = 300.0  # reading a stranger's collection stops after this (apkg_open.Deadline)
PROGRESS_OPS = 1000  # SQLite instructions between two looks at the clock


@dataclass(frozen=True)
class Placed:
    """Where a note went: its deck slug, item id and note type (for its cards' ids)."""

    deck: str
    item: str
    note_type: NoteType

    def card_id(self, ord_: int) -> str:
        suffix = variant(self.note_type, ord_)
        return f"{self.deck}/{self.item}:{suffix}" if suffix else f"{self.deck}/{self.item}"


def read_apkg(path: Path, *, deck: str | None = None, limit: int | None = None) -> ImportBatch:
    """Decks, review history and warnings from a package; DeckError lists every problem.

    `deck` puts every note in that deck; `limit` (default MAX_UNPACKED) caps the unpacked
    collection's size."""
    name = str(path)
    check_slug(name, deck)
    if path.suffix.lower() not in SUFFIXES:
        raise DeckError([Problem(name, 0, "not an Anki package: expected .apkg or .colpkg, not "
                                 f"{path.suffix or 'no extension'}")])
    with unpacked_collection(path, MAX_UNPACKED if limit is None else limit) as db_path:
        clock = Deadline(READ_SECONDS)
        try:
            uri = f"file:{quote(str(db_path))}?mode=ro"
            with closing(sqlite3.connect(uri, uri=True)) as conn, gc_paused():
                bound(conn, name, clock, PROGRESS_OPS)
                return _Reader(conn, name, deck, path.stem).read()
        except sqlite3.Error as exc:
            if clock.timed_out:
                raise DeckError([Problem(name, 0, "the collection inside took more than "
                                         f"{READ_SECONDS:.0f} s to read; not an Anki "
                                         "collection loopdrill can import")]) from None
            raise DeckError([Problem(name, 0, "the collection inside is not a readable Anki "
                                     f"database ({clean(str(exc))[:200]})")]) from None
        except SHAPE_ERRORS as exc:
            raise DeckError([Problem(name, 0, "the collection inside is not in a shape "
                                     f"loopdrill knows ({type(exc).__name__}: "
                                     f"{clean(str(exc))[:200]})")]) from None


class _Reader:
    """Reads one opened collection into an ImportBatch."""

    def __init__(self, conn: sqlite3.Connection, name: str, deck: str | None, stem: str) -> None:
        self.conn, self.name, self.override, self.stem = conn, name, deck, stem
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.decks: dict[str, dict[str, Item]] = {}
        self.titles: dict[str, str] = {}
        self.slugs: dict[str, str] = {}  # deck name -> slug
        self.deck_presets: dict[str, int] = {}

    def read(self) -> ImportBatch:
        conn = self.conn
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"notes", "cards"} <= tables:
            raise DeckError([Problem(self.name, 0, "the collection has no notes or cards table; "
                                     "not an Anki collection")])
        modern = {"notetypes", "templates", "fields", "decks"} <= tables
        types = collection.note_types(conn, modern)
        deck_info = collection.decks(conn, modern)
        cards = anki_cards.read_cards(conn)
        by_note: dict[int, list[anki_cards.AnkiCard]] = {}
        for card in cards.values():
            by_note.setdefault(card.nid, []).append(card)
        placed = self._notes(types, deck_info, by_note)
        reviews = self._reviews(cards, placed) if "revlog" in tables else ()
        if self.problems:
            raise DeckError(self.problems)
        if not self.decks:
            raise DeckError([Problem(self.name, 0, "the package has no notes to import")])
        presets = collection.presets(conn, modern)
        by_deck = {did: anki_cards.DeckPreset(len(p.options.get("learning_steps", (1, 10))),
                                              len(p.options.get("relearning_steps", (10,))),
                                              p.parameters, p.historical_retention)
                   for did, deck in deck_info.items() if (p := presets.get(deck.preset))}
        states = anki_cards.states(conn, cards, placed, self.warnings, self.name, by_deck)
        specs = []
        for slug, items in self.decks.items():
            preset = presets.get(self.deck_presets.get(slug, 1)) if not self.override else None
            specs.append(DeckSpec(slug, self.titles[slug], tuple(items.values()),
                                  origin=self.name,
                                  options=self._options(preset) if preset else {},
                                  parameters=preset.parameters if preset else ()))
        return ImportBatch(tuple(specs), reviews, tuple(self.warnings), states)

    def _options(self, preset: collection.Preset) -> dict[str, object]:
        """The preset's options loopdrill can take; each other one is a warning."""
        out: dict[str, object] = {}
        for key, value in preset.options.items():
            try:
                parse_option(key, value)
            except OptionError as exc:
                self.warnings.append(Problem(self.name, 0, f"preset {preset.name!r}: {exc}; "
                                             "the default applies"))
                continue
            out[key] = value
        return out

    def _slug(self, title: str) -> str:
        """The slug of a deck name; two names that would share one get apart (-2, -3)."""
        slug = self.slugs.get(title)
        if slug is None:
            base = slug = slugify(title)
            taken = set(self.slugs.values())
            n = 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            if slug != base:
                self.warnings.append(Problem(self.name, 0, f"decks {title!r} and "
                                             f"{self.titles[base]!r} would share the id "
                                             f"{base!r}; {title!r} is {slug!r}"))
            self.slugs[title] = slug
        return slug

    def _notes(self, types: dict[int, NoteType], deck_info: dict[int, collection.Deck],
               by_note: dict[int, list[anki_cards.AnkiCard]]) -> dict[int, Placed]:
        placed: dict[int, Placed] = {}
        derived = 0
        skipped: dict[str, int] = {}
        data_column = "data" if "data" in {r[1] for r in self.conn.execute(
            "PRAGMA table_info(notes)")} else "''"
        odd = 0
        for nid, guid, mid, tags, flds, data, mod in self.conn.execute(
                f"SELECT id, guid, mid, tags, flds, {data_column}, mod FROM notes ORDER BY id"):
            note_type = types.get(mid)
            if note_type is None:
                note_type = NoteType(f"note type {mid}", (), (), False)
            note_cards = by_note.get(nid, [])
            if note_type.occlusion or not note_cards:
                why = (f"{note_type.name} (Image Occlusion: loopdrill cannot show the image "
                       "masks)" if note_type.occlusion else "without cards (Anki made none)")
                skipped[why] = skipped.get(why, 0) + 1
                continue
            values = _text(flds).split("\x1f")
            item_id = _text(guid).strip()
            if not item_id:
                item_id = derived_id(unbold(html_to_text(values[0])))  # as before bold
                derived += 1
            home = note_cards[0].home
            title = deck_info[home].name if home in deck_info else (
                "Default" if home == 1 else f"Deck {home}")
            own = read_note_data(_text(data))  # an item loopdrill wrote (formats.apkg_write)
            if isinstance(own, str):
                odd += 1
            own = own if isinstance(own, tuple) else None
            slug = self.override or (own[0] if own else self._slug(title))
            item_id = own[1].id if own else item_id
            items = self.decks.setdefault(slug, {})
            self.titles.setdefault(slug, title)
            if home in deck_info:
                self.deck_presets.setdefault(slug, deck_info[home].preset)
            note_tags = tuple(dict.fromkeys(_text(tags).split()))
            if item_id in items:
                self.warnings.append(Problem(self.name, 0, "a second note with the same guid; "
                                             "the later one is kept", f"note {nid}"))
            items[item_id] = own[1]._replace(tags=note_tags) if own else note_item(
                item_id, note_type, values, (c.ord for c in note_cards), note_tags, title,
                mod if isinstance(mod, int) else 0)
            placed[nid] = Placed(slug, item_id, note_type)
        if odd:
            self.warnings.append(Problem(self.name, 0, f"{odd:,} note(s) with loopdrill data "
                                         "it cannot read came in as Anki notes"))
        for why, count in skipped.items():
            self.warnings.append(Problem(self.name, 0, f"{count:,} note(s) of {why} skipped"))
        if derived:
            self.warnings.append(derived_warning(self.name, derived))
        return placed

    def _reviews(self, cards: dict[int, anki_cards.AnkiCard],
                 placed: dict[int, Placed]) -> tuple[ReviewRecord, ...]:
        out: list[ReviewRecord] = []
        orphans = 0
        for rid, cid, ease, ms, kind in self.conn.execute(
                "SELECT id, cid, ease, time, type FROM revlog ORDER BY id"):
            if ease not in (1, 2, 3, 4) or kind not in (0, 1, 2, 3):
                continue  # manual reschedules and resets: the card's own row has their effect
            card = cards.get(cid)
            where = placed.get(card.nid) if card else None
            if card is None or where is None:
                orphans += 1
                continue
            try:
                when = EPOCH + dt.timedelta(milliseconds=int(rid))
            except (OverflowError, TypeError, ValueError):
                orphans += 1
                continue
            if not EARLIEST <= when < LATEST:
                orphans += 1
                continue
            duration = min(ms, MAX_DURATION_MS) if isinstance(ms, int) and ms > 0 else 0
            out.append(ReviewRecord(where.card_id(card.ord), when, Rating(ease), duration,
                                    kind == 3))
        if orphans:
            self.warnings.append(Problem(self.name, 0, f"{orphans:,} review(s) skipped: their card "
                                         "or note is not in the package or not imported, or "
                                         "their time is impossible"))
        return tuple(out)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)
