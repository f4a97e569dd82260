"""The revlog: one answer is one transaction (card state + revlog row); undo reverses it."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from loopdrill.core.model import Rating
from loopdrill.core.timeutil import study_day, to_ms, to_stamp
from loopdrill.engine.answer import Memory
from loopdrill.store.aggregates import ROLLOVER, day_number
from loopdrill.store.bulk import REVLOG_COLUMNS
from loopdrill.store.rows import (
    MEMORY_COLUMNS,
    memory_columns,
    memory_from_json,
    memory_from_row,
    memory_to_json,
)
from loopdrill.store.tx import transaction


@dataclass(frozen=True)
class Answer:
    """Everything one answer writes."""

    card_id: str
    deck: str
    reviewed_at: dt.datetime
    rating: Rating
    before: Memory
    after: Memory
    duration_ms: int = 0
    retrievability: float | None = None
    typed: str | None = None
    proposed: Rating | None = None
    verdict: dict[str, Any] | None = None
    cram: bool = False
    session: str | None = None
    bury: tuple[str, ...] = ()
    bury_until: dt.datetime | None = None
    leech: bool = False
    suspend: bool = False
    effects: dict[str, Any] = field(default_factory=dict)


NO_EFFECTS = json.dumps({"buried": []})  # an answer that buried nothing and was no leech


def answer_columns(answer: Answer, day: int, hour: int) -> tuple[Any, ...]:
    """The revlog columns (store.bulk.REVLOG_COLUMNS after the card) of an answer."""
    before = answer.before
    elapsed = 0
    if before.last_review is not None:
        elapsed = (answer.reviewed_at - before.last_review) // dt.timedelta(days=1)
    r = answer.retrievability
    return (to_ms(answer.reviewed_at), day, hour, int(answer.rating), answer.duration_ms,
            int(before.state), before.reps, before.lapses, math.floor(before.interval_days),
            max(0, elapsed), None if r is None else round(r * 1e6), int(answer.cram))


@functools.cache
def _set_memory(state: bool, lapses: bool) -> str:
    """UPDATE of a card's memory columns, `state` and `lapses` only when they change: SQLite
    rewrites every index on a column it sets, even to the same value (cards_new_queue holds
    the state, cards_lapsed_tags the lapses), a page or two more to write on each answer."""
    kept = [c for c in MEMORY_COLUMNS.split(", ")
            if (c != "state" or state) and (c != "lapses" or lapses)]
    return f"UPDATE cards SET {', '.join(f'{c} = :{c}' for c in kept)} WHERE id = :id"


def set_memory(conn: sqlite3.Connection, card_id: str, before: Memory, after: Memory) -> None:
    """Store `after` as a card's memory, its state read as `before` in this transaction."""
    sql = _set_memory(after.state != before.state, after.lapses != before.lapses)
    conn.execute(sql, {**memory_columns(after), "id": card_id})


def rollover_hour(db: Database) -> int:
    """The stored rollover hour (4 when unset)."""
    return int(db.conn.execute(f"SELECT {ROLLOVER}").fetchone()[0])


@dataclass(frozen=True)
class Reading:
    """What an answer reads inside its transaction, in one statement: the card's memory
    state (None when the card is gone), its siblings when asked, the rollover hour."""

    memory: Memory | None
    siblings: tuple[str, ...]
    rollover: int


_READ = (f"SELECT {MEMORY_COLUMNS}, {ROLLOVER}, CASE WHEN ? THEN (SELECT group_concat(s.id, "
         "char(31)) FROM cards s WHERE s.deck = c.deck AND s.item = c.item AND s.id != c.id "
         "AND s.retired = 0) END FROM cards c WHERE c.id = ?")


def read_for_answer(db: Database, card_id: str, *, siblings: bool) -> Reading:
    """The Reading of a card about to be answered (its siblings: the other cards of its
    item that are not retired, when `siblings`)."""
    row = db.conn.execute(_READ, (siblings, card_id)).fetchone()
    if row is None:
        return Reading(None, (), rollover_hour(db))
    return Reading(memory_from_row(row[:8]), tuple(row[9].split("\x1f")) if row[9] else (),
                   int(row[8]))


def record(db: Database, answer: Answer, *, rollover: int) -> int:
    """Write one answer and return its revlog id, in the caller's transaction (which read the
    card's state the answer starts from: DrillSession.answer's, whose `before` it must be, as
    a state or lapse count equal in both is not written), so both commit together. Its
    study day is stamped now, in this process's local time, and never changes after (but for
    a new rollover hour; `rollover`: the hour as read in this transaction, Reading.rollover)."""
    after = answer.after
    effects: dict[str, Any] = {"buried": [], **answer.effects}
    conn = db.conn
    if not conn.in_transaction:
        raise RuntimeError("reviews.record runs inside the transaction that read the card")
    local = answer.reviewed_at.astimezone()  # its zone is the local offset of the moment
    day = day_number(study_day(local, rollover, local.tzinfo))
    if not answer.cram:
        set_memory(conn, answer.card_id, answer.before, after)
        if answer.bury and answer.bury_until is not None:
            until = to_stamp(answer.bury_until)
            for sibling in answer.bury:
                row = conn.execute(
                    "SELECT buried_until FROM cards WHERE id = ? AND state IN (0, 2)",
                    (sibling,)).fetchone()
                if row is not None and (row[0] is None or row[0] < until):
                    effects["buried"].append([sibling, row[0]])
                    conn.execute("UPDATE cards SET buried_until = ? WHERE id = ?",
                                 (until, sibling))
        if answer.leech:
            row = conn.execute("SELECT tags, suspended FROM cards WHERE id = ?",
                               (answer.card_id,)).fetchone()
            effects["leech"] = {"tags": row[0], "suspended": row[1]}
            tags = row[0] if " leech " in row[0] else (row[0] or " ") + "leech "
            conn.execute("UPDATE cards SET tags = ?, suspended = ? WHERE id = ?",
                         (tags, int(answer.suspend or row[1]), answer.card_id))
    cursor = conn.execute(
        f"INSERT INTO revlog ({', '.join(REVLOG_COLUMNS)}) SELECT num, "
        f"{', '.join('?' * (len(REVLOG_COLUMNS) - 1))} FROM cards WHERE id = ?",
        (*answer_columns(answer, day, local.hour), answer.card_id))
    review_id = int(cursor.lastrowid or 0)
    if answer.typed is not None or answer.proposed is not None or answer.verdict:
        conn.execute(
            "INSERT INTO revlog_typed VALUES (?, ?, ?, ?)",
            (review_id, answer.typed,
             int(answer.proposed) if answer.proposed is not None else None,
             json.dumps(answer.verdict, ensure_ascii=False) if answer.verdict else None))
    if answer.session is not None:
        conn.execute("INSERT INTO revlog_undo VALUES (?, ?, ?, ?)",
                     (review_id, answer.session, memory_to_json(answer.before),
                      json.dumps(effects) if len(effects) > 1 or effects["buried"] else NO_EFFECTS))
    return review_id


def prune_undo(db: Database, day: int) -> None:
    """Let go of the undo entries of answers older than the day before study day `day` (each
    entry's revlog row looked up by its id: a join would walk the whole revlog). A session
    does it once a study day, not on every answer: it reads every entry kept."""
    db.conn.execute("DELETE FROM revlog_undo WHERE (SELECT r.day FROM revlog r "
                    "WHERE r.id = revlog_undo.id) < ?", (day - 1,))


class AnsweredSince(Exception):
    """The answer to undo is no longer its card's newest (another terminal answered it)."""


def undo_last(db: Database, session: str) -> str | None:
    """Delete the newest revlog row of a session and restore what it changed.

    Returns the card id whose answer was undone, or None when there is nothing to undo;
    AnsweredSince (one sentence) when the card was answered since by another session.
    """
    with transaction(db) as tx:
        conn = tx.conn
        row = conn.execute(
            "SELECT u.id, c.id, u.before, u.effects, r.cram FROM revlog_undo u "
            "JOIN revlog r ON r.id = u.id JOIN cards c ON c.num = r.card "
            "WHERE u.session = ? ORDER BY u.id DESC LIMIT 1", (session,)).fetchone()
        if row is None:
            return None
        review_id, card_id, before_json, effects_json, cram = row
        newest = conn.execute("SELECT max(r.id) FROM revlog r JOIN cards c ON c.num = r.card "
                              "WHERE c.id = ? AND r.cram = 0", (card_id,)).fetchone()[0]
        if not cram and newest != review_id:
            raise AnsweredSince(f"{card_id} was answered since in another loopdrill; "
                                "its answer here stays")
        effects = json.loads(effects_json)
        if not cram:
            before = memory_columns(memory_from_json(before_json))
            conn.execute(_set_memory(True, True), {**before, "id": card_id})
            for sibling, previous in effects.get("buried", []):
                conn.execute("UPDATE cards SET buried_until = ? WHERE id = ?", (previous, sibling))
            if "leech" in effects:
                conn.execute("UPDATE cards SET tags = ?, suspended = ? WHERE id = ?",
                             (effects["leech"]["tags"], effects["leech"]["suspended"], card_id))
        conn.execute("DELETE FROM revlog WHERE id = ?", (review_id,))
        return str(card_id)


def hidden_state(db: Database, card_id: str) -> tuple[int, str | None]:
    """A card's (suspended, buried_until stamp), to put back when a suspend or bury is
    undone."""
    row = db.conn.execute("SELECT suspended, buried_until FROM cards WHERE id = ?",
                          (card_id,)).fetchone()
    return (int(row[0]), row[1]) if row else (0, None)


def restore_hidden(db: Database, card_id: str, state: tuple[int, str | None]) -> None:
    """Put back what hidden_state returned (undo of a suspend or a bury)."""
    with transaction(db) as tx:
        tx.conn.execute("UPDATE cards SET suspended = ?, buried_until = ? WHERE id = ?",
                        (state[0], state[1], card_id))


def session_totals(db: Database, session: str) -> tuple[int, int, int, int]:
    """A drill session's (cards, answers, ms, Again answers)."""
    row = db.conn.execute(
        "SELECT COUNT(DISTINCT r.card), COUNT(*), coalesce(SUM(r.ms), 0), "
        "coalesce(SUM(r.rating = 1), 0) FROM revlog_undo u JOIN revlog r ON r.id = u.id "
        "WHERE u.session = ?", (session,)).fetchone()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def set_suspended(db: Database, card_id: str, suspended: bool) -> None:
    """Suspend or unsuspend one card."""
    with transaction(db) as tx:
        tx.conn.execute("UPDATE cards SET suspended = ? WHERE id = ?", (int(suspended), card_id))


def bury(db: Database, card_id: str, until: dt.datetime) -> None:
    """Hide one card until a moment (the next study day)."""
    with transaction(db) as tx:
        tx.conn.execute("UPDATE cards SET buried_until = ? WHERE id = ?",
                        (to_stamp(until), card_id))
