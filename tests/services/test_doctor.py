"""`loopdrill doctor` is clean after each way the revlog and the card states change, and finds
(and repairs) what is wrong: a card off its log's replay, a total off the revlog, an orphan."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from loopdrill.cli import cli
from loopdrill.core.model import Rating, ReviewRecord
from loopdrill.services import optimize as opt
from loopdrill.services.config import set_value
from loopdrill.services.doctor import run_doctor
from loopdrill.services.history import import_reviews
from loopdrill.services.library import open_library
from loopdrill.services.session import DrillSession
from tests.conftest import NOW, FakeClock
from tests.services.test_optimize import big, history, make_decks  # noqa: F401

FIXTURE = Path(__file__).parent.parent / "fixtures" / "c4337b1.db"


def clean(db: Database) -> bool:
    report = run_doctor(db)
    assert report.ok, report.found
    return not report.found


def drill(db: Database, clock: FakeClock, answers: int, undo_every: int = 0) -> int:
    """Answer up to `answers` cards, taking one back every `undo_every` answers."""
    session = DrillSession(db, clock)
    done = 0
    for index in range(answers):
        if session.next_card() is None:
            break
        clock.advance(seconds=20)
        session.answer(Rating(1 + index * 7 % 4))
        done += 1
        if undo_every and index % undo_every == undo_every - 1:
            assert session.undo()
    return done


def test_clean_after_a_history_import(big: Database) -> None:  # noqa: F811
    assert clean(big)
    stored = big.conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]
    assert run_doctor(big).reviews == stored > 800


def test_clean_after_a_drill_over_simulated_days_with_undo(demo_db: Database,
                                                           clock: FakeClock) -> None:
    total = 0
    for _ in range(12):
        total += drill(demo_db, clock, 15, undo_every=4)
        assert clean(demo_db)
        clock.advance(days=1, hours=3)
    assert total > 20
    report = run_doctor(demo_db)
    assert report.reviews == demo_db.conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]


def test_clean_after_a_time_zone_change_between_answer_and_undo(
        demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answered at 23:00 UTC in London, undone in Tokyo (already the next day there): the
    totals take back what the answer added, since the day is the one stored on the row."""
    clock = FakeClock(dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC))
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        session = DrillSession(demo_db, clock)
        assert session.next_card() is not None
        session.answer(Rating.GOOD)
        monkeypatch.setenv("TZ", "Asia/Tokyo")
        time.tzset()
        assert session.undo()
        assert demo_db.conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0] == 0
        assert demo_db.conn.execute("SELECT coalesce(SUM(n), 0) FROM review_days"
                                    ).fetchone()[0] == 0
        assert clean(demo_db)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_clean_after_an_option_change(big: Database) -> None:  # noqa: F811
    set_value(big, "desired_retention", "0.8", None)
    assert not run_doctor(big).ok  # the states are those of the old retention
    assert opt.reschedule_all(big, NOW).moved > 0
    assert clean(big)


def test_clean_after_a_fit_and_apply(big: Database, tmp_path: Path) -> None:  # noqa: F811
    report = opt.fit(big, NOW)
    assert report.fitted is not None
    opt.apply(big, NOW, report, backup_dir=tmp_path)
    assert clean(big)


def test_clean_after_the_migration_of_a_c4337b1_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE, path)
    lib = open_library(path, dt.datetime(2026, 10, 8, 9, 0, tzinfo=dt.UTC), builtins=False)
    try:
        assert clean(lib.db)
        assert lib.db.conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0] == 20
    finally:
        lib.close()


def test_it_finds_and_repairs_a_card_a_total_and_an_orphan(big: Database) -> None:  # noqa: F811
    big.conn.execute("UPDATE cards SET stability = stability * 2 WHERE id = 'syn/c3'")
    big.conn.execute("UPDATE review_days SET n = n + 5 WHERE day = "
                     "(SELECT min(day) FROM review_days)")
    big.conn.execute("DROP TRIGGER revlog_totals_insert")
    big.conn.execute("INSERT INTO revlog (card, at, day, hour, rating, ms, state, reps, lapses, "
                     "ivl, elapsed, r, cram) VALUES (999999, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, NULL, "
                     "0)")
    found = run_doctor(big)
    assert not found.ok and not found.repaired
    text = " ".join(found.found)
    assert "1 revlog rows of no card" in text and "syn/c3" in text and "review_days" in text
    repaired = run_doctor(big, repair=True)
    assert repaired.ok and len(repaired.repaired) == 3
    assert clean(big)


def test_the_command_prints_what_it_found_and_exits_1(db_path: Path) -> None:
    lib = open_library(db_path, NOW, builtins=False)
    make_decks(lib.db, {"syn": 3})
    import_reviews(lib.db, [ReviewRecord("syn/c1", NOW - dt.timedelta(days=3), Rating.GOOD)],
                   NOW)
    lib.db.conn.execute("UPDATE cards SET reps = 9 WHERE id = 'syn/c1'")
    lib.close()
    first = CliRunner().invoke(cli, ["doctor"])
    assert first.exit_code == 1
    assert "found: 1 cards whose state is not the replay of their reviews (syn/c1)" in first.output
    assert "loopdrill doctor --repair" in first.output
    second = CliRunner().invoke(cli, ["doctor", "--repair"])
    assert second.exit_code == 0 and "ok after repair" in second.output
    third = CliRunner().invoke(cli, ["doctor"])
    assert third.exit_code == 0 and third.output.endswith("ok\n")
