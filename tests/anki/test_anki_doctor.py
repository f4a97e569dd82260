"""Schedules taken from Anki are a baseline: doctor does not call them wrong, and neither
its repair nor a replay after an option change puts the replay of the reviews over them."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from loopdrill.core.model import Rating
from loopdrill.services.config import set_value
from loopdrill.services.doctor import run_doctor
from loopdrill.services.optimize_reschedule import reschedule_all
from loopdrill.services.session import DrillSession
from loopdrill.store.rows import MEMORY_COLUMNS as MEMORY
from tests.anki.conftest import ANKI_NOW
from tests.conftest import FakeClock


def _cards(db: Database) -> list[tuple[object, ...]]:
    return list(db.conn.execute(f"SELECT id, {MEMORY} FROM cards ORDER BY id"))


def test_doctor_is_clean_after_an_anki_import(imported: Database) -> None:
    logged = imported.conn.execute(
        "SELECT count(*) FROM manual_log WHERE action = 'anki'").fetchone()[0]
    studied = imported.conn.execute("SELECT count(*) FROM cards WHERE num IN "
                                    "(SELECT card FROM revlog)").fetchone()[0]
    assert studied and logged >= studied
    before = _cards(imported)
    report = run_doctor(imported)
    assert report.ok, report.remaining
    repaired = run_doctor(imported, repair=True)
    assert repaired.ok and not repaired.repaired
    assert _cards(imported) == before


def test_answers_after_an_anki_import_replay_from_its_schedule(imported: Database) -> None:
    """Drill the next day: each answered card's state is the replay of its answers since the
    import from the schedule Anki gave it (not of its whole log), through an option change."""
    clock = FakeClock(ANKI_NOW + dt.timedelta(days=1))
    session = DrillSession(imported, clock)
    anki_reps = dict(imported.conn.execute("SELECT id, reps FROM cards").fetchall())
    answered = []
    for index in range(3):
        shown = session.next_card()
        assert shown is not None
        clock.advance(seconds=20)
        session.answer((Rating.GOOD, Rating.AGAIN, Rating.EASY)[index])
        answered.append(shown.card.id)
    report = run_doctor(imported)
    assert report.ok and not report.found, report.found
    for card_id in answered:
        reps = imported.conn.execute("SELECT reps FROM cards WHERE id = ?", (card_id,))
        assert reps.fetchone()[0] == anki_reps[card_id] + answered.count(card_id)
    before = _cards(imported)
    set_value(imported, "desired_retention", "0.85", None)
    reschedule_all(imported, clock())
    assert run_doctor(imported).ok
    unanswered = [row for row in before if row[0] not in answered]
    assert [row for row in _cards(imported) if row[0] not in answered] == unanswered
