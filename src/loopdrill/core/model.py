"""Plain data objects shared by every layer: deck files, items, cards, reviews, problems."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, NamedTuple

KINDS = ("basic", "cloze", "numeric", "choice", "text", "calc")
SELF_GRADED = frozenset({"basic", "cloze"})


# a stored review as the full JSON export carries it: its card's id, the revlog row as stored
# (store.schema: time and study day, rating, duration, cram, the state before) and what was
# typed, if anything
REVIEW_COLUMNS = ("card_id", "at", "rating", "ms", "cram", "day", "hour", "state", "reps",
                  "lapses", "ivl", "elapsed", "r", "answer", "proposed", "verdict")


class Rating(IntEnum):
    """The four answer buttons, numbered as in Anki and FSRS."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class CardState(IntEnum):
    """Where a card stands. NEW has never been answered; the rest are FSRS states."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located by file and line."""

    file: str
    line: int
    message: str
    item: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.item:
            return f"{where}: {self.item}: {self.message}"
        return f"{where}: {self.message}"


class DeckError(Exception):
    """A deck file (or other input) has problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Item(NamedTuple):
    """One entry of a deck file; it yields one or more cards.

    `fields` holds the kind-specific keys as written (front, back, reversible, text,
    answer, unit, tolerance, choices, vars). A named tuple: imports build 100,000 of them.
    """

    id: str
    kind: str
    fields: dict[str, Any]
    tags: tuple[str, ...] = ()
    source: str | None = None
    as_of: dt.date | None = None
    line: int = 0


@dataclass(frozen=True)
class DeckSpec:
    """A whole deck as read from a file, before it reaches the database."""

    slug: str
    title: str
    items: tuple[Item, ...]
    description: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    origin: str = ""
    warnings: tuple[Problem, ...] = ()
    parameters: tuple[float, ...] = ()  # FSRS parameters the deck brings (an Anki preset)


class CardSpec(NamedTuple):
    """One card derived from an item: what it shows and how it is graded (a named tuple,
    for the same reason as Item)."""

    id: str
    deck: str
    item: str
    variant: str
    kind: str
    content: dict[str, Any]
    tags: tuple[str, ...] = ()
    source: str | None = None
    as_of: dt.date | None = None
    position: int = 0


class ReviewRecord(NamedTuple):
    """A past answer brought in from elsewhere (an .apkg revlog, a review CSV); a named tuple
    because a history file holds hundreds of thousands."""

    card_id: str
    reviewed_at: dt.datetime
    rating: Rating
    duration_ms: int = 0
    cram: bool = False
    line: int = 0


class ImportedState(NamedTuple):
    """A card's schedule as another program left it (Anki's card row): taken as it is after
    the history is replayed. `stability` None keeps the replay's memory state."""

    state: CardState
    step: int | None
    stability: float | None
    difficulty: float | None
    due: dt.datetime | None
    last_review: dt.datetime | None
    reps: int
    lapses: int
    suspended: bool = False
    buried: bool = False
    flag: int = 0
