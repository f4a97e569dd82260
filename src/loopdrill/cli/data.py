"""Commands that move data in and out: import, review history, export, check."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from loopdrill import clock, paths
from loopdrill.cli import UserError, cli, db_option, echo, json_option, library
from loopdrill.core.words import plural
from loopdrill.services import decks as deck_service
from loopdrill.store.db import is_read_only, memory_copy
from loopdrill.store.failures import READ_ONLY, sentence


@cli.command(name="import")
@db_option
@json_option
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--deck", default=None, help="Put the cards in this deck (slug) instead.")
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
def import_(db_path: Path | None, as_json: bool, files: tuple[Path, ...], deck: str | None,
            dry_run: bool) -> None:
    """Import deck files. A deck imported again keeps its progress; removed items are
    retired with their reviews kept."""
    from loopdrill.core.cards import DECK_SLUG
    from loopdrill.services.imports import read_files, run_import

    if deck is not None and not DECK_SLUG.match(deck):
        raise UserError(f"--deck: {deck!r} is not a slug (a-z, 0-9 and -)")
    batch = read_files(files, deck)
    lib = library(db_path)
    try:
        result = run_import(lib.db, batch, clock.now(), dry_run=dry_run,
                            progress=_progress_bar(batch.cards, as_json))
    finally:
        lib.close()
    if as_json:
        echo(json.dumps({
            "dry_run": dry_run, "decks": [vars(r) for r in result.decks],
            "history": vars(result.history) if result.history else None,
            "warnings": [str(w) for w in result.warnings]}, indent=2))
        return
    verb = "would import" if dry_run else "imported"
    for r in result.decks:
        echo(f"{verb} {r.deck}: {r.added} added, {r.updated} updated, "
                   f"{r.unchanged} unchanged, {r.retired} retired"
                   + (f", {r.restored} restored" if r.restored else ""))
    if result.history:
        h = result.history
        echo(f"{verb} review history: {plural(h.added, 'review')} on "
             f"{plural(h.cards, 'card')}"
                   + (f" ({h.duplicates} already there)" if h.duplicates else ""))
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)


@cli.command(name="import-reviews")
@db_option
@json_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
def import_reviews(db_path: Path | None, as_json: bool, file: Path, dry_run: bool) -> None:
    """Import review history (card_id,reviewed_at,rating,duration_ms CSV) and rebuild each
    card's schedule by replaying its reviews through FSRS."""
    from loopdrill.formats.review_csv import review_blocks
    from loopdrill.services.history import import_review_blocks

    blocks = review_blocks(file)  # streamed: a bad file or header is refused before the
    first = next(blocks, None)  # database is opened, a bad row once the whole file is read
    lib = library(db_path, read_only=dry_run)
    try:
        report = import_review_blocks(lib.db, itertools.chain([first] if first else [], blocks),
                                      clock.now(), source=str(file), dry_run=dry_run)
    finally:
        lib.close()
    if as_json:
        echo(json.dumps(vars(report), indent=2))
        return
    verb = "would import" if dry_run else "imported"
    echo(f"{verb} {plural(report.added, 'review')} on {plural(report.cards, 'card')}"
               + (f" ({report.duplicates} already there)" if report.duplicates else ""))


def _progress_bar(cards: int, quiet: bool) -> Callable[[str, int, int], None] | None:
    """A rich progress bar for imports of more than a few thousand cards, on a terminal
    (rich.progress takes 0.07 s to load; piped output shows no bar anyway)."""
    if quiet or cards < 5000 or not sys.stdout.isatty():
        return None
    from rich.progress import Progress

    bar = Progress(transient=True, auto_refresh=False)  # refreshed by the import's updates
    task = bar.add_task("importing", total=None)
    bar.start()

    def update(stage: str, done: int, total: int) -> None:
        bar.update(task, description=stage, completed=done, total=total, refresh=True)
        if done >= total:
            bar.stop()

    return update


@cli.command()
@db_option
@click.option("--deck", "decks", multiple=True, help="Export only this deck (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "tsv", "json", "apkg"]),
              default="yaml", show_default=True,
              help="yaml (native), tsv (Anki text with headers), json (everything: decks, "
              "schedules, options, parameters, overrides) or apkg (an Anki package: notes, "
              "decks, schedules, media; needs -o).")
@click.option("--with-history", is_flag=True,
              help="json, apkg: every review too (json: importing the file gives back the "
              "same state; apkg: Anki's review log).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File to write, or a directory for one YAML file per deck (default: stdout).")
def export(db_path: Path | None, decks: tuple[str, ...], fmt: str, with_history: bool,
           output: Path | None) -> None:
    """Export decks in a format `loopdrill import` (and Anki, for tsv and apkg) reads back."""
    if with_history and fmt not in ("json", "apkg"):
        raise UserError("--with-history: only --format json and apkg hold the review history "
                        "(export-reviews writes it as CSV)")
    if fmt == "apkg":
        _export_apkg(db_path, decks, with_history, output)
        return
    from loopdrill.services.export import export_decks

    lib = library(db_path, read_only=True)
    try:
        files = export_decks(lib.db, fmt, decks, history=with_history)
    finally:
        lib.close()
    if output is not None and output.is_dir():
        for name, text in files:
            _write(output / name, text)
            echo(f"wrote {output / name}", err=True)
    elif output is not None:
        if len(files) > 1:
            raise UserError(f"-o: {len(files)} decks make {len(files)} YAML files; give a "
                            "directory or choose one with --deck")
        _write(output, files[0][1])
    else:
        _stdout("".join(text if len(files) == 1 else f"---\n{text}" for _, text in files))


def _export_apkg(db_path: Path | None, decks: tuple[str, ...], with_history: bool,
                 output: Path | None) -> None:
    from loopdrill.services.export_apkg import export_apkg

    if output is None or output.is_dir():
        raise UserError("-o: --format apkg writes a file (an .apkg), not to "
                        + ("a directory" if output else "stdout"))
    lib = library(db_path, read_only=True)
    try:
        done = export_apkg(lib.db, output, clock.now(), decks, history=with_history)
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        lib.close()
    echo(f"wrote {output}: {plural(done.notes, 'note')}, {plural(done.cards, 'card')}, "
         f"{plural(done.reviews, 'review')}, {plural(done.media, 'media file')}", err=True)


@cli.command(name="export-reviews")
@db_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: stdout).")
@click.option("--with-retired", is_flag=True,
              help="Also the reviews of retired cards (import-reviews needs those cards).")
def export_reviews(db_path: Path | None, output: Path | None, with_retired: bool) -> None:
    """Export the review history as card_id,reviewed_at,rating,duration_ms,cram CSV (the
    reviews of retired cards left out unless --with-retired)."""
    from loopdrill.services.export import export_history

    lib = library(db_path, read_only=True)
    try:
        text, left_out = export_history(lib.db, retired=with_retired)
    finally:
        lib.close()
    if left_out:
        click.echo(f"left out {plural(left_out, 'review')} of retired cards "
                   "(--with-retired writes them)", err=True)
    if output is None:
        _stdout(text)
    else:
        _write(output, text)


def _stdout(text: str) -> None:
    """An export on standard output: as is into a pipe, without control characters on a
    terminal."""
    if sys.stdout.isatty():
        echo(text, nl=False)
    else:
        click.echo(text, nl=False)


def _write(path: Path, text: str) -> None:
    """Write a file, or fail with one sentence naming it."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from None


@cli.command()
@db_option
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=True))
@click.option("--stale-days", type=click.IntRange(min=0), default=180, show_default=True,
              help="List facts whose as_of date is older than this many days.")
def check(db_path: Path | None, files: tuple[Path, ...], stale_days: int) -> None:
    """Validate deck files (the built-in decks when none are given) without changing the
    database, and list stale facts; with no files, also list your local edits of built-in
    cards whose shipped text changed since. Exit code 1 when any file has a problem."""
    targets: list[Path] = []
    for given in files or (paths.builtin_decks(),):
        targets.extend(sorted(given.glob("*.yaml")) if given.is_dir() else [given])
    result = deck_service.check_files(targets, clock.now().date(), stale_days)
    for problem in result.problems:
        echo(str(problem))
    for fact in result.stale:
        echo(f"stale: {fact}")
    echo(f"{plural(result.files, 'file')}, {plural(result.items, 'item')}: "
         f"{plural(len(result.problems), 'problem')}, "
         f"{plural(len(result.stale), 'stale fact')}", err=True)
    if not files and paths.database(db_path).exists():
        from loopdrill.services.edit import changed_overrides

        lib = library(db_path, read_only=True)
        try:
            for line in changed_overrides(lib.db):
                echo(f"override: {line}")
        finally:
            lib.close()
    if result.problems:
        raise click.exceptions.Exit(1)


@cli.command()
@db_option
@click.option("--repair", is_flag=True, help="Put right what can be (one transaction).")
def doctor(db_path: Path | None, repair: bool) -> None:
    """Check the database (Anki's Check Database): SQLite's integrity check, every card's
    state against the replay of its reviews, the running totals, rows of no card. Exits 1
    when something is wrong and not repaired."""
    from loopdrill.services.doctor import run_doctor

    lib = library(db_path, builtins=False, checked=False)
    try:
        if is_read_only(lib.db) and repair:
            raise UserError(sentence(READ_ONLY, str(lib.path)))
        if is_read_only(lib.db):  # a read-only file: checked on a copy (the checks roll back)
            copy = memory_copy(lib.db)
            try:
                report = run_doctor(copy, repair=False)
            finally:
                copy.conn.close()
        else:
            report = run_doctor(lib.db, repair=repair)
    finally:
        lib.close()
    click.echo(f"checked {report.cards:,} cards and {report.reviews:,} reviews")
    for line in report.found:
        click.echo(f"found: {line}")
    for line in report.repaired:
        click.echo(f"repaired: {line}")
    if report.ok:
        click.echo("ok" if not report.found else "ok after repair")
        return
    click.echo("not repaired: " + "; ".join(report.remaining)
               + ("" if repair else " (run `loopdrill doctor --repair`)"))
    raise click.exceptions.Exit(1)
