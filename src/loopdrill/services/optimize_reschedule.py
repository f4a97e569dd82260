"""Rescheduling for the optimizer: replay histories with new parameters, or move due dates
after an option change, and the workload figures that show what moved."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from loopdrill.core.timeutil import day_start, study_day, to_stamp
from loopdrill.services.config import global_options
from loopdrill.services.replays import Replays, stored_memory
from loopdrill.store.bulk import set_memories
from loopdrill.store.decks import deck_family
from loopdrill.store.history import card_histories, orphan_reviews, studied_cards
from loopdrill.store.schedule import (
    decks_without_parameters,
    due_before,
    memory_indexes_dropped,
    review_total,
)
from loopdrill.store.tx import transaction

__all__ = ["ApplyReport", "OptimizeError", "due_counts", "replay_cards", "reschedule_all",
           "review_total", "skipped_rows"]


class OptimizeError(ValueError):
    """A fit cannot be made or applied; one sentence, the parameters are unchanged."""


@dataclass(frozen=True)
class ApplyReport:
    """What storing parameters or options did to the schedule. Workload: cards due by the
    end of today's study day, and by the end of the 7 study days after it."""

    cards: int
    moved: int
    due_today_before: int
    due_week_before: int
    due_today_after: int
    due_week_after: int
    seconds: float = 0.0  # time spent rescheduling
    backup: str | None = None


def skipped_rows(db: Database, deck: str | None) -> int:
    """Revlog rows the optimizer cannot use: those of no card (`loopdrill doctor` removes
    them). A deck's fit reads its own cards' rows only, so it skips none."""
    return 0 if deck else orphan_reviews(db)


def due_counts(db: Database, now: dt.datetime, deck: str | None) -> tuple[int, int]:
    """(cards due by the end of today's study day, by the end of the next 7 study days)."""
    rollover = global_options(db).rollover_hour
    today = study_day(now, rollover)
    first, week = (to_stamp(day_start(today + dt.timedelta(days=n), rollover)) for n in (1, 8))
    return due_before(db, (first, week), deck)


def replay_cards(db: Database, deck: str | None) -> tuple[int, int]:
    """Rebuild every affected card's memory by replaying its log, from its newest manual
    baseline, with the parameters and options now stored (the caller holds the transaction).
    Returns (cards, due dates moved)."""
    decks = deck_family(db, deck) if deck is not None else decks_without_parameters(db)
    if not decks:
        return 0, 0
    cards = studied_cards(db, decks)
    jobs = ((num, num, *cards[num][:2], log) for num, log in card_histories(db, cram=False)
            if num in cards)
    updates: list[tuple[Any, ...]] = []
    moved = 0
    for (num, *_), _, memory in Replays(db).run(jobs):
        row = stored_memory(memory)
        moved += row[4] != cards[num][2]
        updates.append((*row, num))
    with memory_indexes_dropped(db, len(updates)):
        set_memories(db, updates)
    return len(updates), moved


def reschedule_all(db: Database, now: dt.datetime, deck: str | None = None) -> ApplyReport:
    """After an option change (desired retention, maximum interval, steps): every studied card
    of the deck (or of all decks) gets the state the replay of its log with the new options
    gives, so its state stays its log's replay. One transaction."""
    started = time.perf_counter()
    with transaction(db):
        before = due_counts(db, now, deck)
        cards, moved = replay_cards(db, deck)
        after = due_counts(db, now, deck)
    return ApplyReport(cards, moved, *before, *after, seconds=time.perf_counter() - started)
