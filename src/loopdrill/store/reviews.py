"""The revlog: one answer is one transaction (card state + revlog row); undo reverses it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from loopdrill.core.model import Rating
from loopdrill.core.timeutil import to_stamp
from loopdrill.engine.answer import Memory
from loopdrill.store.bulk import SET_MEMORY
from loopdrill.store.rows import memory_columns, memory_from_json, memory_to_json
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


def record(db: Database, answer: Answer) -> int:
    """Write one answer atomically and return its revlog id."""
    before, after = answer.before, answer.after
    elapsed = 0.0
    if before.last_review is not None:
        elapsed = (answer.reviewed_at - before.last_review).total_seconds() / 86400
    effects: dict[str, Any] = {"buried": [], **answer.effects}
    with transaction(db) as tx:
        conn = tx.conn
        if not answer.cram:
            conn.execute(SET_MEMORY, {**memory_columns(after), "id": answer.card_id})
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
            "INSERT INTO reviews (card_id, deck, reviewed_at, rating, duration_ms, answer, "
            "proposed, verdict, state_before, state_after, reps_before, lapses_before, "
            "interval_before, retrievability, elapsed_days, scheduled_days, before, after, "
            "effects, cram, session) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (answer.card_id, answer.deck, to_stamp(answer.reviewed_at), int(answer.rating),
             answer.duration_ms, answer.typed,
             int(answer.proposed) if answer.proposed is not None else None,
             json.dumps(answer.verdict, ensure_ascii=False) if answer.verdict else None,
             int(before.state), int(after.state), before.reps, before.lapses,
             before.interval_days,
             answer.retrievability, elapsed, after.interval_days,
             memory_to_json(before), memory_to_json(after),
             json.dumps(effects), int(answer.cram), answer.session),
        )
        return int(cursor.lastrowid or 0)


class AnsweredSince(Exception):
    """The answer to undo is no longer its card's newest (another terminal answered it)."""


def undo_last(db: Database, session: str, since: dt.datetime) -> str | None:
    """Delete the newest revlog row of a session and restore what it changed.

    `since` is when the session started (the revlog is searched from there on).
    Returns the card id whose answer was undone, or None when there is nothing to undo;
    AnsweredSince (one sentence) when the card was answered since by another session.
    """
    with transaction(db) as tx:
        conn = tx.conn
        row = conn.execute(
            "SELECT id, card_id, before, effects, cram FROM reviews WHERE reviewed_at >= ? "
            "AND session = ? ORDER BY id DESC LIMIT 1", (to_stamp(since), session)).fetchone()
        if row is None:
            return None
        review_id, card_id, before_json, effects_json, cram = row
        newest = conn.execute("SELECT MAX(id) FROM reviews WHERE card_id = ? AND cram = 0",
                              (card_id,)).fetchone()[0]
        if not cram and newest != review_id:
            raise AnsweredSince(f"{card_id} was answered since in another loopdrill; "
                                "its answer here stays")
        effects = json.loads(effects_json)
        if not cram:
            conn.execute(SET_MEMORY, {**memory_columns(memory_from_json(before_json)),
                                      "id": card_id})
            for sibling, previous in effects.get("buried", []):
                conn.execute("UPDATE cards SET buried_until = ? WHERE id = ?", (previous, sibling))
            if "leech" in effects:
                conn.execute("UPDATE cards SET tags = ?, suspended = ? WHERE id = ?",
                             (effects["leech"]["tags"], effects["leech"]["suspended"], card_id))
        conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
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


def set_suspended(db: Database, card_id: str, suspended: bool) -> None:
    """Suspend or unsuspend one card."""
    with transaction(db) as tx:
        tx.conn.execute("UPDATE cards SET suspended = ? WHERE id = ?", (int(suspended), card_id))


def bury(db: Database, card_id: str, until: dt.datetime) -> None:
    """Hide one card until a moment (the next study day)."""
    with transaction(db) as tx:
        tx.conn.execute("UPDATE cards SET buried_until = ? WHERE id = ?",
                        (to_stamp(until), card_id))
