"""Reading the revlog for history imports, exports, replays and checks."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from sqlite_utils import Database

from loopdrill.store.decks import deck_filter


def _json(values: Iterable[Any]) -> str:
    return json.dumps(list(values))


def cards_by_id(db: Database, ids: Iterable[str]) -> Iterator[tuple[str, str, int]]:
    """(card id, deck, number) of the cards with these ids."""
    yield from db.conn.execute(
        "SELECT id, deck, num FROM cards WHERE id IN (SELECT value FROM json_each(?))",
        (_json(ids),))


def cards_by_item(db: Database, items: Iterable[str]) -> Iterator[tuple[str, str, str, int]]:
    """(card id, item id, deck, number) of each deck's first card of each of these items
    (every deck's (deck, item) index searched for each)."""
    yield from db.conn.execute(
        "SELECT c.id, c.item, c.deck, c.num FROM decks d CROSS JOIN json_each(?) j "
        "CROSS JOIN cards c ON c.deck = d.slug AND c.item = j.value "
        "WHERE c.variant IN ('', 'c1')", (_json(items),))


def stored_times(db: Database, nums: Iterable[int]) -> Iterator[tuple[int, int]]:
    """(card number, time ms) of every revlog row of these cards."""
    yield from db.conn.execute(
        "SELECT card, at FROM revlog WHERE card IN (SELECT value FROM json_each(?))",
        (_json(nums),))


STASH = "temp.history_stash"


def stash_reviews(db: Database, nums: Iterable[int]) -> None:
    """Set aside a copy of these cards' revlog rows and what was typed in them (a temporary
    table of this connection: `stashed` reads it, `unstash` drops it)."""
    conn = db.conn
    conn.execute(f"DROP TABLE IF EXISTS {STASH}")
    conn.execute(f"CREATE TABLE {STASH} AS SELECT r.card, r.at, r.id, r.rating, r.ms, r.cram, "
                 "r.day, r.hour, t.id IS NOT NULL AS typed, t.answer, t.proposed, t.verdict "
                 "FROM revlog r LEFT JOIN revlog_typed t ON t.id = r.id "
                 "WHERE r.card IN (SELECT value FROM json_each(?))", (_json(nums),))
    conn.execute(f"CREATE INDEX {STASH}_card ON history_stash(card, at, id)")


def stashed(db: Database, nums: Iterable[int]) -> Iterator[tuple[Any, ...]]:
    """The stashed rows of these cards, each card's oldest first: (card number, time ms,
    review id, rating, duration ms, cram, study day, local hour, (answer, proposed, verdict)
    or () when nothing was typed)."""
    for *row, typed, answer, proposed, verdict in db.conn.execute(
            f"SELECT card, at, id, rating, ms, cram, day, hour, typed, answer, proposed, "
            f"verdict FROM {STASH} WHERE card IN (SELECT value FROM json_each(?)) "
            "ORDER BY card, at, id", (_json(nums),)):
        yield (*row, (answer, proposed, verdict) if typed else ())


def unstash(db: Database) -> None:
    """Drop what stash_reviews set aside."""
    db.conn.execute(f"DROP TABLE IF EXISTS {STASH}")


def all_reviews(db: Database) -> Iterator[tuple[str, int, int, int, int]]:
    """Every review, oldest first: (card id, time ms, rating, duration ms, cram)."""
    yield from db.conn.execute(
        "SELECT c.id, r.at, r.rating, r.ms, r.cram FROM revlog r JOIN cards c ON c.num = r.card "
        "ORDER BY r.at, r.id")


Log = list[tuple[int, int, int]]


def card_histories(db: Database, cram: bool = True) -> Iterator[tuple[int, Log]]:
    """Every card's log, card by card: (card number, [(time ms, rating, cram), ...])."""
    where = "" if cram else " WHERE cram = 0"
    current: int | None = None
    log: Log = []
    for num, at, rating, is_cram in db.conn.execute(
            f"SELECT card, at, rating, cram FROM revlog{where} ORDER BY card, at, id"):
        if num != current:
            if current is not None:
                yield current, log
            current, log = num, []
        log.append((at, rating, is_cram))
    if current is not None:
        yield current, log


def studied_cards(db: Database, decks: list[str]) -> dict[int, tuple[str, str, str | None]]:
    """The non-retired cards of these decks: number -> (card id, deck, stored due)."""
    marks = ", ".join("?" * len(decks))
    return {num: (card_id, deck, due) for num, card_id, deck, due in db.conn.execute(
        f"SELECT num, id, deck, due FROM cards WHERE retired = 0 AND deck IN ({marks})", decks)}


def orphan_reviews(db: Database) -> int:
    """Revlog rows whose card is gone."""
    return int(db.conn.execute("SELECT COUNT(*) FROM revlog WHERE card NOT IN "
                               "(SELECT num FROM cards)").fetchone()[0])


def fit_rows_query(deck: str | None) -> tuple[str, tuple[str, ...]]:
    """(card number, time in ms, rating) of every non-cram review, by card then time."""
    if deck is None:
        return ("SELECT card, at, rating FROM revlog WHERE cram = 0 ORDER BY card, at, id", ())
    family, args = deck_filter("deck", deck, "")  # the deck and the decks under it
    return ("SELECT card, at, rating FROM revlog WHERE cram = 0 AND card IN "
            f"(SELECT num FROM cards WHERE {family}) ORDER BY card, at, id", args)


def fit_rows(db: Database, deck: str | None) -> sqlite3.Cursor:
    """A cursor over fit_rows_query's rows (read in chunks by the fit)."""
    return db.conn.execute(*fit_rows_query(deck))


def rating_mix(db: Database, deck: str | None, first: bool) -> dict[int, int]:
    """Counts per rating of first answers, or of recalled review-state answers (not cram)."""
    condition = "r.state = 0" if first else "r.state = 2 AND r.rating > 1"
    join, args = _deck_join(deck)
    return dict(db.conn.execute(
        f"SELECT r.rating, COUNT(*) FROM revlog r {join} WHERE r.cram = 0 AND {condition} "
        "GROUP BY r.rating", args).fetchall())


def mean_answer_ms(db: Database, deck: str | None) -> float | None:
    """The mean time taken by a non-cram answer (those with a time)."""
    join, args = _deck_join(deck)
    value = db.conn.execute(f"SELECT AVG(r.ms) FROM revlog r {join} WHERE r.cram = 0 "
                            "AND r.ms > 0", args).fetchone()[0]
    return None if value is None else float(value)


def _deck_join(deck: str | None) -> tuple[str, tuple[str, ...]]:
    """The join that keeps the revlog rows of a deck and the decks under it (all: none)."""
    if deck is None:
        return "", ()
    family, args = deck_filter("c.deck", deck)
    return f"JOIN cards c ON c.num = r.card{family}", args


def manual_baselines(db: Database) -> Iterator[tuple[int, str, str, str, str | None]]:
    """Each card's newest manual-log entry (the baseline its replay starts from): (card
    number, time stamp, action, state before as JSON, due date given)."""
    if "manual_log" not in db.table_names():
        return
    yield from db.conn.execute(
        "SELECT c.num, m.at, m.action, m.before, m.due FROM manual_log m "
        "JOIN cards c ON c.id = m.card_id WHERE m.id = (SELECT n.id FROM manual_log n "
        "WHERE n.card_id = m.card_id ORDER BY n.at DESC, n.id DESC LIMIT 1)")
