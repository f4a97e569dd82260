"""A whole collection built by Anki 26.9.3 imports with every note, and each card's schedule
equals Anki's: state, due day, FSRS memory state, suspended, buried and flag."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections import Counter
from pathlib import Path

from sqlite_utils import Database

from loopdrill.core.timeutil import study_day
from loopdrill.formats.anki_media import extract_media
from loopdrill.formats.apkg import read_apkg
from loopdrill.services.imports import read_files, run_import
from tests.anki.conftest import ANKI_NOW, EXPECTED, FIXTURES, variant

SKIPPED = {"Image Occlusion"}


def test_every_note_type_arrives() -> None:
    batch = read_apkg(FIXTURES / "full.apkg")
    counts = Counter(item.fields["notetype"] for d in batch.decks for item in d.items)
    want = {k: v for k, v in EXPECTED["notetypes"].items() if k not in SKIPPED}
    assert counts == want
    assert [w.message for w in batch.warnings] == [
        "1 note(s) of Image Occlusion (Image Occlusion: loopdrill cannot show the image "
        "masks) skipped"]


def test_colpkg_and_apkg_give_the_same_notes() -> None:
    one, two = read_apkg(FIXTURES / "full.apkg"), read_apkg(FIXTURES / "full.colpkg")
    assert [d.items for d in one.decks] == [d.items for d in two.decks]
    assert one.states == two.states


def test_presets_bring_their_options_and_parameters() -> None:
    batch = read_apkg(FIXTURES / "full.apkg")
    decks = {d.title: d for d in batch.decks}
    verbs, geo = decks["Languages::Spanish::Verbs"], decks["Geography"]
    assert verbs.options["desired_retention"] == 0.87
    assert verbs.options["learning_steps"] == [2.0, 15.0, 60.0]
    assert verbs.options["new_per_day"] == 8 and verbs.options["leech_action"] == "tag"
    assert geo.options["desired_retention"] == 0.9 and geo.options["leech_threshold"] == 3
    assert len(verbs.parameters) == 21 and verbs.parameters[0] == 0.3
    assert geo.parameters[0] == 0.212


def test_each_card_state_equals_ankis(imported: Database) -> None:
    rows = {(item, var): rest for item, var, *rest in imported.conn.execute(
        "SELECT item, variant, state, due, stability, difficulty, suspended, buried_until, "
        "flag, reps, lapses FROM cards WHERE deck IN (SELECT slug FROM decks WHERE builtin = 0)")}
    today = study_day(ANKI_NOW, 4)
    compared = 0
    for card in EXPECTED["cards"]:
        if card["notetype"] in SKIPPED:
            continue
        state, due, s, d, suspended, buried, flag, reps, lapses = rows[(card["guid"],
                                                                        variant(card))]
        assert state == card["type"], card
        assert bool(suspended) == (card["queue"] == -1), card
        assert (buried is not None) == (card["queue"] in (-2, -3)), card
        assert flag == card["flag"] and reps == card["reps"] and lapses == card["lapses"]
        if card["type"] == 2:
            day = study_day(dt.datetime.fromisoformat(due), 4)
            assert (day - today).days == card["due_day"], card
            assert s == card["s"] and d == card["d"], card
        if card["type"] == 0:
            assert s is None and due is None
        compared += 1
    assert compared == len(EXPECTED["cards"]) - 1


def test_tomorrows_due_cards_are_ankis(imported: Database) -> None:
    tomorrow_end = study_day(ANKI_NOW, 4) + dt.timedelta(days=1)
    ours = {(item, var) for item, var, due in imported.conn.execute(
        "SELECT item, variant, due FROM cards WHERE state = 2 AND suspended = 0 AND deck IN "
        "(SELECT slug FROM decks WHERE builtin = 0)")
        if study_day(dt.datetime.fromisoformat(due), 4) <= tomorrow_end}
    anki = {(c["guid"], variant(c)) for c in EXPECTED["cards"]
            if c["type"] == 2 and c["queue"] != -1 and c["due_day"] <= 1}
    assert ours == anki and anki


def test_deck_parameters_are_stored(imported: Database) -> None:
    stored = dict(imported.conn.execute("SELECT key, value FROM meta WHERE key LIKE "
                                        "'parameters:%'").fetchall())
    assert json.loads(stored["parameters:geography"])[0] == 0.212
    assert json.loads(stored["parameters:languages::spanish::verbs"])[0] == 0.3


def test_media_go_beside_the_database(tmp_path: Path) -> None:
    from loopdrill.store.db import open_db

    db = open_db(tmp_path / "x.db")
    result = run_import(db, read_files([FIXTURES / "full.apkg"]), ANKI_NOW)
    media = tmp_path / "media"
    assert sorted(p.name for p in media.iterdir()) == ["atom.png", "hola.mp3"]
    assert (media / "hola.mp3").read_bytes() == b"ID3fake-mp3"
    assert any("2 media file(s) copied" in w.message for w in result.warnings)
    db.conn.close()


def test_unsafe_media_names_are_not_written(tmp_path: Path) -> None:
    package = tmp_path / "legacy.apkg"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("media", json.dumps({"0": "ok.png", "1": "../evil.png",
                                              "2": ".hidden", "3": "missing.png"}))
        for member in ("0", "1", "2"):
            archive.writestr(member, b"data")
    assert extract_media(package, tmp_path / "media") == (1, 3)
    assert [p.name for p in (tmp_path / "media").iterdir()] == ["ok.png"]
    assert not (tmp_path / "evil.png").exists()


def test_lists_keep_their_marks() -> None:
    batch = read_apkg(FIXTURES / "full.apkg")
    backs = [c.get("back", c.get("extra")) for d in batch.decks for i in d.items
             for c in i.fields["cards"]]
    assert "1. Pacific\n2. Atlantic\n3. Indian" in backs and "• and neutrons" in backs


def test_a_legacy_package_gives_the_same_notes_and_schedule() -> None:
    modern, legacy = read_apkg(FIXTURES / "full.apkg"), read_apkg(FIXTURES / "legacy.apkg")
    assert {d.slug: d.items for d in modern.decks} == {d.slug: d.items for d in legacy.decks}
    assert modern.states == legacy.states
    assert {d.slug: (d.options, d.parameters) for d in modern.decks} == {
        d.slug: (d.options, d.parameters) for d in legacy.decks}
