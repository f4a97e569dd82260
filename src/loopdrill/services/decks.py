"""Deck-level operations shared by the CLI and the TUI: list, import, check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from loopdrill.core.model import DeckError, Problem
from loopdrill.core.timeutil import next_day_start
from loopdrill.core.words import plural
from loopdrill.services.config import global_options
from loopdrill.store import queries


def deck_list(db: Database, now: dt.datetime) -> list[queries.DeckCounts]:
    """Every deck with its counts for today."""
    day_end = next_day_start(now, global_options(db).rollover_hour)
    return queries.deck_counts(db, now, day_end)


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: every problem, and facts whose as-of date is too old."""

    files: int
    items: int
    problems: list[Problem]
    stale: list[Problem]


def check_files(paths: Sequence[Path], today: dt.date, stale_days: int) -> CheckResult:
    """Validate deck files without touching the database; list stale facts."""
    from loopdrill.formats.native import read_deck  # YAML and the graded kinds: only here

    problems: list[Problem] = []
    stale: list[Problem] = []
    items = 0
    for path in paths:
        try:
            deck = read_deck(path)
        except DeckError as exc:
            problems.extend(exc.problems)
            continue
        items += len(deck.items)
        for item in deck.items:
            if item.as_of is not None and (today - item.as_of).days > stale_days:
                age = (today - item.as_of).days
                stale.append(Problem(str(path), item.line, f"fact checked {item.as_of}, "
                                     f"{plural(age, 'day')} ago (older than {stale_days})",
                                     item.id))
    return CheckResult(len(paths), items, problems, stale)


def is_stale(as_of: dt.date | None, today: dt.date, stale_days: int = 180) -> bool:
    """Whether a fact's as-of date is older than the staleness limit."""
    return as_of is not None and (today - as_of).days > stale_days
