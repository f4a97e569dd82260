"""`loopdrill doctor`, Anki's Check Database: SQLite's integrity check, every card's state
against the replay of its revlog, the running totals against a recomputation, and rows that
belong to nothing. With repair, what can be put right is (one transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from loopdrill.engine.replay import same_state
from loopdrill.services.replays import Job, Log, Replays, stored_memory
from loopdrill.store import doctor as checks
from loopdrill.store.bulk import set_memories
from loopdrill.store.history import card_histories
from loopdrill.store.schema import REPLAY_PENDING
from loopdrill.store.settings import delete_meta
from loopdrill.store.tx import transaction

SHOWN = 5  # cards named per problem


@dataclass
class DoctorReport:
    """What doctor looked at, found and repaired; `remaining` is what is still wrong."""

    cards: int = 0
    reviews: int = 0
    found: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.remaining


@dataclass(frozen=True)
class StateOff:
    """A card whose stored state is not the replay of its log."""

    card_id: str
    stored: tuple[Any, ...]
    replayed: tuple[Any, ...]
    row: tuple[Any, ...]  # the replayed state as store.bulk.set_memories takes it


def _cards_with_logs(db: Database) -> Iterator[Job]:
    """Every card with its log, read side by side in card-number order: (stored memory,
    number, id, deck, log)."""
    logs = card_histories(db)
    pending = next(logs, None)
    for num, card_id, deck, *stored in checks.card_memories(db):
        log: Log = []
        while pending is not None and num is not None and pending[0] < num:
            pending = next(logs, None)  # the log of no card: an orphan, reported apart
        if pending is not None and pending[0] == num:
            log, pending = pending[1], next(logs, None)
        yield tuple(stored), num, card_id, deck, log


def states_off(db: Database) -> tuple[int, int, list[StateOff]]:
    """(cards checked, reviews replayed, cards whose state is not their log's replay). Each
    card's log is replayed from its newest manual baseline with its deck's options and
    parameters now stored (services.replays); a card with neither answers nor baseline must
    be new. Stability and difficulty are compared within engine.replay.STATE_TOLERANCE
    (fsrs-rs computes in float32), everything else exactly."""
    cards = reviews = 0
    off: list[StateOff] = []

    def counted() -> Iterator[Job]:
        nonlocal cards, reviews
        for job in _cards_with_logs(db):
            cards += 1
            reviews += len(job[4])
            yield job

    replays = Replays(db)
    for job, _, memory in replays.run(counted()):
        stored = job[0]
        replayed = stored_memory(memory)
        if not same_state(stored, replayed) and not _rounded_apart(replays, job, replayed):
            off.append(StateOff(job[2], stored, replayed, (*replayed, job[1])))
    return cards, reviews, off


def _rounded_apart(replays: Replays, job: Job, replayed: tuple[Any, ...]) -> bool:
    """Whether a stored state is its replay but for a due date that the stored stability
    (within STATE_TOLERANCE of the replayed one) gives: a stability at a whole number of days
    and a half, rounded one way in float64 and the other in float32 (6 cards of 20,000 on
    the 200,000-review workload)."""
    stored = job[0]
    skip_due = (*stored[:4], *stored[5:]), (*replayed[:4], *replayed[5:])
    if stored[2] is None or not same_state(*skip_due):
        return False
    return bool(stored_memory(replays.ending_with(job, stored[2]))[4] == stored[4])


def run_doctor(db: Database, *, repair: bool = False) -> DoctorReport:
    """Check the database and, with `repair`, put right what can be."""
    report = DoctorReport()
    problems = checks.integrity(db)
    if problems:
        report.found.append(f"integrity check: {'; '.join(problems[:SHOWN])}")
        report.remaining.append("the file is damaged (restore a backup: `loopdrill where` "
                                "shows where they are)")
        return report
    if _impossible_times(db, report, repair):
        return report  # replaying them fails: nothing more can be checked before a repair
    with transaction(db):
        for what, count in checks.orphans(db):
            report.found.append(f"{count} {what}")
            if repair:
                checks.remove_orphans(db, what)
                report.repaired.append(f"removed {count} {what}")
            else:
                report.remaining.append(f"{count} {what}")
        report.cards, report.reviews, off = states_off(db)
        if off:
            names = ", ".join(o.card_id for o in off[:SHOWN]) + (", ..." if len(off) > SHOWN
                                                                  else "")
            report.found.append(f"{len(off)} cards whose state is not the replay of their "
                                f"reviews ({names})")
            if repair:
                set_memories(db, [o.row for o in off])
                report.repaired.append(f"set {len(off)} cards to the replay of their reviews")
            else:
                report.remaining.append(f"{len(off)} card states")
        totals = checks.totals_off(db)
        report.found += totals
        if totals and repair:
            checks.rebuild_totals(db)
            report.repaired.append("rebuilt the running totals from the revlog")
        elif totals:
            report.remaining += totals
    return report


def _impossible_times(db: Database, report: DoctorReport, repair: bool) -> bool:
    """Reviews at times no review was given (before 1970, after 8999; an older loopdrill took
    them): found, and removed on repair (their cards are then set to the replay of the rest
    below). True when they stay, which stops the checks that replay."""
    cards = checks.impossible_reviews(db)
    if not cards:
        return False
    names = ", ".join(sorted(set(cards))[:SHOWN]) + (", ..." if len(set(cards)) > SHOWN else "")
    what = f"{len(cards)} reviews at impossible times (before 1970 or after 8999) on {names}"
    report.found.append(what)
    if not repair:
        report.remaining.append(f"{len(cards)} reviews at impossible times")
        return True
    with transaction(db):
        checks.delete_impossible_reviews(db)
    report.repaired.append(f"removed {len(cards)} reviews at impossible times")
    return False


def replay_states(db: Database) -> int:
    """Give every card the state the replay of its log gives (after the migration to the
    compact revlog: drilled cards drew their fuzz from another generator then); returns how
    many changed. One transaction, which also clears the pending mark."""
    with transaction(db):
        _, _, off = states_off(db)
        set_memories(db, [o.row for o in off])
        delete_meta(db, REPLAY_PENDING)
    return len(off)
