"""Deck-level operations shared by the CLI and the TUI: list, import, check."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from loopdrill.core.model import DeckError, DeckSpec, Problem
from loopdrill.core.timeutil import next_day_start
from loopdrill.formats.native import read_deck
from loopdrill.services.config import global_options
from loopdrill.store import queries
from loopdrill.store.decks import SyncReport, sync_deck
from loopdrill.store.tx import transaction


def deck_list(db: Database, now: dt.datetime) -> list[queries.DeckCounts]:
    """Every deck with its counts for today."""
    day_end = next_day_start(now, global_options(db).rollover_hour)
    return queries.deck_counts(db, now, day_end)


def read_files(paths: Sequence[Path]) -> list[tuple[DeckSpec, str]]:
    """Read deck files, each with its content hash; DeckError lists every problem in all."""
    problems: list[Problem] = []
    decks: list[tuple[DeckSpec, str]] = []
    for path in paths:
        try:
            deck = read_deck(path)
        except DeckError as exc:
            problems.extend(exc.problems)
            continue
        decks.append((deck, hashlib.sha256(path.read_bytes()).hexdigest()))
    seen: dict[str, str] = {}
    for deck, _ in decks:
        if deck.slug in seen:
            problems.append(Problem(deck.origin.split("#")[0], 0,
                                    f"deck {deck.slug!r} is also defined in {seen[deck.slug]}"))
        seen[deck.slug] = deck.origin.split("#")[0]
    if problems:
        raise DeckError(problems)
    return decks


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or would do, in a dry run)."""

    reports: list[SyncReport]
    dry_run: bool


def import_decks(db: Database, decks: Sequence[tuple[DeckSpec, str]], now: dt.datetime, *,
                 dry_run: bool = False) -> ImportResult:
    """Sync decks into the database in one transaction (none of it if any part fails)."""
    if dry_run:
        return ImportResult([sync_deck(db, d, now, content_hash=h, dry_run=True)
                             for d, h in decks], True)
    with transaction(db):
        reports = [sync_deck(db, d, now, content_hash=h) for d, h in decks]
    return ImportResult(reports, False)


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: every problem, and facts whose as-of date is too old."""

    files: int
    items: int
    problems: list[Problem]
    stale: list[Problem]


def check_files(paths: Sequence[Path], today: dt.date, stale_days: int) -> CheckResult:
    """Validate deck files without touching the database; list stale facts."""
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
                                     f"{age} days ago (older than {stale_days})", item.id))
    return CheckResult(len(paths), items, problems, stale)


def is_stale(as_of: dt.date | None, today: dt.date, stale_days: int = 180) -> bool:
    """Whether a fact's as-of date is older than the staleness limit."""
    return as_of is not None and (today - as_of).days > stale_days
