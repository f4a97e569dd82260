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


def delete_deck(db: Database, slug: str, backup_dir: Path | None, now: dt.datetime) -> str:
    """Remove a deck with its cards and their reviews after a backup; a built-in deck is
    hidden instead (show_deck brings it back, progress intact). What happened, in a line."""
    from loopdrill.store import items
    from loopdrill.store.backup import backup
    from loopdrill.store.tx import transaction

    found = items.deck_row(db, slug)
    if found is None:
        raise DeckError([Problem("deck", 0, f"no deck named {slug!r}; `loopdrill decks` "
                                            "lists them")])
    _, builtin, hidden = found
    if builtin:
        with transaction(db):
            items.set_hidden(db, slug, True)
        return (f"hid the built-in deck {slug}{' (it was hidden already)' if hidden else ''}; "
                f"`loopdrill deck show {slug}` brings it back with its progress")
    where = ""
    if backup_dir is not None:
        where = f" (backup: {backup(db.conn, backup_dir, reason='deck-delete', now=now)})"
    with transaction(db):
        cards, reviews = items.delete_deck(db, slug)
    return f"deleted deck {slug}: {cards} cards and {reviews} reviews{where}"


def show_deck(db: Database, slug: str) -> str:
    """Bring back a hidden deck."""
    from loopdrill.store import items
    from loopdrill.store.tx import transaction

    found = items.deck_row(db, slug)
    if found is None:
        raise DeckError([Problem("deck", 0, f"no deck named {slug!r}")])
    if not found[2]:
        return f"deck {slug} is not hidden"
    with transaction(db):
        items.set_hidden(db, slug, False)
    return f"deck {slug} is shown again, progress intact"
