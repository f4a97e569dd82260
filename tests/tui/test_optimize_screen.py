"""The Optimize screen: the fit runs in a worker while the interface stays responsive, the
report, the retention table and chart are shown, `a` applies, escape/q go back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, RenderableType
from sqlite_utils import Database
from textual.app import App
from textual.widgets import Button, Static
from textual_plotext import PlotextPlot

from loopdrill.services import optimize as opt
from loopdrill.store.settings import get_meta
from loopdrill.tui.optimize import OptimizeScreen
from loopdrill.tui.optimize_rich import render_apply, render_fit, render_retention
from tests.services.test_optimize import KILLED, NOW, history, make_decks


class Host(App[None]):
    """An app that opens the screen the way the lead's wiring will."""

    def __init__(self, db: Database, backup_dir: Path | None) -> None:
        super().__init__()
        self.db, self.backup_dir = db, backup_dir

    def on_mount(self) -> None:
        self.push_screen(OptimizeScreen(self.db, lambda: NOW, self.backup_dir))


def text(content: Any) -> str:
    console = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(content)
    return console.export_text()


def shown(screen: OptimizeScreen, selector: str) -> str:
    return text(screen.query_one(selector, Static).content)


@pytest.fixture
def enough(db: Database) -> Database:
    make_decks(db, {"syn": 160})
    history(db, "syn", 160, 7)
    return db


async def test_fit_then_apply_with_a(enough: Database, tmp_path: Path) -> None:
    app = Host(enough, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, OptimizeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "log loss" in shown(screen, "#optimize-fit")
        assert "RMSE (bins)" in shown(screen, "#optimize-fit")
        assert "◀ best" in shown(screen, "#optimize-retention")
        assert screen.query_one("#optimize-chart", PlotextPlot).display
        assert sum(r.best for r in screen.retention) == 1
        assert screen.check_action("apply", ()) is True
        assert not screen.query_one("#optimize-apply", Button).disabled
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "cards rescheduled" in shown(screen, "#optimize-applied")
        assert get_meta(enough, "parameters") is not None
        assert list(tmp_path.glob("loopdrill-*-pre-optimize.db"))
        assert screen.check_action("apply", ()) is False  # once
        await pilot.press("q")
        assert not isinstance(app.screen, OptimizeScreen)


async def test_too_little_history_says_so_and_cannot_apply(db: Database) -> None:
    make_decks(db, {"syn": 10})
    history(db, "syn", 10, 4)
    app = Host(db, None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, OptimizeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "needs at least 400" in shown(screen, "#optimize-fit")
        assert screen.check_action("apply", ()) is False
        assert screen.query_one("#optimize-apply", Button).disabled
        await pilot.press("a")
        assert get_meta(db, "parameters") is None
        await pilot.press("escape")
        assert not isinstance(app.screen, OptimizeScreen)


async def test_interface_answers_while_the_fit_runs(enough: Database,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    real = opt.fit

    def slow(*args: Any, **kwargs: Any) -> opt.FitReport:
        command = ("sh", "-c", f"sleep 5; exec {opt.WORKER[0]} -m {opt.WORKER[2]}")
        return real(*args, **kwargs, command=command)

    monkeypatch.setattr(opt, "fit", slow)
    app = Host(enough, None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, OptimizeScreen)
        for _ in range(3):
            await pilot.press("a")  # handled (and ignored: busy) while the fit runs
            await pilot.pause()
        # still busy: the keys were handled while the worker (asleep 5 s) had not fitted yet
        assert screen.busy and screen.query_one("#optimize-busy").display
        assert screen.check_action("apply", ()) is False
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.busy and screen.report is not None


async def test_leaving_while_the_fit_runs_is_safe(enough: Database,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    real = opt.fit
    command = ("sh", "-c", f"sleep 0.5; exec {opt.WORKER[0]} -m {opt.WORKER[2]}")
    monkeypatch.setattr(opt, "fit", lambda *a, **k: real(*a, **k, command=command))
    app = Host(enough, None)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, OptimizeScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, OptimizeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and get_meta(enough, "parameters") is None


async def test_a_killed_worker_is_reported(enough: Database,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    real = opt.fit
    monkeypatch.setattr(opt, "fit", lambda *a, **k: real(*a, **k, command=KILLED))
    app = Host(enough, None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, OptimizeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "killed by signal 9" in shown(screen, "#optimize-status")
        assert screen.check_action("apply", ()) is False
        assert get_meta(enough, "parameters") is None


def test_rich_renderers_for_the_cli(enough: Database) -> None:
    report = opt.fit(enough, NOW)
    fit_text = text(render_fit(report))
    assert "current" in fit_text and "fitted" in fit_text and "reviews used" in fit_text
    changed = opt.apply(enough, NOW, report, backup_dir=None)
    assert "due dates moved" in text(render_apply(changed))
    rows = opt.simulate_retention(enough, NOW + dt.timedelta(days=1))
    table: RenderableType = render_retention(rows)
    assert text(table).count("0.") >= 5


def test_retention_bars_scale_to_the_longest() -> None:
    from loopdrill.tui.optimize_rich import bar

    assert bar(10.0, 10.0, 16) == "█" * 16
    assert bar(5.0, 10.0, 16) == "█" * 8
    assert bar(1.0, 16.0, 16) == "█"
    assert bar(0.5, 16.0, 16) == "▌"
    assert bar(0.0, 10.0, 16) == bar(3.0, 0.0, 16) == ""
