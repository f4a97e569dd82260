"""Import from the TUI: a file path, a preview (dry run), and the import in a worker."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from pathlib import Path

from sqlite_utils import Database
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, ProgressBar, Static

from loopdrill.core.model import DeckError
from loopdrill.core.words import plural
from loopdrill.services.imports import ImportResult, read_files, run_import
from loopdrill.services.session import Clock
from loopdrill.store.db import StoreError, own_connection
from loopdrill.tui.literal import literal


def describe(result: ImportResult) -> str:
    """A few lines saying what an import did or would do."""
    verb = "Would import" if result.dry_run else "Imported"
    lines = [f"{verb} {r.deck}: {r.added} added, {r.updated} updated, {r.unchanged} unchanged, "
             f"{r.retired} retired" for r in result.decks]
    if result.history:
        lines.append(f"{verb} review history: {plural(result.history.added, 'review')} on "
                     f"{plural(result.history.cards, 'card')}")
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


def split_paths(text: str) -> list[Path]:
    """The paths typed: the whole text when it names a file (spaces and all), else the
    shell's rules (quote a path with spaces: "my decks/aws.yaml" or my\\ decks/aws.yaml)."""
    text = text.strip()
    if not text:
        return []
    whole = Path(text).expanduser()
    if whole.exists():
        return [whole]
    try:
        parts = shlex.split(text)
    except ValueError:  # an unbalanced quote: take the text as one path
        parts = [text]
    return [Path(p).expanduser() for p in parts]


def is_review_csv(path: Path) -> bool:
    """A review-history CSV (its header names card_id and reviewed_at), not an Anki text."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            header = handle.readline(1000).lower()
    except OSError:
        return False
    columns = {c.strip() for c in header.split(",")}
    return {"card_id", "reviewed_at", "rating"} <= columns


def complete_path(text: str) -> str:
    """Tab completion of the last path typed: the longest common start of what matches."""
    typed_whole = Path(text).expanduser()
    whole = typed_whole.exists() or (text.strip() != "" and typed_whole.parent.is_dir()
                                     and " " in text and text.startswith(("/", "~", ".")))
    head, _, last = ("", "", text) if whole else text.rpartition(" ")
    typed = Path(last).expanduser()
    folder = typed if last.endswith("/") else typed.parent
    stem = "" if last.endswith("/") else typed.name
    try:
        names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir()
                       if p.name.startswith(stem) and not p.name.startswith("."))
    except OSError:
        return text
    if not names:
        return text
    common = os.path.commonprefix(names)  # noqa: RUF071 (a prefix of names, by character)
    base = last if last.endswith("/") else last[: len(last) - len(stem)]
    return (f"{head} " if head else "") + base + common


class ImportScreen(Screen[None]):
    """Type a path, preview, import; the deck list refreshes when you go back."""

    BINDINGS = [Binding("escape", "back", "Back", id="import.back"),
                Binding("tab", "complete", "Complete path / next", id="import.complete",
                        priority=True)]

    def action_complete(self) -> None:
        """Tab in the path box completes the last path typed; once every path typed names a
        file (nothing more to complete), it moves on to Preview and Import, as elsewhere."""
        box = self.query_one("#import-path", Input)
        if self.focused is not box:
            self.focus_next()
            return
        completed = complete_path(box.value)
        paths = split_paths(completed)
        if completed == box.value and paths and all(p.is_file() for p in paths):
            self.focus_next()
            return
        box.value = completed
        box.cursor_position = len(box.value)

    def __init__(self, db: Database, clock: Clock) -> None:
        super().__init__()
        self.db = db
        self.clock = clock

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="import"):
            yield Static("Import deck files: loopdrill YAML, Anki text (.txt .csv .tsv) or Anki "
                         "packages (.apkg .colpkg). Several paths: separate them with spaces.",
                         id="import-help")
            yield Input(placeholder="path/to/deck.yaml", id="import-path")
            with Horizontal(id="import-buttons"):
                yield Button("Preview", id="import-preview")
                yield Button("Import", id="import-run", variant="primary")
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Static("", id="import-result")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#import-progress").display = False
        self.query_one("#import-path", Input).focus()

    def action_back(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#import-preview")
    def preview(self) -> None:
        self.start(dry_run=True)

    @on(Button.Pressed, "#import-run")
    def run(self) -> None:
        self.start(dry_run=False)

    def start(self, *, dry_run: bool) -> None:
        paths = split_paths(self.query_one("#import-path", Input).value)
        if not paths:
            self.show("Type the path of a deck file first.", error=True)
            return
        self.query_one("#import-progress").display = True
        self.query_one("#import-run", Button).disabled = True
        # the app's worker, not this screen's: going back does not cancel the import
        app, bar = self.app, self.query_one("#import-progress", ProgressBar)
        app.run_worker(partial(self.run_import, app, bar, paths, dry_run), thread=True,
                       exclusive=True, group="import")

    def run_import(self, app: App[None], bar: ProgressBar, paths: list[Path],
                   dry_run: bool) -> None:
        """Read and import off the UI thread; the progress bar follows each deck."""
        histories = [p for p in paths if is_review_csv(p)]
        decks = [p for p in paths if p not in histories]
        if histories:  # this loads numpy (0.1 s): only a review history needs it
            from loopdrill.services.history import import_review_file
        try:
            lines = []
            with own_connection(self.db) as db:  # this thread's: the UI thread has self.db
                if decks:  # first: a history typed with them may be of their cards
                    result = run_import(
                        db, read_files(decks), self.clock(), dry_run=dry_run,
                        progress=lambda stage, done, total: app.call_from_thread(
                            self.attached(bar.update), total=total, progress=done))
                    lines.append(describe(result))
                for path in histories:  # as `loopdrill import-reviews` does
                    report = import_review_file(db, path, self.clock(), dry_run=dry_run)
                    verb = "Would import" if dry_run else "Imported"
                    lines.append(f"{verb} review history from {path.name}: "
                                 f"{plural(report.added, 'review')} on "
                                 f"{plural(report.cards, 'card')}")
        except DeckError as exc:
            app.call_from_thread(self.done, "\n".join(map(str, exc.problems)), True)
        except StoreError as exc:
            app.call_from_thread(self.done, str(exc), True)
        else:
            app.call_from_thread(self.done, "\n".join(lines), False)

    def attached(self, update: Callable[..., object]) -> Callable[..., None]:
        """`update`, done only while this screen is shown."""
        def maybe(*args: object, **kwargs: object) -> None:
            if self.is_attached:
                update(*args, **kwargs)

        return maybe

    def done(self, message: str, error: bool) -> None:
        """The import's outcome: here, or as a notification when the user has gone back."""
        if self.is_attached:
            with suppress(NoMatches):  # NoMatches: the screen is being taken down just now
                self.show(message, error)
                return
        self.app.notify(message, severity="error" if error else "information", timeout=10)

    def show(self, message: str, error: bool = False) -> None:
        self.query_one("#import-progress").display = False
        self.query_one("#import-run", Button).disabled = False
        self.query_one("#import-result", Static).update(
            literal(message, style="bold red" if error else ""))
