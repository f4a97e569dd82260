"""A manual change (forget, set-due) is where a card's replay starts again: doctor is clean after
answers that follow it, and neither its repair nor an option change's replay puts the replay
of the whole log over it."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from loopdrill.core.model import Rating
from loopdrill.services import optimize as opt
from loopdrill.services.card_actions import act
from loopdrill.services.config import set_value
from loopdrill.services.doctor import run_doctor
from loopdrill.services.session import DrillSession
from loopdrill.store.rows import MEMORY_COLUMNS as MEMORY
from tests.conftest import NOW, FakeClock
from tests.services.test_optimize import history, make_decks


def memory(db: Database, card_id: str) -> tuple[object, ...]:
    return tuple(db.conn.execute(f"SELECT {MEMORY} FROM cards WHERE id = ?", (card_id,))
                 .fetchone())


def drill_all(db: Database, clock: FakeClock) -> list[str]:
    """Answer every card the drill shows now (Good, or Again for every third)."""
    session = DrillSession(db, clock)
    shown = []
    while (card := session.next_card()) is not None and len(shown) < 50:
        clock.advance(seconds=15)
        session.answer(Rating.AGAIN if len(shown) % 3 == 2 else Rating.GOOD)
        shown.append(card.card.id)
    return shown


def test_forget_and_set_due_are_baselines_for_later_answers(db: Database) -> None:
    make_decks(db, {"syn": 6})
    history(db, "syn", 6, 6)
    clock = FakeClock(NOW)
    act(db, "forget", ["syn/c1"], clock())
    act(db, "set-due", ["syn/c2", "syn/c3"], clock(), days="0")
    assert run_doctor(db).ok  # no answer since: the state is the baseline's
    forgotten = db.conn.execute("SELECT reps FROM cards WHERE id = 'syn/c1'").fetchone()[0]
    assert forgotten == 0
    answered = []
    for _ in range(4):
        answered += drill_all(db, clock)
        report = run_doctor(db)
        assert report.ok, report.found
        assert not report.found
        clock.advance(days=1, hours=2)
    assert {"syn/c1", "syn/c2", "syn/c3"} <= set(answered)
    # the forgotten card counts only the answers after the reset
    reps = db.conn.execute("SELECT reps FROM cards WHERE id = 'syn/c1'").fetchone()[0]
    assert reps == answered.count("syn/c1")
    # an option change replays from the baselines too
    set_value(db, "desired_retention", "0.8", None)
    opt.reschedule_all(db, clock())
    assert db.conn.execute("SELECT reps FROM cards WHERE id = 'syn/c1'").fetchone()[0] == reps
    report = run_doctor(db)
    assert report.ok and not report.found, report.found


def test_a_set_due_without_answers_since_keeps_its_due_through_an_option_change(
        db: Database) -> None:
    make_decks(db, {"syn": 3})
    history(db, "syn", 3, 5)
    act(db, "set-due", ["syn/c0"], NOW, days="30")
    given = memory(db, "syn/c0")
    set_value(db, "desired_retention", "0.75", None)
    opt.reschedule_all(db, NOW)
    assert memory(db, "syn/c0") == given
    assert run_doctor(db).ok


def test_doctor_finds_a_card_off_its_baseline(db: Database) -> None:
    make_decks(db, {"syn": 3})
    history(db, "syn", 3, 5)
    act(db, "set-due", ["syn/c0"], NOW, days="30")
    db.conn.execute("UPDATE cards SET due = ? WHERE id = 'syn/c0'",
                    ((NOW + dt.timedelta(days=2)).isoformat(),))
    report = run_doctor(db)
    assert not report.ok and "syn/c0" in " ".join(report.found)
    assert run_doctor(db, repair=True).ok
    assert run_doctor(db).ok
