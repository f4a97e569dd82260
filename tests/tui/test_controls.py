"""Every drill control on every card: ctrl+z undoes anywhere, Esc leaves the answer box so
s / b / u / q work on typed cards, undo takes back suspend and bury too, and keys sent faster
than the screen redraws all count, in order."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database
from textual import events
from textual.pilot import Pilot

from loopdrill.services.session import DrillSession
from loopdrill.store.queries import Scope
from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.drill import DrillScreen
from tests.conftest import FakeClock
from tests.tui.test_graded_pilot import graded_db


def hidden(db: Database) -> list[tuple[str, int, bool]]:
    return [(c, s, b is not None) for c, s, b in db.conn.execute(
        "SELECT id, suspended, buried_until FROM cards WHERE suspended = 1 "
        "OR buried_until IS NOT NULL ORDER BY id")]


def answers(db: Database) -> list[tuple[str, int, str | None]]:
    return list(db.conn.execute("SELECT card_id, rating, answer FROM reviews ORDER BY id"))


async def burst(pilot: Pilot[None], *keys: str) -> None:
    """Keys as a terminal delivers a fast typist's: all queued before any is handled."""
    for key in keys:
        character = " " if key == "space" else (key if len(key) == 1 else None)
        pilot.app.post_message(events.Key(key, character))
    await pilot.pause()
    await pilot.pause()


async def test_typed_card_controls(db: Database, clock: FakeClock,
                                   write_deck: Callable[..., Path]) -> None:
    graded_db(db, write_deck)
    session = DrillSession(db, clock, Scope(("kinds",)), fuzz=False, rng=random.Random(1))
    app = LoopdrillApp(db, clock, session=session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, DrillScreen) and screen.in_box
        await pilot.press("s", "b", "u")  # in the box these are letters
        assert screen.query_one("#answer").value == "sbu"  # type: ignore[attr-defined]
        assert hidden(db) == []
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Leave box" in titles and "Suspend" not in titles
        await pilot.press("escape")  # leave the box: now the letters are keys
        assert not screen.in_box
        titles = [c.title for c in app.get_system_commands(screen)]
        assert {"Suspend", "Bury", "End"} <= set(titles)
        await pilot.press("s")
        assert hidden(db) == [("kinds/wru", 1, False)]
        assert screen.shown is not None and screen.shown.card.id == "kinds/down"
        assert screen.in_box  # the next typed card opens its box
        await pilot.press("ctrl+z")  # undo works in the box: the suspend is taken back
        assert hidden(db) == []
        assert screen.shown is not None and screen.shown.card.id == "kinds/wru"
        await pilot.press("escape", "b")
        assert hidden(db) == [("kinds/wru", 0, True)]
        await pilot.press("escape", "u")
        assert hidden(db) == []
        assert screen.shown is not None and screen.shown.card.id == "kinds/wru"
        await pilot.press("escape", "tab")  # back into the box
        assert screen.in_box
        await pilot.press(*"$0.625", "enter", "enter")
        assert answers(db) == [("kinds/wru", 3, "$0.625")]
        await pilot.press("ctrl+z")
        assert answers(db) == []


async def test_keys_sent_fast_all_count(demo_db: Database, clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await burst(pilot, "space", "3", "space", "3", "space", "3")
        assert [r for _, r, _ in answers(demo_db)] == [3, 3, 3]


async def test_typed_answers_sent_fast_all_count(db: Database, clock: FakeClock,
                                                 write_deck: Callable[..., Path]) -> None:
    graded_db(db, write_deck)
    session = DrillSession(db, clock, Scope(("kinds",)), fuzz=False, rng=random.Random(1))
    app = LoopdrillApp(db, clock, session=session)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, *"0.625", "enter", "enter", *"43.2", "enter", "1",
                    *"kinesis", "enter", "enter")
    assert answers(db) == [("kinds/wru", 3, "0.625"), ("kinds/down", 1, "43.2"),
                           ("kinds/stream", 3, "kinesis")]
