"""The command line: parse, call services, print. `loopdrill` alone opens the TUI."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from loopdrill import __version__, clock, paths
from loopdrill.core.model import DeckError
from loopdrill.core.options import OptionError, as_text
from loopdrill.services import config as config_service
from loopdrill.services import decks as deck_service
from loopdrill.services.library import Library, open_library
from loopdrill.store.db import StoreError

F = TypeVar("F", bound=Callable[..., Any])


class UserError(Exception):
    """Bad input from the user; printed as one line, exit code 1."""


def db_option(func: F) -> F:
    """The --db option every command takes."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help=f"Database file (default: ${paths.DB_ENV} or the user data directory).",
    )(func)


def json_option(func: F) -> F:
    """The --json option of data-producing commands."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)


def library(db_path: Path | None, *, builtins: bool = True) -> Library:
    """Open the library for a command."""
    return open_library(paths.database(db_path), clock.now(), builtins=builtins)


class LoopdrillGroup(click.Group):
    """The command group: `tui` when no command is named; expected errors become one line
    on stderr and exit code 1."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0].startswith("-") and args[0] not in ("--help", "--version")):
            args.insert(0, "tui")
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DeckError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
        except (UserError, StoreError, OptionError, clock.ClockError) as exc:
            click.echo(f"error: {exc}", err=True)
        ctx.exit(1)


@click.group(cls=LoopdrillGroup)
@click.version_option(__version__, prog_name="loopdrill")
def cli() -> None:
    """loopdrill: spaced-repetition drill for system-design interview loops.

    Run it with no command to open the drill on your decks.
    """


@cli.command()
@db_option
def tui(db_path: Path | None) -> None:
    """Open the full-screen drill (the default command)."""
    lib = library(db_path)
    from loopdrill.tui.app import LoopdrillApp  # deferred: textual costs ~150 ms to import

    path = lib.path

    def weekly_refit() -> str | None:
        """Runs in a worker thread on its own connection."""
        from loopdrill.services.fitting import OptimizeError, auto_optimize
        from loopdrill.store.db import open_db

        own = open_db(path)
        try:
            return auto_optimize(own, clock.now(), paths.backups(path))
        except OptimizeError as exc:
            return f"Weekly FSRS refit skipped: {exc}"
        finally:
            own.conn.close()

    LoopdrillApp(lib.db, clock.now, backup_dir=lib.backup_dir, background=weekly_refit).run()
    lib.close()


@cli.command()
@db_option
@click.option("--deck", "decks", multiple=True, help="Drill only this deck (repeatable).")
@click.option("--tag", default=None, help="Drill only cards with this tag.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Stop after N answers.")
@click.option("--cram", is_flag=True, help="Review ahead without changing the schedule.")
@click.option("--plain", is_flag=True, help="Line-by-line mode on stdin/stdout (no TUI).")
def drill(db_path: Path | None, decks: tuple[str, ...], tag: str | None, limit: int | None,
          cram: bool, plain: bool) -> None:
    """Drill today's cards, in the TUI or line by line with --plain."""
    from loopdrill.services.session import DrillSession
    from loopdrill.store.decks import deck_slugs
    from loopdrill.store.queries import Scope

    lib = library(db_path)
    unknown = [d for d in decks if d not in deck_slugs(lib.db)]
    if unknown:
        raise UserError(f"--deck: no deck named {unknown[0]!r}; `loopdrill decks` lists them")
    session = DrillSession(lib.db, clock.now, Scope(decks, tag), cram=cram, limit=limit)
    if plain:
        from loopdrill.plain import run_plain

        run_plain(session, sys.stdin, sys.stdout)
    else:
        from loopdrill.tui.app import LoopdrillApp

        LoopdrillApp(lib.db, clock.now, session=session).run()
    lib.close()


@cli.command()
@db_option
@json_option
def decks(db_path: Path | None, as_json: bool) -> None:
    """List decks with card counts: total, new, learning, due today, suspended."""
    lib = library(db_path)
    rows = deck_service.deck_list(lib.db, clock.now())
    lib.close()
    if as_json:
        click.echo(json.dumps([vars(r) for r in rows], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("deck", "title", "total", "new", "learning", "due", "suspended")
    for r in rows:
        table.add_row(r.slug, r.title, *(str(v) for v in
                                          (r.total, r.new, r.learning, r.due, r.suspended)))
    Console().print(table)


@cli.command(name="import")
@db_option
@json_option
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--deck", default=None, help="Put the cards in this deck (slug) instead.")
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
def import_(db_path: Path | None, as_json: bool, files: tuple[Path, ...], deck: str | None,
            dry_run: bool) -> None:
    """Import deck files. A deck imported again keeps its progress; removed items are
    retired with their reviews kept."""
    from loopdrill.core.cards import DECK_SLUG
    from loopdrill.services.imports import read_files, run_import

    if deck is not None and not DECK_SLUG.match(deck):
        raise UserError(f"--deck: {deck!r} is not a slug (a-z, 0-9 and -)")
    batch = read_files(files, deck)
    lib = library(db_path)
    try:
        result = run_import(lib.db, batch, clock.now(), dry_run=dry_run,
                            progress=_progress_bar(batch.cards, as_json))
    finally:
        lib.close()
    if as_json:
        click.echo(json.dumps({
            "dry_run": dry_run, "decks": [vars(r) for r in result.decks],
            "history": vars(result.history) if result.history else None,
            "warnings": [str(w) for w in result.warnings]}, indent=2))
        return
    verb = "would import" if dry_run else "imported"
    for r in result.decks:
        click.echo(f"{verb} {r.deck}: {r.added} added, {r.updated} updated, "
                   f"{r.unchanged} unchanged, {r.retired} retired"
                   + (f", {r.restored} restored" if r.restored else ""))
    if result.history:
        h = result.history
        click.echo(f"{verb} review history: {h.added} reviews on {h.cards} cards"
                   + (f" ({h.duplicates} already there)" if h.duplicates else ""))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)


@cli.command(name="import-reviews")
@db_option
@json_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
def import_reviews(db_path: Path | None, as_json: bool, file: Path, dry_run: bool) -> None:
    """Import review history (card_id,reviewed_at,rating,duration_ms CSV) and rebuild each
    card's schedule by replaying its reviews through FSRS."""
    from loopdrill.formats.review_csv import read_review_csv
    from loopdrill.services.history import import_reviews as import_history

    records = list(read_review_csv(file))
    lib = library(db_path)
    try:
        report = import_history(lib.db, records, clock.now(), source=str(file),
                                dry_run=dry_run)
    finally:
        lib.close()
    if as_json:
        click.echo(json.dumps(vars(report), indent=2))
        return
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {report.added} reviews on {report.cards} cards"
               + (f" ({report.duplicates} already there)" if report.duplicates else ""))


def _progress_bar(cards: int, quiet: bool) -> Callable[[str, int, int], None] | None:
    """A rich progress bar for imports of more than a few thousand cards."""
    if quiet or cards < 5000:
        return None
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task("importing", total=None)
    bar.start()

    def update(stage: str, done: int, total: int) -> None:
        bar.update(task, description=stage, completed=done, total=total)
        if done >= total:
            bar.stop()

    return update


@cli.command()
@db_option
@click.option("--deck", "decks", multiple=True, help="Export only this deck (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "tsv", "json"]), default="yaml",
              show_default=True, help="yaml (native), tsv (Anki text with headers) or json.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File to write, or a directory for one YAML file per deck (default: stdout).")
def export(db_path: Path | None, decks: tuple[str, ...], fmt: str,
           output: Path | None) -> None:
    """Export decks in a format `loopdrill import` (and Anki, for tsv) reads back."""
    from loopdrill.services.export import export_decks

    lib = library(db_path)
    try:
        files = export_decks(lib.db, fmt, decks)
    finally:
        lib.close()
    if output is not None and output.is_dir():
        for name, text in files:
            _write(output / name, text)
            click.echo(f"wrote {output / name}", err=True)
    elif output is not None:
        if len(files) > 1:
            raise UserError(f"-o: {len(files)} decks make {len(files)} YAML files; give a "
                            "directory or choose one with --deck")
        _write(output, files[0][1])
    else:
        click.echo("".join(text if len(files) == 1 else f"---\n{text}" for _, text in files),
                   nl=False)


@cli.command(name="export-reviews")
@db_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: stdout).")
def export_reviews(db_path: Path | None, output: Path | None) -> None:
    """Export the review history as card_id,reviewed_at,rating,duration_ms CSV."""
    from loopdrill.services.export import export_history

    lib = library(db_path)
    try:
        text = export_history(lib.db)
    finally:
        lib.close()
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text)


def _write(path: Path, text: str) -> None:
    """Write a file, or fail with one sentence naming it."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from None


@cli.command()
@db_option
@click.option("--deck", default=None, help="Show or set the options of this deck.")
@click.option("--unset", is_flag=True, help="Remove KEY's value from this scope.")
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.argument("extra", required=False)
def config(db_path: Path | None, deck: str | None, unset: bool, key: str | None,
           value: str | None, extra: str | None) -> None:
    """Show options, or set KEY to VALUE (globally, or for one deck with --deck).
    `config set KEY VALUE` works too. Changing retention, steps or the maximum interval
    reschedules the cards it affects."""
    if key == "set":
        key, value = value, extra
        if key is None or value is None:
            raise UserError("usage: loopdrill config set KEY VALUE")
    lib = library(db_path)
    try:
        if key is None:
            for name, current, origin in config_service.describe(lib.db, deck):
                click.echo(f"{name:22} {as_text(name, current):12} ({origin})")
        elif unset:
            removed = config_service.unset_value(lib.db, key, deck)
            click.echo(f"{key} unset" if removed else f"{key} was not set here")
        elif value is None:
            for name, current, origin in config_service.describe(lib.db, deck):
                if name == key:
                    click.echo(f"{as_text(name, current)} ({origin})")
                    break
            else:
                raise OptionError(f"unknown option {key!r}; `loopdrill config` lists them")
        else:
            stored = config_service.set_value(lib.db, key, value, deck)
            scope = f"deck {deck}" if deck else "global"
            click.echo(f"{key} = {as_text(key, stored)} ({scope})")
            if key in config_service.RESCHEDULING:
                from loopdrill.services.fitting import reschedule
                from loopdrill.store.tx import transaction

                with transaction(lib.db):
                    cards, moved = reschedule(lib.db, clock.now(), deck)
                click.echo(f"rescheduled {cards} cards: {moved} due dates moved")
    finally:
        lib.close()


@cli.command()
@db_option
@json_option
@click.option("--deck", "decks", multiple=True, help="Only this deck (repeatable).")
@click.option("--tag", default=None, help="Only cards with this tag.")
@click.option("--exam", default=None, help="Interview date (YYYY-MM-DD) for readiness.")
def stats(db_path: Path | None, as_json: bool, decks: tuple[str, ...], tag: str | None,
          exam: str | None) -> None:
    """Retention stats: true retention, forecast, calendar, calibration, weak spots and
    readiness on an interview date."""
    import datetime as dt

    from loopdrill.services.report import StatsError, build_report, report_to_json
    from loopdrill.store.queries import Scope

    exam_date = None
    if exam is not None:
        try:
            exam_date = dt.date.fromisoformat(exam)
        except ValueError:
            raise UserError(f"--exam: {exam!r} is not a date like 2026-12-15") from None
    lib = library(db_path)
    try:
        report = build_report(lib.db, clock.now(), Scope(decks, tag), exam_date)
    except StatsError as exc:
        raise UserError(str(exc)) from None
    finally:
        lib.close()
    if as_json:
        click.echo(json.dumps(report_to_json(report), indent=2))
        return
    from rich.console import Console

    from loopdrill.tui.stats_render import render_report

    console = Console()
    for part in render_report(report):
        console.print(part)
        console.print()


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=True))
@click.option("--stale-days", type=click.IntRange(min=0), default=180, show_default=True,
              help="List facts whose as_of date is older than this many days.")
def check(files: tuple[Path, ...], stale_days: int) -> None:
    """Validate deck files (the built-in decks when none are given) without touching the
    database, and list stale facts. Exit code 1 when any file has a problem."""
    targets: list[Path] = []
    for given in files or (paths.builtin_decks(),):
        targets.extend(sorted(given.glob("*.yaml")) if given.is_dir() else [given])
    result = deck_service.check_files(targets, clock.now().date(), stale_days)
    for problem in result.problems:
        click.echo(str(problem))
    for fact in result.stale:
        click.echo(f"stale: {fact}")
    click.echo(f"{result.files} files, {result.items} items: {len(result.problems)} problems, "
               f"{len(result.stale)} stale facts", err=True)
    if result.problems:
        raise click.exceptions.Exit(1)


@cli.command()
@db_option
@json_option
@click.option("--deck", default=None, help="Fit (and apply) for this deck only.")
@click.option("--apply", "apply_fit", is_flag=True,
              help="Store the fitted parameters and reschedule (after a backup).")
@click.option("--retention", is_flag=True,
              help="Simulate a year at desired retention 0.75-0.95 and mark the best.")
def optimize(db_path: Path | None, as_json: bool, deck: str | None, apply_fit: bool,
             retention: bool) -> None:
    """Fit FSRS parameters to your review history and report the fit before and after."""
    from loopdrill.services import fitting as opt

    lib = library(db_path)
    try:
        if retention:
            rows = opt.simulate_retention(lib.db, deck)
            if as_json:
                click.echo(json.dumps([vars(r) for r in rows], indent=2))
                return
            from rich.console import Console

            from loopdrill.tui.fit_render import retention_table

            Console().print(retention_table(rows))
            return
        report = opt.fit(lib.db, deck)
        applied = opt.apply(lib.db, clock.now(), report, lib.backup_dir) \
            if apply_fit and report.fitted else None
    except opt.OptimizeError as exc:
        raise UserError(str(exc)) from None
    finally:
        lib.close()
    if as_json:
        click.echo(json.dumps({"fit": vars(report), "applied": vars(applied) if applied
                               else None}, indent=2))
        return
    from loopdrill.tui.fit_render import fit_lines

    for line in fit_lines(report, applied):
        click.echo(line)


@cli.command()
@db_option
def where(db_path: Path | None) -> None:
    """Print the database, backup and deck paths in use."""
    db = paths.database(db_path)
    click.echo(f"database:       {db}")
    click.echo(f"backups:        {paths.backups(db)}")
    click.echo("options:        stored in the database (see `loopdrill config`)")
    click.echo(f"built-in decks: {paths.builtin_decks()}")


def main() -> None:
    """Entry point for the `loopdrill` script."""
    cli.main(prog_name="loopdrill")
