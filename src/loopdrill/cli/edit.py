"""Editing a card's item in $VISUAL/$EDITOR, and deleting, hiding and showing decks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from loopdrill import clock
from loopdrill.cli import UserError, cli, db_option, library
from loopdrill.core.model import DeckError
from loopdrill.core.text import clean


def interactive() -> bool:
    """Whether a question can be asked (stdin is a terminal)."""
    return sys.stdin.isatty()


def ask_again(error: DeckError) -> bool:
    """Show what is wrong with the edit; edit again (True) or abandon."""
    for problem in error.problems:
        click.echo(f"error: {clean(str(problem))}", err=True)
    if not interactive():
        return False
    return click.confirm("Edit again? (no abandons the edit)", default=True, err=True)


@cli.command()
@db_option
@click.argument("card_id", metavar="ID")
@click.option("--revert", is_flag=True,
              help="Drop your local edit of a built-in card and take the shipped text again.")
def edit(db_path: Path | None, card_id: str, revert: bool) -> None:
    """Edit the item of card ID as YAML in $VISUAL or $EDITOR (else nano, vi). It is checked
    as `loopdrill check` checks deck files; on an error you may edit again or abandon. The
    card keeps its progress. Editing a built-in card keeps a local override that wins over
    the shipped text, also after the built-in decks are updated."""
    from loopdrill.services.edit import EditError, edit_loop, run_editor
    from loopdrill.services.edit import revert as revert_item

    lib = library(db_path)
    try:
        if revert:
            click.echo(revert_item(lib.db, card_id, clock.now()))
        else:
            click.echo(edit_loop(lib.db, card_id, clock.now(), run_editor, ask_again))
    except EditError as exc:
        raise UserError(str(exc)) from None
    finally:
        lib.close()


@cli.group()
def deck() -> None:
    """Delete a deck (a built-in one is hidden) or show a hidden one again."""


@deck.command(name="delete")
@db_option
@click.argument("slug")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking.")
def deck_delete(db_path: Path | None, slug: str, yes: bool) -> None:
    """Delete deck SLUG with its cards and their reviews, after a backup. A built-in deck is
    hidden instead; `loopdrill deck show SLUG` brings it back with its progress."""
    from loopdrill.services.decks import delete_deck
    from loopdrill.store.items import deck_row

    lib = library(db_path)
    try:
        found = deck_row(lib.db, slug)
        if found is not None and not found[1] and not yes:
            question = f"Delete deck {slug} ({found[0]}), its cards and their reviews?"
            if not sys.stdin.isatty():
                raise UserError(f"deck delete: add --yes to delete deck {slug!r} and its "
                                "reviews (a backup is taken first)")
            if not click.confirm(question, default=False):
                click.echo("nothing deleted")
                return
        click.echo(delete_deck(lib.db, slug, lib.backup_dir, clock.now()))
    finally:
        lib.close()


@deck.command(name="show")
@db_option
@click.argument("slug")
def deck_show(db_path: Path | None, slug: str) -> None:
    """Show again a built-in deck that `deck delete` hid, with its progress."""
    from loopdrill.services.decks import show_deck

    lib = library(db_path)
    try:
        click.echo(show_deck(lib.db, slug))
    finally:
        lib.close()
