"""Plain line mode: the drill on stdin/stdout, one prompt per line, no escape codes.

For screen readers, dumb terminals, slow links and scripts. It records exactly what the TUI
records, through the same DrillSession.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from loopdrill.core.cards import plain
from loopdrill.core.grading import choice_rule, option_label
from loopdrill.core.model import Rating
from loopdrill.core.text import clean
from loopdrill.core.words import plural
from loopdrill.services.decks import is_stale
from loopdrill.services.session import AnsweredSince, DrillSession, Shown, Summary
from loopdrill.store.db import StoreError

GRADES = {"1": Rating.AGAIN, "2": Rating.HARD, "3": Rating.GOOD, "4": Rating.EASY}
NAMES = {Rating.AGAIN: "again", Rating.HARD: "hard", Rating.GOOD: "good", Rating.EASY: "easy"}
for _rating, _name in NAMES.items():
    GRADES[_name] = _rating
    GRADES[_name[0]] = _rating


UNDONE = {"answer": "the last answer", "suspend": "the suspend", "bury": "the bury"}

Say = Callable[[str], None]
Ask = Callable[[str], str]


class EndOfInput(Exception):
    """Standard input closed: the session ends cleanly."""


def run_plain(session: DrillSession, stdin: TextIO, stdout: TextIO) -> Summary:
    """Run a whole session; returns its summary (also printed)."""

    def say(text: str = "") -> None:
        stdout.write(clean(text) + "\n")  # card text never drives the terminal
        stdout.flush()

    def ask(prompt: str) -> str:
        stdout.write(clean(prompt))
        stdout.flush()
        line = stdin.readline()
        if not line:
            raise EndOfInput
        return line.rstrip("\r\n")

    say("loopdrill plain mode. Commands at a grade prompt: u undo, s suspend, b bury, q quit.")
    try:
        while True:
            shown = session.next_card()
            for problem in session.take_unusable():  # a damaged card: said, the drill goes on
                sys.stderr.write(clean(f"warning: {problem}") + "\n")
            if shown is None:
                break
            progress = session.progress()
            say()
            say(f"[{progress.done} done, {progress.left} left] {shown.card.deck}")
            say("Q: " + plain(shown.front))
            if shown.self_graded:
                _self_graded(shown, say, ask, session)
            else:
                _auto_graded(shown, say, ask, session)
    except (EndOfInput, KeyboardInterrupt):
        say()
    except StoreError:  # a read-only file, a full disk: the CLI says it in one sentence
        say()
        raise
    else:  # nothing left to show: say why (which daily limit, or what comes back when)
        say()
        say(session.ending().text)
    summary = session.summary()
    retention = f"{summary.retention:.0%}" if summary.retention is not None else "n/a"
    say(f"Session over: {plural(summary.cards, 'card')}, {plural(summary.answers, 'answer')}, "
        f"{summary.minutes:.1f} min, {summary.again} again, retention {retention}.")
    return summary


def _self_graded(shown: Shown, say: Say, ask: Ask, session: DrillSession) -> None:
    """Reveal on a blank line, then read a grade."""
    command = ask("Press Enter to reveal (q to quit): ").strip().lower()
    if command == "q":
        raise EndOfInput
    say("A: " + plain(shown.back))
    _source(shown, say)
    _read_grade(shown, say, ask, session, None)


def _auto_graded(shown: Shown, say: Say, ask: Ask, session: DrillSession) -> None:
    """Read a typed answer, show the verdict, then read a grade (blank accepts)."""
    assert shown.prompt is not None
    count = len(shown.prompt.choices)
    for number, option in enumerate(shown.prompt.choices, start=1):
        say(f"  {option_label(number, count)}) {option}")
    if count:
        say(choice_rule(count).capitalize() + ".")
    while True:
        typed = ask("Type your answer (blank: don't know): ")
        if typed.strip().lower() == "q" and not shown.prompt.choices:
            raise EndOfInput
        verdict = shown.check(typed)
        if not verdict.unreadable:
            break
        say(f"Cannot read that: {verdict.detail}. Try again.")
    word = {Rating.GOOD: "Right", Rating.HARD: "Close", Rating.AGAIN: "Wrong"}[verdict.proposed]
    say(f"{word}: {verdict.detail}." if verdict.detail else f"{word}.")
    say(f"Expected: {verdict.expected}")
    _source(shown, say)
    _read_grade(shown, say, ask, session, verdict.proposed)


def _source(shown: Shown, say: Say) -> None:
    if shown.card.source:
        as_of = f" (as of {shown.card.as_of})" if shown.card.as_of else ""
        stale = " [stale: check the source]" if is_stale(shown.card.as_of,
                                                          shown.shown_at.date()) else ""
        say(f"Source: {shown.card.source}{as_of}{stale}")


def _read_grade(shown: Shown, say: Say, ask: Ask, session: DrillSession,
                proposed: Rating | None) -> None:
    """Read 1-4 (blank accepts the proposed grade), or u / s / b / q."""
    if session.cram:
        say("  ".join(f"{int(r)} {NAMES[r]}" for r in Rating) + "  (cram: schedule unchanged)")
    else:
        say("  ".join(f"{int(r)} {NAMES[r]} {shown.label(r)}" for r in Rating))
    prompt = (f"Grade 1-4 (Enter accepts {int(proposed)} {NAMES[proposed]}): " if proposed
              else "Grade 1-4: ")
    while True:
        reply = ask(prompt).strip().lower()
        if reply == "" and proposed is not None:
            session.answer(proposed)
            return
        if reply == "q":
            raise EndOfInput
        if reply == "u":
            try:
                undone = session.undo()
            except AnsweredSince as exc:
                say(f"Cannot undo: {exc}.")
                return
            say(f"Undone: {UNDONE[undone]}." if undone else "Nothing to undo.")
            return
        if reply == "s":
            session.suspend_current()
            say("Suspended.")
            return
        if reply == "b":
            session.bury_current()
            say("Buried until tomorrow.")
            return
        if reply in GRADES:
            session.answer(GRADES[reply])
            return
        say("Type 1, 2, 3 or 4 (or again/hard/good/easy), u, s, b or q.")
