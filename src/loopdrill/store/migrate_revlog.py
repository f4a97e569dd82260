"""Moving a first-release `reviews` table into the compact revlog (migration m005).

Every row is kept, with its id: the card by its number, the time in ms, the study day it
counted on (stamped once, here, with this process's local time and the stored rollover
hour, as the first release computed it), whole days for the intervals, recall in millionths.
What was typed goes to revlog_typed; a drilled answer's state before it and its effects go to
revlog_undo, so an undo after the upgrade still restores them.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlite_utils import Database

from loopdrill.store.aggregates import ROLLOVER, StudyDays

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MILLISECOND = dt.timedelta(milliseconds=1)


def stamp_ms(stamp: str) -> int:
    """A stored ISO stamp as whole ms since the epoch (rounded down)."""
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment - EPOCH) // MILLISECOND


def convert_reviews(db: Database) -> None:
    """Copy `reviews` into revlog, revlog_typed and revlog_undo (the caller holds the
    migration's transaction; revlog's triggers do not exist yet)."""
    conn = db.conn
    days = StudyDays(int(conn.execute(f"SELECT {ROLLOVER}").fetchone()[0]))
    cursor = conn.execute(
        "SELECT r.id, c.num, r.reviewed_at, r.rating, r.duration_ms, r.state_before, "
        "r.reps_before, r.lapses_before, r.interval_before, r.elapsed_days, r.retrievability, "
        "r.cram, r.answer, r.proposed, r.verdict, r.session, r.before, r.effects "
        "FROM reviews r JOIN cards c ON c.id = r.card_id ORDER BY r.id")
    while chunk := cursor.fetchmany(20_000):
        rows: list[tuple[Any, ...]] = []
        typed: list[tuple[Any, ...]] = []
        undo: list[tuple[Any, ...]] = []
        for (review_id, num, stamp, rating, ms, state, reps, lapses, ivl, elapsed, r, cram,
             answer, proposed, verdict, session, before, effects) in chunk:
            at = stamp_ms(stamp)
            rows.append((review_id, num, at, days(at), days.hour(at), rating, ms or 0, state,
                         reps, lapses, math.floor(ivl or 0), math.floor(elapsed or 0),
                         None if r is None else round(r * 1e6), cram))
            if answer is not None or proposed is not None or verdict is not None:
                typed.append((review_id, answer, proposed, verdict))
            if session is not None:
                undo.append((review_id, session, before, effects or "{}"))
        cursor2 = db.conn.cursor()
        cursor2.executemany("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            rows)
        cursor2.executemany("INSERT INTO revlog_typed VALUES (?, ?, ?, ?)", typed)
        cursor2.executemany("INSERT INTO revlog_undo VALUES (?, ?, ?, ?)", undo)
