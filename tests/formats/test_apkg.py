"""Anki packages (formats.apkg) built by the test: a legacy collection.anki2 and a schema-18
collection.anki21b (zstd), with revlogs; and every kind of bad package."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import zipfile
from pathlib import Path

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loopdrill.core.model import DeckError, Item, Rating, ReviewRecord
from loopdrill.formats import apkg
from loopdrill.formats.apkg import read_apkg

DAY_MS = 86_400_000
T0 = 1_767_258_000_000  # 2026-01-01T09:00:00Z in ms
COMMON = """
    CREATE TABLE notes (id INTEGER PRIMARY KEY, guid TEXT, mid INTEGER, mod INTEGER,
                        usn INTEGER, tags TEXT, flds TEXT, sfld TEXT, csum INTEGER,
                        flags INTEGER, data TEXT);
    CREATE TABLE cards (id INTEGER PRIMARY KEY, nid INTEGER, did INTEGER, ord INTEGER,
                        odid INTEGER DEFAULT 0);
    CREATE TABLE revlog (id INTEGER PRIMARY KEY, cid INTEGER, usn INTEGER, ease INTEGER,
                         ivl INTEGER, lastIvl INTEGER, factor INTEGER, time INTEGER,
                         type INTEGER);
"""
# note id, guid, note type id, tags, fields
NOTES = [(100, "g/A1", 1, " aws pricing ", "S3 <b>Standard</b><br>per GB?\x1f$0.023"),
         (101, "g:B2", 2, "aws", "SQS max message\x1f1 MiB <img src=\"q.png\">"),
         (102, "gC3", 3, "slo", "{{c1::99.9%}} over {{c2::28 days}}\x1f[sound:x.mp3]"),
         (103, "gD4", 4, "", "optional front\x1foptional back\x1f"),
         (104, "", 1, "", "no guid here\x1f")]
# card id, note id, deck id, ord, original deck (filtered decks)
CARDS = [(1000, 100, 10, 0, 0), (1001, 101, 10, 0, 0), (1002, 101, 10, 1, 0),
         (1003, 102, 99, 0, 20), (1004, 102, 20, 1, 0), (1005, 103, 1, 0, 0),
         (1006, 104, 10, 0, 0)]
# time, card id, ease, type, duration ms
REVLOG = [(T0, 1000, 3, 0, 5000), (T0 + 2 * DAY_MS, 1000, 1, 1, 7000),
          (T0 + 3 * DAY_MS, 1000, 3, 2, 4000), (T0 + 4 * DAY_MS, 1002, 4, 0, 3000),
          (T0 + 5 * DAY_MS, 1004, 3, 3, 2000), (T0 + 6 * DAY_MS, 1004, 0, 4, 0),
          (T0 + 7 * DAY_MS, 1003, 2, 1, 0), (T0 + 8 * DAY_MS, 9999, 3, 1, 10),
          (T0 + 9 * DAY_MS, 1005, 3, 5, 0)]
EXTRA_NOTE = (105, "gE5", 5, "", "a\x1fb\x1fc")


def fill(conn: sqlite3.Connection, extra: bool) -> None:
    notes = [*NOTES, EXTRA_NOTE] if extra else NOTES
    conn.executemany("INSERT INTO notes VALUES (?, ?, ?, 0, 0, ?, ?, '', 0, 0, '')", notes)
    conn.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?)", CARDS)
    conn.executemany("INSERT INTO revlog VALUES (?, ?, 0, ?, 0, 0, 0, ?, ?)",
                     [(i, c, e, ms, k) for i, c, e, k, ms in REVLOG])
    conn.commit()
    conn.close()


def legacy(path: Path, *, extra: bool = False) -> None:
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE col (id INTEGER PRIMARY KEY, models TEXT, decks TEXT);"
                       + COMMON)
    two = [{"name": "Front"}, {"name": "Back"}]
    models = {"1": {"name": "Basic", "type": 0, "tmpls": [{"qfmt": "{{Front}}"}], "flds": two},
              "2": {"name": "Basic (and reversed card)-a1b2", "type": 0, "tmpls": [{}, {}],
                    "flds": two},
              "3": {"name": "My cloze", "type": 1, "tmpls": [{"qfmt": "{{cloze:Text}}"}],
                    "flds": two},
              "4": {"name": "Basic (optional reversed card)", "type": 0, "tmpls": [{}, {}],
                    "flds": [*two, {"name": "Add Reverse"}]},
              "5": {"name": "Image Occlusion Enhanced", "type": 0, "tmpls": [{}, {}, {}],
                    "flds": two}}
    decks = {"1": {"name": "Default"}, "10": {"name": "Anki::Prices"}, "20": {"name": "SLO"},
             "99": {"name": "Filtered Deck 1"}}
    conn.execute("INSERT INTO col VALUES (1, ?, ?)", (json.dumps(models), json.dumps(decks)))
    fill(conn, extra)


def modern(path: Path, *, extra: bool = False) -> None:
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE col (id INTEGER PRIMARY KEY, models TEXT, decks TEXT);
        CREATE TABLE notetypes (id INTEGER PRIMARY KEY, name TEXT, mtime_secs INTEGER,
                                usn INTEGER, config BLOB);
        CREATE TABLE fields (ntid INTEGER, ord INTEGER, name TEXT, config BLOB);
        CREATE TABLE templates (ntid INTEGER, ord INTEGER, name TEXT, mtime_secs INTEGER,
                                usn INTEGER, config BLOB);
        CREATE TABLE decks (id INTEGER PRIMARY KEY, name TEXT, mtime_secs INTEGER,
                            usn INTEGER, common BLOB, kind BLOB);
    """ + COMMON)
    conn.execute("INSERT INTO col VALUES (1, '', '')")
    # config: protobuf field 1 (kind) = 1 for cloze, then field 3 (a string) to skip over
    cloze_config = b"\x08\x01\x1a\x03css"
    conn.executemany("INSERT INTO notetypes VALUES (?, ?, 0, 0, ?)", [
        (1, "Basic", b"\x1a\x03css"), (2, "Reversed", b""), (3, "Renamed", cloze_config),
        (4, "Basic (optional reversed card)", b""), (5, "Image Occlusion", cloze_config)])
    names = {1: ["Front", "Back"], 2: ["Front", "Back"], 3: ["Text", "Back Extra"],
             4: ["Front", "Back", "Add Reverse"], 5: [f"f{o}" for o in range(5)]}
    conn.executemany("INSERT INTO fields VALUES (?, ?, ?, x'')", [
        (nt, o, name) for nt, fields in names.items() for o, name in enumerate(fields)])
    conn.executemany("INSERT INTO templates VALUES (?, ?, ?, 0, 0, ?)", [
        (1, 0, "Card 1", b"\x0a\x09{{Front}}"), (2, 0, "Card 1", b""), (2, 1, "Card 2", b""),
        (3, 0, "Cloze", b"\x0a\x0a{{Text}}"), (4, 0, "Card 1", b""), (4, 1, "Card 2", b""),
        (5, 0, "IO", b"{{cloze:Occlusion}}")])
    conn.executemany("INSERT INTO decks VALUES (?, ?, 0, 0, x'', x'')", [
        (1, "Default"), (10, "Anki\x1fPrices"), (20, "SLO"), (99, "Filtered Deck 1")])
    fill(conn, extra)


def package(tmp_path: Path, *, zstd: bool = False, extra: bool = False,
            name: str = "deck.apkg") -> Path:
    collection = tmp_path / "collection.db"
    collection.unlink(missing_ok=True)
    (modern if zstd else legacy)(collection, extra=extra)
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        if zstd:
            data = zstandard.ZstdCompressor().compress(collection.read_bytes())
            archive.writestr("collection.anki21b", data)
            archive.writestr("collection.anki2", b"a placeholder older Anki versions show")
        else:
            archive.write(collection, "collection.anki2")
        archive.writestr("media", "{}")
    return path


def at(days: int) -> dt.datetime:
    return dt.datetime.fromtimestamp((T0 + days * DAY_MS) / 1000, dt.UTC)


@pytest.mark.parametrize("zstd", [False, True], ids=["legacy", "anki21b"])
def test_notes_decks_tags_media_and_revlog(tmp_path: Path, zstd: bool) -> None:
    path = package(tmp_path, zstd=zstd, name="deck.colpkg" if zstd else "deck.apkg")
    batch = read_apkg(path)
    assert [(d.slug, d.title) for d in batch.decks] == [
        ("anki::prices", "Anki::Prices"), ("slo", "SLO"), ("default", "Default")]
    prices, slo, default = batch.decks
    assert prices.origin == str(path)
    basic, reversed_, no_guid = prices.items
    assert basic == Item("g/A1", "anki", {
        "notetype": "Basic", "fields": {"Front": "S3 <b>Standard</b><br>per GB?",
                                        "Back": "$0.023"},
        "cards": [{"variant": "", "kind": "basic", "front": "S3 **Standard**\nper GB?",
                   "back": "$0.023"}],
        "model": {"id": 1, "cloze": False, "sortf": 0, "css": "css" if zstd else "",
                  "templates": [{"name": "Card 1" if zstd else "", "qfmt": "{{Front}}",
                                 "afmt": ""}]}},  # the note type, for an .apkg export
        ("aws", "pricing"))
    assert faces(reversed_) == [("", "SQS max message", "1 MiB [image: q.png]"),
                                ("r", "1 MiB [image: q.png]", "SQS max message")]
    assert no_guid.id.startswith("t-") and faces(no_guid) == [("", "no guid here", "(empty)")]
    (cloze,) = slo.items
    assert [(c["variant"], c["kind"], c["text"], c.get("extra"))
            for c in cloze.fields["cards"]] == [
        (f"c{n}", "cloze", "{{c1::99.9%}} over {{c2::28 days}}", "[sound: x.mp3]")
        for n in (1, 2)]
    assert faces(default.items[0]) == [("", "optional front", "optional back")]
    assert batch.reviews == (
        ReviewRecord("anki::prices/g/A1", at(0), Rating.GOOD, 5000),
        ReviewRecord("anki::prices/g/A1", at(2), Rating.AGAIN, 7000),
        ReviewRecord("anki::prices/g/A1", at(3), Rating.GOOD, 4000),
        ReviewRecord("anki::prices/g:B2:r", at(4), Rating.EASY, 3000),
        ReviewRecord("slo/gC3:c2", at(5), Rating.GOOD, 2000, cram=True),
        ReviewRecord("slo/gC3:c1", at(7), Rating.HARD, 0))
    assert batch.reviews[0].reviewed_at.isoformat() == "2026-01-01T09:00:00+00:00"
    assert batch.reviews[0].reviewed_at.tzinfo is dt.UTC
    messages = " | ".join(w.message for w in batch.warnings)
    assert "1 note has no guid" in messages and "1 review(s) skipped" in messages


def faces(item: Item) -> list[tuple[str, str, str]]:
    return [(c["variant"], c["front"], c["back"]) for c in item.fields["cards"]]


def test_deck_override(tmp_path: Path) -> None:
    batch = read_apkg(package(tmp_path), deck="mine")
    assert [d.slug for d in batch.decks] == ["mine"] and len(batch.decks[0].items) == 5
    assert {r.card_id.split("/")[0] for r in batch.reviews} == {"mine"}
    with pytest.raises(DeckError, match="not a slug"):
        read_apkg(package(tmp_path), deck="Bad Slug")


@pytest.mark.parametrize("zstd", [False, True], ids=["legacy", "anki21b"])
def test_image_occlusion_is_skipped_with_one_warning(tmp_path: Path, zstd: bool) -> None:
    batch = read_apkg(package(tmp_path, zstd=zstd, extra=True))
    assert sum(len(d.items) for d in batch.decks) == 5
    (warning,) = [w for w in batch.warnings if "Image Occlusion" in w.message]
    assert warning.message.startswith("1 note(s) of Image Occlusion")


def test_not_a_zip_and_not_a_package(tmp_path: Path) -> None:
    cases: list[tuple[Path, str]] = []
    junk = tmp_path / "junk.apkg"
    junk.write_bytes(b"not a zip at all")
    cases.append((junk, "not a zip file"))
    other = tmp_path / "other.apkg"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    cases.append((other, "not an Anki package"))
    empty = tmp_path / "empty.apkg"
    empty.write_bytes(b"")
    cases.append((empty, "not a zip file"))
    cases.append((tmp_path / "missing.apkg", "no such file"))
    wrong = tmp_path / "deck.zip"
    wrong.write_bytes(package(tmp_path).read_bytes())
    cases.append((wrong, "expected .apkg or .colpkg"))
    folder = tmp_path / "folder.apkg"
    folder.mkdir()
    cases.append((folder, "is a directory"))
    for path, message in cases:
        with pytest.raises(DeckError, match=message):
            read_apkg(path)


@pytest.mark.parametrize(("member", "data", "message"), [
    ("collection.anki2", b"SQLite format 3\x00" + b"\xff" * 4000, "not a readable Anki database"),
    ("collection.anki2", b"plain junk, not sqlite", "not a readable Anki database"),
    ("collection.anki21b", b"not zstd data", "not valid zstd data"),
])
def test_corrupt_collections(tmp_path: Path, member: str, data: bytes, message: str) -> None:
    path = tmp_path / "corrupt.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, data)
    with pytest.raises(DeckError, match=message):
        read_apkg(path)


def test_truncated_zip_and_wrong_tables(tmp_path: Path) -> None:
    good = package(tmp_path).read_bytes()
    cut = tmp_path / "cut.apkg"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(DeckError, match="not a zip file"):
        read_apkg(cut)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    path = tmp_path / "other.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(other, "collection.anki21")
    with pytest.raises(DeckError, match="not an Anki collection"):
        read_apkg(path)


def test_bad_json_in_col_is_a_deck_error(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE col (id INTEGER PRIMARY KEY, models TEXT, decks TEXT);"
                       + COMMON)
    conn.execute("INSERT INTO col VALUES (1, '{not json', '[]')")
    conn.commit()
    conn.close()
    path = tmp_path / "badjson.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(db, "collection.anki2")
    with pytest.raises(DeckError, match="not in a shape loopdrill knows"):
        read_apkg(path)


def test_zip_bombs_are_refused_before_unpacking(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apkg, "MAX_UNPACKED", 1_000_000)
    bomb = tmp_path / "bomb.apkg"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", b"\x00" * 5_000_000)
    with pytest.raises(DeckError, match="over the 1,000,000-byte limit"):
        read_apkg(bomb)
    zbomb = tmp_path / "zbomb.apkg"
    with zipfile.ZipFile(zbomb, "w") as archive:
        archive.writestr("collection.anki21b",
                         zstandard.ZstdCompressor().compress(b"\x00" * 5_000_000))
    with pytest.raises(DeckError, match="unpacks to more than the 1,000,000-byte limit"):
        read_apkg(zbomb)
    with pytest.raises(DeckError, match="over the 1,000-byte limit"):
        read_apkg(package(tmp_path), limit=1_000)


def test_a_collection_in_wal_mode_is_read(tmp_path: Path) -> None:
    db = tmp_path / "wal.db"
    legacy(db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    assert db.read_bytes()[18:20] == b"\x02\x02"
    path = tmp_path / "wal.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(db, "collection.anki21")
    assert len(read_apkg(path).reviews) == 6


FIXTURE = [HealthCheck.function_scoped_fixture]  # the file is rewritten by every example


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE)
@given(st.binary(max_size=300), st.sampled_from(["raw", "anki2", "anki21b"]))
def test_any_bytes_give_a_deck_error(tmp_path: Path, data: bytes, how: str) -> None:
    path = tmp_path / "fuzz.apkg"
    if how == "raw":
        path.write_bytes(data)
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(f"collection.{how}", data)
    with pytest.raises(DeckError):
        read_apkg(path)


@pytest.mark.parametrize("zstd", [False, True], ids=["legacy", "anki21b"])
def test_damaged_packages_give_a_batch_or_a_deck_error(tmp_path: Path, zstd: bool) -> None:
    good = package(tmp_path, zstd=zstd).read_bytes()
    collection = (tmp_path / "collection.db").read_bytes()
    rng = random.Random(7)
    damaged = tmp_path / "damaged.apkg"
    for round_ in range(120):
        if round_ % 2:
            data = bytearray(good)
            target = damaged
        else:
            data = bytearray(collection)
            target = tmp_path / "collection.anki2"
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        target.write_bytes(bytes(data))
        if target != damaged:
            with zipfile.ZipFile(damaged, "w") as archive:
                archive.write(target, "collection.anki2")
        try:
            read_apkg(damaged)
        except DeckError as exc:
            assert exc.problems
