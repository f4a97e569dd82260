"""Issue 17 item 11: the TSV export. Anki gets what it can show (options on the front, one calc
instance, the deck's title path) and the notes that came from Anki exactly as Anki exported
them (guid, note type, raw fields), so Anki finds nothing to update; loopdrill gets every item
back with its kind, fields, source and as-of date (its own columns, which Anki ignores)."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from pathlib import Path

from click.testing import CliRunner, Result

from loopdrill.cli import cli
from loopdrill.core.cards import NOTE
from loopdrill.core.model import DeckSpec, Item
from loopdrill.formats.export import decks_to_tsv

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "anki"
DECKS = {
    "kinds.yaml": """\
deck: kinds
title: Every kind
items:
  - {id: b, front: "a <b>tag</b> & co", back: "two\\n\\nlines  spaced", reversible: true,
     source: "https://example.org/b", as_of: 2026-03-01}
  - {id: "#hash", kind: cloze, text: "{{c1::x}} and {{c2::y}}", extra: more}
  - {id: n, kind: numeric, front: Uptime?, answer: 99.9, unit: "%", tolerance: 0.01,
     source: "https://aws.amazon.com/sla"}
  - {id: ch, kind: choice, front: Pick one, choices: [A1, B2, C3], answer: B2, as_of: 2025-12-31}
  - {id: t, kind: text, front: Capital?, answer: [Paris, paris]}
  - {id: c, kind: calc, front: "Downtime at {slo}%?", vars: {slo: [99.9, 99.5]},
     answer: "(100 - slo) / 100 * 30 * 24 * 60", unit: min, tolerance: 2%}
""",
    "child.yaml": """\
deck: kinds::sub
title: Sub deck
items:
  - {id: s, front: q, back: a, tags: [x::y, z]}
""",
}
CARDS = ("SELECT id, kind, content, tags, source, as_of FROM cards "
         "WHERE retired = 0 AND deck LIKE ? ORDER BY id")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def rows(db: Path, sql: str, *params: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def records(text: str) -> tuple[list[str], list[list[str]]]:
    """The #columns: labels and the records of an Anki text file."""
    head = [line for line in text.splitlines() if line.startswith("#")]
    labels = next(h for h in head if h.startswith("#columns:"))[9:].split("\t")
    body = "\n".join(line for line in text.split("\n") if not line.startswith("#"))
    return labels, [r for r in csv.reader(io.StringIO(body), delimiter="\t") if r]


def test_every_kind_comes_back_with_its_fields_source_and_as_of(
        db_path: Path, tmp_path: Path) -> None:
    for name, text in DECKS.items():
        (tmp_path / name).write_text(text)
    assert run("import", *(str(tmp_path / n) for n in DECKS)).exit_code == 0
    exported = tmp_path / "kinds.tsv"
    assert run("export", "--deck", "kinds", "--format", "tsv", "-o", str(exported)).exit_code == 0
    labels, found = records(exported.read_text())
    # each note's GUID is its deck and item id, as its cards' ids (and the .apkg's guids) are
    assert {r[0].partition("/")[0] for r in found} == {"kinds", "kinds::sub"}
    by_id = {r[0].partition("/")[2]: dict(zip(labels, r, strict=True)) for r in found}
    assert by_id["b"]["Deck"] == "Every kind" and by_id["s"]["Deck"] == "Every kind::Sub deck"
    assert by_id["b"]["loopdrill source"] == "https://example.org/b"
    assert by_id["b"]["loopdrill as_of"] == "2026-03-01"
    assert by_id["b"]["Field 1"] == "a &lt;b&gt;tag&lt;/b&gt; &amp; co"  # text, not markup
    assert by_id["ch"]["Field 1"] == "Pick one<br>a) A1<br>b) B2<br>c) C3"
    assert "{" not in by_id["c"]["Field 1"] and by_id["c"]["Field 2"].endswith(" min")
    assert by_id["n"]["Notetype"] == "Basic" and by_id["b"]["Notetype"] == \
        "Basic (and reversed card)" and by_id["#hash"]["Notetype"] == "Cloze"

    before = rows(db_path, CARDS, "kinds%")
    fresh = tmp_path / "fresh.db"
    imported = run("--db", str(fresh), "import", str(exported))
    assert imported.exit_code == 0, imported.output
    assert "warning" not in imported.output
    assert rows(fresh, CARDS, "kinds%") == before  # same ids, kinds, fields, source, as_of
    assert {r[1] for r in before} == {"basic", "cloze", "numeric", "choice", "text", "calc"}
    again = run("import", str(exported))
    assert "kinds: 0 added, 0 updated, 8 unchanged" in again.output


def test_fields_edited_in_the_file_are_named_and_bad_cells_refused(
        db_path: Path, tmp_path: Path) -> None:
    (tmp_path / "kinds.yaml").write_text(DECKS["kinds.yaml"])
    run("import", str(tmp_path / "kinds.yaml"))
    text = run("export", "--deck", "kinds", "--format", "tsv").output
    edited = tmp_path / "edited.tsv"
    edited.write_text(text.replace("\tUptime?\t", "\tUptime now?\t"))
    result = run("import", str(edited))
    assert result.exit_code == 0
    assert "1 note(s) whose fields differ from their loopdrill item column" in result.output
    assert rows(db_path, "SELECT kind FROM cards WHERE id = 'kinds/n'") == [("numeric",)]

    bad = tmp_path / "bad.tsv"
    bad.write_text(text.replace('""kind"": ""numeric""', '""kind"": ""nope""')
                   .replace("2025-12-31", "2025-13-31"))
    result = run("import", str(bad))
    assert result.exit_code != 0
    assert "the loopdrill item column has an unknown kind 'nope'" in result.output
    assert "the loopdrill as_of column holds '2025-13-31', not a date" in result.output


def test_notes_from_anki_go_back_as_anki_exported_them(db_path: Path, tmp_path: Path) -> None:
    """Anki matches a note by guid and updates it only when its note type or a field or tag
    differs: every note must come out as Anki's own export (notes.txt) has it."""
    assert run("import", str(FIXTURES / "full.apkg")).exit_code == 0
    labels, ours = records(run("export", "--format", "tsv").output)
    anki_text = (FIXTURES / "notes.txt").read_text("utf-8")
    body = "\n".join(line for line in anki_text.split("\n") if not line.startswith("#"))
    theirs = {r[0]: r for r in csv.reader(io.StringIO(body), delimiter="\t") if r}
    width = labels.index("loopdrill source")
    compared = 0
    for row in ours:
        if row[0] not in theirs:
            continue
        anki = theirs[row[0]]
        assert row[1] == anki[1], row[0]  # note type
        fields = row[4:width]
        while fields and not fields[-1]:
            fields.pop()
        anki_fields = anki[3:8]
        while anki_fields and not anki_fields[-1]:
            anki_fields.pop()
        assert fields == anki_fields, row[0]
        assert row[3].split() == anki[8].split(), row[0]  # tags
        if anki[2] != "Filtered Review":  # loopdrill names the home deck
            assert row[2] == anki[2], row[0]
        compared += 1
    assert compared == 29  # every note but the Image Occlusion one


def test_a_file_without_the_item_column_says_which_kinds_change(
        db_path: Path, tmp_path: Path) -> None:
    """A TSV that went through Anki (which writes only its own columns) cannot say a card's
    kind: the import says how many cards change kind, and to what."""
    (tmp_path / "kinds.yaml").write_text(DECKS["kinds.yaml"])
    run("import", str(tmp_path / "kinds.yaml"))
    labels, found = records(run("export", "--deck", "kinds", "--format", "tsv").output)
    width = labels.index("loopdrill source")
    through_anki = tmp_path / "anki.txt"
    through_anki.write_text("#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n"
                            "#deck column:3\n#tags column:4\n" + "".join(
                                "\t".join(row[:width]) + "\n" for row in found))
    result = run("import", str(through_anki))  # its deck named as Anki shows ours: ours
    assert result.exit_code == 0, result.output
    assert result.output.startswith("imported kinds: 0 added")
    assert "4 card(s) of deck 'Every kind' change kind (calc -> basic: 1, choice -> basic: 1, " \
        "numeric -> basic: 1, text -> basic: 1)" in result.output.replace("\n", " ")


def test_an_id_in_two_decks_is_two_notes_in_anki(db_path: Path, tmp_path: Path) -> None:
    """An item id is unique in its deck only, and Anki matches notes by GUID across the whole
    collection (two rows with one GUID made two notes sharing it in Anki 26.9.3): a note's
    GUID names its deck too, the same GUID in a text file and in a package."""
    (tmp_path / "kinds.yaml").write_text(DECKS["kinds.yaml"])
    (tmp_path / "twin.yaml").write_text("deck: twin\ntitle: Twin\nitems:\n"
                                        "  - {id: b, front: Another b, back: its back}\n")
    assert run("import", str(tmp_path / "kinds.yaml"), str(tmp_path / "twin.yaml")
               ).exit_code == 0
    exported = tmp_path / "all.tsv"
    assert run("export", "--format", "tsv", "-o", str(exported)).exit_code == 0
    _, found = records(exported.read_text())
    assert sorted(r[0] for r in found if r[0].endswith("/b")) == ["kinds/b", "twin/b"]
    package = tmp_path / "all.apkg"
    assert run("export", "--format", "apkg", "-o", str(package)).exit_code == 0
    with zipfile.ZipFile(package) as archive:
        (tmp_path / "col.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "col.anki2") as col:
        assert {r[0] for r in col.execute("SELECT guid FROM notes")} == {r[0] for r in found}
    col.close()
    fresh = tmp_path / "fresh.db"
    assert run("--db", str(fresh), "import", str(exported)).exit_code == 0
    assert [r[0] for r in rows(fresh, CARDS, "%") if r[0].endswith("/b")] == \
        ["kinds/b", "twin/b"]  # the same items, by deck and id


def test_a_text_file_written_before_guids_named_the_deck_keeps_its_items(
        db_path: Path, tmp_path: Path) -> None:
    """A TSV exported when a GUID was the item id alone, and a GUID that starts with `#`
    (an Anki note's): the same items come back, and the `#` one is no comment to Anki."""
    (tmp_path / "kinds.yaml").write_text(DECKS["kinds.yaml"])
    run("import", str(tmp_path / "kinds.yaml"))
    text = run("export", "--deck", "kinds", "--format", "tsv").output
    older = tmp_path / "older.tsv"
    older.write_text(text.replace("\nkinds/#hash\t", '\n"#hash"\t').replace("\nkinds/", "\n"))
    assert '\n"#hash"\t' in older.read_text() and "kinds/" not in older.read_text()
    result = run("import", str(older))
    assert result.output.startswith("imported kinds: 0 added, 0 updated, 8 unchanged"), \
        result.output
    note = Item("#abc", NOTE, {"notetype": "Basic", "fields": {"Front": "f", "Back": "b"}})
    tsv = decks_to_tsv([DeckSpec("anki", "From Anki", (note,))])
    assert '\n"#abc"\tBasic\t' in tsv  # quoted: Anki reads a line starting with # as a comment


def test_a_note_moved_between_decks_in_anki_moves_with_its_progress(
        db_path: Path, tmp_path: Path) -> None:
    """A TSV export that went through Anki (Anki writes GUID, note type, deck, fields and
    tags, not loopdrill's columns), one note moved to another deck there: its GUID, our
    deck and item id, names the item, so its card moves with its progress, as a package's
    note does; the deck named by its title keeps the others (a fresh deck gets its own)."""
    (tmp_path / "mine.yaml").write_text("deck: mine\ntitle: My deck\nitems:\n"
                                        "  - {id: a, front: Alpha, back: one}\n"
                                        "  - {id: b, front: Beta, back: two}\n")
    assert run("import", str(tmp_path / "mine.yaml")).exit_code == 0
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE cards SET reps = 3 WHERE id = 'mine/a'")
    conn.commit()
    conn.close()
    through_anki = tmp_path / "from-anki.txt"
    through_anki.write_text("#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n"
                            "#deck column:3\n#tags column:6\n"
                            "mine/a\tBasic\tOther deck\tAlpha\tone\t\n"
                            "mine/b\tBasic\tMy deck\tBeta\ttwo\t\n")
    result = run("import", str(through_anki))
    assert result.exit_code == 0, result.output
    assert "1 card(s) moved to deck 'other-deck' with their progress" in \
        result.output.replace("\n", " ")
    assert rows(db_path, "SELECT id, reps FROM cards WHERE retired = 0 AND id LIKE '%/a'") == \
        [("other-deck/a", 3)]
    assert rows(db_path, CARDS, "mine%")[0][0] == "mine/b"
    fresh = tmp_path / "fresh.db"  # no deck `mine` there: the GUIDs stay the ids
    assert run("--db", str(fresh), "import", str(through_anki)).exit_code == 0
    assert [r[0] for r in rows(fresh, CARDS, "%deck%")] == ["my-deck/mine/b",
                                                           "other-deck/mine/a"]


def test_an_id_with_a_slash_comes_back_whole(db_path: Path, tmp_path: Path) -> None:
    """An item id may hold a slash, even one that starts with another deck's slug: its GUID
    (mine/aws-limits/x) is read back as that id, in a fresh database too, not as the item x
    of the built-in deck aws-limits."""
    (tmp_path / "mine.yaml").write_text("deck: mine\ntitle: My deck\nitems:\n"
                                        "  - {id: aws-limits/x, front: F, back: B}\n")
    assert run("import", str(tmp_path / "mine.yaml")).exit_code == 0
    exported = tmp_path / "mine.tsv"
    assert run("export", "--deck", "mine", "--format", "tsv", "-o", str(exported)).exit_code == 0
    fresh = tmp_path / "fresh.db"
    assert run("--db", str(fresh), "import", str(exported)).exit_code == 0
    assert [r[0] for r in rows(fresh, CARDS, "mine")] == ["mine/aws-limits/x"]


def test_a_package_anki_made_of_our_tsv_notes_moves_their_cards(
        db_path: Path, tmp_path: Path) -> None:
    """Notes Anki made from our TSV export have our GUIDs (mine/a) and none of our data; a
    package Anki exports of them names the deck by its title (my-deck): the cards move there
    with their progress, under their item ids, instead of coming in again as my-deck/mine/a."""
    (tmp_path / "mine.yaml").write_text("deck: mine\ntitle: My deck\nitems:\n"
                                        "  - {id: a, front: Alpha, back: one}\n"
                                        "  - {id: b, front: Beta, back: two, reversible: true}\n")
    assert run("import", str(tmp_path / "mine.yaml")).exit_code == 0
    ours = tmp_path / "ours.apkg"
    assert run("export", "--deck", "mine", "--format", "apkg", "-o", str(ours)).exit_code == 0
    with zipfile.ZipFile(ours) as archive:
        (tmp_path / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "collection.anki2") as col:
        col.execute("UPDATE notes SET data = ''")  # as Anki's notes made from the TSV
    col.close()
    theirs = tmp_path / "theirs.apkg"
    with zipfile.ZipFile(theirs, "w") as archive:
        archive.write(tmp_path / "collection.anki2", "collection.anki2")
        archive.writestr("media", "{}")
    result = run("import", str(theirs))
    assert result.exit_code == 0, result.output
    assert "3 card(s) moved to deck 'my-deck' with their progress" in \
        result.output.replace("\n", " ")
    assert [r[0] for r in rows(db_path, CARDS, "m%")] == ["my-deck/a", "my-deck/b",
                                                         "my-deck/b:r"]
