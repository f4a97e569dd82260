"""Anki packages built by the test: legacy and zstd collections, revlog, and bad packages."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
import zstandard
from click.testing import CliRunner

from loopdrill.cli import cli
from loopdrill.core.model import DeckError
from loopdrill.formats.ankipackage import read_apkg

DAY_MS = 86_400_000
T0 = 1_767_258_000_000  # 2026-01-01T09:00:00Z in ms


def legacy_collection(path: Path, *, extra_model: bool = False) -> None:
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE col (id INTEGER PRIMARY KEY, models TEXT, decks TEXT);
        CREATE TABLE notes (id INTEGER PRIMARY KEY, guid TEXT, mid INTEGER, mod INTEGER,
                            usn INTEGER, tags TEXT, flds TEXT, sfld TEXT, csum INTEGER,
                            flags INTEGER, data TEXT);
        CREATE TABLE cards (id INTEGER PRIMARY KEY, nid INTEGER, did INTEGER, ord INTEGER);
        CREATE TABLE revlog (id INTEGER PRIMARY KEY, cid INTEGER, usn INTEGER, ease INTEGER,
                             ivl INTEGER, lastIvl INTEGER, factor INTEGER, time INTEGER,
                             type INTEGER);
    """)
    models = {"1": {"name": "Basic", "type": 0, "tmpls": [{}]},
              "2": {"name": "Basic (and reversed card)", "type": 0, "tmpls": [{}, {}]},
              "3": {"name": "Cloze", "type": 1, "tmpls": [{}]}}
    if extra_model:
        models["4"] = {"name": "Image Occlusion Enhanced", "type": 0, "tmpls": [{}, {}, {}]}
    decks = {"1": {"name": "Default"}, "10": {"name": "Anki::Prices"}}
    conn.execute("INSERT INTO col VALUES (1, ?, ?)", (json.dumps(models), json.dumps(decks)))
    notes = [(100, "g/A1", 1, "aws pricing", "S3 <b>Standard</b><br>per GB?\x1f$0.023"),
             (101, "g:B2", 2, "aws", "SQS max message\x1f1 MiB <img src=\"q.png\">"),
             (102, "gC3", 3, "slo", "{{c1::99.9%}} over {{c2::28 days}}\x1f[sound:x.mp3]")]
    if extra_model:
        notes.append((103, "gD4", 4, "", "a\x1fb\x1fc"))
    for nid, guid, mid, tags, flds in notes:
        conn.execute("INSERT INTO notes VALUES (?, ?, ?, 0, 0, ?, ?, '', 0, 0, '')",
                     (nid, guid, mid, tags, flds))
    cards = [(1000, 100, 10, 0), (1001, 101, 10, 0), (1002, 101, 10, 1), (1003, 102, 10, 0),
             (1004, 102, 10, 1)]
    conn.executemany("INSERT INTO cards VALUES (?, ?, ?, ?)", cards)
    revlog = [(T0, 1000, 3, 0, 5000), (T0 + 2 * DAY_MS, 1000, 1, 1, 7000),
              (T0 + 3 * DAY_MS, 1000, 3, 2, 4000), (T0 + 4 * DAY_MS, 1002, 4, 0, 3000),
              (T0 + 5 * DAY_MS, 1004, 3, 3, 2000), (T0 + 6 * DAY_MS, 1004, 0, 4, 0)]
    conn.executemany("INSERT INTO revlog VALUES (?, ?, 0, ?, 0, 0, 0, ?, ?)",
                     [(i, c, e, ms, k) for i, c, e, k, ms in revlog])
    conn.commit()
    conn.close()


def package(tmp_path: Path, *, zstd: bool = False, extra_model: bool = False) -> Path:
    collection = tmp_path / "collection.anki2"
    collection.unlink(missing_ok=True)
    legacy_collection(collection, extra_model=extra_model)
    apkg = tmp_path / "deck.apkg"
    with zipfile.ZipFile(apkg, "w") as archive:
        if zstd:
            data = zstandard.ZstdCompressor().compress(collection.read_bytes())
            archive.writestr("collection.anki21b", data)
        else:
            archive.write(collection, "collection.anki2")
        archive.writestr("media", "{}")
    return apkg


@pytest.mark.parametrize("zstd", [False, True])
def test_notes_decks_tags_media_and_revlog(tmp_path: Path, zstd: bool) -> None:
    decks, reviews, _ = read_apkg(package(tmp_path, zstd=zstd))
    assert [d.slug for d in decks] == ["anki-prices"] and decks[0].title == "Anki::Prices"
    basic, reversed_, cloze = decks[0].items
    assert basic.id == "g/A1" and basic.fields == {"front": "S3 Standard\nper GB?",
                                                   "back": "$0.023"}
    assert basic.tags == ("aws", "pricing")
    assert reversed_.fields["reversible"] is True and "[image: q.png]" in reversed_.fields["back"]
    assert cloze.kind == "cloze" and cloze.fields["extra"] == "[sound: x.mp3]"
    assert [(r.card_id, int(r.rating), r.duration_ms, r.cram) for r in reviews] == [
        ("anki-prices/g/A1", 3, 5000, False), ("anki-prices/g/A1", 1, 7000, False),
        ("anki-prices/g/A1", 3, 4000, False), ("anki-prices/g:B2:r", 4, 3000, False),
        ("anki-prices/gC3:c2", 3, 2000, True)]
    assert reviews[0].reviewed_at.isoformat() == "2026-01-01T09:00:00+00:00"


def test_import_brings_history_and_rebuilds_state(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOPDRILL_DB", str(tmp_path / "l.db"))
    monkeypatch.setenv("LOOPDRILL_NOW", "2026-02-01T09:00:00Z")
    result = CliRunner().invoke(cli, ["import", str(package(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "imported anki-prices: 5 added" in result.output
    assert "imported review history: 5 reviews on 3 cards" in result.output
    conn = sqlite3.connect(tmp_path / "l.db")
    state, reps, lapses = conn.execute(
        "SELECT state, reps, lapses FROM cards WHERE id = 'anki-prices/g/A1'").fetchone()
    # Good (learning step 1), Again two days later (back to step 0), Good: still learning
    assert (state, reps, lapses) == (1, 3, 0)
    again = CliRunner().invoke(cli, ["import", str(package(tmp_path))])
    assert "0 added, 0 updated, 5 unchanged" in again.output
    assert "0 reviews on 3 cards" in again.output


def test_unknown_note_type_names_the_note(tmp_path: Path) -> None:
    with pytest.raises(DeckError, match="note 103: note type 'Image Occlusion Enhanced'"):
        read_apkg(package(tmp_path, extra_model=True))


def test_bad_packages(tmp_path: Path) -> None:
    junk = tmp_path / "junk.apkg"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(DeckError, match="not a zip file"):
        read_apkg(junk)
    other = tmp_path / "other.apkg"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(DeckError, match="not an Anki package"):
        read_apkg(other)
    corrupt = tmp_path / "corrupt.apkg"
    with zipfile.ZipFile(corrupt, "w") as archive:
        archive.writestr("collection.anki2", b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(DeckError, match="not a readable SQLite database"):
        read_apkg(corrupt)


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.apkg"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", b"\x00" * 5_000_000)
    with pytest.raises(DeckError, match="over the 1,000,000 limit"):
        read_apkg(bomb, limit=1_000_000)
    zbomb = tmp_path / "zbomb.apkg"
    with zipfile.ZipFile(zbomb, "w") as archive:
        archive.writestr("collection.anki21b",
                         zstandard.ZstdCompressor().compress(b"\x00" * 5_000_000))
    with pytest.raises(DeckError, match="unpacks to more than the 1,000,000-byte limit"):
        read_apkg(zbomb, limit=1_000_000)
