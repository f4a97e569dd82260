"""The Optimize screen: fit FSRS to the review history in a worker (the fit itself runs in a
subprocess, so the interface stays responsive), show the fit, apply it, and compare desired
retentions in a table and a chart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from sqlite_utils import Database
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, LoadingIndicator, Static
from textual_plotext import PlotextPlot

from loopdrill.services import optimize as opt
from loopdrill.services.session import Clock
from loopdrill.store.db import StoreError, own_connection
from loopdrill.tui.optimize_rich import render_apply, render_fit, render_retention


class OptimizeScreen(Screen[None]):
    """Fit, apply, compare retentions."""

    CSS_PATH = "optimize.tcss"
    BINDINGS = [
        Binding("a", "apply", "Apply fit", id="optimize.apply"),
        Binding("escape,q", "back", "Back", id="optimize.back"),
    ]

    report: reactive[opt.FitReport | None] = reactive(None, bindings=True)
    busy: reactive[bool] = reactive(True, bindings=True)
    applied: reactive[bool] = reactive(False, bindings=True)

    def __init__(self, db: Database, clock: Clock, backup_dir: Path | None,
                 deck: str | None = None) -> None:
        super().__init__()
        self.db = db
        self.clock = clock
        self.backup_dir = backup_dir
        self.deck = deck
        self.retention: list[opt.RetentionRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="optimize"):
            yield Static("Fitting FSRS to your review history…", id="optimize-status")
            yield LoadingIndicator(id="optimize-busy")
            yield Static("", id="optimize-fit")
            yield Button("Apply fit (a)", id="optimize-apply", variant="primary", disabled=True)
            yield Static("", id="optimize-applied")
            yield Static("", id="optimize-retention")
            yield PlotextPlot(id="optimize-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#optimize-chart").display = False
        self.query_one("#optimize-applied").display = False
        self.run_fit()

    def watch_busy(self, busy: bool) -> None:
        self.query_one("#optimize-busy").display = busy
        self._sync_button()

    def watch_report(self) -> None:
        self._sync_button()

    def watch_applied(self) -> None:
        self._sync_button()

    def _sync_button(self) -> None:
        if self.is_mounted:
            self.query_one("#optimize-apply", Button).disabled = not self.can_apply

    @property
    def can_apply(self) -> bool:
        return (self.report is not None and self.report.better and not self.busy
                and not self.applied)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return self.can_apply
        return True

    # -- work in threads: the fit waits on its subprocess, the simulation is short ----------
    @work(thread=True, exclusive=True, group="optimize")
    def run_fit(self) -> None:
        with own_connection(self.db) as db:  # this thread's: the UI thread has self.db
            try:
                report = opt.fit(db, self.clock(), self.deck)
            except opt.OptimizeError as exc:
                self._post(self._failed, str(exc))
                return
            self._post(self._fitted, report)
            rows = opt.simulate_retention(db, self.clock(), self.deck,
                                          parameters=report.fitted)
        self._post(self._simulated, rows)

    @work(thread=True, exclusive=True, group="optimize")
    def run_apply(self, report: opt.FitReport) -> None:
        try:
            with own_connection(self.db) as db:
                changed = opt.apply(db, self.clock(), report, self.deck,
                                    backup_dir=self.backup_dir)
        except (opt.OptimizeError, StoreError) as exc:
            self._post(self._failed, str(exc))
            return
        self._post(self._applied, changed)

    def _post(self, show: Callable[[Any], None], result: Any) -> None:
        """Hand a result to the UI thread; dropped if the user has left the screen (the fit
        subprocess is left to finish: nothing is stored until apply)."""

        def deliver() -> None:
            if self.is_attached:
                show(result)

        self.app.call_from_thread(deliver)

    # -- results, on the UI thread ---------------------------------------------------------
    def _show(self, selector: str, content: RenderableType) -> None:
        self.query_one(selector, Static).update(content)

    def _failed(self, message: str) -> None:
        self._show("#optimize-status", Text(message, style="bold red"))
        self.busy = False

    def _fitted(self, report: opt.FitReport) -> None:
        self.report = report
        self._show("#optimize-status", "FSRS parameters")
        self._show("#optimize-fit", render_fit(report))
        self._show("#optimize-retention", Text("Simulating a year at each retention…",
                                               style="dim"))

    def _simulated(self, rows: list[opt.RetentionRow]) -> None:
        self.retention = rows
        self._show("#optimize-retention", render_retention(rows))
        self._draw_chart(rows)
        self.busy = False

    def _applied(self, changed: opt.ApplyReport) -> None:
        self.applied = True
        self.query_one("#optimize-applied").display = True
        self._show("#optimize-applied", render_apply(changed))
        self.busy = False

    def _draw_chart(self, rows: list[opt.RetentionRow]) -> None:
        chart = self.query_one("#optimize-chart", PlotextPlot)
        chart.display = bool(rows)
        plt = chart.plt
        plt.clear_data()
        labels = [f"{r.retention:.2f}" + (" ◀ best" if r.best else "") for r in rows]
        plt.bar(labels, [round(r.seconds_per_card, 1) for r in rows], color="green")
        plt.title("Review seconds per card remembered after a year (lower is better)")
        plt.xlabel("desired retention")
        chart.refresh()

    # -- actions ---------------------------------------------------------------------------
    def action_apply(self) -> None:
        if self.can_apply and self.report is not None:
            self.busy = True
            self.query_one("#optimize-applied").display = True
            self._show("#optimize-applied", Text("Applying: backup, parameters, rescheduling…",
                                                 style="dim"))
            self.run_apply(self.report)

    @on(Button.Pressed, "#optimize-apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    def action_back(self) -> None:
        self.dismiss(None)
