"""The Stats screen at 80x24 and 160x48, its columns at any width, its empty state, and the
exam-date prompt."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.measure import Measurement
from sqlite_utils import Database
from textual.app import App
from textual.widgets import Input, Select, Static
from textual_plotext import PlotextPlot

from loopdrill.store.settings import exam_date, set_exam_date
from loopdrill.tui.stats_screen import StatsScreen
from tests.conftest import FakeClock
from tests.services.test_report import stats_db  # noqa: F401 - fixture
from tests.services.test_report_recompute import history  # noqa: F401 - fixture

History = tuple[Database, list[Any]]


class StatsApp(App[None]):
    CSS_PATH = "../../src/loopdrill/tui/app.tcss"

    def __init__(self, db: Database, clock: FakeClock) -> None:
        super().__init__()
        self.db, self.clock = db, clock

    def on_mount(self) -> None:
        self.push_screen(StatsScreen(self.db, self.clock))


def test_stats_80x24(snap_compare: Any, history: History, clock: FakeClock) -> None:  # noqa: F811
    set_exam_date(history[0], dt.date(2026, 12, 14))
    assert snap_compare(StatsApp(history[0], clock), terminal_size=(80, 24))


def test_stats_160x48(snap_compare: Any, history: History, clock: FakeClock) -> None:  # noqa: F811
    set_exam_date(history[0], dt.date(2026, 12, 14))
    assert snap_compare(StatsApp(history[0], clock), terminal_size=(160, 48))


async def test_charts_have_titles_axes_and_legends(history: History,  # noqa: F811
                                                  clock: FakeClock) -> None:
    """Each chart is drawn with its title above it, both axes labelled and a legend (not a
    snapshot: plotext may place a tick label a cell apart from one run to the next)."""
    app = StatsApp(history[0], clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        wanted = {
            "forecast": ("Due in the next 30 days", "cards due that day", "days from today",
                         "cards due"),
            "hours": ("by hour of day", "answers", "pass % (right axis)", "hour of day"),
            "interval": ("Interval of 30 studied cards", "studied cards", "1-2w", "cards"),
            "stability": ("Stability of", "days until recall falls to 90%", "1y+"),
            "difficulty": ("Difficulty of", "FSRS difficulty", "9-10"),
            "retrievability": ("Retrievability of", "chance of recall now, %", "90-100"),
        }
        for key, words in wanted.items():
            box = app.screen.query_one(f".stats-{key}")
            box.scroll_visible(animate=False)
            await pilot.pause()
            text = str(box.query_one(Static).render()) + str(
                box.query_one(PlotextPlot).render())
            for word in words:
                assert word in text, (key, word)


async def test_deck_tag_and_period_choices(history: History, clock: FakeClock) -> None:  # noqa: F811
    app = StatsApp(history[0], clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.report is not None
        everything = screen.report.totals.reviews
        screen.query_one("#stats-tag", Select).value = "net"
        await pilot.pause()
        assert screen.scope.tag == "net" and screen.report.totals.reviews < everything
        screen.query_one("#stats-deck", Select).value = "demo"
        await pilot.pause()
        assert screen.report.scope.decks == ("demo",) and screen.report.totals.reviews == 0
        screen.query_one("#stats-deck", Select).value = Select.NULL
        screen.query_one("#stats-tag", Select).value = Select.NULL
        await pilot.pause()
        assert screen.report.totals.reviews == everything
        await pilot.press("p")
        await pilot.pause()
        assert screen.report.period == "3m" and screen.report.totals.days == 90
        assert screen.report.totals.reviews >= everything


async def test_exam_date_is_remembered(history: History, clock: FakeClock) -> None:  # noqa: F811
    db = history[0]
    app = StatsApp(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        app.screen.query_one(Input).value = "2026-12-20"
        await pilot.press("enter")
        await pilot.pause()
    assert exam_date(db) == dt.date(2026, 12, 20)
    again = StatsApp(db, clock)
    async with again.run_test(size=(80, 24)):
        screen = again.screen
        assert isinstance(screen, StatsScreen) and screen.report is not None
        assert screen.report.readiness is not None
        assert screen.report.readiness.exam == dt.date(2026, 12, 20)
    async with StatsApp(db, clock).run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        pilot.app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
    assert exam_date(db) is None


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
            await pilot.pause()  # the columns change after the resize: one more layout
            columns = screen.query_one("#stats").styles.grid_size_columns
            assert columns == max(1, min(3, width // (screen.widest + 2)))
            console = app.console
            # none cut or squeezed (the headline's sentences wrap to any width)
            for part in screen.query(".stats-part").exclude(".stats-headline").results(Static):
                wanted = Measurement.get(console, console.options, part.content).maximum
                assert part.size.width >= min(wanted, width - 2)
