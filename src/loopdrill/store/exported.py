"""What exports read beyond deck content, and what the full JSON export writes back: card
states exactly as stored, retired cards, options, fitted parameters, overrides, hidden decks
and the log of manual changes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlite_utils import Database

from loopdrill.core.model import REVIEW_COLUMNS, CardSpec
from loopdrill.store.rows import card_content, ms_sql, stamp_sql, tags_from_text

# a card's schedule and flags as stored (the full JSON export holds these per card; `added`,
# stored in ms, as a text stamp like the other times)
STATE_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
                 "lapses", "suspended", "buried_until", "flag", "retired", "added")
CARD_FIELDS = ("id", "deck", "item", "variant", "kind", "content", "tags", "source", "as_of",
               "position")
META_KEYS = ("parameters", "exam_date")  # the user's meta values (and parameters:<deck>)
MANUAL_COLUMNS = ("card_id", "at", "action", "before", "due")


def deck_headers(db: Database) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Every deck's (title, description, file options) by slug, in slug order."""
    return {slug: (title, description, json.loads(options)) for slug, title, description,
            options in db.conn.execute(
                "SELECT slug, title, description, options FROM decks ORDER BY slug")}


def live_cards(db: Database, deck: str) -> list[CardSpec]:
    """A deck's cards that are not retired, as specs (what an export writes)."""
    return [CardSpec(id=card_id, deck=deck, item=item, variant=variant, kind=kind,
                     content=card_content(card_id, kind, content), tags=tags_from_text(tags),
                     source=source,
                     as_of=dt.date.fromisoformat(as_of) if as_of else None, position=position)
            for card_id, item, variant, kind, content, tags, source, as_of, position
            in db.conn.execute(
                "SELECT id, item, variant, kind, content, tags, source, as_of, position "
                "FROM cards WHERE deck = ? AND retired = 0", (deck,))]


def retired_ids(db: Database) -> set[str]:
    """The ids of retired cards (their items left their deck file; reviews kept)."""
    return {r[0] for r in db.conn.execute("SELECT id FROM cards WHERE retired = 1")}


def deck_flags(db: Database) -> dict[str, tuple[bool, bool]]:
    """Per deck: (built in, hidden)."""
    return {slug: (bool(b), bool(h)) for slug, b, h in
            db.conn.execute("SELECT slug, builtin, hidden FROM decks")}


def card_states(db: Database, decks: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The STATE_COLUMNS of these decks' cards by card id (retired cards included)."""
    columns = ", ".join(stamp_sql(c) if c == "added" else c for c in STATE_COLUMNS)
    sql = (f"SELECT id, {columns} FROM cards WHERE deck IN (SELECT value FROM json_each(?)) "
           "ORDER BY deck, position, id")
    return {row[0]: dict(zip(STATE_COLUMNS, row[1:], strict=True))
            for row in db.conn.execute(sql, (json.dumps(list(decks)),))}


def retired_cards(db: Database, decks: Iterable[str]) -> list[dict[str, Any]]:
    """The own fields of these decks' retired cards (CARD_FIELDS; content as JSON text)."""
    sql = (f"SELECT {', '.join(CARD_FIELDS)} FROM cards WHERE retired = 1 AND deck IN "
           "(SELECT value FROM json_each(?)) ORDER BY deck, id")
    return [dict(zip(CARD_FIELDS, row, strict=True))
            for row in db.conn.execute(sql, (json.dumps(list(decks)),))]


def option_scopes(db: Database) -> dict[str, dict[str, Any]]:
    """Options set with `config`, by scope ('' global, else a deck slug)."""
    out: dict[str, dict[str, Any]] = {}
    for scope, key, value in db.conn.execute(
            "SELECT scope, key, value FROM options ORDER BY scope, key"):
        out.setdefault(scope, {})[key] = json.loads(value)
    return out


def user_meta(db: Database) -> dict[str, str]:
    """Fitted parameters (global and per deck) and the exam date."""
    return {k: v for k, v in db.conn.execute("SELECT key, value FROM meta ORDER BY key")
            if k in META_KEYS or k.startswith("parameters:")}


def manual_log(db: Database) -> list[dict[str, Any]]:
    """The log of forget and set-due, oldest first."""
    sql = f"SELECT {', '.join(MANUAL_COLUMNS)} FROM manual_log ORDER BY id"
    return [dict(zip(MANUAL_COLUMNS, row, strict=True)) for row in db.conn.execute(sql)]


def restore_settings(db: Database, options: Mapping[str, Mapping[str, Any]],
                     meta: Mapping[str, str], hidden: Iterable[str]) -> None:
    """Write options, meta values and hidden decks (the caller holds the transaction)."""
    db.conn.executemany(
        "INSERT INTO options (scope, key, value) VALUES (?, ?, ?) ON CONFLICT(scope, key) "
        "DO UPDATE SET value = excluded.value",
        [(scope, key, json.dumps(value)) for scope, values in options.items()
         for key, value in values.items()])
    db.conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
        "value = excluded.value", list(meta.items()))
    db.conn.executemany("UPDATE decks SET hidden = 1 WHERE slug = ?", ((s,) for s in hidden))


def insert_missing_cards(db: Database, cards: Iterable[Mapping[str, Any]]) -> int:
    """Insert the cards (CARD_FIELDS) the database does not hold; how many."""
    rows = [tuple(c[f] for f in CARD_FIELDS) for c in cards]
    cursor = db.conn.executemany(
        f"INSERT OR IGNORE INTO cards ({', '.join(CARD_FIELDS)}) VALUES "
        f"({', '.join('?' * len(CARD_FIELDS))})", rows)
    return cursor.rowcount


def restore_states(db: Database, states: Mapping[str, Mapping[str, Any]]) -> int:
    """Write each card's STATE_COLUMNS as given; how many cards were written."""
    sets = ", ".join(f"{c} = {ms_sql('?') if c == 'added' else '?'}" for c in STATE_COLUMNS)
    cursor = db.conn.executemany(
        f"UPDATE cards SET {sets} WHERE id = ?",
        [(*(s[c] for c in STATE_COLUMNS), card_id) for card_id, s in states.items()])
    return cursor.rowcount


def restore_manual_log(db: Database, entries: Iterable[Mapping[str, Any]]) -> None:
    """Append manual-log entries not already there (same card, time and action)."""
    db.conn.executemany(
        f"INSERT INTO manual_log ({', '.join(MANUAL_COLUMNS)}) SELECT ?, ?, ?, ?, ? WHERE NOT "
        "EXISTS (SELECT 1 FROM manual_log WHERE card_id = ?1 AND at = ?2 AND action = ?3)",
        [tuple(e[c] for c in MANUAL_COLUMNS) for e in entries])


_REVLOG = REVIEW_COLUMNS[1:-3]  # the revlog's own columns (store.schema)


def revlog_rows(db: Database, decks: Iterable[str]) -> list[tuple[Any, ...]]:
    """Every review of these decks' cards as stored (REVIEW_COLUMNS), oldest first."""
    return db.conn.execute(
        f"SELECT c.id, {', '.join('r.' + c for c in _REVLOG)}, t.answer, t.proposed, "
        "t.verdict FROM revlog r JOIN cards c ON c.num = r.card "
        "LEFT JOIN revlog_typed t ON t.id = r.id "
        "WHERE c.deck IN (SELECT value FROM json_each(?)) ORDER BY r.at, r.id",
        (json.dumps(list(decks)),)).fetchall()


def review_stream(db: Database, decks: Iterable[str]
                  ) -> Iterator[tuple[str, int, int, int, int, int, int]]:
    """Every review of a live card of these decks as (card id, at, rating, ms, cram, state
    before, interval before), a card's reviews together and in order: read as they are
    written out (an .apkg export of a million reviews holds none of them in memory)."""
    yield from db.conn.execute(
        "SELECT c.id, r.at, r.rating, r.ms, r.cram, r.state, r.ivl FROM revlog r JOIN cards c "
        "ON c.num = r.card WHERE c.retired = 0 AND c.deck IN (SELECT value FROM json_each(?)) "
        "ORDER BY r.card, r.at, r.id", (json.dumps(list(decks)),))


def card_ids(db: Database) -> set[str]:
    """Every card id (retired cards too)."""
    return {r[0] for r in db.conn.execute("SELECT id FROM cards")}


def restore_revlog(db: Database, rows: Iterable[tuple[Any, ...]]) -> tuple[int, int, int]:
    """Insert reviews (REVIEW_COLUMNS) as they were stored, skipping any of a card at a time
    it already has a review (the caller holds the transaction): (cards, added, already
    there). The running totals follow from the revlog's triggers."""
    conn = db.conn
    nums = dict(conn.execute("SELECT id, num FROM cards"))
    insert = (f"INSERT INTO revlog (card, {', '.join(_REVLOG)}) SELECT ?1, "
              + ", ".join(f"?{n}" for n in range(2, len(_REVLOG) + 2))
              + " WHERE NOT EXISTS (SELECT 1 FROM revlog WHERE card = ?1 AND at = ?2)")
    cards: set[str] = set()
    added = skipped = 0
    for card_id, *stored, answer, proposed, verdict in rows:
        cards.add(card_id)
        cursor = conn.execute(insert, (nums[card_id], *stored))
        if not cursor.rowcount:
            skipped += 1
            continue
        added += 1
        if answer is not None or proposed is not None or verdict is not None:
            conn.execute("INSERT INTO revlog_typed (id, answer, proposed, verdict) "
                         "VALUES (?, ?, ?, ?)", (cursor.lastrowid, answer, proposed, verdict))
    return len(cards), added, skipped
