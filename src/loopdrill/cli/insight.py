"""Commands that look back at the history: stats and the FSRS fit."""

from __future__ import annotations

import json
from pathlib import Path

import click

from loopdrill import clock
from loopdrill.cli import UserError, cli, db_option, echo, json_option, library


@cli.command()
@db_option
@json_option
@click.option("--deck", "decks", multiple=True, help="Only this deck (repeatable).")
@click.option("--tag", default=None, help="Only cards with this tag.")
@click.option("--exam", default=None,
              help="Interview date (YYYY-MM-DD) for readiness; default: the date saved on "
                   "the Stats screen, when it is still ahead.")
@click.option("--period", type=click.Choice(["1m", "3m", "1y", "all"]), default="1m",
              show_default=True,
              help="What the totals, answer buttons, calendar and hours cover.")
def stats(db_path: Path | None, as_json: bool, decks: tuple[str, ...], tag: str | None,
          exam: str | None, period: str) -> None:
    """Is it working? A headline, totals for a period, true retention, forecast, calendar,
    hours, distributions, card counts, calibration, weak spots and readiness on an
    interview date."""
    import datetime as dt

    from loopdrill.services.report import StatsError, build_report, report_to_json
    from loopdrill.store.queries import Scope
    from loopdrill.store.settings import exam_date as saved_exam

    exam_date = None
    if exam is not None:
        try:
            exam_date = dt.date.fromisoformat(exam)
        except ValueError:
            raise UserError(f"--exam: {exam!r} is not a date like 2026-12-15") from None
    lib = library(db_path, read_only=True)
    now = clock.now()
    try:
        if exam_date is None:
            saved = saved_exam(lib.db)
            exam_date = saved if saved is not None and saved > now.date() else None
        report = build_report(lib.db, now, Scope(decks, tag), exam_date, period)
    except StatsError as exc:
        raise UserError(str(exc)) from None
    finally:
        lib.close()
    if as_json:
        echo(json.dumps(report_to_json(report), indent=2))
        return
    from rich.console import Console

    from loopdrill.tui.stats_render import render_report

    console = Console()
    for part in render_report(report):
        console.print(part)
        console.print()


@cli.command()
@db_option
@json_option
@click.option("--deck", default=None, help="Fit (and apply) for this deck only.")
@click.option("--apply", "apply_fit", is_flag=True,
              help="Store the fitted parameters and reschedule (after a backup), when the fit "
                   "predicts your history better than the current parameters.")
@click.option("--retention", is_flag=True,
              help="Simulate a year at desired retention 0.75-0.95 and mark the best.")
def optimize(db_path: Path | None, as_json: bool, deck: str | None, apply_fit: bool,
             retention: bool) -> None:
    """Fit FSRS parameters to your review history and report the fit before and after."""
    from rich.console import Console

    from loopdrill.services import optimize as opt
    from loopdrill.tui.optimize_rich import render_apply, render_fit, render_retention

    lib = library(db_path, read_only=not apply_fit)  # only --apply writes
    try:
        if retention:
            rows = opt.simulate_retention(lib.db, clock.now(), deck)
            if as_json:
                echo(json.dumps(opt.retention_to_json(rows), indent=2))
            else:
                Console().print(render_retention(rows))
            return
        report = opt.fit(lib.db, clock.now(), deck)
        applied = opt.apply(lib.db, clock.now(), report, deck, backup_dir=lib.backup_dir) \
            if apply_fit and report.better else None
    except opt.OptimizeError as exc:
        raise UserError(str(exc)) from None
    finally:
        lib.close()
    if as_json:
        echo(json.dumps({"fit": opt.report_to_json(report),
                               "applied": opt.apply_to_json(applied) if applied else None},
                              indent=2))
        return
    console = Console()
    console.print(render_fit(report))
    if applied is not None:
        console.print(render_apply(applied))
    elif apply_fit and report.fitted is not None:
        console.print("Not applied: the current parameters stay.")
