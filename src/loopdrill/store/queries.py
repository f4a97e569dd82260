"""Read queries over cards and the revlog, scoped to decks and a tag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from sqlite_utils import Database

from loopdrill.core.model import CardState
from loopdrill.core.timeutil import from_stamp, study_day, to_stamp
from loopdrill.engine.curve import DEFAULT_DECAY
from loopdrill.store.aggregates import ROLLOVER, day_number
from loopdrill.store.decks import deck_filter
from loopdrill.store.rows import (
    CARD_COLUMNS,
    StoredCard,
    card_from_row,
)


@dataclass(frozen=True)
class Scope:
    """Which cards a query looks at: some decks (all when empty) and maybe one tag; a deck
    or tag includes those under it in its tree."""

    decks: tuple[str, ...] = ()
    tag: str | None = None

    def where(self, alias: str = "", *, hidden: bool = False,
              tags_of: str | None = None) -> tuple[str, list[Any]]:
        """SQL conditions (always starting with AND-able text) and their parameters: the one
        place a scope becomes SQL. On a table aliased `alias` that has `deck` and `tags`;
        `tags_of`: a table without tags, whose column `tags_of` holds the card id whose tags
        count. With no decks named, the decks `deck delete` hid are left out unless
        `hidden` (the stats count them)."""
        prefix = f"{alias}." if alias else ""
        sql, params = "", list[Any]()
        if self.decks:  # each deck with the decks under it (`a` takes `a::b` and `a::b::c`)
            under = "".join(f" OR {prefix}deck LIKE ?" for _ in self.decks)
            sql += f" AND ({prefix}deck IN ({', '.join('?' * len(self.decks))}){under})"
            params.extend(self.decks)
            params.extend(f"{d}::%" for d in self.decks)
        elif not hidden:  # all decks but those `deck delete` hid
            sql += f" AND {prefix}deck NOT IN (SELECT slug FROM decks WHERE hidden = 1)"
        if self.tag:  # the tag and the tags under it (`geo` takes `geo::europe`)
            if tags_of is None:
                sql += f" AND ({prefix}tags LIKE ? OR {prefix}tags LIKE ?)"
            else:
                sql += (f" AND EXISTS (SELECT 1 FROM cards t WHERE t.id = {prefix}{tags_of} "
                        "AND (t.tags LIKE ? OR t.tags LIKE ?))")
            params.extend((f"% {self.tag} %", f"% {self.tag}::%"))
        return sql, params


ACTIVE = "retired = 0 AND suspended = 0 AND (buried_until IS NULL OR buried_until <= ?)"


def get_card(db: Database, card_id: str) -> StoredCard | None:
    """One card by id."""
    row = db.conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE id = ?", (card_id,)).fetchone()
    return card_from_row(row) if row else None


def card_state(db: Database, card_id: str) -> CardState | None:
    """One card's state (None when there is no such card)."""
    row = db.conn.execute("SELECT state FROM cards WHERE id = ?", (card_id,)).fetchone()
    return CardState(row[0]) if row else None


def soonest_learning(db: Database, scope: Scope, now: dt.datetime,
                     limit: int = 1) -> list[tuple[dt.datetime, str]]:
    """The active learning and relearning cards due soonest (whenever that is), at most
    `limit`, as (due, id) in due order: each state's first in the (state, due) index, so no
    other card is read (cards due at the same moment come in the index's order: ordering them
    by id too would read every one of them, thousands after a bulk change)."""
    where, params = scope.where()
    first = (f"SELECT * FROM (SELECT due, id FROM cards WHERE state = {{}} AND due IS NOT NULL "
             f"AND {ACTIVE}{where} ORDER BY due LIMIT ?)")
    sql = f"SELECT due, id FROM ({first.format(1)} UNION ALL {first.format(3)}) " \
        "ORDER BY due LIMIT ?"
    stamps = (to_stamp(now), *params, limit)
    return [(from_stamp(due), str(card_id))
            for due, card_id in db.conn.execute(sql, stamps + stamps + (limit,))]


def learning_count(db: Database, scope: Scope, now: dt.datetime, until: dt.datetime,
                   besides: str | None = None) -> int:
    """How many learning and relearning cards are due by `until`, `besides` one not counted."""
    where, params = scope.where()
    sql = (f"SELECT COUNT(*) FROM cards WHERE state IN (1, 3) AND due <= ? AND {ACTIVE}"
           f"{where} AND id IS NOT ?")
    return int(db.conn.execute(sql, (to_stamp(until), to_stamp(now), *params, besides)
                               ).fetchone()[0])


def reviews_due(db: Database, scope: Scope, now: dt.datetime, day_end: dt.datetime,
                decay: float = DEFAULT_DECAY) -> list[tuple[str, str]]:
    """Review cards due before the study day ends, (id, deck), lowest retrievability first."""
    where, params = scope.where()
    sql = (f"SELECT id, deck FROM cards WHERE state = 2 AND due < ? AND {ACTIVE}{where} "
           "ORDER BY fsrs_retrievability(julianday(?) - julianday(last_review), stability, ?), "
           "id")
    stamp = to_stamp(now)
    return list(db.conn.execute(sql, (to_stamp(day_end), stamp, *params, stamp, decay)))


def new_cards(db: Database, scope: Scope, now: dt.datetime, limits: dict[str, int],
              overall: int) -> list[tuple[str, str]]:
    """New cards in deck order, at most limits[deck] per deck and `overall` in all, taken
    from the decks in turn so that drilling all decks mixes them."""
    per_deck: list[list[tuple[str, str]]] = []
    where, params = scope.where()
    for deck, limit in sorted(limits.items()):
        take = min(limit, overall)
        if take <= 0:
            continue
        sql = (f"SELECT id, deck FROM cards WHERE deck = ? AND state = 0 AND {ACTIVE}{where} "
               "ORDER BY position, id LIMIT ?")
        per_deck.append(list(db.conn.execute(sql, (deck, to_stamp(now), *params, take))))
    mixed = [card for round_ in zip_longest(*per_deck) for card in round_ if card is not None]
    return mixed[:overall]


def studied_since(db: Database, since: dt.datetime) -> dict[str, tuple[int, int]]:
    """Per deck, (new cards introduced, review-state cards reviewed) on the study day that
    starts at `since` (not cram), from the running totals of the days stored on the revlog."""
    day = _day_text(db, since)
    sql = ("SELECT deck, SUM(n * (state = 0)), SUM(n * (state = 2)) FROM review_days "
           "WHERE day = ? AND cram = 0 GROUP BY deck")
    return {d: (int(n or 0), int(r or 0)) for d, n, r in db.conn.execute(sql, (day,))}


def reviews_since(db: Database, since: dt.datetime, scope: Scope) -> int:
    """All answers (any state) on the study day that starts at `since`, within a scope. With a
    tag, the drilled answers of the day (revlog_undo keeps those of the last two days)."""
    day = _day_text(db, since)
    if scope.tag is None:
        where, params = scope.where()
        sql = f"SELECT coalesce(SUM(n), 0) FROM review_days WHERE day = ?{where}"
        return int(db.conn.execute(sql, (day, *params)).fetchone()[0])
    where, params = scope.where("c")
    sql = ("SELECT COUNT(*) FROM revlog_undo u JOIN revlog r ON r.id = u.id "
           f"JOIN cards c ON c.num = r.card WHERE r.day = ?{where}")
    return int(db.conn.execute(sql, (day_number(dt.date.fromisoformat(day)), *params)
                               ).fetchone()[0])


def _day_text(db: Database, moment: dt.datetime) -> str:
    """The study day of a moment, as review_days keys it."""
    hour = int(db.conn.execute(f"SELECT {ROLLOVER}").fetchone()[0])
    return study_day(moment + dt.timedelta(seconds=1), hour).isoformat()


@dataclass(frozen=True)
class Available:
    """One deck's cards as today's limits see them: active new cards, learning and review
    cards due before the study day ends, and (for saying why nothing is left) all cards and
    the suspended ones."""

    new: int = 0
    learning: int = 0
    review: int = 0
    cards: int = 0
    suspended: int = 0


def available_today(db: Database, scope: Scope, now: dt.datetime,
                    day_end: dt.datetime) -> dict[str, Available]:
    """Per deck in scope (not retired), what today could show before the daily limits."""
    where, params = scope.where()
    active = f"({ACTIVE})"
    sql = (f"SELECT deck, COALESCE(SUM({active} AND state = 0), 0), "
           f"COALESCE(SUM({active} AND state IN (1, 3) AND due < ?), 0), "
           f"COALESCE(SUM({active} AND state = 2 AND due < ?), 0), COUNT(*), "
           f"COALESCE(SUM(suspended = 1), 0) FROM cards WHERE retired = 0{where} GROUP BY deck")
    stamp, end = to_stamp(now), to_stamp(day_end)
    rows = db.conn.execute(sql, (stamp, stamp, end, stamp, end, *params))
    return {deck: Available(*counts) for deck, *counts in rows}


def next_due(db: Database, scope: Scope, after: dt.datetime) -> str | None:
    """The stamp of the soonest due date of an active studied card after `after`."""
    where, params = scope.where()
    sql = (f"SELECT MIN(due) FROM cards WHERE state IN (1, 2, 3) AND due >= ? "
           f"AND {ACTIVE}{where}")
    row = db.conn.execute(sql, (to_stamp(after), to_stamp(after), *params)).fetchone()
    return str(row[0]) if row and row[0] else None


@dataclass(frozen=True)
class DeckCounts:
    """One line of the deck list."""

    slug: str
    title: str
    total: int
    new: int
    learning: int
    due: int
    suspended: int


def deck_counts(db: Database, now: dt.datetime, day_end: dt.datetime,
                decks: Sequence[str] = ()) -> list[DeckCounts]:
    """Card counts per deck: total (not retired), new, learning, due today, suspended."""
    where = f" AND d.slug IN ({', '.join('?' * len(decks))})" if decks else ""
    sql = f"""
        SELECT d.slug, d.title,
               COUNT(c.id),
               COALESCE(SUM(c.state = 0 AND c.suspended = 0), 0),
               COALESCE(SUM(c.state IN (1, 3) AND c.suspended = 0), 0),
               COALESCE(SUM(c.state = 2 AND c.suspended = 0 AND c.due < ?
                            AND (c.buried_until IS NULL OR c.buried_until <= ?)), 0),
               COALESCE(SUM(c.suspended = 1), 0)
        FROM decks d LEFT JOIN cards c ON c.deck = d.slug AND c.retired = 0
        WHERE d.hidden = 0{where}
        GROUP BY d.slug HAVING COUNT(c.id) > 0 ORDER BY d.slug
    """
    rows = db.conn.execute(sql, (to_stamp(day_end), to_stamp(now), *decks))
    return [DeckCounts(*r) for r in rows]


def siblings(db: Database, card_id: str, deck: str, item: str) -> list[str]:
    """Other cards of the same item."""
    sql = "SELECT id FROM cards WHERE deck = ? AND item = ? AND id != ? AND retired = 0"
    return [r[0] for r in db.conn.execute(sql, (deck, item, card_id))]


def data_version(db: Database) -> int:
    """SQLite's data_version: it changes when another connection (another thread's, another
    terminal's) commits to the database, so a screen knows to reload."""
    return int(db.conn.execute("PRAGMA data_version").fetchone()[0])


def own_writes(db: Database) -> int:
    """Rows this connection has written since it opened (SQLite's total_changes): with
    data_version, whether anything at all changed the database since a count was taken."""
    return db.conn.total_changes


def simulation_cards(db: Database, deck: str | None) -> list[tuple[Any, ...]]:
    """(stability, difficulty, last_review, due) of every active studied card with a memory
    state, by id: what the retention simulation starts from."""
    where, args = deck_filter("deck", deck)
    return db.conn.execute(
        "SELECT stability, difficulty, last_review, due FROM cards WHERE state > 0 AND "
        "retired = 0 AND suspended = 0 AND stability IS NOT NULL AND difficulty IS NOT NULL "
        f"AND last_review IS NOT NULL AND due IS NOT NULL{where} ORDER BY id", args).fetchall()


def active_new_cards(db: Database, deck: str | None) -> int:
    """How many new cards are neither retired nor suspended (in `deck`, or everywhere)."""
    where, args = deck_filter("deck", deck)
    row = db.conn.execute(
        f"SELECT COUNT(*) FROM cards WHERE state = 0 AND retired = 0 AND suspended = 0{where}",
        args).fetchone()
    return int(row[0])
