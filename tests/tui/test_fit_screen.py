"""The Optimize screen: the fit runs in a worker and its report (or why not) is shown."""

from __future__ import annotations

from sqlite_utils import Database
from textual.widgets import Static

from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.fit_screen import OptimizeScreen
from tests.conftest import FakeClock


async def test_too_little_history_says_how_much_more(demo_db: Database,
                                                     clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        screen = app.screen
        assert isinstance(screen, OptimizeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "a fit needs at least 400" in str(screen.query_one("#optimize-result",
                                                                  Static).render())
        assert screen.check_action("apply", ()) is False
        await pilot.press("escape")
        assert not isinstance(app.screen, OptimizeScreen)


async def test_background_message_is_shown(demo_db: Database, clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False, background=lambda: "refit done")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(n.message == "refit done" for n in app._notifications)
