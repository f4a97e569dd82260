"""Progress follows the Anki guid: a note imported again from another deck moves with its
cards and history; a text export's filtered deck does not pull cards from their home deck."""

from __future__ import annotations

from sqlite_utils import Database

from loopdrill.services.imports import read_files, run_import
from tests.anki.conftest import ANKI_NOW, FIXTURES


def own_cards(db: Database) -> dict[str, tuple[str, int]]:
    return {item + ":" + variant: (deck, reps) for item, variant, deck, reps in db.conn.execute(
        "SELECT item, variant, deck, reps FROM cards WHERE retired = 0 AND deck IN "
        "(SELECT slug FROM decks WHERE builtin = 0)")}


def reviews(db: Database) -> int:
    return int(db.conn.execute("SELECT count(*) FROM reviews r JOIN decks d ON d.slug = r.deck "
                               "WHERE d.builtin = 0").fetchone()[0])


def test_a_note_moved_to_another_deck_keeps_its_progress(imported: Database) -> None:
    before, history = own_cards(imported), reviews(imported)
    result = run_import(imported, read_files([FIXTURES / "full.apkg"], deck="moved"), ANKI_NOW)
    after = own_cards(imported)
    assert set(after) == set(before)
    assert {deck for deck, _ in after.values()} == {"moved"}
    assert {k: reps for k, (_, reps) in after.items()} == {k: r for k, (_, r) in before.items()}
    assert reviews(imported) == history
    assert any("49 card(s) moved" in w.message for w in result.warnings)


def test_text_then_package_makes_no_duplicates(db: Database) -> None:
    run_import(db, read_files([FIXTURES / "notes.txt"]), ANKI_NOW)
    assert "filtered-review" in {d for d, _ in own_cards(db).values()}
    run_import(db, read_files([FIXTURES / "full.apkg"]), ANKI_NOW)
    cards = own_cards(db)
    assert len(cards) == 49  # the package's cards, none twice
    assert "filtered-review" not in {d for d, _ in cards.values()}


def test_package_then_text_keeps_the_home_deck(imported: Database) -> None:
    run_import(imported, read_files([FIXTURES / "notes.txt"]), ANKI_NOW)
    cards = own_cards(imported)
    assert "filtered-review" not in {d for d, _ in cards.values()}
    assert len(cards) == 49
