"""Rescheduling for the optimizer: replay histories with new parameters, or move due dates
after an option change, and the workload figures that show what moved."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import fsrs
from sqlite_utils import Database

from loopdrill.core.timeutil import day_start, study_day, to_stamp
from loopdrill.engine.answer import make_scheduler
from loopdrill.engine.optimizer import Replayer, fuzz_draw, fuzzed_days, review_interval
from loopdrill.services.config import global_options, options_for
from loopdrill.services.params import parameters_for
from loopdrill.store.tx import transaction

# A revlog row the optimizer can use: a rating in range and a time SQLite can read. Other
# rows are skipped and counted. The before/after JSON is not read here (the revlog's times
# and ratings are the source of truth), so a corrupt one does not stop a fit or a replay.
VALID = "rating BETWEEN 1 AND 4 AND julianday(reviewed_at) IS NOT NULL"


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
    """Non-cram revlog rows the optimizer cannot use."""
    where = " AND deck = ?" if deck else ""
    row = db.conn.execute(f"SELECT COUNT(*) FROM reviews WHERE cram = 0{where} AND NOT "
                          f"coalesce({VALID}, 0)", (deck,) if deck else ()).fetchone()
    return int(row[0])


def review_total(db: Database) -> int:
    """Non-cram reviews in the revlog (from the trigger-kept hourly totals)."""
    row = db.conn.execute("SELECT coalesce(SUM(n), 0) FROM review_days WHERE cram = 0")
    return int(row.fetchone()[0])


def due_counts(db: Database, now: dt.datetime, deck: str | None) -> tuple[int, int]:
    """(cards due by the end of today's study day, by the end of the next 7 study days)."""
    rollover = global_options(db).rollover_hour
    today = study_day(now, rollover)
    ends = [to_stamp(day_start(today + dt.timedelta(days=n), rollover)) for n in (1, 8)]
    where = " AND deck = ?" if deck else ""
    row = db.conn.execute(
        "SELECT coalesce(SUM(due < ?), 0), coalesce(SUM(due < ?), 0) FROM cards "
        f"WHERE state IN (1, 2, 3) AND retired = 0 AND suspended = 0{where}",
        (*ends, *((deck,) if deck else ()))).fetchone()
    return int(row[0]), int(row[1])


def _decks(db: Database, deck: str | None) -> list[str]:
    """The decks a global fit reaches: those without parameters of their own."""
    if deck is not None:
        return [deck]
    own = {key.split(":", 1)[1] for (key,) in db.conn.execute(
        "SELECT key FROM meta WHERE key LIKE 'parameters:%'")}
    return [slug for (slug,) in db.conn.execute("SELECT slug FROM decks") if slug not in own]


MEMORY_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
                  "lapses")
BULK = 20_000


def _card_histories(db: Database, decks: list[str]
                    ) -> Iterator[tuple[str, str, str | None, str, list[Any]]]:
    """(card id, deck, stored due, last review stamp, [(time, rating), ...]) for every
    studied, non-retired card of these decks, from its valid non-cram reviews (read in the
    revlog's card index order; the cards come from a second query, as a join would sort)."""
    marks = ", ".join("?" * len(decks))
    cards = {card_id: (deck, due) for card_id, deck, due in db.conn.execute(
        f"SELECT id, deck, due FROM cards WHERE retired = 0 AND deck IN ({marks})", decks)}
    rows = db.conn.execute(
        f"SELECT card_id, reviewed_at, rating FROM reviews WHERE cram = 0 AND {VALID} "
        "ORDER BY card_id, reviewed_at")
    parse, utc = dt.datetime.fromisoformat, dt.UTC
    current, stamp = "", ""
    history: list[Any] = []
    for card_id, stamp_now, rating in rows:
        if card_id != current:
            if history and current in cards:
                yield current, *cards[current], stamp, history
            current, history = str(card_id), []
        moment = parse(stamp_now)
        if moment.tzinfo is not utc:
            moment = moment.astimezone(utc)
        history.append((moment, rating))
        stamp = stamp_now
    if history and current in cards:
        yield current, *cards[current], stamp, history


@contextmanager
def _memory_indexes_dropped(db: Database, rows: int) -> Iterator[None]:
    """For a big batch of memory updates: drop the card indexes over memory columns and build
    them again after, several times faster than updating them row by row (the caller holds
    the transaction, so nobody sees the cards without them)."""
    ddl: list[str] = []
    if rows > BULK:
        ddl = [sql for (sql,) in db.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cards' "
            "AND sql IS NOT NULL") if any(c in sql for c in MEMORY_COLUMNS)]
        for sql in ddl:
            db.conn.execute(f"DROP INDEX {sql.split()[2]}")
    yield
    for sql in ddl:
        db.conn.execute(sql)


def replay_cards(db: Database, deck: str | None) -> tuple[int, int]:
    """Rebuild every affected card's memory by replaying its history with the parameters and
    options now stored (the caller holds the transaction). Returns (cards, due dates moved)."""
    decks = _decks(db, deck)
    if not decks:
        return 0, 0
    replayers = {d: Replayer(make_scheduler(options_for(db, d), parameters_for(db, d)))
                 for d in decks}
    updates: list[tuple[Any, ...]] = []
    moved = 0
    for card_id, card_deck, old_due, last_stamp, history in _card_histories(db, decks):
        state, step, s, d, due, _, reps, lapses = replayers[card_deck].final_row(card_id,
                                                                                 history)
        due_stamp = due.isoformat(timespec="microseconds")
        moved += due_stamp != old_due
        updates.append((state, step, s, d, due_stamp, last_stamp, reps, lapses, card_id))
    with _memory_indexes_dropped(db, len(updates)):
        db.conn.executemany(
            "UPDATE cards SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, "
            "last_review = ?, reps = ?, lapses = ? WHERE id = ?", updates)
    return len(updates), moved


def reschedule_all(db: Database, now: dt.datetime, deck: str | None = None) -> ApplyReport:
    """After an option change (desired retention, maximum interval): give every review card
    of the deck (or of all decks) the due date its current memory state calls for, fuzzed as
    an answer would be (the draw seeded by the card id and its reps). One transaction;
    learning and relearning cards keep their step due dates."""
    started = time.perf_counter()
    where = " AND deck = ?" if deck else ""
    with transaction(db):
        before = due_counts(db, now, deck)
        rows = db.conn.execute(
            "SELECT id, deck, stability, last_review, due, reps FROM cards WHERE state = 2 "
            f"AND retired = 0 AND stability IS NOT NULL AND last_review IS NOT NULL{where}",
            (deck,) if deck else ()).fetchall()
        policy: dict[str, tuple[float, float, int]] = {}
        changes: list[tuple[str, str]] = []
        for card_id, card_deck, stability, last, due, reps in rows:
            if card_deck not in policy:
                opts = options_for(db, card_deck)
                params = parameters_for(db, card_deck) or list(fsrs.Scheduler().parameters)
                policy[card_deck] = (opts.desired_retention, float(params[20]),
                                     opts.maximum_interval)
            retention, decay, maximum = policy[card_deck]
            days = review_interval(stability, retention, decay, maximum)
            draw = fuzz_draw(card_id, max(reps - 1, 0), 0)
            moment = dt.datetime.fromisoformat(last).astimezone(dt.UTC)
            new_due = to_stamp(moment + dt.timedelta(days=fuzzed_days(days, maximum, draw)))
            if new_due != due:
                changes.append((new_due, card_id))
        db.conn.executemany("UPDATE cards SET due = ? WHERE id = ?", changes)
        after = due_counts(db, now, deck)
    return ApplyReport(len(rows), len(changes), *before, *after,
                       seconds=time.perf_counter() - started)
