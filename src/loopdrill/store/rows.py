"""Mapping between card rows and the objects the rest of the app uses."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any

from loopdrill.core.model import CardState
from loopdrill.core.timeutil import from_stamp, to_stamp
from loopdrill.engine.answer import Memory

CARD_COLUMNS = (
    "id, deck, item, variant, kind, content, tags, source, as_of, suspended, buried_until, "
    "retired, state, step, stability, difficulty, due, last_review, reps, lapses"
)


def stamp_sql(ms: str) -> str:
    """SQL for the text stamp (core.timeutil.to_stamp's form) of a time stored in ms since the
    Unix epoch (cards.added, revlog.at)."""
    return (f"strftime('%Y-%m-%dT%H:%M:%S', {ms} / 1000, 'unixepoch') "
            f"|| printf('.%06d+00:00', {ms} % 1000 * 1000)")


def ms_sql(stamp: str) -> str:
    """SQL for the ms since the Unix epoch of a text stamp (NULL for NULL or for text that is
    no time)."""
    return f"CAST(round((julianday({stamp}) - 2440587.5) * 86400000) AS INTEGER)"


@dataclass(frozen=True)
class StoredCard:
    """A card as the database holds it."""

    id: str
    deck: str
    item: str
    variant: str
    kind: str
    content: dict[str, Any]
    tags: tuple[str, ...]
    source: str | None
    as_of: dt.date | None
    suspended: bool
    buried_until: dt.datetime | None
    retired: bool
    memory: Memory


# the fields every card of a kind has, and those of them that are text
REQUIRED = {"basic": ("front", "back"), "cloze": ("text", "ord"), "numeric": ("front", "answer"),
            "choice": ("front", "choices", "answer"), "text": ("front", "answer"),
            "calc": ("front", "vars", "answer")}
TEXT_FIELDS = ("front", "back", "text")


def card_content(card_id: str, kind: str, text: str) -> dict[str, Any]:
    """A card's content column: a JSON object with the fields of its kind (ValueError naming
    the card when a damaged row holds anything else; a cheap check, no parsing of values)."""
    try:
        content = json.loads(text)
    except ValueError:
        content = None
    if not isinstance(content, dict):
        raise ValueError(f"a card whose content is not a JSON object ({card_id})")
    missing = [key for key in REQUIRED.get(kind, ()) if key not in content or
               (key in TEXT_FIELDS and not isinstance(content[key], str))]
    if missing:
        raise ValueError(f"a card whose content lacks its {kind} field {missing[0]!r} "
                         f"({card_id})")
    return content


def card_from_row(row: tuple[Any, ...]) -> StoredCard:
    """Build a StoredCard from a row selected with CARD_COLUMNS."""
    (id_, deck, item, variant, kind, content, tags, source, as_of, suspended, buried,
     retired, state, step, stability, difficulty, due, last_review, reps, lapses) = row
    return StoredCard(
        id=id_, deck=deck, item=item, variant=variant, kind=kind,
        content=card_content(id_, kind, content), tags=tags_from_text(tags), source=source,
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        suspended=bool(suspended), buried_until=from_stamp(buried) if buried else None,
        retired=bool(retired),
        memory=memory_from_row((state, step, stability, difficulty, due, last_review, reps,
                                lapses)),
    )


MEMORY_COLUMNS = "state, step, stability, difficulty, due, last_review, reps, lapses"


def memory_from_row(row: tuple[Any, ...]) -> Memory:
    """A card's Memory from its MEMORY_COLUMNS (the last columns of CARD_COLUMNS)."""
    state, step, stability, difficulty, due, last_review, reps, lapses = row
    return Memory(
        state=CardState(state), step=step, stability=stability, difficulty=difficulty,
        due=from_stamp(due) if due else None,
        last_review=from_stamp(last_review) if last_review else None,
        reps=reps, lapses=lapses,
    )


def memory_columns(memory: Memory) -> dict[str, Any]:
    """The card columns that hold a memory state."""
    return {
        "state": int(memory.state),
        "step": memory.step,
        "stability": memory.stability,
        "difficulty": memory.difficulty,
        "due": to_stamp(memory.due) if memory.due else None,
        "last_review": to_stamp(memory.last_review) if memory.last_review else None,
        "reps": memory.reps,
        "lapses": memory.lapses,
    }


def memory_to_json(memory: Memory) -> str:
    """A memory state as the revlog's compact before/after JSON:
    [state, step, stability, difficulty, due, last_review, reps, lapses] with the times as
    Unix seconds. Built by hand: it is on the hot path of a 200,000-review import."""

    def num(value: float | int | None) -> str:
        return "null" if value is None else repr(value)

    due = repr(memory.due.timestamp()) if memory.due else "null"
    last = repr(memory.last_review.timestamp()) if memory.last_review else "null"
    return (f"[{int(memory.state)},{num(memory.step)},{num(memory.stability)},"
            f"{num(memory.difficulty)},{due},{last},{memory.reps},{memory.lapses}]")


def memory_from_json(text: str) -> Memory:
    """The inverse of memory_to_json."""
    state, step, stability, difficulty, due, last, reps, lapses = json.loads(text)
    return Memory(
        state=CardState(state), step=step, stability=stability, difficulty=difficulty,
        due=dt.datetime.fromtimestamp(due, dt.UTC) if due is not None else None,
        last_review=dt.datetime.fromtimestamp(last, dt.UTC) if last is not None else None,
        reps=reps, lapses=lapses,
    )


@functools.lru_cache(maxsize=4096)  # a big import repeats a few hundred tag sets
def tags_to_text(tags: tuple[str, ...]) -> str:
    """Tags stored space-separated with a space at each end, so `LIKE '% tag %'` finds one."""
    return f" {' '.join(tags)} " if tags else ""


def tags_from_text(text: str) -> tuple[str, ...]:
    """The inverse of tags_to_text."""
    return tuple(text.split())
