"""Writing decks and their cards: sync a DeckSpec, keeping progress by card id."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from loopdrill.core.cards import expand
from loopdrill.core.model import CardSpec, DeckSpec, Item
from loopdrill.core.timeutil import to_ms, to_stamp
from loopdrill.store.bulk import indexes_dropped
from loopdrill.store.rows import tags_to_text
from loopdrill.store.tx import transaction


@dataclass
class SyncReport:
    """What syncing one deck did (or, in a dry run, would do)."""

    deck: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    restored: int = 0
    new_deck: bool = False
    warnings: list[str] = field(default_factory=list)


_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)
_STRING = json.encoder.encode_basestring


def _content_json(content: dict[str, Any]) -> str:
    """Card content as stored; the common front/back pair is written without the encoder's
    per-call overhead (the text is the same as json.dumps(sort_keys=True) gives)."""
    if len(content) == 2 and "front" in content and "back" in content:
        back, front = content["back"], content["front"]
        if isinstance(back, str) and isinstance(front, str):
            return f'{{"back": {_STRING(back)}, "front": {_STRING(front)}}}'
    return _JSON.encode(content)


# a card row's columns as written here; the last two are often NULL
CARD_COLUMNS = ("deck", "item", "variant", "kind", "content", "tags", "position", "source",
                "as_of")


def _card_values(card: CardSpec) -> tuple[Any, ...]:
    return (
        card.deck, card.item, card.variant, card.kind, _content_json(card.content),
        tags_to_text(card.tags), card.position, card.source,
        card.as_of.isoformat() if card.as_of else None,
    )


def card_rows(items: Iterable[Item], deck: str) -> Iterator[tuple[Any, ...]]:
    """The card rows (id, then CARD_COLUMNS) of a deck's items. The common card, a plain
    basic item (one card, no source or as-of date), is written straight from the item: a
    100,000-card import makes one per card; the others go through core.cards.expand."""
    tag_texts: dict[tuple[str, ...], str] = {}
    for position, item in enumerate(items):
        item_id, kind, fields, tags, source, as_of, _ = item
        if kind == "basic" and source is None and as_of is None and len(fields) == 2:
            front, back = fields.get("front"), fields.get("back")
            if type(front) is str and type(back) is str:
                tag_text = tag_texts.get(tags)
                if tag_text is None:
                    tag_text = tag_texts[tags] = tags_to_text(tags)
                yield (f"{deck}/{item_id}", deck, item_id, "", "basic", _content_json(fields),
                       tag_text, position, None, None)
                continue
        for card in expand(item, deck, position):
            yield (card.id, *_card_values(card))


def sync_deck(db: Database, deck: DeckSpec, now: dt.datetime, *, builtin: bool = False,
              content_hash: str = "", dry_run: bool = False) -> SyncReport:
    """Insert or update a deck and its cards; retire cards whose items are gone.

    The caller owns the transaction (see `store.tx`); nothing here commits.
    """
    conn = db.conn
    report = SyncReport(deck.slug, warnings=[str(w) for w in deck.warnings])
    exists = conn.execute("SELECT 1 FROM decks WHERE slug = ?", (deck.slug,)).fetchone()
    report.new_deck = exists is None
    current: dict[str, tuple[Any, ...]] = {}
    for row in conn.execute(
        f"SELECT id, {', '.join(CARD_COLUMNS)}, retired FROM cards WHERE deck = ?", (deck.slug,)
    ):
        current[row[0]] = row[1:]
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    for row in card_rows(deck.items, deck.slug):
        old = current.pop(row[0], None) if current else None
        if old is None:
            inserts.append(row)
        elif old[:-1] != row[1:] or old[-1]:
            updates.append((*row[1:], row[0]))
            if old[-1]:
                report.restored += 1
            else:
                report.updated += 1
        else:
            report.unchanged += 1
    retire = [card_id for card_id, old in current.items() if not old[-1]]
    report.added, report.retired = len(inserts), len(retire)
    if dry_run:
        return report
    conn.execute(
        "INSERT INTO decks (slug, title, description, origin, options, content_hash, builtin, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(slug) DO UPDATE SET "
        "title = excluded.title, description = excluded.description, origin = excluded.origin, "
        "options = excluded.options, content_hash = excluded.content_hash, "
        "builtin = excluded.builtin, updated_at = excluded.updated_at",
        (deck.slug, deck.title, deck.description, deck.origin,
         json.dumps(deck.options, sort_keys=True, default=str), content_hash, int(builtin),
         to_stamp(now)),
    )
    _insert(db, inserts, now)
    conn.executemany(
        f"UPDATE cards SET {', '.join(f'{c} = ?' for c in CARD_COLUMNS)}, retired = 0 "
        "WHERE id = ?", updates,
    )
    conn.executemany("UPDATE cards SET retired = 1 WHERE id = ?", ((c,) for c in retire))
    return report


def deck_hashes(db: Database) -> dict[str, str]:
    """The content hash each deck was last synced from."""
    return dict(db.conn.execute("SELECT slug, content_hash FROM decks").fetchall())


def builtin_hashes(db: Database) -> dict[str, str]:
    """The content hash each built-in deck was last synced from."""
    return dict(db.conn.execute("SELECT slug, content_hash FROM decks WHERE builtin = 1"))


def deck_origin(db: Database, slug: str) -> str | None:
    """The file or package a deck was last imported from (None: no such deck)."""
    row = db.conn.execute("SELECT origin FROM decks WHERE slug = ?", (slug,)).fetchone()
    return None if row is None else str(row[0])


def item_kinds(db: Database, slug: str) -> dict[str, str]:
    """The kind of each live item's first card in a deck (item id -> card kind)."""
    return dict(db.conn.execute(
        "SELECT item, kind FROM cards WHERE deck = ? AND retired = 0 ORDER BY position, item, "
        "variant DESC", (slug,)).fetchall())


def retire_decks(db: Database, slugs: Iterable[str]) -> None:
    """Retire every card of these decks (their reviews are kept)."""
    with transaction(db) as tx:
        tx.conn.executemany("UPDATE cards SET retired = 1 WHERE deck = ?",
                            ((slug,) for slug in slugs))


def deck_options(db: Database, slug: str) -> dict[str, Any]:
    """The options a deck's file gives."""
    row = db.conn.execute("SELECT options FROM decks WHERE slug = ?", (slug,)).fetchone()
    return dict(json.loads(row[0])) if row else {}


def no_deck_named(slug: str) -> str:
    """The one sentence for a --deck that names no deck."""
    return f"--deck: no deck named {slug!r}; `loopdrill decks` lists them"


def deck_family(db: Database, slug: str) -> list[str]:
    """The deck and every deck under it in its tree (`a`: `a`, `a::b`, `a::b::c`), sorted;
    empty when there is none (a parent need not be a deck of its own)."""
    return [r[0] for r in db.conn.execute(
        "SELECT slug FROM decks WHERE slug = ? OR slug LIKE ? ORDER BY slug",
        (slug, f"{slug}::%"))]


def deck_filter(column: str, deck: str | None,
                prefix: str = " AND ") -> tuple[str, tuple[str, ...]]:
    """`prefix` and the SQL condition (with its parameters) that `column` is `deck` or a deck
    under it (`--deck` reaches the whole tree, as deck_family); ('', ()) for every deck."""
    if deck is None:
        return "", ()
    return f"{prefix}({column} = ? OR {column} LIKE ?)", (deck, f"{deck}::%")


def deck_slugs(db: Database, *, shown: bool = False) -> list[str]:
    """Every deck's slug (only those not hidden by `deck delete` with `shown`), sorted."""
    where = " WHERE hidden = 0" if shown else ""
    return [r[0] for r in db.conn.execute(f"SELECT slug FROM decks{where} ORDER BY slug")]


def insert_cards(db: Database, cards: Iterable[CardSpec], now: dt.datetime) -> int:
    """Bulk-insert new cards (no progress to keep): the fast path for big imports."""
    rows = [(c.id, *_card_values(c)) for c in cards]
    _insert(db, rows, now)
    return len(rows)


def _insert(db: Database, rows: list[tuple[Any, ...]], now: dt.datetime) -> None:
    """Insert card rows (id, then CARD_COLUMNS; the caller holds the transaction), added
    `now`, numbered for the revlog (cards.num). Rows whose source and as-of date are both
    NULL go in without binding them, which is faster; the added time is written into the
    statement (one integer), not set afterwards: a row that grows after it is written splits
    its page."""
    if not rows:
        return
    columns = ("num", "id", *CARD_COLUMNS)
    first = int(db.conn.execute("SELECT coalesce(max(num), 0) + 1 FROM cards").fetchone()[0])
    numbered = ((num, *row) for num, row in enumerate(rows, first))
    short = (row[:-2] if row[-1] is None and row[-2] is None else row for row in numbered)
    added = int(to_ms(now))
    with indexes_dropped(db, "cards", len(rows)):
        for width, run in itertools.groupby(short, len):
            db.conn.executemany(f"INSERT INTO cards (added, {', '.join(columns[:width])}) "
                                f"VALUES ({added}, {', '.join('?' * width)})", run)
