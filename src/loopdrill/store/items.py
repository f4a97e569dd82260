"""One item at a time: its cards rewritten in place (progress kept by card id), local
overrides of built-in items, and hiding or deleting a whole deck. The caller holds the
transaction (store.tx) unless a function says otherwise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database

from loopdrill.core.model import Item
from loopdrill.core.timeutil import to_ms
from loopdrill.store.decks import CARD_COLUMNS, card_rows


@dataclass(frozen=True)
class ItemPlace:
    """Where an item's cards live: its deck, item id, position, and the deck's title and
    whether it is built in."""

    deck: str
    item: str
    position: int
    title: str
    builtin: bool


def item_place(db: Database, card_id: str) -> ItemPlace | None:
    """The item a card belongs to, or None for an unknown card id."""
    row = db.conn.execute(
        "SELECT c.deck, c.item, c.position, d.title, d.builtin FROM cards c "
        "JOIN decks d ON d.slug = c.deck WHERE c.id = ?", (card_id,)).fetchone()
    return ItemPlace(row[0], row[1], row[2], row[3], bool(row[4])) if row else None


def item_cards(db: Database, deck: str, item: str) -> list[tuple[object, ...]]:
    """The item's live cards: (id, variant, kind, content, tags, source, as_of, position)."""
    return list(db.conn.execute(
        "SELECT id, variant, kind, content, tags, source, as_of, position FROM cards "
        "WHERE deck = ? AND item = ? AND retired = 0 ORDER BY variant", (deck, item)))


def replace_item(db: Database, deck: str, item: Item, position: int, now: dt.datetime) -> None:
    """Rewrite an item's cards from `item`: cards whose id stays keep their progress, new
    variants (a reversible back card, another cloze) are added, vanished ones retired."""
    rows = [(row[0], *row[1:7], position, *row[8:]) for row in card_rows([item], deck)]
    current = {r[0] for r in db.conn.execute(
        "SELECT id FROM cards WHERE deck = ? AND item = ?", (deck, item.id))}
    assignments = ", ".join(f"{c} = ?" for c in CARD_COLUMNS)
    for row in rows:
        if row[0] in current:
            db.conn.execute(f"UPDATE cards SET {assignments}, retired = 0 WHERE id = ?",
                            (*row[1:], row[0]))
        else:
            db.conn.execute(
                f"INSERT INTO cards (id, {', '.join(CARD_COLUMNS)}, added) "
                f"VALUES ({', '.join('?' * (len(CARD_COLUMNS) + 2))})", (*row, to_ms(now)))
    gone = current - {row[0] for row in rows}
    db.conn.executemany("UPDATE cards SET retired = 1 WHERE id = ?", ((c,) for c in gone))


@dataclass(frozen=True)
class Override:
    """A local edit of a built-in item: the edited one-item deck text, and a digest of the
    shipped item it replaced (to tell when the shipped one has changed since)."""

    deck: str
    item: str
    text: str
    shipped: str
    created_at: str


def overrides(db: Database, deck: str | None = None) -> list[Override]:
    """The local overrides (of one deck, or all), by deck and item."""
    sql = "SELECT deck, item, fields, shipped, created_at FROM overrides"
    rows = db.conn.execute(sql + (" WHERE deck = ?" if deck else "") + " ORDER BY deck, item",
                           (deck,) if deck else ())
    return [Override(*row) for row in rows]


def set_override(db: Database, override: Override) -> None:
    """Store (or replace) the override of one item."""
    db.conn.execute(
        "INSERT INTO overrides (deck, item, fields, shipped, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(deck, item) DO UPDATE SET fields = excluded.fields, "
        "shipped = excluded.shipped, created_at = excluded.created_at",
        (override.deck, override.item, override.text, override.shipped, override.created_at))


def drop_override(db: Database, deck: str, item: str) -> bool:
    """Remove one item's override; True when there was one."""
    cursor = db.conn.execute("DELETE FROM overrides WHERE deck = ? AND item = ?", (deck, item))
    return cursor.rowcount > 0


def deck_row(db: Database, slug: str) -> tuple[str, bool, bool] | None:
    """(title, built in, hidden) of a deck, or None when there is no such deck."""
    row = db.conn.execute("SELECT title, builtin, hidden FROM decks WHERE slug = ?",
                          (slug,)).fetchone()
    return (row[0], bool(row[1]), bool(row[2])) if row else None


def set_hidden(db: Database, slug: str, hidden: bool) -> None:
    """Hide a deck from the deck list, the drill and searches, or show it again."""
    db.conn.execute("UPDATE decks SET hidden = ? WHERE slug = ?", (int(hidden), slug))


def hidden_decks(db: Database) -> list[str]:
    """The slugs of hidden decks."""
    return [r[0] for r in db.conn.execute("SELECT slug FROM decks WHERE hidden = 1 ORDER BY 1")]


def delete_deck(db: Database, slug: str) -> tuple[int, int]:
    """Delete a deck, its cards, their reviews and manual entries, its options and
    overrides; (cards, reviews) deleted."""
    conn = db.conn
    cards = "SELECT id FROM cards WHERE deck = ?"
    reviews = conn.execute("DELETE FROM revlog WHERE card IN (SELECT num FROM cards "
                           "WHERE deck = ?)", (slug,)).rowcount
    conn.execute(f"DELETE FROM manual_log WHERE card_id IN ({cards})", (slug,))
    count = conn.execute("DELETE FROM cards WHERE deck = ?", (slug,)).rowcount
    for table, column in (("overrides", "deck"), ("options", "scope"), ("decks", "slug")):
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (slug,))
    conn.execute("DELETE FROM meta WHERE key = ?", (f"parameters:{slug}",))
    return count, reviews
