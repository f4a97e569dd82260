"""The review-history CSV: `card_id,reviewed_at,rating,duration_ms`, UTC ISO-8601 times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from loopdrill.core.model import DeckError, Problem, Rating, ReviewRecord
from loopdrill.formats.files import decode, read_input

HEADER = ["card_id", "reviewed_at", "rating", "duration_ms"]
RATINGS = {"1": Rating.AGAIN, "2": Rating.HARD, "3": Rating.GOOD, "4": Rating.EASY}
MAX_PROBLEMS = 50
MAX_BYTES = 1024 * 1024 * 1024


def read_review_csv(path: Path) -> list[ReviewRecord]:
    """Every row as a ReviewRecord; DeckError lists every bad row with its line."""
    name = str(path)
    text = decode(read_input(path, MAX_BYTES), name)
    lines = text.splitlines()
    if not lines or [c.strip() for c in lines[0].split(",")] != HEADER:
        raise DeckError([Problem(name, 1, "the first line must be the header "
                                 + ",".join(HEADER))])
    records: list[ReviewRecord] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        record = _row(line, number, name, problems)
        if record is not None:
            records.append(record)
        if len(problems) > MAX_PROBLEMS:
            problems.append(Problem(name, number, "too many bad rows; stopped reading"))
            break
    if problems:
        raise DeckError(problems)
    return records


def _row(line: str, number: int, name: str, problems: list[Problem]) -> ReviewRecord | None:
    parts = line.split(",")
    if len(parts) != 4:
        problems.append(Problem(name, number, f"expected 4 fields, found {len(parts)}"))
        return None
    card_id, stamp, rating, duration = (p.strip() for p in parts)
    if not card_id:
        problems.append(Problem(name, number, "card_id is empty"))
        return None
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        problems.append(Problem(name, number, f"reviewed_at {stamp!r} is not an ISO-8601 time"))
        return None
    if moment.tzinfo is None:
        problems.append(Problem(name, number, f"reviewed_at {stamp!r} has no timezone "
                                "(write it in UTC, e.g. 2026-01-02T03:04:05Z)"))
        return None
    if rating not in RATINGS:
        problems.append(Problem(name, number, f"rating {rating!r} is not 1, 2, 3 or 4"))
        return None
    if not duration.isascii() or not duration.isdigit():
        problems.append(Problem(name, number, f"duration_ms {duration!r} is not a whole "
                                "number of milliseconds"))
        return None
    return ReviewRecord(card_id, moment.astimezone(dt.UTC), RATINGS[rating], int(duration),
                        line=number)
