"""Review history brought in from elsewhere: matched to cards, replayed through FSRS."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlite_utils import Database

from loopdrill.core.model import DeckError, Problem, Rating, ReviewRecord
from loopdrill.core.timeutil import from_ms, to_ms, to_stamp
from loopdrill.formats.batch import gc_paused
from loopdrill.services.replays import Replays, stored_memory
from loopdrill.store.aggregates import StudyDays
from loopdrill.store.bulk import delete_reviews, reviews_bulk, set_memories
from loopdrill.store.history import all_reviews, stored_history, typed_answers
from loopdrill.store.reviews import rollover_hour
from loopdrill.store.tx import transaction


@dataclass(frozen=True)
class HistoryReport:
    """What importing a review history did (or would do)."""

    cards: int
    added: int
    duplicates: int
    dry_run: bool = False


def resolve_ids(db: Database, wanted: Iterable[str]) -> tuple[dict[str, tuple[str, str, int]],
                                                             list[str]]:
    """Map each id (a card id, or an item id unique across decks) to (card id, deck, number).
    Each kind is looked up in one query, the ids passed as one JSON array."""
    found: dict[str, tuple[str, str, int]] = {}
    wanted = set(wanted)
    ids = [i for i in wanted if "/" in i]  # a card id is deck/item: the others are item ids
    if ids:
        for card_id, deck, rowid in db.conn.execute(
                "SELECT id, deck, num FROM cards WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),)):
            found[card_id] = (card_id, deck, rowid)
    rest = sorted(wanted - found.keys())
    if rest:  # item ids: every deck's (deck, item) index searched for each
        by_item: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for card_id, item, deck, rowid in db.conn.execute(
                "SELECT c.id, c.item, c.deck, c.num FROM decks d CROSS JOIN json_each(?) j "
                "CROSS JOIN cards c ON c.deck = d.slug AND c.item = j.value "
                "WHERE c.variant IN ('', 'c1')", (json.dumps(rest),)):
            by_item[item].append((card_id, deck, rowid))
        for item, cards in by_item.items():
            if len(cards) == 1:
                found[item] = cards[0]
    return found, sorted(wanted - found.keys())


# a stored row (time ms, review id, rating, duration, cram: see _existing) or a new review
# (time ms, None, rating, duration, cram)
Stored = tuple[Any, ...]


@dataclass(frozen=True)
class HistoryPlan:
    """A history matched to cards, ready to replay and write: per card with new reviews, its
    whole history oldest first (stored rows and new ones)."""

    report: HistoryReport
    replaced: tuple[str, ...]  # cards whose stored revlog rows are written again
    cards: list[tuple[str, str, int, list[Stored]]]  # (card id, deck, number, history)
    reviews: int  # revlog rows to write


def import_reviews(db: Database, records: Sequence[ReviewRecord], now: dt.datetime, *,
                   source: str = "reviews", dry_run: bool = False) -> HistoryReport:
    """Add reviews to the revlog and rebuild each touched card's state by replaying its whole
    history. One transaction; unknown cards or reviews in the future refuse the whole file."""
    with gc_paused():  # hundreds of thousands of tuples, no cycles among them
        plan = plan_history(db, records, now, source=source)
        if not dry_run:
            with transaction(db):
                write_history(db, plan)
    return HistoryReport(plan.report.cards, plan.report.added, plan.report.duplicates, dry_run)


def write_history(db: Database, plan: HistoryPlan) -> None:
    """Replay a planned history into revlog rows and card states and write them (the caller
    holds the transaction): each card's rows in order, its state that of its replay from its
    newest manual baseline (services.replays)."""
    replays = Replays(db, rows=True)
    typed = _typed(db, plan.replaced)
    delete_reviews(db, plan.replaced)
    states: list[tuple[Any, ...]] = []
    days = StudyDays(rollover_hour(db))
    names = {num: (card_id, deck) for card_id, deck, num, _ in plan.cards}
    with reviews_bulk(db, plan.reviews, names) as bulk:
        bulk.add(_rows(plan.cards, replays, states, days, typed))
    set_memories(db, states)


def _rows(cards: Sequence[tuple[str, str, int, list[Stored]]], replays: Replays,
          states: list[tuple[Any, ...]], days: StudyDays,
          typed: dict[int, tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The revlog rows (store.bulk.REVLOG_COLUMNS, then what was typed if anything) of the
    cards' replayed histories; each card's state goes to `states`. A stored row keeps the
    study day it was stamped with; a new one is stamped here."""
    jobs = (((num, history), num, card_id, deck, [(row[0], row[2], row[4]) for row in history])
            for card_id, deck, num, history in cards)
    for ((num, history), *_), steps, memory in replays.run(jobs):
        states.append((*stored_memory(memory), num))
        for (at, stored, rating, ms, cram, *when), step in zip(history, steps, strict=True):
            extra = typed.get(stored, ()) if stored is not None else ()
            day, hour = when if when else (days(at), days.hour(at))
            yield (num, at, day, hour, rating, ms, *step, cram, *extra)


SHOWN_PROBLEMS = 50


def _listed(problems: list[Problem], source: str) -> list[Problem]:
    """The first problems, and when there are more, every one of them written to a file the
    last line names (a history with 100,000 unknown ids would flood the terminal)."""
    if len(problems) <= SHOWN_PROBLEMS:
        return problems
    rest = len(problems) - SHOWN_PROBLEMS
    try:
        fd, name = tempfile.mkstemp(prefix="loopdrill-problems-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(f"{p}\n" for p in problems)
    except OSError:
        return [*problems[:SHOWN_PROBLEMS], Problem(source, 0, f"... and {rest} more")]
    return [*problems[:SHOWN_PROBLEMS],
            Problem(source, 0, f"... and {rest} more; all {len(problems)} are listed in {name}")]


def plan_history(db: Database, records: Sequence[ReviewRecord], now: dt.datetime, *,
                 source: str = "reviews") -> HistoryPlan:
    """Match reviews to cards and replay each touched card's whole history (reads only)."""
    ids, unknown = resolve_ids(db, {r.card_id for r in records})
    incoming: dict[str, list[Stored]] = defaultdict(list)
    latest = to_ms(now)
    late, last, history = False, None, []
    for card_id, moment, rating, ms, cram, _ in records if not unknown else ():
        at = to_ms(moment)
        if at > latest:
            late = True
        if card_id is not last:  # a file's reviews of one card often come together
            history, last = incoming[ids[card_id][0]], card_id
        history.append((at, None, int(rating), ms, int(cram)))
    if unknown or late:
        missing = set(unknown)
        problems = [Problem(source, r.line, f"no card with id {r.card_id!r}")
                    for r in records if r.card_id in missing]
        problems += [Problem(source, r.line, f"review time {to_stamp(r.reviewed_at)} is in "
                             "the future") for r in records if r.reviewed_at > now]
        raise DeckError(_listed(problems, source))
    existing = _existing(db, incoming.keys())
    added = duplicates = reviews = 0
    where = {cid: (deck, rowid) for cid, deck, rowid in ids.values()}
    replaced: list[str] = []
    cards: list[tuple[str, str, int, list[Stored]]] = []
    by_time = itemgetter(0)
    for card_id, new in incoming.items():
        stored = existing.get(card_id)
        history = stored + new if stored else new
        history.sort(key=by_time)  # stable: a stored row comes before a new one at its time
        if len({row[0] for row in history}) < len(history):
            history = _without_repeats(history)
        fresh = len(history) - (len(stored) if stored else 0)
        added += fresh
        duplicates += len(new) - fresh
        if not fresh:
            continue  # nothing new: its stored rows and state stay as they are
        if stored:
            replaced.append(card_id)
        cards.append((card_id, *where[card_id], history))
        reviews += len(history)
    report = HistoryReport(len(incoming), added, duplicates)
    return HistoryPlan(report, tuple(replaced), cards, reviews)


def _without_repeats(history: list[Stored]) -> list[Stored]:
    """A time-sorted history without the new reviews that repeat the time of the one before
    (a review imported twice); stored rows all stay."""
    kept: list[Stored] = []
    last = None
    for row in history:
        if row[0] != last or row[1] is not None:
            kept.append(row)
        last = row[0]
    return kept


def _existing(db: Database, card_ids: Iterable[str]) -> dict[str, list[Stored]]:
    """The revlog rows already stored for these cards: (time ms, review id, rating, duration,
    cram, study day, local hour)."""
    out: dict[str, list[Stored]] = {}
    for card_id, *row in stored_history(db, card_ids):
        out.setdefault(card_id, []).append(tuple(row))
    return out


def _typed(db: Database, card_ids: Sequence[str]) -> dict[int, tuple[Any, ...]]:
    """What was typed in the stored answers of these cards, by review id."""
    return dict(typed_answers(db, card_ids))


def export_reviews(db: Database) -> list[ReviewRecord]:
    """Every review, oldest first, as the review-history CSV holds them."""
    return [ReviewRecord(card_id, from_ms(at), Rating(rating), ms, bool(cram))
            for card_id, at, rating, ms, cram in all_reviews(db)]
