"""Importing files of any supported format: read everything first, then write it all in one
transaction (or nothing, if anything is wrong)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

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
from loopdrill.services.history import HistoryReport, plan_history, write_history
from loopdrill.store.decks import SyncReport, sync_deck
from loopdrill.store.imported import apply_states, set_deck_parameters
from loopdrill.store.tx import transaction

Progress = Callable[[str, int, int], None]
NATIVE = (".yaml", ".yml")
ANKI_TEXT = (".txt", ".csv", ".tsv")
ANKI_PACKAGE = (".apkg", ".colpkg")
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
    reports, writes = _builtin_unchanged(db, batch, now)
    total = len(writes) + (1 if batch.reviews else 0)
    history: HistoryReport | None = None
    try:
        with gc_paused(), transaction(db):
            for done, (spec, digest) in enumerate(writes, start=1):
                if spec.slug in batch.anki:
                    spec = _follow_guids(db, spec, batch)
                    if not spec.items:
                        continue
                reports.append(sync_deck(db, spec, now, content_hash=digest))
                report(f"deck {spec.slug}", done, total)
            _deck_parameters(db, batch)
            for snap, _ in batch.snapshots:
                restore.before_history(db, snap, now)
            if batch.reviews:
                plan = plan_history(db, batch.reviews, now, source=source or "reviews")
                write_history(db, plan)
                history = HistoryReport(plan.report.cards, plan.report.added,
                                        plan.report.duplicates, dry_run)
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
        _media(db, batch)
    return ImportResult(reports, history, dry_run, batch.warnings)


def _media(db: Database, batch: Batch) -> None:
    """The packages' images and sounds, into the media folder beside the database."""
    from loopdrill import paths
    from loopdrill.formats.anki_media import extract_media

    row = db.conn.execute("PRAGMA database_list").fetchone()
    if not row or not row[2]:
        return  # an in-memory database has no folder
    folder = paths.media(Path(row[2]))
    for package in batch.packages:
        try:
            written, skipped = extract_media(package, folder)
        except OSError as exc:
            batch.warnings.append(Problem(str(package), 0, f"media not copied to {folder} "
                                          f"({exc.strerror or exc})"))
            continue
        if written:
            batch.warnings.append(Problem(str(package), 0, f"{written:,} media file(s) copied "
                                          f"to {folder}"))
        if skipped:
            batch.warnings.append(Problem(str(package), 0, f"{skipped:,} media file(s) not "
                                          "copied (already there, unsafe name or too big)"))


def _follow_guids(db: Database, spec: DeckSpec, batch: Batch) -> DeckSpec:
    """Notes of this deck that are already cards of one other deck move here with their
    progress (a note moved between decks in Anki: its guid is the same). Not when that deck
    also holds the note in this batch; and a text file does not take a note from a deck a
    package put it in (a text export names a card's filtered deck, a package its home deck):
    the note stays there and leaves this deck. Returns the deck left to write."""
    from loopdrill.store.moves import elsewhere, ensure_deck, move_items

    places = elsewhere(db, spec.slug, [item.id for item in spec.items])
    from_text = spec.origin.lower().endswith(ANKI_TEXT)
    if not places:
        return _package_notes_kept(db, spec, batch) if from_text else spec
    in_batch = {s.slug: {i.id for i in s.items} for s, _ in batch.decks}
    moves, stay = [], set()
    for item, (other, origin) in places.items():
        if item in in_batch.get(other, ()):
            continue
        if from_text and origin.lower().endswith(ANKI_PACKAGE):
            stay.add(item)
        else:
            moves.append((other, spec.slug, item))
    if moves:
        ensure_deck(db, spec.slug, spec.title)
        moved = move_items(db, moves)
        if moved:
            batch.warnings.append(Problem(spec.origin, 0, f"{moved:,} card(s) moved to deck "
                                          f"{spec.slug!r} with their progress (their notes "
                                          "were in another deck before)"))
    spec = _package_notes_kept(db, spec, batch) if from_text else spec
    if not stay:
        return spec
    batch.warnings.append(Problem(spec.origin, 0, f"{len(stay):,} note(s) of deck "
                                  f"{spec.title!r} stay in the deck their package gave them "
                                  "(a filtered deck in Anki?)"))
    return replace(spec, items=tuple(i for i in spec.items if i.id not in stay))


def _package_notes_kept(db: Database, spec: DeckSpec, batch: Batch) -> DeckSpec:
    """Notes a package brought (each card from its own template) are kept as the package
    gave them when a text file of this deck comes: a text export has no templates, and
    would leave a 3-card note with one card; and the package's notes the text leaves out
    (it names a filtered deck instead of their home deck) are not retired."""
    from loopdrill.services.export import load_decks

    origin = db.conn.execute("SELECT origin FROM decks WHERE slug = ?",
                             (spec.slug,)).fetchone()
    if origin is None or not str(origin[0]).lower().endswith(ANKI_PACKAGE):
        return spec
    stored = {item.id: item for item in load_decks(db, [spec.slug])[0].items
              if item.kind == "anki"}
    kept = [stored.get(item.id, item) for item in spec.items]
    count = sum(1 for item in spec.items if item.id in stored  # a changed note only
                and (item.kind, item.fields) != (stored[item.id].kind, stored[item.id].fields))
    named = {item.id for item in spec.items}
    kept += [item for item_id, item in stored.items() if item_id not in named]  # not retired
    if count:
        batch.warnings.append(Problem(spec.origin, 0, f"{count:,} note(s) of deck "
                                      f"{spec.title!r} kept as their package gave them (a "
                                      "text file has no card templates)"))
    return replace(spec, items=tuple(kept), origin=str(origin[0]))


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
    builtin = {slug for (slug,) in db.conn.execute("SELECT slug FROM decks WHERE builtin = 1")}
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
