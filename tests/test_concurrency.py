"""Several loopdrills on one database: an answer is computed from the card as stored when it is
written, never lost to a busy database, and the revlog stays one chain per card."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from loopdrill.core.model import Rating
from loopdrill.services.doctor import states_off
from loopdrill.services.session import AnsweredSince, DrillSession
from loopdrill.store.db import open_db
from loopdrill.store.tx import Busy, transaction
from tests.conftest import FakeClock
from tests.multiprocess_drill import check_chain, prepare, run_terminals


@pytest.mark.parametrize("terminals", [2, 4])
def test_terminals_drilling_at_once_leave_every_chain_intact(tmp_path: Path,
                                                             terminals: int) -> None:
    path = tmp_path / "shared.db"
    prepare(path, terminals * 60)
    done, undone = run_terminals(path, terminals, 80)
    chain = check_chain(path)
    assert done == terminals * 80
    assert chain.rows == done - undone  # none lost
    assert chain.stale == 0  # none computed from a state another terminal had replaced
    assert chain.cards_off == 0 and chain.doctor_ok  # each card's state is its log's replay


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    path = tmp_path / "two.db"
    prepare(path, 4)
    one, two = open_db(path), open_db(path)
    yield one, two
    one.conn.close()
    two.conn.close()


def test_an_answer_reads_the_card_as_another_terminal_left_it(
        shared: tuple[Database, Database], clock: FakeClock) -> None:
    one, two = shared
    first, second = DrillSession(one, clock), DrillSession(two, clock)
    shown_one, shown_two = first.next_card(), second.next_card()
    assert shown_one is not None and shown_two is not None
    assert shown_one.card.id == shown_two.card.id  # both terminals show the same new card
    second.answer(Rating.GOOD)
    clock.advance(seconds=5)
    first.answer(Rating.AGAIN)
    rows = one.conn.execute("SELECT reps, rating FROM revlog ORDER BY id").fetchall()
    assert rows == [(0, 3), (1, 1)]  # the second answer starts from the first one's state
    assert not states_off(one)[2]  # the card is the replay of its log
    reps = one.conn.execute("SELECT reps FROM cards WHERE id = ?",
                            (shown_one.card.id,)).fetchone()[0]
    assert reps == 2
    with pytest.raises(AnsweredSince):
        second.undo()  # its answer is no longer the card's newest: undoing would break it
    assert first.undo()
    assert one.conn.execute("SELECT reps, rating FROM revlog").fetchall() == [rows[0]]
    assert not states_off(one)[2]


def hold_lock(path: Path, seconds: float) -> threading.Thread:
    """Another program holding the write lock for a while (a long import)."""
    started = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        started.set()
        threading.Event().wait(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    started.wait()
    return thread


def test_an_answer_outwaits_a_lock_held_past_the_busy_timeout(
        shared: tuple[Database, Database], clock: FakeClock, tmp_path: Path) -> None:
    one, _ = shared
    one.conn.execute("PRAGMA busy_timeout = 50")  # 5 s in use: a shorter one for the test
    session = DrillSession(one, clock)
    assert session.next_card() is not None
    told: list[str] = []
    holder = hold_lock(tmp_path / "two.db", 0.6)
    session.answer(Rating.GOOD, on_wait=lambda db: told.append("waiting"))
    holder.join()
    assert told == ["waiting"]  # said once, then waited until the lock was free
    assert one.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1


def test_a_caller_with_little_patience_keeps_its_answer(
        shared: tuple[Database, Database], clock: FakeClock, tmp_path: Path) -> None:
    one, two = shared
    session = DrillSession(one, clock)
    shown = session.next_card()
    holder = hold_lock(tmp_path / "two.db", 0.5)
    with pytest.raises(Busy):
        session.answer(Rating.GOOD, patience=0.05)
    assert session.current is shown  # still on screen, nothing written
    assert one.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    session.answer(Rating.GOOD, db=two)  # a worker thread's own connection, waiting
    holder.join()
    assert one.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1


def test_a_nested_transaction_is_a_savepoint(db: Database) -> None:
    db.conn.execute("CREATE TABLE t (x)")
    with transaction(db):
        db.conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError), transaction(db):
            db.conn.execute("INSERT INTO t VALUES (2)")
            raise ValueError
        with transaction(db):
            db.conn.execute("INSERT INTO t VALUES (3)")
    assert db.conn.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (3,)]


async def test_the_tui_keeps_an_answer_while_another_loopdrill_writes(
        tmp_path: Path, clock: FakeClock) -> None:
    from textual.widgets import Static

    from loopdrill.tui.app import LoopdrillApp
    from loopdrill.tui.drill import DrillScreen

    path = tmp_path / "tui.db"
    prepare(path, 3)
    db = open_db(path)
    app = LoopdrillApp(db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "space")
        screen = app.screen
        assert isinstance(screen, DrillScreen) and screen.shown is not None
        first = screen.shown.card.id
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # an import in another terminal holds the lock
        await pilot.press("3")
        await pilot.pause(0.3)
        status = str(screen.query_one("#status", Static).render())
        assert "Waiting for another loopdrill" in status and "(Good)" in status
        assert screen.saving and screen.shown is not None and screen.shown.card.id == first
        await pilot.press("4", "u", "q")  # nothing else is taken while the answer waits
        assert app.screen is screen
        other.execute("COMMIT")
        other.close()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.saving
        assert screen.shown is not None and screen.shown.card.id != first
    assert db.conn.execute("SELECT card_id, rating FROM reviews").fetchall() == [(first, 3)]
    db.conn.close()


def test_config_waits_for_another_loopdrill_instead_of_failing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from loopdrill.cli import cli

    path = tmp_path / "config.db"
    prepare(path, 3)
    monkeypatch.setattr("loopdrill.store.db.BUSY_TIMEOUT_MS", 100)  # 5 s in use
    holder = hold_lock(path, 0.8)  # an import holding the lock past the busy timeout
    result = CliRunner().invoke(cli, ["config", "--db", str(path), "desired_retention",
                                      "0.85"])
    holder.join()
    assert result.exit_code == 0, result.output
    assert "waiting for another loopdrill to finish writing" in result.output
    assert "desired_retention = 0.85" in result.output and "Traceback" not in result.output


async def test_going_back_from_the_import_screen_keeps_the_import_going(
        tmp_path: Path, clock: FakeClock) -> None:
    from textual.widgets import Input

    from loopdrill.tui.app import LoopdrillApp

    deck = tmp_path / "big.txt"
    deck.write_text("#separator:tab\n#deck column:3\n" + "".join(
        f"question {n}\tanswer {n}\tbig\n" for n in range(5000)), encoding="utf-8")
    db = open_db(tmp_path / "import.db")
    app = LoopdrillApp(db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        app.screen.query_one("#import-path", Input).value = str(deck)
        await pilot.click("#import-run")
        await pilot.press("escape", "a", "space", "3")  # the keys, mid-import
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
    assert db.conn.execute("SELECT COUNT(*) FROM cards WHERE deck = 'big'").fetchone()[0] == 5000
    db.conn.close()
