"""Review history brought in from elsewhere: matched to cards (services.history_plan), then
replayed through FSRS and written, in one process, with memory bounded: the reviews stream
in, each card's stay in compact arrays, the replay runs a chunk of cards at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from operator import itemgetter
from typing import Any

from sqlite_utils import Database

from loopdrill.core.model import Rating, ReviewRecord
from loopdrill.core.timeutil import from_ms, to_ms
from loopdrill.formats.batch import gc_paused
from loopdrill.formats.review_csv import RawReview
from loopdrill.services.history_plan import (
    CHUNK_CARDS,
    HistoryPlan,
    HistoryReport,
    new_rows,
    plan_rows,
    resolve_ids,
)
from loopdrill.services.replays import Replays, stored_memory
from loopdrill.store.aggregates import StudyDays
from loopdrill.store.bulk import delete_reviews, reviews_bulk, set_memories
from loopdrill.store.history import all_reviews, stash_reviews, stashed, unstash
from loopdrill.store.reviews import rollover_hour
from loopdrill.store.tx import transaction

__all__ = ["HistoryPlan", "HistoryReport", "export_reviews", "import_review_rows",
           "import_reviews", "plan_history", "resolve_ids", "write_history"]


def _raw(records: Iterable[ReviewRecord]) -> Iterator[RawReview]:
    for r in records:
        yield r.card_id, to_ms(r.reviewed_at), int(r.rating), r.duration_ms, int(r.cram), r.line


def import_reviews(db: Database, records: Iterable[ReviewRecord], now: dt.datetime, *,
                   source: str = "reviews", dry_run: bool = False) -> HistoryReport:
    """import_review_rows for records."""
    return import_review_rows(db, _raw(records), now, source=source, dry_run=dry_run)


def import_review_rows(db: Database, rows: Iterable[RawReview], now: dt.datetime, *,
                       source: str = "reviews", dry_run: bool = False) -> HistoryReport:
    """Add reviews (formats.review_csv.review_rows streams them from a file) to the revlog
    and rebuild each touched card's state by replaying its history. One transaction; unknown
    cards or reviews in the future refuse the whole file."""
    with gc_paused():  # many small objects, no cycles among them
        plan = plan_rows(db, rows, now, source=source)
        if not dry_run:
            with transaction(db):
                write_history(db, plan)
    return HistoryReport(plan.report.cards, plan.report.added, plan.report.duplicates, dry_run)


def plan_history(db: Database, records: Iterable[ReviewRecord], now: dt.datetime, *,
                 source: str = "reviews") -> HistoryPlan:
    """plan_rows for records (reads only)."""
    return plan_rows(db, _raw(records), now, source=source)


def write_history(db: Database, plan: HistoryPlan) -> None:
    """Replay a planned history into revlog rows and card states and write them (the caller
    holds the transaction): each card's rows in order, its state that of its replay from its
    newest manual baseline (services.replays). The stored rows of the cards it adds to are set
    aside first (with what was typed) and written again among the new ones."""
    replays = Replays(db, rows=True)
    replaced = set(plan.replaced)
    stash_reviews(db, plan.replaced)
    delete_reviews(db, [card_id for card_id, _, num, _ in plan.cards if num in replaced])
    states: list[tuple[Any, ...]] = []
    days = StudyDays(rollover_hour(db))
    names = {num: (card_id, deck) for card_id, deck, num, _ in plan.cards}
    with reviews_bulk(db, plan.reviews, names) as bulk:
        bulk.add(_rows(db, plan, replays, states, days))
    set_memories(db, states)
    unstash(db)


def _histories(db: Database, plan: HistoryPlan
               ) -> Iterator[tuple[str, str, int, list[tuple[Any, ...]]]]:
    """Each planned card's whole history, oldest first: its stored rows (time ms, review id,
    rating, duration, cram, study day, local hour, what was typed) and its new reviews (time
    ms, None, rating, duration, cram); a stored row comes first at a time they share."""
    replaced = set(plan.replaced)
    by_time = itemgetter(0)
    for start in range(0, len(plan.cards), CHUNK_CARDS):
        chunk = plan.cards[start:start + CHUNK_CARDS]
        stored: dict[int, list[tuple[Any, ...]]] = {}
        for num, *row in stashed(db, [num for _, _, num, _ in chunk if num in replaced]):
            stored.setdefault(num, []).append(tuple(row))
        for card_id, deck, num, staged in chunk:
            history: list[tuple[Any, ...]] = list(new_rows(staged))
            if num in stored:
                history = sorted(stored[num] + history, key=by_time)
            yield card_id, deck, num, history


def _rows(db: Database, plan: HistoryPlan, replays: Replays, states: list[tuple[Any, ...]],
          days: StudyDays) -> Iterator[tuple[Any, ...]]:
    """The revlog rows (store.bulk.REVLOG_COLUMNS, then what was typed if anything) of the
    cards' replayed histories; each card's state goes to `states`. A stored row keeps the
    study day it was stamped with; a new one is stamped here."""
    day_hour = days.day_hour
    jobs = (((num, history), num, card_id, deck, [(row[0], row[2], row[4]) for row in history])
            for card_id, deck, num, history in _histories(db, plan))
    for ((num, history), *_), steps, memory in replays.run(jobs):
        states.append((*stored_memory(memory), num))
        for row, (state, reps, lapses, ivl, elapsed, r) in zip(history, steps, strict=True):
            if row[1] is None:
                at, _, rating, ms, cram = row
                day, hour = day_hour(at)
                yield (num, at, day, hour, rating, ms, state, reps, lapses, ivl, elapsed, r,
                       cram)
            else:
                at, _, rating, ms, cram, day, hour, typed = row
                yield (num, at, day, hour, rating, ms, state, reps, lapses, ivl, elapsed, r,
                       cram, *typed)


def export_reviews(db: Database) -> list[ReviewRecord]:
    """Every review, oldest first, as the review-history CSV holds them."""
    return [ReviewRecord(card_id, from_ms(at), Rating(rating), ms, bool(cram))
            for card_id, at, rating, ms, cram in all_reviews(db)]
