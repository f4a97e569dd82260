"""The command line: parse, call services, print. `loopdrill` alone opens the TUI.

The commands live in three modules (study, data, insight); importing them registers them
on the group below."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from loopdrill import __version__, clock, crash, paths
from loopdrill.core.model import DeckError
from loopdrill.core.options import OptionError
from loopdrill.core.text import clean
from loopdrill.processes import unwind_on_termination
from loopdrill.services.library import Library, open_library
from loopdrill.store.db import StoreError
from loopdrill.store.failures import explain

F = TypeVar("F", bound=Callable[..., Any])
DEBUG = "loopdrill.debug"
DEBUG_ENV = "LOOPDRILL_DEBUG"
DB_FILE = "loopdrill.db_file"
GROUP_FLAGS = ("--db", "--debug")


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line that may hold user text: never a control character (core.text.clean)."""
    click.echo(clean(text), err=err, nl=nl)


class UserError(Exception):
    """Bad input from the user; printed as one line, exit code 1."""


def _group_db(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    """A command's --db, else the one given before the command (`loopdrill --db X decks`)."""
    if value is None:
        value = ctx.find_root().params.get("db_path")
    return value


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().meta[DEBUG] = True


def debug_option(func: F) -> F:
    """--debug: an unexpected error prints its traceback instead of one sentence."""
    return click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
                        callback=_set_debug,
                        help="Print the traceback of an unexpected error.")(func)


def db_option(func: F) -> F:
    """The --db option every command takes (and --debug)."""
    return debug_option(click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
        callback=_group_db,
        help=f"Database file (default: ${paths.DB_ENV} or the user data directory).",
    )(func))


def json_option(func: F) -> F:
    """The --json option of data-producing commands."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)


def library(db_path: Path | None, *, builtins: bool = True, read_only: bool = False,
            checked: bool = True) -> Library:
    """Open the library for a command; its warnings (a failed daily backup) go to stderr.
    A command that only reads passes `read_only`: it then works on a read-only file or
    folder, and never writes to the database (no built-in deck refresh). A command that
    writes first checks a small file for damage (store.db.damage), unless not `checked`
    (doctor, which reports it)."""
    path = paths.database(db_path)
    click.get_current_context().find_root().meta[DB_FILE] = str(path)  # named by errors
    lib = open_library(path, clock.now(), builtins=builtins, read_only=read_only,
                       checked=checked)
    for warning in lib.warnings:
        echo(f"warning: {warning}", err=True)
    return lib


class LoopdrillGroup(click.Group):
    """The command group: `tui` when no command is named; expected errors become one line
    on stderr and exit code 1, and so do unexpected ones (their traceback goes to a log file,
    or to stderr with --debug)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        at = 0  # past the group's own options: `loopdrill --db X decks`
        while at < len(args) and (args[at] in GROUP_FLAGS or args[at].startswith("--db=")):
            at += 2 if args[at] == "--db" else 1
        if at == len(args) or (at < len(args) and args[at].startswith("-")
                               and args[at] not in ("--help", "--version")):
            args.insert(at, "tui")
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DeckError as exc:
            for problem in exc.problems:
                echo(f"error: {problem}", err=True)
        except (UserError, StoreError, OptionError, clock.ClockError) as exc:
            said = explain(exc, ctx.find_root().meta.get(DB_FILE, ""))
            echo(f"error: {said or exc}", err=True)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise  # click's own handling; a closed pipe (`| head`) ends quietly with status 1
        except Exception as exc:
            root = ctx.find_root()
            said = explain(exc, root.meta.get(DB_FILE, ""))
            if root.meta.get(DEBUG) or os.environ.get(DEBUG_ENV):
                if not isinstance(exc, crash.Crashed):
                    raise
                click.echo(exc.trace, err=True, nl=False)  # asked for with --debug
                ctx.exit(1)
            echo(f"error: {said or crash.report(exc)}", err=True)
        ctx.exit(1)


@click.group(cls=LoopdrillGroup)
@click.version_option(__version__, prog_name="loopdrill")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Database file for the command that follows.")
@debug_option
def cli(db_path: Path | None) -> None:
    """loopdrill: spaced-repetition drill for system-design interview loops.

    Run it with no command to open the drill on your decks.
    """


def main() -> None:
    """Entry point for the `loopdrill` script."""
    unwind_on_termination()  # a killed command stops its children and removes its scratch
    cli.main(prog_name="loopdrill")


# Registering the commands (they import `cli` from here, so this comes last).
from loopdrill.cli import cards, data, edit, insight, study  # noqa: E402, F401
