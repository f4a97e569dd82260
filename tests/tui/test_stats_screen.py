"""The Stats screen: snapshots at 80x24 and 160x48 (dark) and 80x24 (light) on the
hand-computed fixture with a fixed clock, the empty state, the exam-date prompt, going back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlite_utils import Database
from textual.app import App
from textual.widgets import Input, Static

from loopdrill.tui.stats import ExamDateScreen, StatsScreen
from loopdrill.tui.stats_rich import EMPTY
from tests.conftest import FakeClock
from tests.services.test_stats import fill


class StatsApp(App[None]):
    """Just the Stats screen, pushed on mount, over a home screen that says so."""

    def __init__(self, db: Database, clock: FakeClock, theme: str = "textual-dark") -> None:
        super().__init__()
        self.db, self.clock, self.start_theme = db, clock, theme

    def on_mount(self) -> None:
        self.theme = self.start_theme
        self.push_screen(StatsScreen(self.db, self.clock))


@pytest.fixture
def stats_db(demo_db: Database) -> Database:
    return fill(demo_db)


def test_stats_80x24(snap_compare: Any, stats_db: Database, clock: FakeClock) -> None:
    assert snap_compare(StatsApp(stats_db, clock), terminal_size=(80, 24))


def test_stats_80x24_scrolled_light(snap_compare: Any, stats_db: Database,
                                    clock: FakeClock) -> None:
    assert snap_compare(StatsApp(stats_db, clock, "textual-light"), terminal_size=(80, 24),
                        press=["pagedown", "pagedown"])


def test_stats_160x48(snap_compare: Any, stats_db: Database, clock: FakeClock) -> None:
    assert snap_compare(StatsApp(stats_db, clock), terminal_size=(160, 48))


async def test_empty_state_says_what_to_do(db: Database, clock: FakeClock) -> None:
    app = StatsApp(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = app.screen.query_one(".stats-empty", Static)
        assert str(shown.render()) == EMPTY and "drill some cards" in EMPTY


async def test_exam_date_is_checked_then_applied(stats_db: Database, clock: FakeClock) -> None:
    app = StatsApp(stats_db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        assert isinstance(app.screen, ExamDateScreen)
        for text, error in (("soon", "is not a date"), ("2026-11-23", "after today")):
            app.screen.query_one(Input).value = text
            await pilot.press("enter")
            assert error in str(app.screen.query_one("#exam-error", Static).render())
        app.screen.query_one(Input).value = "2026-12-23"
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.report is not None
        assert screen.report.readiness is not None
        assert str(screen.report.readiness.exam) == "2026-12-23"
        await pilot.press("e", "escape")
        assert isinstance(app.screen, StatsScreen) and app.screen.exam is not None
        await pilot.press("q")
        assert not isinstance(app.screen, StatsScreen)
