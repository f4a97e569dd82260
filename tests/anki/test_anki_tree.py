"""Anki's deck and tag trees kept: a parent deck takes its children in every --deck, a tag
its sub-tags; two decks whose names differ stay apart; non-ASCII names stay readable."""

from __future__ import annotations

from sqlite_utils import Database

from loopdrill.services.export import load_decks
from loopdrill.services.report import build_report
from loopdrill.store.decks import deck_family
from loopdrill.store.queries import Scope
from loopdrill.store.statsql import known_tag
from tests.anki.conftest import ANKI_NOW


def count(db: Database, scope: Scope) -> int:
    where, params = scope.where()
    return int(db.conn.execute(f"SELECT count(*) FROM cards WHERE 1 = 1{where}",
                               params).fetchone()[0])


def test_deck_tree_and_names(imported: Database) -> None:
    slugs = {slug: title for slug, title in imported.conn.execute(
        "SELECT slug, title FROM decks WHERE builtin = 0")}
    assert slugs["languages::spanish::verbs"] == "Languages::Spanish::Verbs"
    assert slugs["spanish-verbs"] == "Spanish Verbs"  # not merged with Spanish::Verbs
    assert slugs["languages::日本語"] == "Languages::日本語"
    assert deck_family(imported, "languages") == ["languages::spanish::verbs",
                                                  "languages::日本語"]


def test_a_parent_deck_takes_its_children(imported: Database) -> None:
    family = count(imported, Scope(("languages",)))
    assert family == count(imported, Scope(("languages::spanish::verbs",))) + count(
        imported, Scope(("languages::日本語",))) == 16 + 10
    assert count(imported, Scope(("languages::spanish",))) == 16
    assert [d.slug for d in load_decks(imported, ["languages"])] == [
        "languages::spanish::verbs", "languages::日本語"]
    report = build_report(imported, ANKI_NOW, Scope(("languages",)))
    assert report is not None


def test_a_tag_takes_its_sub_tags(imported: Database) -> None:
    assert count(imported, Scope(tag="spanish")) == 16 + 2  # spanish::verbs and spanish
    assert count(imported, Scope(tag="geo")) == count(imported, Scope(tag="geo::europe")) + \
        count(imported, Scope(tag="geo::americas")) + 7 + 1
    assert known_tag(imported, "science") and not known_tag(imported, "scien")
