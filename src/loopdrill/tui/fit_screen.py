"""The Optimize screen: fit FSRS in a worker (the fit itself runs in a subprocess), read the
report, apply it, and compare desired retentions."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.text import Text
from sqlite_utils import Database
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, LoadingIndicator, Static

from loopdrill.services import fitting as opt
from loopdrill.services.session import Clock
from loopdrill.tui.fit_render import fit_lines, retention_table


class OptimizeScreen(Screen[None]):
    """Fit, apply, simulate; the UI stays responsive while the work runs."""

    BINDINGS = [
        Binding("a", "apply", "Apply fit", id="optimize.apply"),
        Binding("r", "retention", "Retention", id="optimize.retention"),
        Binding("escape,q", "back", "Back", id="optimize.back"),
    ]

    report: reactive[opt.FitReport | None] = reactive(None, bindings=True)
    busy: reactive[bool] = reactive(False, bindings=True)

    def __init__(self, db: Database, clock: Clock, backup_dir: Path | None) -> None:
        super().__init__()
        self.db = db
        self.clock = clock
        self.backup_dir = backup_dir

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="optimize"):
            yield Static("Fitting FSRS to your review history…", id="optimize-status")
            yield LoadingIndicator(id="optimize-busy")
            yield Static("", id="optimize-result")
            yield Static("", id="optimize-retention")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.run_fit()

    def watch_busy(self, busy: bool) -> None:
        self.query_one("#optimize-busy").display = busy

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return bool(self.report and self.report.fitted) and not self.busy
        if action == "retention":
            return not self.busy
        return True

    @work(thread=True, exclusive=True)
    def run_fit(self) -> None:
        self.app.call_from_thread(setattr, self, "busy", True)
        try:
            report = opt.fit(self.db)
        except opt.OptimizeError as exc:
            self.app.call_from_thread(self.show, "#optimize-result", Text(str(exc), "red"))
        else:
            self.app.call_from_thread(setattr, self, "report", report)
            self.app.call_from_thread(self.show, "#optimize-result",
                                      Text("\n".join(fit_lines(report))))
        self.app.call_from_thread(self.show, "#optimize-status", Text("FSRS parameters",
                                                                      style="bold"))
        self.app.call_from_thread(setattr, self, "busy", False)

    @work(thread=True, exclusive=True)
    def action_apply(self) -> None:
        report = self.report
        if report is None or not report.fitted:
            return
        self.app.call_from_thread(setattr, self, "busy", True)
        try:
            applied = opt.apply(self.db, self.clock(), report, self.backup_dir)
        except opt.OptimizeError as exc:
            text = Text(str(exc), "red")
        else:
            text = Text("\n".join(fit_lines(report, applied)))
        self.app.call_from_thread(self.show, "#optimize-result", text)
        self.app.call_from_thread(setattr, self, "busy", False)

    @work(thread=True, exclusive=True)
    def action_retention(self) -> None:
        self.app.call_from_thread(setattr, self, "busy", True)
        rows = opt.simulate_retention(self.db)
        self.app.call_from_thread(self.show, "#optimize-retention", Group(
            retention_table(rows),
            Text("Set one with: loopdrill config desired_retention 0.85", style="dim")))
        self.app.call_from_thread(setattr, self, "busy", False)

    def show(self, selector: str, content: Text | Group) -> None:
        self.query_one(selector, Static).update(content)

    def action_back(self) -> None:
        self.dismiss(None)
