"""Card schedules brought from another program (Anki) written over the replayed state, and
the FSRS parameters a deck brings."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from sqlite_utils import Database

from loopdrill.core.model import ImportedState
from loopdrill.core.timeutil import to_stamp
from loopdrill.store.card_ops import log_manual, snapshot
from loopdrill.store.settings import set_meta


def apply_states(db: Database, states: Mapping[str, ImportedState],
                 buried_until: dt.datetime, now: dt.datetime) -> int:
    """Each card's state, due, memory, counts, suspended, buried and flag as given (the caller
    holds the transaction). A state without stability keeps the card's replayed memory, except
    a new card, which has none. Each card written gets a manual-log entry 'anki' at `now`
    holding the state set: a baseline that doctor replays later answers from, not the whole
    log. Returns how many cards were written."""
    rows = []
    for card_id, s in states.items():
        new = s.state == 0
        rows.append((int(s.state), s.step, s.stability, s.difficulty, int(new),
                     to_stamp(s.due) if s.due else None,
                     to_stamp(s.last_review) if s.last_review else None, s.reps, s.lapses,
                     int(s.suspended), to_stamp(buried_until) if s.buried else None, s.flag,
                     card_id))
    cursor = db.conn.executemany(
        "UPDATE cards SET state = ?, step = ?, "
        "stability = CASE WHEN ?3 IS NOT NULL OR ?5 THEN ?3 ELSE stability END, "
        "difficulty = CASE WHEN ?3 IS NOT NULL OR ?5 THEN ?4 ELSE difficulty END, "
        "due = ?6, last_review = COALESCE(?7, CASE WHEN ?5 THEN NULL ELSE last_review END), "
        "reps = ?8, lapses = ?9, suspended = ?10, buried_until = ?11, flag = ?12 "
        "WHERE id = ?13", rows)
    for row in snapshot(db, list(states)).rows:
        log_manual(db.conn, row[0], now, "anki", row[1:], None)
    return cursor.rowcount


def set_deck_parameters(db: Database, deck: str, parameters: tuple[float, ...]) -> None:
    """FSRS parameters for one deck (what `optimize --apply` stores for a deck)."""
    set_meta(db, f"parameters:{deck}", json.dumps(list(parameters)))
