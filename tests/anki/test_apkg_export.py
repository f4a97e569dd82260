""".apkg export: Anki -> loopdrill -> .apkg keeps every note's note type and raw fields (as
Anki's own text export of the source lists them), the package is Anki's schema 11, and
loopdrill -> .apkg -> loopdrill gives back the same items, schedules and reviews. What real
Anki made of such a package is checked by tests/fixtures/anki/check_export.py (by hand, with
Anki's library); its findings are committed in export_check.json and compared here."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import json
import sqlite3
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from loopdrill.core.model import DeckSpec, Item
from loopdrill.core.options import Options
from loopdrill.core.timeutil import study_day
from loopdrill.formats.anki_media import extract_media
from loopdrill.formats.apkg import read_apkg
from loopdrill.formats.apkg_write import Package, PackageDeck, write_apkg
from loopdrill.services.export import load_decks
from loopdrill.services.export_apkg import export_apkg
from loopdrill.services.imports import read_files, run_import
from loopdrill.store.db import open_db
from tests.anki.conftest import ANKI_NOW, EXPECTED, FIXTURES

SKIPPED = "Image Occlusion"


def collection(package: Path, tmp_path: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist())[-2:] == ["collection.anki2", "media"]
        archive.extract("collection.anki2", tmp_path)
    return sqlite3.connect(tmp_path / "collection.anki2")


@pytest.fixture
def exported(imported: Database, tmp_path: Path) -> Path:
    out, media = tmp_path / "out.apkg", tmp_path / "media"
    extract_media(FIXTURES / "full.apkg", media)  # as the import puts them beside a db file
    assert len(load_decks(imported)) == 5  # the collection's decks only
    done = export_apkg(imported, out, ANKI_NOW, history=True, media=media)
    assert (done.notes, done.cards, done.reviews) == (29, 49, 357)
    return out


def test_every_note_keeps_its_type_and_raw_fields(exported: Path, tmp_path: Path) -> None:
    """Each note of Anki's plain-text export of the source is in the package with its guid,
    note type, deck and every field unchanged (the IO note is not imported, so not exported)."""
    rows = [r for r in csv.reader((FIXTURES / "notes.txt").open(encoding="utf-8"),
                                  delimiter="\t") if r and not r[0].startswith("#")]
    conn = collection(exported, tmp_path)
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    decks = {int(k): d["name"] for k, d in json.loads(
        conn.execute("SELECT decks FROM col").fetchone()[0]).items()}
    notes = {guid: (models[str(mid)]["name"], flds.split("\x1f"), tags.split())
             for guid, mid, flds, tags in conn.execute("SELECT guid, mid, flds, tags FROM notes")}
    home = dict(conn.execute("SELECT n.guid, c.did FROM cards c JOIN notes n ON n.id = c.nid"))
    want = [r for r in rows if r[1] != SKIPPED]
    assert len(want) == 29 and len(notes) == 29
    homes = {c["guid"]: c["deck"] for c in EXPECTED["cards"]}  # a filtered card's home deck
    for guid, notetype, _, *fields, tags in want:
        name, values, their_tags = notes[guid]
        assert (name, decks[home[guid]], their_tags) == (notetype, homes[guid], tags.split())
        assert values + [""] * (len(fields) - len(values)) == fields, guid


def test_note_types_keep_their_templates(exported: Path) -> None:
    source, back = read_apkg(FIXTURES / "full.apkg"), read_apkg(exported)
    theirs = {d.slug: d for d in back.decks}
    assert sorted(theirs) == sorted(d.slug for d in source.decks)
    for one in source.decks:
        two = theirs[one.slug]
        assert (two.title, two.items) == (one.title, one.items)  # note types, fields, cards
        assert (two.options, two.parameters) == (one.options, one.parameters)


def test_the_schedule_and_reviews_come_back(imported: Database, exported: Path) -> None:
    fresh = open_db(":memory:")
    run_import(fresh, read_files([exported]), ANKI_NOW)
    assert _states(fresh) == _states(imported)
    assert _reviews(fresh) == _reviews(imported)
    studied = sum(1 for c in EXPECTED["cards"] if c["type"] != 0 and c["notetype"] != SKIPPED)
    assert sum(1 for s in _states(fresh).values() if s[0] != 0) == studied


def test_the_package_is_ankis_schema_11(exported: Path, tmp_path: Path) -> None:
    """Every table and column of Anki's schema11.sql (rslib/src/storage), in its order."""
    ours = collection(exported, tmp_path)
    theirs = sqlite3.connect(":memory:")
    theirs.executescript((FIXTURES / "schema11.sql").read_text())

    def layout(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name")]
        return {n: conn.execute(f"PRAGMA table_info({n})").fetchall()
                + conn.execute(f"PRAGMA index_info({n})").fetchall() for n in names}

    assert layout(ours) == layout(theirs)
    (ver,) = ours.execute("SELECT ver FROM col").fetchone()
    assert ver == 11


def test_what_anki_saw_matches(exported: Path, tmp_path: Path) -> None:
    """export_check.json is check_export.py's summary of this very export imported into Anki
    26.9.3: every figure equal. The package written now has the notes per type Anki counted."""
    seen = json.loads((FIXTURES / "export_check.json").read_text("utf-8"))
    assert seen["problems"] == []
    assert seen["cards"] == seen["cards_in_anki"] == seen["state_equal"] == 49
    assert seen["due_equal"] == seen["due_total"] == seen["memory_within"] == seen[
        "memory_total"] == 49
    assert seen["round_trip"] == {"notes": 29, "fields_equal": 29, "notetype_equal": 29,
                                  "templates_equal": 29}
    assert seen["import_log"] == {"new": 29, "updated": 0, "duplicate": 0, "conflicting": 0}
    # into the collection the notes came from: all up to date (same note types and times)
    assert seen["into_source_collection"] == {"new": 0, "updated": 0, "duplicate": 29,
                                              "conflicting": 0}
    assert seen["anki_revlog"] == seen["loopdrill_revlog"] == 357
    assert seen["anki_media"] == ["atom.png", "hola.mp3"]
    conn = collection(exported, tmp_path)
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    counts = Counter(models[str(mid)]["name"] for (mid,) in conn.execute("SELECT mid FROM notes"))
    assert counts == {k: v["anki_notes"] for k, v in seen["notetypes"].items()}
    assert conn.execute("SELECT count() FROM revlog").fetchone()[0] == seen["anki_revlog"]
    with zipfile.ZipFile(exported) as archive:
        assert sorted(json.loads(archive.read("media")).values()) == seen["anki_media"]


def test_unchanged_notes_keep_ankis_time(exported: Path, tmp_path: Path) -> None:
    """A note whose fields are those Anki had goes back with Anki's modification time, so
    Anki finds it up to date and keeps any edit made there since; an edited one gets now."""
    with zipfile.ZipFile(FIXTURES / "legacy.apkg") as archive:
        archive.extract("collection.anki21", tmp_path)
    source = sqlite3.connect(tmp_path / "collection.anki21")
    times = dict(source.execute("SELECT guid, mod FROM notes"))
    ours = dict(collection(exported, tmp_path).execute("SELECT guid, mod FROM notes"))
    assert len(ours) == 29 and all(ours[g] == times[g] for g in ours)
    deck = read_apkg(exported).decks[0]
    note = deck.items[0]
    edited = note._replace(fields={**note.fields, "fields": {
        k: v + " (edited)" for k, v in note.fields["fields"].items()}})
    spec = dataclasses.replace(deck, items=(edited, *deck.items[1:]))
    out = tmp_path / "edited.apkg"
    write_apkg(Package([PackageDeck(spec, Options())], {}, ANKI_NOW, 4), out)
    again = dict(collection(out, tmp_path / "x").execute("SELECT guid, mod FROM notes"))
    assert again[note.id] == int(ANKI_NOW.timestamp())
    assert again[deck.items[1].id] == times[deck.items[1].id]


def _states(db: Database) -> dict[str, tuple[Any, ...]]:
    out = {}
    for row in db.conn.execute(
            "SELECT id, state, step, stability, difficulty, due, reps, lapses, suspended, "
            "buried_until, flag FROM cards WHERE deck NOT IN (SELECT slug FROM decks WHERE "
            "builtin = 1)"):
        cid, state, step, s, d, due, *rest = row
        day = study_day(dt.datetime.fromisoformat(due), 4) if due else None
        out[cid] = (state, step, round(s, 3) if s else s, round(d, 2) if d else d, day, *rest)
    return out


def _reviews(db: Database) -> list[tuple[Any, ...]]:
    return db.conn.execute("SELECT c.id, r.at, r.rating, r.ms, r.cram FROM revlog r JOIN "
                           "cards c ON c.num = r.card ORDER BY c.id, r.at").fetchall()


def test_a_deck_named_default_is_ankis_default(tmp_path: Path) -> None:
    """One deck per name: loopdrill's `Default` deck is Anki's deck 1, not a second one."""
    item = Item("q", "basic", {"front": "f", "back": "b"})
    out = tmp_path / "d.apkg"
    write_apkg(Package([PackageDeck(DeckSpec("default", "Default", (item,)), Options())], {},
                       ANKI_NOW, 4), out)
    conn = collection(out, tmp_path)
    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    assert [d["name"] for d in decks.values()] == ["Default"]
    assert conn.execute("SELECT did FROM cards").fetchall() == [(1,)]
    assert read_apkg(out).decks[0].items == (item,)


def test_media_named_with_spaces_or_spaced_src_go_in(tmp_path: Path) -> None:
    """The media a note names are found as the drill names them (formats.html_text): a
    quoted `src` with a space, `src = ...`, `[sound:...]`; files nothing names stay out."""
    deck = read_apkg(FIXTURES / "legacy.apkg").decks[0]
    note = deck.items[0]
    names = list(note.fields["fields"])
    values = ['<img src="my pic.png"> and <IMG alt="" SRC = \'b.png\'>', "[sound:a b.mp3]"]
    edited = note._replace(fields={**note.fields, "fields": dict(zip(names, values + [""] * (
        len(names) - 2), strict=True))})
    media = tmp_path / "media"
    media.mkdir()
    for name in ("my pic.png", "b.png", "a b.mp3", "unused.png"):
        (media / name).write_bytes(b"x")
    out = tmp_path / "m.apkg"
    spec = dataclasses.replace(deck, items=(edited,))
    done = write_apkg(Package([PackageDeck(spec, Options())], {}, ANKI_NOW, 4, media=media), out)
    with zipfile.ZipFile(out) as archive:
        assert sorted(json.loads(archive.read("media")).values()) == [
            "a b.mp3", "b.png", "my pic.png"]
    assert done.media == 3


def test_sort_field_and_checksum_have_no_bold_marks(tmp_path: Path) -> None:
    """Anki's `sfld` and `csum` are of a field's plain text: `<b>Hola</b> mundo` sorts and
    sums as `Hola mundo`, not as html_to_text's `**Hola** mundo`."""
    deck = read_apkg(FIXTURES / "legacy.apkg").decks[0]
    note = deck.items[0]
    names = list(note.fields["fields"])
    edited = note._replace(fields={**note.fields, "fields": {
        name: "<b>Hola</b> mundo" if n == 0 else "x" for n, name in enumerate(names)}})
    out = tmp_path / "b.apkg"
    write_apkg(Package([PackageDeck(dataclasses.replace(deck, items=(edited,)), Options())],
                       {}, ANKI_NOW, 4), out)
    sfld, csum = collection(out, tmp_path).execute("SELECT sfld, csum FROM notes").fetchone()
    assert (sfld, csum) == ("Hola mundo", int(hashlib.sha1(b"Hola mundo").hexdigest()[:8], 16))


def test_a_loopdrill_item_s_media_go_to_anki_as_anki_names_them(tmp_path: Path) -> None:
    """An item of ours names its media as the drill does (`[image: my pic.png]`, `[sound:
    a&b.mp3]`: an Anki text file's `<img>` and `[sound:]` are read so): its Anki fields name
    them as Anki does, and the package holds the files. Before, Anki showed the words
    `[image: my pic.png]`, got no such file, and looked for the sound ` a&b.mp3`."""
    item = Item("p", "basic", {"front": "What is [image: my pic.png]?",
                               "back": "x [sound: a&b.mp3] <b>"})
    media = tmp_path / "media"
    media.mkdir()
    for name in ("my pic.png", "a&b.mp3"):
        (media / name).write_bytes(b"x")
    out = tmp_path / "p.apkg"
    done = write_apkg(Package([PackageDeck(DeckSpec("pics", "Pics", (item,)), Options())], {},
                              ANKI_NOW, 4, media=media), out)
    (fields,) = collection(out, tmp_path).execute("SELECT flds FROM notes").fetchone()
    assert fields.split("\x1f") == ['What is <img src="my pic.png">?',
                                    "x [sound:a&amp;b.mp3] &lt;b&gt;"]
    with zipfile.ZipFile(out) as archive:
        assert sorted(json.loads(archive.read("media")).values()) == ["a&b.mp3", "my pic.png"]
    assert done.media == 2
