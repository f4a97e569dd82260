"""Review history brought in from elsewhere: matched to cards (services.history_plan), then
replayed through FSRS and written, in one process, with memory bounded: the reviews stream
in a block at a time into numpy columns, the replay runs a chunk of cards at a time, and the
revlog rows go to the writer (store.bulk) 50,000 at a time, as columns."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import replace
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from sqlite_utils import Database

from loopdrill.core.model import ReviewRecord
from loopdrill.engine.replay import StepRow
from loopdrill.formats.batch import gc_paused
from loopdrill.formats.review_csv import review_blocks
from loopdrill.formats.review_fields import Block, raw_reviews
from loopdrill.services.history_plan import (
    CHUNK_CARDS,
    HistoryPlan,
    HistoryReport,
    plan_blocks,
    plan_rows,
)
from loopdrill.services.replays import HistoryJob, Replays, stored_memory
from loopdrill.store.aggregates import StudyDays
from loopdrill.store.bulk import set_memories
from loopdrill.store.fold import RevlogBatch, days_hours
from loopdrill.store.history import stash_reviews, stashed, unstash
from loopdrill.store.reviews import rollover_hour
from loopdrill.store.revlog_bulk import delete_reviews, reviews_bulk
from loopdrill.store.tx import transaction

__all__ = ["HistoryPlan", "HistoryReport", "import_review_blocks", "import_review_file",
           "import_reviews", "plan_history", "write_history"]


def import_reviews(db: Database, records: Iterable[ReviewRecord], now: dt.datetime, *,
                   source: str = "reviews", dry_run: bool = False) -> HistoryReport:
    """import_review_blocks for records."""
    with gc_paused():
        return _import(db, plan_history(db, records, now, source=source), dry_run)


def import_review_blocks(db: Database, blocks: Iterable[Block], now: dt.datetime, *,
                         source: str = "reviews", dry_run: bool = False) -> HistoryReport:
    """Add reviews (formats.review_csv.review_blocks streams them from a file) to the revlog
    and rebuild each touched card's state by replaying its history. One transaction; unknown
    cards or reviews in the future refuse the whole file."""
    with gc_paused():  # many small objects, no cycles among them
        return _import(db, plan_blocks(db, blocks, now, source=source), dry_run)


def import_review_file(db: Database, path: Path, now: dt.datetime, *, dry_run: bool = False
                       ) -> HistoryReport:
    """import_review_blocks for a review-history CSV (formats.review_csv), each problem
    naming the file."""
    return import_review_blocks(db, review_blocks(path), now, source=str(path), dry_run=dry_run)


def _import(db: Database, plan: HistoryPlan, dry_run: bool) -> HistoryReport:
    """Write a plan (unless a dry run) in one transaction."""
    if not dry_run:
        with transaction(db):
            write_history(db, plan)
    return replace(plan.report, dry_run=dry_run)


def plan_history(db: Database, records: Iterable[ReviewRecord], now: dt.datetime, *,
                 source: str = "reviews") -> HistoryPlan:
    """plan_rows for records (reads only)."""
    return plan_rows(db, raw_reviews(records), now, source=source)


def write_history(db: Database, plan: HistoryPlan) -> None:
    """Replay a planned history into revlog rows and card states and write them (the caller
    holds the transaction): each card's rows in order, its state that of its replay from its
    newest manual baseline (services.replays). The stored rows of the cards it adds to are set
    aside first (with what was typed) and written again among the new ones."""
    replays = Replays(db, rows=True)
    names = {num: (card_id, deck) for card_id, deck, num, _, _ in plan.cards}
    stash_reviews(db, plan.replaced)
    delete_reviews(db, {num: names[num] for num in plan.replaced})
    states: list[tuple[Any, ...]] = []
    days = StudyDays(rollover_hour(db))
    with reviews_bulk(db, plan.reviews, names) as bulk:
        bulk.add_all(_batches(db, plan, replays, states, days))
    set_memories(db, states)
    unstash(db)


def _jobs(db: Database, plan: HistoryPlan) -> Iterator[HistoryJob]:
    """Each planned card's replay job, its history oldest first: its new reviews, and its
    stored rows (time ms, review id, rating, duration, cram, study day, local hour, what was
    typed) among them; a stored row comes first at a time they share. The job's key: where
    its new reviews are in the plan, and, when it has stored rows, its rows merged."""
    replaced = set(plan.replaced)
    by_time = itemgetter(0)
    at, rating, ms, cram = plan.at, plan.rating, plan.ms, plan.cram
    for first in range(0, len(plan.cards), CHUNK_CARDS):
        chunk = plan.cards[first:first + CHUNK_CARDS]
        stored: dict[int, list[tuple[Any, ...]]] = {}
        for num, *row in stashed(db, [num for _, _, num, _, _ in chunk if num in replaced]):
            stored.setdefault(num, []).append(tuple(row))
        base, end = chunk[0][3], chunk[-1][4]  # the chunk's new reviews, as Python values
        new = list(zip((at[base:end] * 1000).tolist(), rating[base:end].tolist(),
                       cram[base:end].astype(bool).tolist(), strict=True))
        for card_id, deck, num, start, stop in chunk:
            if num not in stored:
                yield (start, stop, None), num, card_id, deck, new[start - base:stop - base]
                continue
            history = sorted(stored[num] + list(zip(
                at[start:stop].tolist(), itertools.repeat(None), rating[start:stop].tolist(),
                ms[start:stop].tolist(), cram[start:stop].tolist())), key=by_time)
            yield (start, stop, history), num, card_id, deck, [
                (row[0] * 1000, row[2], bool(row[4])) for row in history]


BATCH_ROWS = 50_000  # revlog rows written (and their totals counted) at a time


def _batches(db: Database, plan: HistoryPlan, replays: Replays, states: list[tuple[Any, ...]],
             days: StudyDays) -> Iterator[RevlogBatch | list[tuple[Any, ...]]]:
    """The revlog rows of the cards' replayed histories, in plan order: the new reviews of
    cards without stored rows as columns, those of cards with stored rows as tuples (store.bulk
    .REVLOG_COLUMNS, then what was typed if anything). Each card's state goes to `states`."""
    pending: list[tuple[int, int, int]] = []  # (card number, start, stop)
    steps: list[StepRow] = []
    merged: list[tuple[Any, ...]] = []
    for ((start, stop, history), num, *_), rows, memory in replays.run_histories(
            _jobs(db, plan)):
        states.append((*stored_memory(memory), num))
        if history is None:
            if merged:
                yield merged
                merged = []
            pending.append((num, start, stop))
            steps += rows
            if len(steps) >= BATCH_ROWS:
                yield _batch(plan, pending, steps, days)
                pending, steps = [], []
        else:
            if pending:
                yield _batch(plan, pending, steps, days)
                pending, steps = [], []
            merged += _merged(num, history, rows, days)
            if len(merged) >= BATCH_ROWS:
                yield merged
                merged = []
    if pending:
        yield _batch(plan, pending, steps, days)
    if merged:
        yield merged


def _batch(plan: HistoryPlan, cards: list[tuple[int, int, int]], steps: list[StepRow],
           days: StudyDays) -> RevlogBatch:
    """The revlog columns of cards that follow one another in the plan, with their steps."""
    start, stop = cards[0][1], cards[-1][2]
    at = plan.at[start:stop]
    day, hour = days_hours(days, at)
    card = np.repeat(np.array([num for num, _, _ in cards], np.int64),
                     [end - begin for _, begin, end in cards])
    values = [list(map(itemgetter(n), steps)) for n in range(6)]  # state .. r
    recall = np.array(values[5], np.float64)  # None is nan
    return RevlogBatch([card, at, day, hour, plan.rating[start:stop].astype(np.int64),
                        plan.ms[start:stop], *(np.array(c, np.int64) for c in values[:5]),
                        np.where(np.isnan(recall), -1, recall).astype(np.int64),
                        plan.cram[start:stop].astype(np.int64)],
                       dict(enumerate(values, start=6)))


def _merged(num: int, history: list[tuple[Any, ...]], steps: list[StepRow], days: StudyDays
            ) -> Iterator[tuple[Any, ...]]:
    """A card's revlog rows, stored ones among new ones: a stored row keeps the study day it
    was stamped with; a new one is stamped here."""
    for row, (state, reps, lapses, ivl, elapsed, r) in zip(history, steps, strict=True):
        if row[1] is None:
            at, _, rating, ms, cram = row
            day, hour = days.day_hour(at)
            yield (num, at, day, hour, rating, ms, state, reps, lapses, ivl, elapsed, r, cram)
        else:
            at, _, rating, ms, cram, day, hour, typed = row
            yield (num, at, day, hour, rating, ms, state, reps, lapses, ivl, elapsed, r, cram,
                   *typed)
