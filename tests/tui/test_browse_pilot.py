"""The Browse screen through Pilot: search, the detail pane, every action and its undo, the
editor (a fake $EDITOR), opening from the drill, hidden decks on Home; a snapshot at 80x24."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database
from textual.widgets import DataTable, Input, Static

from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.browse import BrowseScreen
from loopdrill.tui.drill import DrillScreen
from loopdrill.tui.home import HomeScreen
from tests.conftest import FakeClock


def column(db: Database, card_id: str, name: str) -> Any:
    return db.conn.execute(f"SELECT {name} FROM cards WHERE id = ?", (card_id,)).fetchone()[0]


def info(screen: BrowseScreen) -> str:
    return str(screen.query_one("#browse-info", Static).render())


async def test_search_detail_and_actions_with_undo(demo_db: Database, clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 6
        await pilot.press(*"kind:cloze")
        await pilot.pause()
        assert table.row_count == 2
        assert str(screen.query_one("#browse-count", Static).render()) == "2 cards"
        assert "demo/slo-shape:c1 · cloze · new" in info(screen)
        await pilot.press("backspace", "backspace", "x")
        await pilot.pause()
        assert "'(' " not in str(screen.query_one("#browse-count", Static).render())
        screen.query_one(Input).value = "(sqs"
        await pilot.pause()
        assert "never closed at position 1" in str(
            screen.query_one("#browse-count", Static).render())
        screen.query_one(Input).value = "deck:demo"
        await pilot.pause()
        await pilot.press("enter")  # to the table
        assert table.has_focus and table.row_count == 6
        await pilot.press("down")
        card = "demo/s3-standard:r"
        assert screen.selected == card and card in info(screen)
        await pilot.press("s")
        assert column(demo_db, card, "suspended") == 1
        assert table.get_row_at(1)[2] == "suspended"
        await pilot.press("u")
        assert column(demo_db, card, "suspended") == 0
        await pilot.press("f", "5")
        assert column(demo_db, card, "flag") == 5 and "flag 5" in info(screen)
        await pilot.press("f", "0")
        assert column(demo_db, card, "flag") == 0
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_forget_and_set_due_on_a_studied_card(demo_db: Database,
                                                    clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "space", "4", "q", "enter")  # one Easy answer, then home
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("b")
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        screen.query_one(Input).value = "-is:new"
        await pilot.pause()
        await pilot.press("enter")
        card = "demo/s3-standard"
        assert screen.selected == card and "1 reviews:" in info(screen)
        due = column(demo_db, card, "due")
        await pilot.press("d", *"0", "enter")
        assert column(demo_db, card, "due") < due
        assert "set-due" in info(screen)
        await pilot.press("u")
        assert column(demo_db, card, "due") == due
        await pilot.press("n")
        assert column(demo_db, card, "state") == 0
        assert info(screen) == "No card matches."  # it is new again: -is:new leaves it out
        await pilot.press("u")
        assert column(demo_db, card, "state") == 2 and column(demo_db, card, "due") == due
        assert screen.selected == card


async def test_edit_through_the_editor(demo_db: Database, clock: FakeClock, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "editor.py"
    script.write_text("import pathlib, sys\np = pathlib.Path(sys.argv[1])\n"
                      "p.write_text(p.read_text().replace('$0.40', '$0.45'))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(BrowseScreen(demo_db, clock, 'id:"demo/sqs-standard"'))
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert "$0.45" in column(demo_db, "demo/sqs-standard", "content")
        assert "→ $0.45" in info(app.screen)  # type: ignore[arg-type]


async def test_drill_opens_browse_on_the_current_card(demo_db: Database,
                                                      clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        drill = app.screen
        assert isinstance(drill, DrillScreen) and drill.shown is not None
        await pilot.press("slash")
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        assert screen.selected == drill.shown.card.id
        await pilot.press("escape")
        assert app.screen is drill


async def test_home_offers_hidden_decks(demo_db: Database, clock: FakeClock) -> None:
    demo_db.conn.execute("UPDATE decks SET hidden = 1, builtin = 1 WHERE slug = 'demo'")
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert home.query_one(DataTable).row_count == 0
        await pilot.press("h")
        await pilot.press("enter")
        await pilot.pause()
        assert column(demo_db, "demo/s3-standard", "1") == 1
        assert demo_db.conn.execute("SELECT hidden FROM decks").fetchone()[0] == 0
        assert home.query_one(DataTable).row_count == 1


def test_browse_80x24(snap_compare: Any, demo_db: Database, clock: FakeClock) -> None:
    assert snap_compare(LoopdrillApp(demo_db, clock, fuzz=False), terminal_size=(80, 24),
                        press=["b", "tab", "down"])
