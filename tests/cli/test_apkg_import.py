"""Importing an Anki package built by the test through the CLI: notes, and the revlog
replayed into card states."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
import zstandard
from click.testing import CliRunner

from loopdrill.cli import cli

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


def test_import_brings_history_and_rebuilds_state(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOPDRILL_DB", str(tmp_path / "l.db"))
    monkeypatch.setenv("LOOPDRILL_NOW", "2026-02-01T09:00:00Z")
    result = CliRunner().invoke(cli, ["import", str(package(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "imported anki::prices: 5 added" in result.output
    assert "imported review history: 5 reviews on 3 cards" in result.output
    conn = sqlite3.connect(tmp_path / "l.db")
    state, reps, lapses = conn.execute(
        "SELECT state, reps, lapses FROM cards WHERE id = 'anki::prices/g/A1'").fetchone()
    # Good (learning step 1), Again two days later (back to step 0), Good: still learning
    assert (state, reps, lapses) == (1, 3, 0)
    again = CliRunner().invoke(cli, ["import", str(package(tmp_path))])
    assert "0 added, 0 updated, 5 unchanged" in again.output
    assert "0 reviews on 3 cards" in again.output
