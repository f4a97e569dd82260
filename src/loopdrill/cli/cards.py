"""The card browser's command-line side: search (cards), card info (card), the actions on
matching cards, and the one-line status for a shell prompt."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from loopdrill import clock
from loopdrill.cli import UserError, cli, db_option, json_option, library
from loopdrill.core.search import SearchError
from loopdrill.core.text import clean

CONFIRM_OVER = 20
# a query may start with '-' (-is:new): such words are the query's, not unknown options
QUERY_ARGS = {"ignore_unknown_options": True}
SORTS = ("due", "ivl", "r", "lapses", "added")


def _one_line(text: str, width: int) -> str:
    flat = " ".join(clean(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def _card_json(line: Any, front: str) -> dict[str, Any]:
    card, memory = line.found.card, line.found.card.memory
    return {
        "id": card.id, "deck": card.deck, "item": card.item, "kind": card.kind,
        "front": front, "state": line.state,
        "due": memory.due.isoformat() if memory.due else None,
        "interval_days": line.interval_days, "stability": memory.stability,
        "difficulty": memory.difficulty, "retrievability": line.retrievability,
        "reps": memory.reps, "lapses": memory.lapses, "suspended": card.suspended,
        "buried": card.buried_until is not None and card.buried_until > clock.now(),
        "flag": line.found.flag, "tags": list(card.tags), "retired": card.retired,
        "added": line.found.added.isoformat() if line.found.added else None,
    }


@cli.command(context_settings=QUERY_ARGS)
@db_option
@json_option
@click.argument("query", nargs=-1)
@click.option("--sort", type=click.Choice(SORTS), default=None,
              help="Order: due (soonest), ivl (longest), r (weakest), lapses, added (newest); "
                   "default: the order cards were added.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N cards.")
def cards(db_path: Path | None, as_json: bool, query: tuple[str, ...], sort: str | None,
          limit: int | None) -> None:
    """Search cards: QUERY in Anki's search language (text, "phrase", front:, back:, deck:,
    tag:, id:, kind:, is:new|learning|review|due|suspended|buried|leech|stale|flagged|retired,
    flag:N, prop:due|ivl|s|d|r|reps|lapses<op>N, rated:N[:R], added:N, -, or, parentheses).
    One line per card: id, deck, front, due, interval, R, lapses."""
    from loopdrill.services.browse import find_cards, span
    from loopdrill.services.card_actions import faces

    lib = library(db_path, read_only=True)
    try:
        lines = find_cards(lib.db, " ".join(query), clock.now(), sort=sort or "", limit=limit)
    except SearchError as exc:
        raise UserError(str(exc)) from None
    finally:
        lib.close()
    if as_json:
        click.echo(json.dumps([_card_json(ln, faces(ln.found.card.kind,
                                                     ln.found.card.content)[0])
                               for ln in lines], indent=2, ensure_ascii=False))
        return
    for ln in lines:
        card = ln.found.card
        r = "-" if ln.retrievability is None else f"{ln.retrievability:.0%}"
        click.echo(f"{clean(card.id)}\t{clean(card.deck)}\t"
                   f"{_one_line(faces(card.kind, card.content)[0], 50)}\t"
                   f"{_when(card.memory.due)}\t{span(ln.interval_days)}\t{r}\t"
                   f"{card.memory.lapses}")
    click.echo(f"{len(lines)} cards", err=True)


@cli.command()
@db_option
@json_option
@click.argument("card_id", metavar="ID")
def card(db_path: Path | None, as_json: bool, card_id: str) -> None:
    """Card info as Anki shows it: content, source, schedule, memory state, and every review
    (time, rating, typed answer and verdict, interval given, elapsed days, cram)."""
    from loopdrill.cli.card_info import print_info
    from loopdrill.services.card_actions import card_info

    lib = library(db_path, read_only=True)
    try:
        info = card_info(lib.db, card_id, clock.now())
    finally:
        lib.close()
    if info is None:
        raise UserError(f"no card {clean(card_id)!r}; `loopdrill cards QUERY` finds ids")
    print_info(info, as_json, _card_json(info.line, info.front))


def _run_action(db_path: Path | None, action: str, query: tuple[str, ...], yes: bool,
                **options: Any) -> None:
    from loopdrill.services.card_actions import act, matching

    text = " ".join(query)
    if not text.strip():
        raise UserError(f"{action}: give a QUERY (an id, deck:SLUG, is:..., or any search)")
    lib = library(db_path)
    try:
        now = clock.now()
        try:
            ids = matching(lib.db, text, now)
        except SearchError as exc:
            raise UserError(str(exc)) from None
        if not ids:
            click.echo(f"no card matches {clean(text)!r}; nothing changed")
            return
        if len(ids) > CONFIRM_OVER and not yes:
            if not sys.stdin.isatty():
                raise UserError(f"{len(ids)} cards match; add --yes to {action} more than "
                                f"{CONFIRM_OVER} cards")
            if not click.confirm(f"{action} {len(ids)} cards?"):
                click.echo("nothing changed")
                return
        try:
            done = act(lib.db, action, ids, now, **options)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    finally:
        lib.close()
    past = {"suspend": "suspended", "unsuspend": "unsuspended", "bury": "buried",
            "unbury": "unburied", "flag": f"flagged {options.get('flag')}",
            "unflag": "unflagged", "forget": "reset to new (reviews kept)",
            "set-due": "given a new due date"}[action]
    click.echo(f"{done.changed} card{'s' * (done.changed != 1)} {past}"
               + (f"; {done.skipped} left alone: {done.why_skipped}" if done.skipped else ""))


def _action_command(action: str, help_text: str) -> None:
    @cli.command(name=action, help=help_text, context_settings=QUERY_ARGS)
    @db_option
    @click.argument("query", nargs=-1)
    @click.option("--yes", "-y", is_flag=True, help=f"Act on more than {CONFIRM_OVER} cards "
                                                    "without asking.")
    def command(db_path: Path | None, query: tuple[str, ...], yes: bool) -> None:
        _run_action(db_path, action, query, yes)


_action_command("suspend", "Suspend the cards QUERY matches (they leave the drill).")
_action_command("unsuspend", "Unsuspend the cards QUERY matches.")
_action_command("bury", "Bury the cards QUERY matches until the next study day.")
_action_command("unbury", "Unbury the cards QUERY matches.")
_action_command("unflag", "Clear the flag of the cards QUERY matches.")
_action_command("forget", "Make the cards QUERY matches new again (Anki's Reset); their "
                          "reviews stay in the log and the reset is logged.")


@cli.command(context_settings=QUERY_ARGS)
@db_option
@click.argument("flag_number", metavar="N", type=click.IntRange(1, 7))
@click.argument("query", nargs=-1)
@click.option("--yes", "-y", is_flag=True,
              help=f"Act on more than {CONFIRM_OVER} cards without asking.")
def flag(db_path: Path | None, flag_number: int, query: tuple[str, ...], yes: bool) -> None:
    """Flag the cards QUERY matches with flag N (1-7); find them with flag:N."""
    _run_action(db_path, "flag", query, yes, flag=flag_number)


@cli.command(name="set-due", context_settings=QUERY_ARGS)
@db_option
@click.argument("query")
@click.argument("days")
@click.option("--yes", "-y", is_flag=True,
              help=f"Act on more than {CONFIRM_OVER} cards without asking.")
def set_due(db_path: Path | None, query: str, days: str, yes: bool) -> None:
    """Set the due date of the studied cards QUERY matches (Anki's Set due date): DAYS is 0
    (today), 3 (in three days) or 1-7 (spread over that range); logged as a manual entry."""
    from loopdrill.core.search import parse_days

    try:
        parse_days(days)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    _run_action(db_path, "set-due", (query,), yes, days=days)


@cli.command()
@db_option
@click.option("--format", "fmt", default=None,
              help="Text with {due}, {new}, {learning}, {review}, {total} "
                   "(default: '{due} due · {new} new').")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when nothing is due.")
def status(db_path: Path | None, fmt: str | None, quiet: bool) -> None:
    """One line for a shell prompt or a tmux status bar: cards due today and new cards to
    learn, within the daily limits. Starts fast and never writes."""
    from loopdrill import paths
    from loopdrill.services.status import DEFAULT_FORMAT, FormatError, status_line

    try:
        line = status_line(str(paths.database(db_path)), clock.now(), fmt or DEFAULT_FORMAT,
                           quiet)
    except FormatError as exc:
        raise UserError(str(exc)) from None
    if line is not None:
        click.echo(line)
