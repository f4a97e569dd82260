"""The Stats screen: the report's sections in a scroll, and an interview date to plan for."""

from __future__ import annotations

import datetime as dt

from rich.measure import Measurement
from sqlite_utils import Database
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Static

from loopdrill.services.report import StatsError, StatsReport, build_report
from loopdrill.services.session import Clock
from loopdrill.store.queries import Scope
from loopdrill.tui.stats_render import render_report


class ExamDate(ModalScreen[dt.date | None]):
    """Ask for the interview date."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="exam.cancel")]

    def __init__(self, today: dt.date) -> None:
        super().__init__()
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="exam"):
            yield Static("Interview date (YYYY-MM-DD):")
            yield Input(placeholder=(self.today + dt.timedelta(days=21)).isoformat(),
                        id="exam-date")
            yield Static("", id="exam-error")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
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
        Binding("r", "reload", "Reload", id="stats.reload"),
        Binding("escape,q", "back", "Back", id="stats.back"),
    ]

    def __init__(self, db: Database, clock: Clock, scope: Scope | None = None) -> None:
        super().__init__()
        self.db = db
        self.clock = clock
        self.scope = scope or Scope()
        self.exam: dt.date | None = None
        self.report: StatsReport | None = None
        self.widest = 60  # cells the widest section takes (set when the report is drawn)

    def compose(self) -> ComposeResult:
        yield Header()
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

    def action_reload(self) -> None:
        """Rebuild the report and its sections."""
        scroll = self.query_one("#stats", VerticalScroll)
        scroll.remove_children()
        try:
            self.report = build_report(self.db, self.clock(), self.scope, self.exam)
        except StatsError as exc:
            scroll.mount(Static(str(exc), classes="stats-error"))
            return
        parts = render_report(self.report)
        console = self.app.console
        self.widest = max((Measurement.get(console, console.options, part).maximum
                           for part in parts), default=60)
        scroll.mount_all(Static(part, classes="stats-part") for part in parts)
        self._flow(self.size.width)

    def action_exam(self) -> None:
        def chosen(day: dt.date | None) -> None:
            if day is not None:
                self.exam = day
                self.action_reload()

        self.app.push_screen(ExamDate(self.clock().date()), callback=chosen)

    def action_back(self) -> None:
        self.dismiss(None)
