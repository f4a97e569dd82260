"""Decks out as an Anki package (.apkg) that every Anki since 2.1 imports: a zip of a legacy
schema-11 `collection.anki2` (Anki's own rslib/src/storage/schema11.sql, note types, decks
and presets as JSON in `col`), the `media` map and the media files.

- Notes that came from Anki (kind `anki`) go back with their guid, note type (fields,
  templates, css, its Anki id) and raw fields, so Anki -> loopdrill -> .apkg -> Anki keeps
  every note as it was.
- loopdrill's own kinds become notes of Anki's stock types: basic as Basic (or Basic (and
  reversed card)), cloze as Cloze, numeric and text as Basic (type in the answer), choice
  with its options on the front and calc as one drawn instance (as the TSV export renders
  them). Each such note carries its loopdrill item in the note's `data` (which Anki does not
  use), so `loopdrill import` of the package gives back the same item.
- Decks keep their tree (`A::B::C`); each deck gets a preset with its options and FSRS
  parameters.
- Cards keep their schedule: due day, FSRS memory state (`s`, `d`, `dr`, `decay`, `lrt` in
  the card's `data`, as Anki stores it), learning steps, suspended, buried and flag; with
  history the review log comes too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import sqlite3
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loopdrill.core.cards import NOTE, expand
from loopdrill.core.model import CardSpec, DeckSpec, Item
from loopdrill.core.options import Options
from loopdrill.core.text import unbold
from loopdrill.core.timeutil import day_start
from loopdrill.formats import anki_model as am
from loopdrill.formats import apkg_rows as rows
from loopdrill.formats.anki_media import safe_name
from loopdrill.formats.anki_notes import fields_digest
from loopdrill.formats.export import anki_deck_names, anki_guid, anki_note_fields
from loopdrill.formats.html_text import html_to_text, media_names
from loopdrill.processes import scratch_dir

SCHEMA = """
CREATE TABLE col (id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL,
  scm integer NOT NULL, ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL,
  ls integer NOT NULL, conf text NOT NULL, models text NOT NULL, decks text NOT NULL,
  dconf text NOT NULL, tags text NOT NULL);
CREATE TABLE notes (id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL,
  mod integer NOT NULL, usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL,
  sfld integer NOT NULL, csum integer NOT NULL, flags integer NOT NULL, data text NOT NULL);
CREATE TABLE cards (id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL,
  ord integer NOT NULL, mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL,
  queue integer NOT NULL, due integer NOT NULL, ivl integer NOT NULL, factor integer NOT NULL,
  reps integer NOT NULL, lapses integer NOT NULL, left integer NOT NULL, odue integer NOT NULL,
  odid integer NOT NULL, flags integer NOT NULL, data text NOT NULL);
CREATE TABLE revlog (id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL,
  ease integer NOT NULL, ivl integer NOT NULL, lastIvl integer NOT NULL,
  factor integer NOT NULL, time integer NOT NULL, type integer NOT NULL);
CREATE TABLE graves (usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL);
CREATE INDEX ix_notes_usn ON notes (usn);
CREATE INDEX ix_cards_usn ON cards (usn);
CREATE INDEX ix_revlog_usn ON revlog (usn);
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_cards_sched ON cards (did, queue, due);
CREATE INDEX ix_revlog_cid ON revlog (cid);
CREATE INDEX ix_notes_csum ON notes (csum);
"""


@dataclass
class PackageDeck:
    spec: DeckSpec
    options: Options
    parameters: Sequence[float] = ()


@dataclass
class Package:
    """What goes into one .apkg: decks with their options, card states by card id (store
    columns), reviews (store.exported.review_stream, none without history) and the media
    folder."""

    decks: list[PackageDeck]
    states: Mapping[str, Mapping[str, Any]]
    now: dt.datetime
    rollover: int
    reviews: Iterable[tuple[Any, ...]] = ()
    media: Path | None = None


@dataclass
class Written:
    notes: int = 0
    cards: int = 0
    reviews: int = 0
    media: int = 0


def write_apkg(pkg: Package, target: Path) -> Written:
    """Write the package to `target` (OSError when it cannot be written): whole or not at
    all, since it is written beside it under another name and then renamed."""
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    with scratch_dir("loopdrill-apkg-out-") as tmp:
        db_path = tmp / "collection.anki2"
        with closing(sqlite3.connect(db_path)) as conn:
            writer = _Writer(conn, pkg)
            done = writer.write()
            conn.commit()
        try:
            with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(db_path, "collection.anki2")
                names = {}
                for n, name in enumerate(sorted(writer.media)):
                    archive.write(writer.media[name], str(n))
                    names[str(n)] = name
                archive.writestr("media", json.dumps(names))
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
        done.media = len(names)
    return done


def _ord(variant: str) -> int:
    if variant == "r":
        return 1
    if variant[:1] in ("c", "t") and variant[1:].isdigit():
        return max(0, int(variant[1:]) - 1)
    return 0


class _Writer:
    def __init__(self, conn: sqlite3.Connection, pkg: Package) -> None:
        self.conn, self.pkg = conn, pkg
        self.mod = int(pkg.now.timestamp())
        self.models: dict[tuple[Any, ...], tuple[int, am.Model]] = {}
        self.note_ids, self.card_ids = rows.Ids(), rows.Ids()
        self.media: dict[str, Path] = {}
        self.clock = rows.Clock(pkg.now, pkg.rollover, rows.first_day(
            pkg.states, pkg.now, pkg.rollover))

    def write(self) -> Written:
        conn, pkg = self.conn, self.pkg
        conn.executescript(SCHEMA)
        decks = {1: am.deck_json(1, "Default", 1, self.mod)}
        dconf = {1: am.dconf_json(1, "Default", Options(rollover_hour=pkg.rollover), (),
                                  self.mod)}
        done = Written()
        by_card: dict[str, int] = {}
        current: dict[str, int] = {}
        names = self._deck_names()
        for deck in pkg.decks:
            name = names[deck.spec.slug]
            did = 1 if name == "Default" else am.derived_id(f"deck:{name}")  # Anki's own
            conf = am.dconf_json(am.derived_id(f"preset:{name}"), name, deck.options,
                                 deck.parameters, self.mod)
            dconf[conf["id"]] = conf
            decks[did] = am.deck_json(did, name, conf["id"], self.mod, deck.spec.description)
            schedule = rows.Schedule(
                len(deck.options.learning_steps), len(deck.options.relearning_steps),
                deck.options.desired_retention,
                float(deck.parameters[20]) if len(deck.parameters) == 21 else
                rows.DEFAULT_DECAY)
            for position, item in enumerate(deck.spec.items):
                cards = list(expand(item, deck.spec.slug, position))
                if not cards:
                    continue
                nid = self._note(item, deck.spec.slug, cards)
                done.notes += 1
                for card in cards:
                    state = pkg.states.get(card.id)
                    cid = self.card_ids.take(rows.added_ms(state, pkg.now))
                    row = rows.card_row(cid, nid, did, _ord(card.variant), position + 1, state,
                                        self.clock, schedule)
                    conn.execute(f"INSERT INTO cards VALUES ({','.join('?' * 18)})", row)
                    by_card[card.id] = cid
                    current[card.id] = row.interval(self.mod)
                    done.cards += 1
        for parent in {n.rsplit("::", 1)[0] for n in names.values() if "::" in n}:
            while parent:  # a deck tree's parents are decks too
                did = am.derived_id(f"deck:{parent}")
                decks.setdefault(did, am.deck_json(did, parent, 1, self.mod))
                parent = parent.rsplit("::", 1)[0] if "::" in parent else ""
        conn.executemany(f"INSERT INTO revlog VALUES ({','.join('?' * 9)})",
                         rows.revlog_rows(pkg.reviews, by_card, current))
        done.reviews = conn.execute("SELECT count() FROM revlog").fetchone()[0]
        models = {str(mid): am.model_json(model, mid, self.mod)
                  for mid, model in self.models.values()}
        first_model = next(iter(self.models.values()), (am.derived_id("Basic"), am.BASIC))[0]
        crt = day_start(self.clock.first_day, pkg.rollover)
        offset = -int((crt.astimezone().utcoffset() or dt.timedelta()).total_seconds() // 60)
        conf = am.conf_json(pkg.rollover, offset, 1, first_model)
        conn.execute("INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')", (
            int(crt.timestamp()), self.mod * 1000, self.mod * 1000, json.dumps(conf),
            json.dumps(models), json.dumps({str(k): v for k, v in decks.items()}),
            json.dumps({str(k): v for k, v in dconf.items()})))
        return done

    def _deck_names(self) -> dict[str, str]:
        """Each deck's Anki name, as the TSV export names it (a title path `A::B` keeps its
        tree); a name two decks would share gets the slug after it, so none merge."""
        names = anki_deck_names([d.spec for d in self.pkg.decks])
        taken = list(names.values())
        return {slug: name if taken.count(name) == 1 else f"{name} ({slug})"
                for slug, name in names.items()}

    def _model_id(self, model: am.Model) -> int:
        known = self.models.get(model.key())
        if known is None:
            taken = {mid for mid, _ in self.models.values()}
            mid = model.id if model.id > 1 and model.id not in taken else \
                am.derived_id("model:" + json.dumps(model.key()))
            known = self.models[model.key()] = (mid, model)
        return known[0]

    def _note(self, item: Item, slug: str, cards: list[CardSpec]) -> int:
        data = ""
        if item.kind == NOTE:
            note = item.fields
            model = am.note_model(note, max(_ord(c.variant) for c in cards) + 1)
            values = dict(note.get("fields", {}))
            fields = [str(values.get(name, "")) for name in model.fields]
        else:
            model, fields = self._native(item)
            data = rows.note_data(item, slug)
        guid = anki_guid(item, slug)
        mid = self._model_id(model)
        nid = self.note_ids.take(min(rows.added_ms(self.pkg.states.get(c.id), self.pkg.now)
                                     for c in cards))  # when its first card was added
        # Anki's sort field and checksum are of the fields' text without markup: no bold marks
        sort = unbold(html_to_text(fields[model.sortf] if model.sortf < len(fields) else ""))
        csum = int(hashlib.sha1(unbold(html_to_text(fields[0])).encode()).hexdigest()[:8], 16)
        fields = [f.replace("\x1f", " ") for f in fields]  # Anki's field separator
        tags = " ".join(t.replace(" ", "_") for t in item.tags)
        self.conn.execute("INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, ?)", (
            nid, guid, mid, self._note_mod(item, fields), f" {tags} " if tags else "",
            "\x1f".join(fields), sort, csum, data))
        self._media(fields)
        return nid

    def _note_mod(self, item: Item, fields: list[str]) -> int:
        """Anki's time of the note when its fields are still those Anki had (so Anki sees
        nothing newer and keeps an edit made there since), else now."""
        mod = item.fields.get("mod") if item.kind == NOTE else None
        if isinstance(mod, list) and len(mod) == 2 and isinstance(mod[0], int) \
                and mod[1] == fields_digest(fields):
            return mod[0]
        return self.mod

    def _native(self, item: Item) -> tuple[am.Model, list[str]]:
        """Anki's stock note type and the fields the TSV export gives an item; numeric and
        text answers are typed in Anki too (a text card's first accepted answer)."""
        notetype, fields = anki_note_fields(item)
        if item.kind in ("numeric", "text"):
            answer = item.fields.get("answer")
            if item.kind == "text" and isinstance(answer, list) and answer:
                fields[1] = html.escape(str(answer[0]), quote=False)
            return am.TYPED, fields
        return am.STOCK[notetype], fields

    def _media(self, fields: list[str]) -> None:
        folder = self.pkg.media
        if folder is None:
            return
        named = (html_to_text(f) for f in fields if "[sound:" in f or "<img" in f.lower())
        for name in media_names(named):  # as the drill names them (`<img src="a b.png">`)
            path = folder / name
            if safe_name(name) and name not in self.media and path.is_file():
                self.media[name] = path
