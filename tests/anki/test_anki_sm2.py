"""Cards an SM-2 collection scheduled (FSRS never on: no memory state in their data) arrive
with the memory state Anki derives for them from their ease and interval, and answering them
works live, in plain mode and after an older loopdrill imported them without one."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from loopdrill.cli import cli
from loopdrill.core.model import Rating
from loopdrill.core.timeutil import from_stamp
from loopdrill.engine.answer import from_sm2
from loopdrill.formats.anki_collection import presets
from loopdrill.services.doctor import run_doctor
from loopdrill.services.imports import read_files, run_import
from loopdrill.services.session import DrillSession
from tests.anki.conftest import FIXTURES
from tests.conftest import FakeClock

SM2 = FIXTURES / "sm2.apkg"  # made by tests/fixtures/anki/make_sm2.py
FRONT = "json_extract(content, '$.front')"
NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)  # the day after it was written
# front: (ease, interval) as Anki's SM-2 left the card
SCHEDULED = {"rev-due-today": (2.5, 30), "rev-low-ease": (1.3, 12),
             "rev-high-ivl": (2.8, 200), "rev-later": (2.5, 10), "relearn": (2.0, 4)}
# the memory state Anki 26.9.3 itself gives these cards once FSRS is switched on (its
# get_scheduling_states' current state, read with the maker script's collection)
ANKI = {"rev-due-today": (30, 6.09339809), "rev-low-ease": (12.000001, 10),
        "rev-high-ivl": (200, 2.92346287), "rev-later": (10, 6.9140563),
        "relearn": (4, 8.66167831), "studied": (8.2956, 1)}


def _import(db: Database) -> None:
    run_import(db, read_files([SM2]), NOW - dt.timedelta(hours=6))


def _memory(db: Database) -> dict[str, tuple[int, float | None, float | None, str, str | None]]:
    rows = db.conn.execute(
        "SELECT c.id, c.state, c.stability, c.difficulty, c.due, c.last_review FROM cards c "
        "WHERE c.deck = 'sm2-deck'").fetchall()
    fronts = {card_id: front for card_id, front in db.conn.execute(
        f"SELECT id, {FRONT} FROM cards WHERE deck = 'sm2-deck'")}
    return {fronts[r[0]]: tuple(r[1:]) for r in rows}  # type: ignore[misc]


def test_an_sm2_review_card_gets_anki_s_derived_memory_state(db: Database) -> None:
    _import(db)
    cards = _memory(db)
    for front, (ease, interval) in SCHEDULED.items():
        state, stability, difficulty, due, last = cards[front]
        expected = from_sm2(ease, interval)  # the preset has no parameters: FSRS' defaults
        assert (stability, difficulty) == pytest.approx(expected), front
        assert stability == pytest.approx(interval, rel=1e-3)  # R 90% at its interval
        assert 1 <= difficulty <= 10
        assert last is not None
        if state == 2:  # its last review: its interval before Anki's due date
            assert from_stamp(due) - from_stamp(last) == dt.timedelta(days=interval)
    for front, memory in ANKI.items():
        assert cards[front][1:3] == pytest.approx(memory, rel=1e-5), front
    assert cards["new-one"][1:3] == (None, None)
    studied = cards["studied"]  # answered once in Anki: its memory is its revlog's
    assert studied[1] is not None and studied[1] != pytest.approx(5.0)
    # the 'anki' baseline holds what the import set
    for card_id, before in db.conn.execute("SELECT card_id, before FROM manual_log "
                                           "WHERE action = 'anki'"):
        stored = db.conn.execute("SELECT state, stability, difficulty FROM cards WHERE id = ?",
                                 (card_id,)).fetchone()
        assert tuple(json.loads(before)[3:4] + json.loads(before)[5:7]) == stored
    assert run_doctor(db).ok


def _drill(db: Database) -> list[str]:
    clock = FakeClock(NOW)
    session = DrillSession(db, clock)
    answered = []
    while (shown := session.next_card()) is not None and len(answered) < 12:
        assert all(shown.label(r) for r in Rating)  # the buttons, as the TUI shows them
        clock.advance(seconds=20)
        session.answer(Rating.AGAIN if len(answered) == 1 else Rating.GOOD)
        answered.append(shown.card.id)
    return answered


def test_answering_sm2_cards_in_a_session_keeps_doctor_clean(db: Database) -> None:
    _import(db)
    answered = _drill(db)
    assert len(set(answered)) >= 5  # every due review, the relearning card and the new one
    report = run_doctor(db)
    assert report.ok and not report.found, report.found
    rev = db.conn.execute(f"SELECT stability, due FROM cards WHERE {FRONT} = 'rev-high-ivl'")
    stability, due = rev.fetchone()
    assert stability > 200 and from_stamp(due) - NOW > dt.timedelta(days=200)


def test_a_card_an_older_import_left_without_memory_is_answered(db: Database) -> None:
    """As an older loopdrill stored them: review state, no stability, difficulty or last
    review, in the card and in its 'anki' baseline; answers treat it as a lapse-free review
    and doctor's replay agrees."""
    _import(db)
    db.conn.execute("UPDATE cards SET stability = NULL, difficulty = NULL, last_review = NULL "
                    f"WHERE deck = 'sm2-deck' AND state IN (2, 3) AND {FRONT} != 'studied'")
    for num, card_id, before in db.conn.execute(
            "SELECT id, card_id, before FROM manual_log WHERE action = 'anki'").fetchall():
        row = json.loads(before)
        if row[3] in (2, 3) and db.conn.execute(
                "SELECT stability FROM cards WHERE id = ?", (card_id,)).fetchone()[0] is None:
            row[5] = row[6] = row[8] = None
            db.conn.execute("UPDATE manual_log SET before = ? WHERE id = ?",
                            (json.dumps(row), num))
    db.conn.commit()
    assert run_doctor(db).ok
    _drill(db)
    report = run_doctor(db)
    assert report.ok and not report.found, report.found
    missing = db.conn.execute(f"SELECT {FRONT} FROM cards WHERE deck = 'sm2-deck' AND "
                              "state IN (2, 3) AND stability IS NULL").fetchall()
    assert missing == [("rev-later",)]  # not due yet, not answered


def test_plain_drill_answers_sm2_cards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "x.db"
    monkeypatch.setenv("LOOPDRILL_NOW", (NOW - dt.timedelta(hours=6)).isoformat())
    runner = CliRunner()
    imported = runner.invoke(cli, ["--db", str(db), "import", str(SM2)])
    assert imported.exit_code == 0, imported.output
    monkeypatch.setenv("LOOPDRILL_NOW", NOW.isoformat())  # drilled later that day
    result = runner.invoke(cli, ["--db", str(db), "drill", "--plain", "--deck", "sm2-deck"],
                           input="\n3\n" * 6 + "q\n", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Session over: 5 cards, 6 answers" in result.output
    assert "error" not in result.output
    doctor = runner.invoke(cli, ["--db", str(db), "doctor"])
    assert doctor.exit_code == 0 and doctor.output.rstrip().endswith("ok"), doctor.output


def test_a_preset_s_historical_retention_is_read_from_either_schema() -> None:
    """The retention an SM-2 card's memory state is derived with: field 40 of a modern
    preset, `sm2Retention` in schema 11's `dconf` (what Anki's legacy export writes: with
    0.8 there, Anki 26.9.3 gives a 30-day card of ease 250% stability 9.047, not 30)."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE col (dconf TEXT)")
    conn.execute("INSERT INTO col VALUES (?)",
                 (json.dumps({"1": {"name": "Default", "sm2Retention": 0.8}}),))
    assert presets(conn, modern=False)[1].historical_retention == 0.8
    conn.execute("CREATE TABLE deck_config (id INTEGER, name TEXT, config BLOB)")
    field_40 = b"\xc5\x02" + struct.pack("<f", 0.85)  # tag (40 << 3 | 5), a 32-bit float
    conn.execute("INSERT INTO deck_config VALUES (1, 'Default', ?)", (field_40,))
    assert presets(conn, modern=True)[1].historical_retention == 0.85
    conn.close()
