"""The Stats screen: a deck, a tag and a period to look at, the report's sections in a
scroll (charts drawn with plotext), and an interview date to plan for, remembered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.measure import Measurement
from rich.text import Text
from sqlite_utils import Database
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, Select, Static
from textual_plotext import PlotextPlot

from loopdrill.services.report import StatsError, StatsReport, build_report, scope_choices
from loopdrill.services.report_model import DEFAULT_PERIOD, PERIOD_DAYS, PERIOD_NAMES
from loopdrill.services.session import Clock
from loopdrill.store.queries import Scope
from loopdrill.store.settings import exam_date, set_exam_date
from loopdrill.tui.literal import literal
from loopdrill.tui.stats_charts import draw, title
from loopdrill.tui.stats_render import CHARTS, sections

CHART_WIDTH = 64  # cells a chart wants; sections flow into as many columns as fit


class ExamDate(ModalScreen[dt.date | bool | None]):
    """Ask for the interview date: a date, False to forget it, None to cancel."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="exam.cancel")]

    def __init__(self, today: dt.date, current: dt.date | None = None) -> None:
        super().__init__()
        self.today = today
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="exam"):
            yield Static("Interview date (YYYY-MM-DD), empty to forget it:")
            yield Input(value=self.current.isoformat() if self.current else "",
                        placeholder=(self.today + dt.timedelta(days=21)).isoformat(),
                        id="exam-date")
            yield Static("", id="exam-error")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.dismiss(False)
            return
        try:
            day = dt.date.fromisoformat(event.value.strip())
        except ValueError:
            self.query_one("#exam-error", Static).update("Not a date like 2026-12-15.")
            return
        if day <= self.today:
            self.query_one("#exam-error", Static).update("Pick a day after today.")
            return
        self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(None)


class StatsScreen(Screen[None]):
    """Every figure of the report, scrollable at any size."""

    BINDINGS = [
        Binding("e", "exam", "Exam date", id="stats.exam"),
        Binding("p", "period", "Period", id="stats.period"),
        Binding("r", "reload", "Reload", id="stats.reload"),
        Binding("escape,q", "back", "Back", id="stats.back"),
    ]

    def __init__(self, db: Database, clock: Clock, scope: Scope | None = None) -> None:
        super().__init__()
        self.db = db
        self.clock = clock
        self.scope = scope or Scope()
        self.period = DEFAULT_PERIOD
        saved = exam_date(db)
        self.exam: dt.date | None = saved if saved and saved > clock().date() else None
        self.report: StatsReport | None = None
        self.widest = 60  # cells the widest section takes (set when the report is drawn)

    def compose(self) -> ComposeResult:
        yield Header()
        decks, tags = scope_choices(self.db)
        with Horizontal(id="stats-bar"):
            yield Select([(d, d) for d in decks], prompt="All decks", id="stats-deck",
                         value=self.scope.decks[0] if len(self.scope.decks) == 1
                         else Select.NULL)
            yield Select([(t, t) for t in tags], prompt="All tags", id="stats-tag",
                         value=self.scope.tag if self.scope.tag in tags else Select.NULL)
            yield Select([(PERIOD_NAMES[p].capitalize(), p) for p in PERIOD_DAYS],
                         allow_blank=False, value=self.period, id="stats-period")
        yield VerticalScroll(id="stats")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.action_reload()

    def on_resize(self, event: events.Resize) -> None:
        self._flow(event.size.width)

    def _flow(self, width: int) -> None:
        """As many columns of sections (up to three) as fit the widest section whole: one
        at 80x24, scrolling."""
        columns = max(1, min(3, width // (self.widest + 2)))
        self.query_one("#stats", VerticalScroll).styles.grid_size_columns = columns

    @on(Select.Changed)
    def scope_changed(self, event: Select.Changed) -> None:
        value: Any = event.value
        chosen = None if value is Select.NULL else str(value)
        if event.select.id == "stats-deck":
            self.scope = Scope((chosen,) if chosen else (), self.scope.tag)
        elif event.select.id == "stats-tag":
            self.scope = Scope(self.scope.decks, chosen)
        elif chosen:
            self.period = chosen
        self.action_reload()

    def action_reload(self) -> None:
        """Rebuild the report and its sections."""
        scroll = self.query_one("#stats", VerticalScroll)
        scroll.remove_children()
        self.sub_title = (f"{PERIOD_NAMES[self.period]} · exam {self.exam}" if self.exam
                          else PERIOD_NAMES[self.period])
        try:
            self.report = build_report(self.db, self.clock(), self.scope, self.exam,
                                       self.period)
        except StatsError as exc:
            scroll.mount(Static(literal(str(exc)), classes="stats-error"))
            return
        console = self.app.console
        widgets: list[Widget] = []
        widest = CHART_WIDTH
        for section in sections(self.report):
            if section.key in CHARTS:
                chart = PlotextPlot()
                draw(chart.plt, section.key, self.report)
                widgets.append(Vertical(Static(Text(title(section.key, self.report),
                                                    style="bold")), chart,
                                        classes=f"stats-chart stats-{section.key}"))
                continue
            wants = Measurement.get(console, console.options, section.body).maximum
            if section.key != "headline":  # sentences wrap to any width
                widest = max(widest, wants)
            widgets.append(Static(section.body, classes=f"stats-part stats-{section.key}"))
        self.widest = widest
        scroll.mount_all(widgets)
        self._flow(self.size.width)

    def action_period(self) -> None:
        """The next period (1m, 3m, 1y, all, then 1m again)."""
        names = list(PERIOD_DAYS)
        self.query_one("#stats-period", Select).value = names[
            (names.index(self.period) + 1) % len(names)]

    def action_exam(self) -> None:
        def chosen(day: dt.date | bool | None) -> None:
            if day is None or day is True:
                return
            self.exam = day if isinstance(day, dt.date) else None
            set_exam_date(self.db, self.exam)
            self.action_reload()

        self.app.push_screen(ExamDate(self.clock().date(), self.exam), callback=chosen)

    def action_back(self) -> None:
        self.dismiss(None)
