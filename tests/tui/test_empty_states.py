"""Empty sessions: the summary closes cleanly (Home or exit), cram says the schedule stays,
the summary offers no key of the screen under it."""

from __future__ import annotations

import pytest
from sqlite_utils import Database
from textual.widgets import Button

from loopdrill.core.model import Rating
from loopdrill.services.config import set_value
from loopdrill.services.session import DrillSession
from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.drill import DrillScreen
from loopdrill.tui.home import HomeScreen
from loopdrill.tui.summary import SummaryScreen
from tests.conftest import FakeClock


@pytest.mark.parametrize("close", ["enter", "q", "escape"])
async def test_closing_an_empty_session_goes_home(demo_db: Database, clock: FakeClock,
                                                  close: str) -> None:
    set_value(demo_db, "new_per_day", "0", None)
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press(close)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter")  # the deck, same empty state, same clean close
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press(close)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert not app.return_code


async def test_drill_command_with_nothing_due_ends_cleanly(demo_db: Database,
                                                           clock: FakeClock) -> None:
    set_value(demo_db, "new_per_day", "0", None)
    app = LoopdrillApp(demo_db, clock, session=DrillSession(demo_db, clock, fuzz=False))
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("enter")
        await pilot.pause()
    assert not app.return_code


async def test_summary_footer_offers_nothing_of_the_drill(demo_db: Database,
                                                          clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "space", "3", "q")
        assert isinstance(app.screen, SummaryScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Undo" not in titles and "Suspend" not in titles
        drill = app.screen_stack[-2]
        assert isinstance(drill, DrillScreen)
        assert not drill.check_action("undo", ())


async def test_cram_says_the_schedule_is_unchanged(demo_db: Database, clock: FakeClock) -> None:
    first = DrillSession(demo_db, clock, fuzz=False)
    first.next_card()
    first.answer(Rating.EASY)  # straight to review: cram can show it
    session = DrillSession(demo_db, clock, cram=True, fuzz=False)
    app = LoopdrillApp(demo_db, clock, session=session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        labels = [str(screen.query_one(f"#grade-{n}", Button).label) for n in range(1, 5)]
        assert labels == ["1 Again", "2 Hard", "3 Good", "4 Easy"]
        assert "cram: schedule unchanged" in str(screen.query_one("#status").render())

