"""The command line: parse, call services, print. `loopdrill` alone opens the TUI.

The commands live in three modules (study, data, insight); importing them registers them
on the group below."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from loopdrill import __version__, clock, paths
from loopdrill.core.model import DeckError
from loopdrill.core.options import OptionError
from loopdrill.engine.forked import ForkedError
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
        except ForkedError as exc:
            click.echo(f"error: the work could not finish ({exc}); nothing was changed",
                       err=True)
        ctx.exit(1)


@click.group(cls=LoopdrillGroup)
@click.version_option(__version__, prog_name="loopdrill")
def cli() -> None:
    """loopdrill: spaced-repetition drill for system-design interview loops.

    Run it with no command to open the drill on your decks.
    """


def main() -> None:
    """Entry point for the `loopdrill` script."""
    cli.main(prog_name="loopdrill")


# Registering the commands (they import `cli` from here, so this comes last).
from loopdrill.cli import data, insight, study  # noqa: E402, F401
