"""The Stats screen: the report's sections in a scroll, and an exam date to plan for."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static

from loopdrill.services.session import Clock
from loopdrill.services.stats import StatsError, StatsReport, build_report
from loopdrill.store.queries import Scope
from loopdrill.tui.stats_rich import render_report

WIDE = 150  # from this width on, sections sit two to a row


class ExamDateScreen(ModalScreen[dt.date | None]):
    """Ask for the interview date; only a day after today is accepted."""

    CSS_PATH = "stats.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="exam.cancel")]

    def __init__(self, today: dt.date, current: dt.date | None = None) -> None:
        super().__init__()
        self.today = today
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="exam"):
            yield Static("Interview date (YYYY-MM-DD), Enter to apply, Esc to cancel:")
            yield Input(value=self.current.isoformat() if self.current else "",
                        placeholder=(self.today + dt.timedelta(days=21)).isoformat(),
                        id="exam-date")
            yield Static("", id="exam-error")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            self.query_one("#exam-error", Static).update(
                f"{text or 'Nothing'!r} is not a date like 2026-12-15.")
            return
        if day <= self.today:
            self.query_one("#exam-error", Static).update(
                f"Pick a day after today ({self.today}).")
            return
        self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(None)


class StatsScreen(Screen[None]):
    """Every figure of the report for a scope, scrollable at any size."""

    CSS_PATH = "stats.tcss"
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
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats-sections"), Horizontal(id="stats-columns"):
            yield Vertical(id="stats-left")
            yield Vertical(id="stats-right")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def on_resize(self, event: Resize) -> None:
        wide = event.size.width >= WIDE
        if wide != self.has_class("-wide"):
            self.set_class(wide, "-wide")
            self._show()

    def action_reload(self) -> None:
        """Build the report again and show its sections."""
        self.error = None
        try:
            self.report = build_report(self.db, self.clock(), self.scope, self.exam)
        except StatsError as exc:
            self.error = str(exc)
        self._show()

    def _show(self) -> None:
        """Mount the sections: one column, or alternating between two on a wide screen."""
        left = self.query_one("#stats-left", Vertical)
        right = self.query_one("#stats-right", Vertical)
        left.remove_children()
        right.remove_children()
        if self.error is not None or self.report is None:
            left.mount(Static(self.error or "", classes="stats-error"))
            return
        parts = render_report(self.report)
        classes = "stats-empty" if self.report.empty else "stats-section"
        wide = self.has_class("-wide") and not self.report.empty
        left.mount_all(Static(part, classes=classes)
                       for i, part in enumerate(parts) if not wide or i % 2 == 0)
        if wide:
            right.mount_all(Static(part, classes=classes)
                            for i, part in enumerate(parts) if i % 2 == 1)

    def action_exam(self) -> None:
        def chosen(day: dt.date | None) -> None:
            if day is not None:
                self.exam = day
                self.action_reload()

        today = self.report.study_day if self.report else self.clock().date()
        self.app.push_screen(ExamDateScreen(today, self.exam), callback=chosen)

    def action_back(self) -> None:
        self.dismiss(None)
