"""Importing files of any supported format: read everything first, then write it all in one
transaction (or nothing, if anything is wrong)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from loopdrill.core.model import DeckError, DeckSpec, ImportedState, Problem, ReviewRecord
from loopdrill.core.text import clean_deck
from loopdrill.core.timeutil import next_day_start
from loopdrill.engine.answer import make_scheduler
from loopdrill.formats.anki_text import read_anki_text
from loopdrill.formats.batch import gc_paused
from loopdrill.formats.full_json import Snapshot, read_full_json
from loopdrill.services import restore
from loopdrill.services.config import options_for
from loopdrill.services.import_anki import (
    ANKI_PACKAGE,
    ANKI_TEXT,
    copy_media,
    follow_guids,
    known_decks,
)
from loopdrill.store.decks import SyncReport, builtin_hashes, sync_deck
from loopdrill.store.imported import apply_states, set_deck_parameters
from loopdrill.store.tx import transaction

if TYPE_CHECKING:  # services.history loads numpy: only an import with reviews needs it
    from loopdrill.services.history import HistoryReport

Progress = Callable[[str, int, int], None]
NATIVE = (".yaml", ".yml")
FULL_JSON = (".json",)


@dataclass
class Batch:
    """Everything read from the files: decks (each with its content hash) and past reviews."""

    decks: list[tuple[DeckSpec, str]] = field(default_factory=list)
    reviews: list[ReviewRecord] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    states: dict[str, ImportedState] = field(default_factory=dict)
    anki: set[str] = field(default_factory=set)  # decks read from Anki files (guids global)
    packages: list[Path] = field(default_factory=list)  # Anki packages (their media)
    snapshots: list[tuple[Snapshot, str]] = field(default_factory=list)  # JSON exports

    @property
    def cards(self) -> int:
        return sum(len(d.items) for d, _ in self.decks)


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or would do, in a dry run)."""

    decks: list[SyncReport]
    history: HistoryReport | None
    dry_run: bool
    warnings: list[Problem]


def read_files(paths: Sequence[Path], deck: str | None = None) -> Batch:
    """Read every file; DeckError lists every problem in all of them."""
    batch = Batch()
    problems: list[Problem] = []
    for path in paths:
        try:
            _read_one(path, deck, batch)
        except DeckError as exc:
            problems.extend(exc.problems)
    seen: dict[str, str] = {}
    for spec, _ in batch.decks:
        origin = spec.origin.split("#")[0]
        if spec.slug in seen and seen[spec.slug] != origin:
            problems.append(Problem(origin, 0, f"deck {spec.slug!r} is also defined in "
                                    f"{seen[spec.slug]}"))
        seen[spec.slug] = origin
    if problems:
        raise DeckError(problems)
    return batch


def _read_one(path: Path, deck: str | None, batch: Batch) -> None:
    suffix = path.suffix.lower()
    if not path.exists():
        raise DeckError([Problem(str(path), 0, "no such file")])
    if suffix in NATIVE:
        from loopdrill.formats.native import read_deck  # YAML: loaded when a deck file comes

        spec = clean_deck(read_deck(path))
        if deck:
            spec = DeckSpec(deck, spec.title, spec.items, spec.description, spec.options,
                            spec.origin, spec.warnings)
        batch.decks.append((spec, _hash(path)))
        batch.warnings.extend(spec.warnings)
        return
    if suffix in ANKI_TEXT or suffix in ANKI_PACKAGE:
        if suffix in ANKI_TEXT:
            read = read_anki_text(path, deck=deck)
        else:
            from loopdrill.formats.apkg import read_apkg  # zip, zstandard: only for packages

            read = read_apkg(path, deck=deck)
            batch.packages.append(path)
        digest = _hash(path)
        batch.decks.extend((clean_deck(spec), f"{digest}:{spec.slug}") for spec in read.decks)
        batch.anki.update(spec.slug for spec in read.decks)
        batch.reviews.extend(read.reviews)
        batch.warnings.extend(read.warnings)
        batch.states.update(read.states)
        return
    if suffix in FULL_JSON:
        _read_snapshot(path, deck, batch)
        return
    what = suffix or "a file without an extension"
    raise DeckError([Problem(str(path), 0, f"cannot import {what}: expected one of "
                             + ", ".join(NATIVE + ANKI_TEXT + ANKI_PACKAGE + FULL_JSON))])


def _read_snapshot(path: Path, deck: str | None, batch: Batch) -> None:
    """A full JSON export: its decks (built-in ones come from this loopdrill's files and
    the export's overrides), its reviews, and the rest for services.restore."""
    if deck:
        raise DeckError([Problem(str(path), 0, "--deck does not apply to a JSON export, "
                                 "which names its decks")])
    snap = read_full_json(path)
    digest = _hash(path)
    batch.decks.extend((clean_deck(spec), f"{digest}:{spec.slug}") for spec in snap.decks
                       if spec.slug not in snap.builtin)
    batch.snapshots.append((snap, str(path)))


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_import(db: Database, batch: Batch, now: dt.datetime, *, dry_run: bool = False,
               source: str = "", progress: Progress | None = None) -> ImportResult:
    """Write a batch in one transaction: its decks, then its review history replayed through
    FSRS. Any error rolls all of it back; a dry run rolls back what it would have done."""
    report = progress or (lambda stage, done, total: None)
    known_decks(db, batch)  # a text file naming our decks as Anki shows them
    reports, writes = _builtin_unchanged(db, batch, now)
    total = len(writes) + (1 if batch.reviews else 0)
    history: HistoryReport | None = None
    try:
        with gc_paused(), transaction(db):
            for done, (spec, digest) in enumerate(writes, start=1):
                if spec.slug in batch.anki:
                    spec = follow_guids(db, spec, batch)
                    if not spec.items:
                        continue
                reports.append(sync_deck(db, spec, now, content_hash=digest))
                report(f"deck {spec.slug}", done, total)
            _deck_parameters(db, batch)
            for snap, _ in batch.snapshots:
                restore.before_history(db, snap, now)
            if batch.reviews:
                from loopdrill.services.history import plan_history, write_history

                plan = plan_history(db, batch.reviews, now, source=source or "reviews")
                write_history(db, plan)
                history = replace(plan.report, dry_run=dry_run)
                report("review history", total, total)
            if batch.states:
                rollover = options_for(db, None).rollover_hour
                apply_states(db, batch.states, next_day_start(now, rollover), now)
            for snap, name in batch.snapshots:
                history = restore.after_history(db, snap, name) or history
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    if batch.packages and not dry_run:
        copy_media(db, batch)
    return ImportResult(reports, history, dry_run, batch.warnings)


def _deck_parameters(db: Database, batch: Batch) -> None:
    """Each deck's FSRS parameters from its file (an Anki preset), stored before the history
    is replayed with them, when the library accepts them; otherwise a warning."""
    for spec, _ in batch.decks:
        if not spec.parameters:
            continue
        try:
            make_scheduler(options_for(db, spec.slug), list(spec.parameters))
        except (ValueError, TypeError) as exc:
            batch.warnings.append(Problem(spec.origin, 0, f"deck {spec.title!r}: its FSRS "
                                          f"parameters are not usable ({exc}); the defaults "
                                          "apply"))
            continue
        set_deck_parameters(db, spec.slug, spec.parameters)


def _builtin_unchanged(db: Database, batch: Batch, now: dt.datetime
                       ) -> tuple[list[SyncReport], list[tuple[DeckSpec, str]]]:
    """Built-in decks in the batch are reported unchanged when their cards are exactly the
    built-in ones (an export of everything imported back); one that differs refuses the
    import, since a built-in deck is synced from its shipped file. Returns those reports and
    the decks left to write."""
    builtin = set(builtin_hashes(db))
    reports: list[SyncReport] = []
    writes: list[tuple[DeckSpec, str]] = []
    clashes: list[Problem] = []
    for spec, digest in batch.decks:
        if spec.slug not in builtin:
            writes.append((spec, digest))
            continue
        same = sync_deck(db, spec, now, dry_run=True)
        differ = same.added + same.updated + same.retired + same.restored
        if differ:
            clashes.append(Problem(spec.origin.split("#")[0], 0, f"deck {spec.slug!r} is a "
                                   f"built-in deck and this file changes {differ} of its "
                                   "cards; import under another name with --deck"))
        reports.append(same)
    if clashes:
        raise DeckError(clashes)
    return reports, writes


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""
