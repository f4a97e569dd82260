"""A stored card whose content has its kind's fields but a value its kind cannot use (a
numeric answer "x", written by hand with sqlite3): the drill leaves that card out, says so in
one line naming the file and the card, and goes on with the others, in the plain drill and in
the TUI alike. Nothing is written for it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from loopdrill.cli import cli
from loopdrill.core import graded_kinds
from loopdrill.core.graded_kinds import Prompt
from loopdrill.core.model import Rating
from loopdrill.core.timeutil import to_stamp
from loopdrill.services.session import DrillSession
from loopdrill.store.db import open_db
from loopdrill.store.queries import Scope
from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.drill import DrillScreen
from tests.conftest import NOW, FakeClock

DECK = """\
deck: nums
title: Numbers
items:
  - id: broken
    kind: numeric
    front: Nines in S3 Standard durability?
    answer: 11
  - id: fine
    kind: numeric
    front: Days in a rolling SLO window?
    answer: 28
"""


@pytest.fixture
def broken_file(tmp_path: Path, write_deck: Callable[[str, str], Path],
                monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data.db"
    monkeypatch.setenv("LOOPDRILL_DB", str(path))
    monkeypatch.setenv("LOOPDRILL_NOW", NOW.isoformat())
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-builtins").mkdir()  # only this deck
    monkeypatch.setattr("loopdrill.paths.builtin_decks", lambda: tmp_path / "no-builtins")
    deck = write_deck(DECK, "nums.yaml")
    assert CliRunner().invoke(cli, ["import", str(deck)]).exit_code == 0
    db = open_db(path)
    db.execute("UPDATE cards SET content = json_set(content, '$.answer', 'x') "
               "WHERE id = 'nums/broken'")
    db.conn.commit()
    db.conn.close()
    return path


def test_the_plain_drill_leaves_the_card_out_and_says_so_once(broken_file: Path) -> None:
    result = CliRunner().invoke(cli, ["drill", "--plain", "--deck", "nums"],
                                input="28\n3\nq\n")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: {broken_file} holds a card loopdrill cannot show "
                        "(nums/broken: cannot read 'x' as a number); `loopdrill edit` with "
                        "its id puts it right"]
    assert "Days in a rolling SLO window?" in result.stdout
    db = open_db(broken_file)
    answered = [row[0] for row in db.execute("SELECT card_id FROM reviews")]
    assert answered == ["nums/fine"]


async def test_the_tui_drill_leaves_the_card_out_and_says_so(broken_file: Path) -> None:
    db: Database = open_db(broken_file)
    app = LoopdrillApp(db, FakeClock(), fuzz=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        assert screen.shown is not None and screen.shown.card.id == "nums/fine"
        said = [n.message for n in app._notifications]
        assert any("nums/broken: cannot read 'x' as a number" in m for m in said), said


def test_a_learning_card_left_out_is_not_offered_again(
        broken_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A learning card due now comes first from the queue each time it is asked; left out,
    it must not come again (it did: next_card went round it for ever, its warning list
    growing)."""
    db = open_db(broken_file)
    db.execute("UPDATE cards SET state = 1, step = 0, stability = 1, difficulty = 5, reps = 1, "
               "due = ?, last_review = ? WHERE id = 'nums/broken'",
               [to_stamp(NOW - dt.timedelta(minutes=5)), to_stamp(NOW - dt.timedelta(minutes=15))])
    db.conn.commit()
    prepared: list[str] = []

    def prepare(kind: str, content: dict[str, Any], rng: random.Random) -> Prompt:
        prepared.append(content["front"])
        if len(prepared) > 10:
            pytest.fail("next_card kept offering the card it left out")
        return graded_kinds.prepare(kind, content, rng)

    monkeypatch.setattr("loopdrill.services.session.prepare", prepare)
    session = DrillSession(db, FakeClock(), Scope(("nums",)), fuzz=False)
    shown = session.next_card()
    assert shown is not None and shown.card.id == "nums/fine"
    assert [problem.card_id for problem in session.take_unusable()] == ["nums/broken"]
    session.answer(Rating.EASY)  # a review in days: nothing else to show today
    assert session.next_card() is None  # the broken card is not shown, nor said again
    assert session.take_unusable() == []
