"""Issue 17 items 9 and 13: any item id round-trips through YAML export and import, and
export-reviews writes what import-reviews reads (cram, ids holding '/' and ':', retired cards
left out with a count)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from loopdrill.cli import cli
from loopdrill.core.model import DeckError
from loopdrill.formats.native import parse_deck

GUIDS = ["J>5[0zxcsg", "N/qbuaE/q%", "a:b", "x:c1", "日本語 deck", "- dash", "'quoted\""]

DECK = yaml.safe_dump({"deck": "guids", "title": "Guids", "items": [
    {"id": guid, "front": f"front {n}", "back": f"back {n}", "reversible": True}
    for n, guid in enumerate(GUIDS)]}, allow_unicode=True)
NOTE = """\
deck: notes
title: Notes
items:
  - id: "c@TO|_A)R)"
    kind: anki
    notetype: Basic (type in the answer)
    fields: {Front: France, Back: Paris}
    cards:
      - {variant: "", kind: text, front: France, answer: [Paris], back: Paris}
  - id: "q:1"
    kind: anki
    notetype: Cloze
    fields: {Text: "{{c1::a}} {{c2::b}}", Extra: ""}
    cards:
      - {variant: c1, kind: cloze, text: "{{c1::a}} {{c2::b}}", ord: 1}
      - {variant: c2, kind: cloze, text: "{{c1::a}} {{c2::b}}", ord: 2}
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute(sql).fetchall())
    finally:
        conn.close()


def test_any_id_without_control_characters_round_trips(db_path: Path, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "guids.yaml").write_text(DECK)
    (tmp_path / "in" / "notes.yaml").write_text(NOTE)
    result = run("import", str(tmp_path / "in" / "guids.yaml"), str(tmp_path / "in" / "notes.yaml"))
    assert result.exit_code == 0, result.output
    query = ("SELECT id, item, variant, kind, content, tags FROM cards "
             "WHERE deck IN ('guids', 'notes')")
    before = rows(db_path, query)
    assert {r[1] for r in before} == {*GUIDS, "c@TO|_A)R)", "q:1"}
    assert len(before) == 2 * len(GUIDS) + 3
    out = tmp_path / "out"
    out.mkdir()
    assert run("export", "--deck", "guids", "--deck", "notes", "-o", str(out)).exit_code == 0
    other = tmp_path / "other.db"
    result = run("--db", str(other), "import", str(out / "guids.yaml"), str(out / "notes.yaml"))
    assert result.exit_code == 0, result.output
    assert rows(other, query) == before


@pytest.mark.parametrize(("item_id", "message"), [
    ('"a\\tb"', "`id` is required: text without control characters"),
    ("'  '", "`id` is required"),
    ("12", "`id` is required"),
])
def test_bad_ids_are_refused(item_id: str, message: str) -> None:
    text = f"deck: d\ntitle: D\nitems:\n  - id: {item_id}\n    front: f\n    back: b\n"
    with pytest.raises(DeckError, match=message):
        parse_deck(text)


def test_two_items_giving_one_card_id_are_refused() -> None:
    text = ("deck: d\ntitle: D\nitems:\n  - id: a\n    front: f\n    back: b\n"
            "    reversible: true\n  - id: 'a:r'\n    front: g\n    back: c\n")
    with pytest.raises(DeckError, match=r":8: a:r: gives the card id 'a:r', which item 'a' "
                       r"\(line 4\) gives too"):
        parse_deck(text)


def test_a_note_with_a_bad_card_is_refused() -> None:
    text = NOTE.replace("kind: text, front: France, answer: [Paris]", "kind: text, front: France")
    with pytest.raises(DeckError, match="card 1: `answer` is required"):
        parse_deck(text)


def test_export_reviews_round_trip_cram_and_retired(db_path: Path, tmp_path: Path) -> None:
    deck = tmp_path / "guids.yaml"
    deck.write_text(DECK)
    assert run("import", str(deck)).exit_code == 0
    history = tmp_path / "history.csv"
    history.write_text(
        "card_id,reviewed_at,rating,duration_ms,cram\n"
        '"guids/N/qbuaE/q%",2026-11-01T10:00:00Z,3,5000,0\n'
        '"guids/N/qbuaE/q%:r",2026-11-01T10:01:00Z,1,5000,0\n'
        "guids/a:b,2026-11-02T10:00:00Z,4,1000,1\n"
        "guids/x:c1:r,2026-11-02T10:00:00Z,2,1000,0\n")
    result = run("import-reviews", str(history))
    assert result.exit_code == 0, result.output
    # x:c1 leaves the deck: its card is retired, its review kept
    deck.write_text(DECK.replace("id: x:c1", "id: x:c9"))
    assert "2 added, 0 updated, 12 unchanged, 2 retired" in run("import", str(deck)).output
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["export-reviews", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "left out 1 review of retired cards" in result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "card_id,reviewed_at,rating,duration_ms,cram"
    assert "guids/a:b,2026-11-02T10:00:00Z,4,1000,1" in lines and len(lines) == 4
    # into a fresh database holding the exported deck: every review lands on its card
    exported = tmp_path / "export"
    exported.mkdir()
    assert run("export", "--deck", "guids", "-o", str(exported)).exit_code == 0
    other = tmp_path / "other.db"
    assert run("--db", str(other), "import", str(exported / "guids.yaml")).exit_code == 0
    result = run("--db", str(other), "import-reviews", str(out))
    assert result.exit_code == 0, result.output
    assert "imported 3 reviews on 3 cards" in result.output
    query = "SELECT card_id, rating, cram FROM reviews"
    assert rows(other, query) == [("guids/N/qbuaE/q%", 3, 0), ("guids/N/qbuaE/q%:r", 1, 0),
                                  ("guids/a:b", 4, 1)]
    with_retired = CliRunner().invoke(cli, ["export-reviews", "--with-retired"])
    assert "guids/x:c1:r," in with_retired.output


def test_tsv_shows_choice_options_and_one_calc_instance(db_path: Path) -> None:
    """The fields Anki shows (GUID first, the front in column 5, HTML since the file also
    carries Anki's own notes): no `{vars}` on a calc card, the options of a choice card."""
    out = CliRunner().invoke(cli, ["export", "--deck", "design-numbers", "--deck",
                                   "leadership-principles", "--format", "tsv"]).output
    assert "{" not in "".join(line.split("\t")[4] for line in out.splitlines()
                              if line.startswith("monthly-to-rps\t"))
    assert "<br>a) " in out and "<br>b) " in out
