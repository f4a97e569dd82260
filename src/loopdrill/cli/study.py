"""Commands for studying: the TUI, a drill session, the deck list, options, paths."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from loopdrill import clock, crash, paths
from loopdrill.cli import UserError, cli, db_option, echo, json_option, library
from loopdrill.core.options import OptionError, as_text
from loopdrill.core.text import shown
from loopdrill.core.words import plural
from loopdrill.services import config as config_service
from loopdrill.services import decks as deck_service

if TYPE_CHECKING:
    from textual.app import App


def run_app(app: App[None], *, headless: bool = False) -> None:
    """Run the TUI; an error inside it raises crash.Crashed with the traceback Textual would
    have printed, so it ends like any other error (one sentence, exit code 1)."""
    from rich.console import Console

    captured = io.StringIO()
    app.error_console = Console(file=captured, width=100, markup=False, highlight=False)
    app.run(headless=headless)
    if app.return_code:
        raise crash.Crashed(captured.getvalue())


@cli.command()
@db_option
def tui(db_path: Path | None) -> None:
    """Open the full-screen drill (the default command)."""
    lib = library(db_path)
    from loopdrill.tui.app import LoopdrillApp  # deferred: textual costs ~150 ms to import

    path = lib.path

    def weekly_refit() -> str | None:
        """Runs in a worker thread on its own connection."""
        from loopdrill.services.optimize import OptimizeError, maybe_auto_optimize
        from loopdrill.store.db import open_db

        own = open_db(path)
        try:
            return maybe_auto_optimize(own, clock.now(), paths.backups(path))
        except OptimizeError as exc:
            return f"Weekly FSRS refit skipped: {exc}"
        finally:
            own.conn.close()

    app = LoopdrillApp(lib.db, clock.now, backup_dir=lib.backup_dir, background=weekly_refit)
    try:
        run_app(app)
    finally:
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
    from loopdrill.store.decks import deck_family, no_deck_named
    from loopdrill.store.queries import Scope

    lib = library(db_path)
    unknown = [d for d in decks if not deck_family(lib.db, d)]
    if unknown:
        raise UserError(no_deck_named(unknown[0]))
    session = DrillSession(lib.db, clock.now, Scope(decks, tag), cram=cram, limit=limit)
    if plain:
        from loopdrill.plain import run_plain

        run_plain(session, sys.stdin, sys.stdout)
    else:
        from loopdrill.tui.app import LoopdrillApp

        run_app(LoopdrillApp(lib.db, clock.now, session=session))
    lib.close()


@cli.command()
@db_option
@json_option
def decks(db_path: Path | None, as_json: bool) -> None:
    """List decks with today's work within the daily limits (new / learning / due, as Home
    shows it), the new cards left, suspended and total cards (--json: every count)."""
    from loopdrill.services.today import Today, today_counts

    lib = library(db_path, read_only=True)
    now = clock.now()
    rows = deck_service.deck_list(lib.db, now)
    per_deck, _ = today_counts(lib.db, now)
    lib.close()
    today = {r.slug: per_deck.get(r.slug, Today()) for r in rows}
    if as_json:
        echo(json.dumps([{**vars(r), "today": vars(today[r.slug])} for r in rows], indent=2))
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from loopdrill.tui.literal import literal

    # Today's work first (within the daily limits, as Home shows it), then the deck's
    # totals; the title last, cut to what fits, so every count stays readable at 80 columns.
    headers = ("today\nnew", "today\nlearn", "today\ndue", "new\nleft", "\nsusp.", "\ncards")
    cells = [[r.slug, *(str(v) for v in (
        today[r.slug].new, today[r.slug].learning, today[r.slug].review, r.new, r.suspended,
        r.total))] for r in rows]
    widths = [max([4, *(len(c[0]) for c in cells)]),
              *(max([*(len(h) for h in header.split("\n")), *(len(c[i]) for c in cells)])
                for i, header in enumerate(headers, 1))]
    console = Console()
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for header, width in zip(("deck", *headers), widths, strict=True):
        table.add_column(header, justify="left" if header == "deck" else "right",
                         min_width=width, no_wrap=True)
    table.add_column("title", no_wrap=True, overflow="ellipsis",
                     max_width=max(5, console.width - sum(w + 3 for w in widths)))
    for r, row in zip(rows, cells, strict=True):
        table.add_row(literal(row[0]), *row[1:], literal(r.title))
    console.print(table)


@cli.command()
@db_option
@click.option("--deck", default=None,
              help="Show or set the options of this deck (a parent: of each deck under it).")
@click.option("--unset", is_flag=True, help="Remove KEY's value from this scope.")
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.argument("extra", required=False)
def config(db_path: Path | None, deck: str | None, unset: bool, key: str | None,
           value: str | None, extra: str | None) -> None:
    """Show options, or set KEY to VALUE (globally, or with --deck for a deck and the decks
    under it).
    `config set KEY VALUE` works too. Changing retention, steps or the maximum interval
    reschedules the cards it affects."""
    if key == "set":
        key, value = value, extra
        if key is None or value is None:
            raise UserError("usage: loopdrill config set KEY VALUE")
    lib = library(db_path)
    try:
        decks = config_service.deck_scope(lib.db, deck)  # a parent: each deck under it
        scopes: list[str | None] = [*decks] or [None]
        if key is None:
            for slug in scopes:
                if len(decks) > 1:
                    echo(f"deck {slug}:")
                for name, current, origin in config_service.describe(lib.db, slug):
                    echo(f"{name:22} {as_text(name, current):12} ({origin})")
        elif unset:
            removed = config_service.unset_value(lib.db, key, deck)
            echo(f"{key} unset" if removed else f"{key} was not set here")
        elif value is None:
            for slug in scopes:
                found = [(c, o) for n, c, o in config_service.describe(lib.db, slug) if n == key]
                if not found:
                    raise OptionError(f"unknown option {shown(key, 40)}; `loopdrill config` "
                                      "lists them")
                where = f"{slug}: " if len(decks) > 1 else ""
                echo(f"{where}{as_text(key, found[0][0])} ({found[0][1]})")
        else:
            stored = config_service.set_value(lib.db, key, value, deck)
            scope = f"deck {deck}" if decks == [deck] else \
                f"decks {', '.join(decks)}" if decks else "global"
            echo(f"{key} = {as_text(key, stored)} ({scope})")
            if key in config_service.RESCHEDULING:
                from loopdrill.services.optimize_reschedule import reschedule_all

                changed = reschedule_all(lib.db, clock.now(), deck)
                echo(f"rescheduled {plural(changed.cards, 'card')}: "
                     f"{plural(changed.moved, 'due date')} moved")
    finally:
        lib.close()


@cli.command()
@db_option
def where(db_path: Path | None) -> None:
    """Print the database, backup and deck paths in use."""
    db = paths.database(db_path)
    echo(f"database:       {db}")
    echo(f"backups:        {paths.backups(db)}")
    echo(f"media:          {paths.media(db)}")
    echo("options:        stored in the database (see `loopdrill config`)")
    echo(f"built-in decks: {paths.builtin_decks()}")
