"""Items that moved to another deck keep their cards: an Anki note's guid is global, so a
note moved between decks in Anki (or seen first in a filtered deck of a text export) brings
its cards, their schedule and their history along instead of making new ones."""

from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database

from loopdrill.core.cards import card_id
from loopdrill.store.aggregates import TOTALS_REBUILD, script_statements


def elsewhere(db: Database, deck: str, items: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Items of `deck` that are cards of exactly one other deck (not built-in) instead:
    item id -> (that deck, its origin)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for item, other, origin in db.conn.execute(
            "SELECT DISTINCT c.item, c.deck, d.origin FROM cards c JOIN decks d ON d.slug = c.deck "
            "WHERE c.item IN (SELECT value FROM json_each(?)) AND c.deck != ? AND d.builtin = 0 "
            "AND c.retired = 0", (_json(items), deck)):
        found.setdefault(item, []).append((other, origin))
    return {item: places[0] for item, places in found.items() if len(places) == 1}


def stored_items(db: Database, names: Sequence[str]) -> set[str]:
    """Which of these `deck/item` names (card_id's, without a variant) are items of the
    database, retired ones too."""
    return {name for (name,) in db.conn.execute(
        "SELECT DISTINCT j.value FROM json_each(?) j JOIN cards c "
        "ON c.deck = substr(j.value, 1, instr(j.value, '/') - 1) "
        "AND c.item = substr(j.value, instr(j.value, '/') + 1)", (_json(names),))}


def ensure_deck(db: Database, slug: str, title: str) -> None:
    """A deck row to move cards into (sync_deck fills in the rest)."""
    db.conn.execute("INSERT INTO decks (slug, title) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (slug, title))


def move_items(db: Database, moves: Sequence[tuple[str, str, str]]) -> int:
    """Move each (from deck, to deck, item)'s cards, renaming their ids; the revlog follows
    (it points at the card's number), and the running totals by deck are rebuilt. The caller
    holds the transaction. Returns how many cards moved."""
    conn = db.conn
    has_log = "manual_log" in db.table_names()
    moved = 0
    for old_deck, new_deck, item in moves:
        for old_id, variant in conn.execute(
                "SELECT id, variant FROM cards WHERE deck = ? AND item = ?",
                (old_deck, item)).fetchall():
            new_id = card_id(new_deck, item, variant)
            if conn.execute("SELECT 1 FROM cards WHERE id = ?", (new_id,)).fetchone():
                continue
            conn.execute("UPDATE cards SET id = ?, deck = ? WHERE id = ?",
                         (new_id, new_deck, old_id))
            conn.execute("UPDATE review_cards SET card_id = ? WHERE card_id = ?",
                         (new_id, old_id))
            if has_log:
                conn.execute("UPDATE manual_log SET card_id = ? WHERE card_id = ?",
                             (new_id, old_id))
            moved += 1
    if moved:
        for statement in script_statements(TOTALS_REBUILD):
            conn.execute(statement)
    return moved


def _json(values: Sequence[str]) -> str:
    import json

    return json.dumps(list(values))
