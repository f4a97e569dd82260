"""Plain line mode: the drill on stdin/stdout, one prompt per line, no escape codes.

For screen readers, dumb terminals, slow links and scripts. It records exactly what the TUI
records, through the same DrillSession.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from loopdrill.core.cards import plain
from loopdrill.core.model import Rating
from loopdrill.services.session import DrillSession, Shown, Summary

GRADES = {"1": Rating.AGAIN, "2": Rating.HARD, "3": Rating.GOOD, "4": Rating.EASY}
NAMES = {Rating.AGAIN: "again", Rating.HARD: "hard", Rating.GOOD: "good", Rating.EASY: "easy"}
for _rating, _name in NAMES.items():
    GRADES[_name] = _rating
    GRADES[_name[0]] = _rating


Say = Callable[[str], None]
Ask = Callable[[str], str]


class EndOfInput(Exception):
    """Standard input closed: the session ends cleanly."""


def run_plain(session: DrillSession, stdin: TextIO, stdout: TextIO) -> Summary:
    """Run a whole session; returns its summary (also printed)."""

    def say(text: str = "") -> None:
        stdout.write(text + "\n")
        stdout.flush()

    def ask(prompt: str) -> str:
        stdout.write(prompt)
        stdout.flush()
        line = stdin.readline()
        if not line:
            raise EndOfInput
        return line.rstrip("\r\n")

    say("loopdrill plain mode. Commands at a grade prompt: u undo, s suspend, b bury, q quit.")
    try:
        while (shown := session.next_card()) is not None:
            progress = session.progress()
            say()
            say(f"[{progress.done} done, {progress.left} left] {shown.card.deck}")
            say("Q: " + plain(shown.front))
            if _self_graded(shown, say, ask, session):
                continue
    except (EndOfInput, KeyboardInterrupt):
        say()
    summary = session.summary()
    retention = f"{summary.retention:.0%}" if summary.retention is not None else "n/a"
    say(f"Session over: {summary.cards} cards, {summary.answers} answers, "
        f"{summary.minutes:.1f} min, {summary.again} again, retention {retention}.")
    return summary


def _self_graded(shown: Shown, say: Say, ask: Ask, session: DrillSession) -> bool:
    """Reveal and read a grade; True when the session should move on to the next card."""
    command = ask("Press Enter to reveal (q to quit): ").strip().lower()
    if command == "q":
        raise EndOfInput
    say("A: " + plain(shown.back))
    if shown.card.source:
        as_of = f" (as of {shown.card.as_of})" if shown.card.as_of else ""
        say(f"Source: {shown.card.source}{as_of}")
    labels = "  ".join(f"{int(r)} {NAMES[r]} {shown.label(r)}" for r in Rating)
    say(labels)
    while True:
        reply = ask("Grade 1-4: ").strip().lower()
        if reply == "q":
            raise EndOfInput
        if reply == "u":
            say("Undone." if session.undo() else "Nothing to undo.")
            return True
        if reply == "s":
            session.suspend_current()
            say("Suspended.")
            return True
        if reply == "b":
            session.bury_current()
            say("Buried until tomorrow.")
            return True
        if reply in GRADES:
            session.answer(GRADES[reply])
            return True
        say("Type 1, 2, 3 or 4 (or again/hard/good/easy), u, s, b or q.")
