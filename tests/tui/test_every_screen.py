"""Every screen opens at 80x24 and 160x48 without an exception; `?` lists the keys of the
screen under it from its bindings; the theme and the exam date are remembered."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from rich.console import Console
from sqlite_utils import Database

from loopdrill.store.settings import set_exam_date
from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.help import HelpScreen, key_table
from tests.conftest import FakeClock

#: From Home: the keys that open each screen (and, for the drill, reveal then end it).
ROUTES = {"home": [], "drill": ["a"], "revealed": ["a", "space"], "summary": ["a", "q"],
          "import": ["i"], "stats": ["t"], "optimize": ["o"], "browse": ["b"],
          "help": ["question_mark"], "drill help": ["a", "escape", "question_mark"]}


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
@pytest.mark.parametrize("route", list(ROUTES))
async def test_every_screen_opens(demo_db: Database, clock: FakeClock, size: tuple[int, int],
                                  route: str) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press(*ROUTES[route])
        await pilot.pause()
        app.save_screenshot  # noqa: B018 - rendering happens in pause; an error ends the app
        assert app.is_running, route
        assert app.return_code in (None, 0)
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        await pilot.pause()
    assert not app.return_code


def shown(app: LoopdrillApp) -> str:
    assert isinstance(app.screen, HelpScreen)
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(key_table(app.screen.under))
    return console.export_text()


async def test_help_lists_the_keys_of_the_screen_under_it(demo_db: Database,
                                                          clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = shown(app)
        for description in ("Drill deck", "Drill all", "Import", "Stats", "Optimize"):
            assert description in text
        await pilot.press("escape", "a", "space")
        await pilot.press("question_mark")
        text = shown(app)
        for description in ("Undo", "Suspend", "Bury", "End", "Good", "Check/accept"):
            assert description in text


async def test_theme_and_exam_date_are_remembered(demo_db: Database, clock: FakeClock) -> None:
    set_exam_date(demo_db, dt.date(2026, 12, 3))  # ten days after the fixed clock's day
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)):
        assert "exam in 10 days" in str(app.screen.query_one("#home-summary").render())
        app.theme = "nord"
    again = LoopdrillApp(demo_db, clock, fuzz=False)
    async with again.run_test(size=(80, 24)):
        assert again.theme == "nord"
