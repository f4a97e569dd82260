"""Errors that are about the database file, not the program: a read-only file, a full disk,
a failing disk, a damaged file or schema, a value no loopdrill wrote (a card's content, a
time, fitted parameters), a trigger someone added. Each becomes one sentence naming the file,
so no command and no screen ever shows a raw `attempt to write a readonly database`."""

from __future__ import annotations

import json
import os
import sqlite3
import traceback
from pathlib import Path

from loopdrill.store.errors import StoreError

READ_ONLY, FULL, DISK, DAMAGED, SCHEMA = "read-only", "full", "disk", "damaged", "schema"
TRIGGER, VALUE, RANGE, CARD = "trigger", "value", "range", "card"
SHORT = {READ_ONLY: "read-only file", FULL: "disk full", DISK: "disk error",
         DAMAGED: "damaged file", SCHEMA: "damaged schema", TRIGGER: "a trigger refused it",
         VALUE: "unreadable value", RANGE: "impossible time", CARD: "unusable card"}
_CODES = {sqlite3.SQLITE_READONLY: READ_ONLY, sqlite3.SQLITE_FULL: FULL,
          sqlite3.SQLITE_IOERR: DISK, sqlite3.SQLITE_CORRUPT: DAMAGED,
          sqlite3.SQLITE_NOTADB: DAMAGED}
KINDS_BY_TEXT = {"readonly": READ_ONLY, "disk is full": FULL, "disk i/o error": DISK,
                 "malformed": DAMAGED, "not a database": DAMAGED, "no such table": SCHEMA,
                 "no such column": SCHEMA, "has no column named": SCHEMA}


class FileProblem(StoreError):
    """An error about the file (`kind` one of the kinds above) whose message is one sentence
    naming it; `detail` is SQLite's own words, kept for the log."""

    def __init__(self, kind: str, file: str, detail: str) -> None:
        super().__init__(sentence(kind, file, detail))
        self.kind, self.file, self.detail = kind, file, detail


class CannotWrite(FileProblem):
    """A write failed because of the file or the disk (`kind`: READ_ONLY, FULL, DISK); it
    was rolled back whole."""


class Damaged(FileProblem):
    """The file is damaged (SQLITE_CORRUPT) or its schema is: nothing more is written."""


class UnusableCard(FileProblem):
    """A card whose content has every field of its kind but a value its kind cannot use (a
    numeric card's answer that is not a number): the drill leaves it out and says so."""

    def __init__(self, file: str, card_id: str, detail: str) -> None:
        super().__init__(CARD, file, f"{card_id}: {detail}")
        self.card_id = card_id


def kind_of(exc: BaseException) -> str | None:
    """READ_ONLY, FULL, DISK, DAMAGED or SCHEMA for an SQLite error about the file, else None."""
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in _CODES:
        return _CODES[code & 0xFF]
    return _kind_in(str(exc))


def _kind_in(text: str) -> str | None:
    """The kind an SQLite message names (KINDS_BY_TEXT), else None."""
    lowered = text.lower()
    return next((kind for key, kind in KINDS_BY_TEXT.items() if key in lowered), None)


def cause(kind: str, file: str, detail: str = "") -> str:
    """What is wrong, in a few words naming the file: `X is read-only`."""
    name = file or "the database file"
    return {READ_ONLY: f"{name} is read-only", FULL: f"the disk holding {name} is full",
            DISK: f"the disk holding {name} could not be written ({detail})",
            DAMAGED: f"{name} is damaged ({detail})",
            SCHEMA: f"{name} is missing part of its schema ({detail})",
            VALUE: f"{name} holds {detail}",
            RANGE: f"{name} holds a time out of range ({detail})",
            CARD: f"{name} holds a card loopdrill cannot show ({detail})",
            TRIGGER: f"a trigger in {name} that loopdrill did not make refused the change "
                     f"({detail})"}[kind]


def remedy(kind: str, file: str) -> str:
    """What the user can do about it, in a few words. (Not `loopdrill doctor`: it fails on
    the same damage; the damage campaign, tests/hostile/damage.py, shows it.)"""
    backups = f"a backup in {Path(file).parent / 'backups'}" if file else "a backup"
    return {READ_ONLY: "make it writable (or use --db with a copy)",
            FULL: "free some space", DISK: "check the disk",
            TRIGGER: f"drop that trigger (sqlite3) or use {backups}",
            RANGE: "`loopdrill doctor --repair` removes reviews at impossible times",
            CARD: "`loopdrill edit` with its id puts it right"}.get(
                kind, f"{backups} can replace it")


def sentence(kind: str, file: str, detail: str = "") -> str:
    """One sentence for `kind` about the database `file` ('' when unknown)."""
    if kind == DAMAGED:
        return f"{cause(kind, file, detail)}, so loopdrill stops writing to it; " \
               f"{remedy(kind, file)}"
    if kind in (SCHEMA, VALUE, RANGE, CARD):
        return f"{cause(kind, file, detail)}; {remedy(kind, file)}"
    return f"{cause(kind, file, detail)}, so nothing was saved; {remedy(kind, file)} and try " \
           "again"


def converted(exc: BaseException, file: str) -> FileProblem | None:
    """The CannotWrite or Damaged that `exc` is, or None when it is not about the file."""
    kind = kind_of(exc)
    if kind is None:
        return None
    detail = str(exc).splitlines()[0][:120] if str(exc) else kind
    return (CannotWrite if kind in (READ_ONLY, FULL, DISK) else Damaged)(kind, file, detail)


def explain(exc: BaseException, file: str) -> str | None:
    """One sentence for an error that comes from the database file, not from loopdrill: a
    read-only file, a full disk, a damaged file or schema, a value loopdrill cannot read (a
    card's JSON, a time, fitted parameters), a trigger someone added; None for any other."""
    if isinstance(exc, CannotWrite | Damaged):
        return sentence(exc.kind, exc.file or file, exc.detail)
    trace = getattr(exc, "trace", None)  # the TUI stopped: its last trace line is the error
    if isinstance(trace, str):
        text = str(exc)
        kind = _kind_in(text)
        return sentence(kind, file, text.partition(": ")[2] or text) if kind else None
    if isinstance(exc, sqlite3.IntegrityError) and \
            getattr(exc, "sqlite_errorcode", 0) == sqlite3.SQLITE_CONSTRAINT_TRIGGER:
        return sentence(TRIGGER, file, str(exc)[:120])
    if isinstance(exc, sqlite3.Error):
        problem = converted(exc, file)
        return None if problem is None else str(problem)
    detail = _unreadable(exc)
    if detail and isinstance(exc, OverflowError):  # a year-1 or year-9999 review, stored
        return sentence(RANGE, file, str(exc)[:120])  # by an older loopdrill
    return sentence(VALUE, file, detail) if detail else None


def _unreadable(exc: BaseException) -> str | None:
    """What a value read from the database was, when `exc` is its failing to parse in the
    store (or in the fitted parameters' reading): else None."""
    if not isinstance(exc, ValueError | TypeError | KeyError | IndexError | OverflowError):
        return None
    frames = traceback.extract_tb(exc.__traceback__)
    if not any(f"loopdrill{os.sep}store{os.sep}" in f.filename or
               f.filename.endswith(f"services{os.sep}params.py") for f in frames):
        return None
    message = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    if message.startswith("a card whose"):  # store.rows.card_content
        return message
    if any(f.filename.endswith(f"services{os.sep}params.py") for f in frames):
        return f"fitted FSRS parameters loopdrill cannot use ({message})"
    if isinstance(exc, json.JSONDecodeError):
        return f"text that is not valid JSON where loopdrill keeps JSON ({message})"
    if "isoformat" in message:
        return f"a time that is not an ISO date ({message})"
    return f"a value loopdrill cannot read ({type(exc).__name__}: {message})"
