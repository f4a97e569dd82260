"""One card's review history as `card ID` shows it, read through the `reviews` columns
every revlog layout keeps (time, rating, typed answer and verdict, the interval before,
elapsed days, cram)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from loopdrill.core.timeutil import from_stamp


@dataclass(frozen=True)
class ReviewLine:
    """One answer of a card."""

    at: dt.datetime
    rating: int
    duration_ms: int
    typed: str | None
    verdict: dict[str, Any] | None
    interval_before: float
    elapsed_days: float
    cram: bool


def card_reviews(db: Database, card_id: str) -> list[ReviewLine]:
    """A card's answers, oldest first."""
    rows = db.conn.execute(
        "SELECT reviewed_at, rating, duration_ms, answer, verdict, interval_before, "
        "elapsed_days, cram FROM reviews WHERE card_id = ? ORDER BY reviewed_at, id",
        (card_id,))
    return [ReviewLine(from_stamp(at), rating, ms or 0, typed,
                       json.loads(verdict) if verdict else None, float(before or 0),
                       float(elapsed or 0), bool(cram))
            for at, rating, ms, typed, verdict, before, elapsed, cram in rows]
