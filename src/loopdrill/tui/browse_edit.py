"""`e` on the Browse screen: the TUI steps aside (App.suspend) while the editor runs."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database
from textual.app import App, SuspendNotSupported

from loopdrill.core.model import DeckError
from loopdrill.core.text import clean
from loopdrill.services.edit import EditError, edit_loop, run_editor


def ask_again(error: DeckError) -> bool:
    """On the terminal the TUI gave back: show the problems, ask whether to edit again."""
    for problem in error.problems:
        print(f"error: {clean(str(problem))}")
    try:
        answer = input("Edit again? [Y/n] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("", "y", "yes")


def edit_card(app: App[object], db: Database, card_id: str, now: dt.datetime) -> str:
    """Edit a card's item in the user's editor; what happened, in a line."""

    def run() -> str:
        try:
            return edit_loop(db, card_id, now, run_editor, ask_again)
        except EditError as exc:
            return str(exc)

    try:
        with app.suspend():
            return run()
    except SuspendNotSupported:  # headless (tests) or a terminal that cannot step aside
        return run()


