"""The Stats screen at 80x24 and 160x48, its columns at any width, its empty state, and the
exam-date prompt."""

from __future__ import annotations

from typing import Any

from rich.measure import Measurement
from sqlite_utils import Database
from textual.app import App
from textual.widgets import Input, Static

from loopdrill.tui.stats_screen import StatsScreen
from tests.conftest import FakeClock
from tests.services.test_report import stats_db  # noqa: F401 - fixture


class StatsApp(App[None]):
    CSS_PATH = "../../src/loopdrill/tui/app.tcss"

    def __init__(self, db: Database, clock: FakeClock) -> None:
        super().__init__()
        self.db, self.clock = db, clock

    def on_mount(self) -> None:
        self.push_screen(StatsScreen(self.db, self.clock))


def test_stats_80x24(snap_compare: Any, stats_db: Database, clock: FakeClock) -> None:  # noqa: F811
    assert snap_compare(StatsApp(stats_db, clock), terminal_size=(80, 24))


def test_stats_160x48(snap_compare: Any, stats_db: Database, clock: FakeClock) -> None:  # noqa: F811
    assert snap_compare(StatsApp(stats_db, clock), terminal_size=(160, 48))


async def test_empty_state(db: Database, clock: FakeClock) -> None:
    app = StatsApp(db, clock)
    async with app.run_test(size=(80, 24)):
        text = app.screen.query_one(".stats-part", Static).render()
        assert "No reviews yet" in str(text)


async def test_exam_date(stats_db: Database, clock: FakeClock) -> None:  # noqa: F811
    app = StatsApp(stats_db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        app.screen.query_one(Input).value = "2026-01-01"
        await pilot.press("enter")
        assert "after today" in str(app.screen.query_one("#exam-error", Static).render())
        app.screen.query_one(Input).value = "2026-12-23"
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.report is not None
        assert str(screen.report.exam) == "2026-12-23"


async def test_sections_flow_into_columns_that_fit_them_whole(
        stats_db: Database, clock: FakeClock) -> None:  # noqa: F811
    app = StatsApp(stats_db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        for width, height in ((80, 24), (160, 48), (200, 50), (260, 60)):
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            columns = screen.query_one("#stats").styles.grid_size_columns
            assert columns == max(1, min(3, width // (screen.widest + 2)))
            console = app.console
            for part in screen.query(".stats-part").results(Static):  # none cut or squeezed
                wanted = Measurement.get(console, console.options, part.content).maximum
                assert part.size.width >= min(wanted, width - 2)
