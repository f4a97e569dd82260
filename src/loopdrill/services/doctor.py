"""`loopdrill doctor`, Anki's Check Database: SQLite's integrity check, every card's state
against the replay of its revlog, the running totals against a recomputation, and rows that
belong to nothing. With repair, what can be put right is (one transaction)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from loopdrill.core.timeutil import to_stamp
from loopdrill.engine.replay import NEW_MEMORY, HistoryReplayer, MemoryRow, from_micros
from loopdrill.services.params import ReplaySchedulers
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


def _stored_row(memory: MemoryRow, num: int) -> tuple[Any, ...]:
    state, step, s, d, due, last, reps, lapses = memory
    return (state, step, s, d, to_stamp(from_micros(due)) if due is not None else None,
            to_stamp(from_micros(last)) if last is not None else None, reps, lapses, num)


def _same(stored: tuple[Any, ...], replayed: tuple[Any, ...]) -> bool:
    for a, b in zip(stored, replayed, strict=True):
        if isinstance(a, float) and isinstance(b, float):
            if not math.isclose(a, b, rel_tol=1e-9):
                return False
        elif a != b:
            return False
    return True


def states_off(db: Database) -> tuple[int, int, list[StateOff]]:
    """(cards checked, reviews replayed, cards whose state is not their log's replay). Each
    card's log is replayed with its deck's options and parameters now stored; a card with no
    answers must be new; a card changed by hand since its last answer (forget, set-due) is
    left out."""
    schedulers = ReplaySchedulers(db)
    replayers: dict[str, HistoryReplayer] = {}
    logs = dict(card_histories(db))
    manual = checks.manual_after(db)
    cards = reviews = 0
    off: list[StateOff] = []
    for num, card_id, deck, *stored in checks.card_memories(db):
        if num in manual:
            continue
        cards += 1
        log = logs.get(num)
        memory = NEW_MEMORY
        if log:
            reviews += len(log)
            if deck not in replayers:
                replayers[deck] = HistoryReplayer(schedulers(deck)[1])
            _, memory = replayers[deck].replay(
                card_id, [(at * 1000, rating, bool(cram)) for at, rating, cram in log])
        row = _stored_row(memory, num)
        if not _same(tuple(stored), row[:-1]):
            off.append(StateOff(card_id, tuple(stored), row[:-1], row))
    return cards, reviews, off


def run_doctor(db: Database, *, repair: bool = False) -> DoctorReport:
    """Check the database and, with `repair`, put right what can be."""
    report = DoctorReport()
    problems = checks.integrity(db)
    if problems:
        report.found.append(f"integrity check: {'; '.join(problems[:SHOWN])}")
        report.remaining.append("the file is damaged (restore a backup: `loopdrill where` "
                                "shows where they are)")
        return report
    with transaction(db):
        for what, count, delete in checks.orphans(db):
            report.found.append(f"{count} {what}")
            if repair:
                db.conn.execute(delete)
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


def replay_states(db: Database) -> int:
    """Give every card the state the replay of its log gives (after the migration to the
    compact revlog: drilled cards drew their fuzz from another generator then); returns how
    many changed. One transaction, which also clears the pending mark."""
    with transaction(db):
        _, _, off = states_off(db)
        set_memories(db, [o.row for o in off])
        delete_meta(db, REPLAY_PENDING)
    return len(off)
