"""Import from the TUI: a file path, a preview (dry run), and the import in a worker."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlite_utils import Database
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
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


class ImportScreen(Screen[None]):
    """Type a path, preview, import; the deck list refreshes when you go back."""

    BINDINGS = [Binding("escape", "back", "Back", id="import.back")]

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
        raw = self.query_one("#import-path", Input).value.split()
        if not raw:
            self.show("Type the path of a deck file first.", error=True)
            return
        paths = [Path(p).expanduser() for p in raw]
        self.query_one("#import-progress").display = True
        self.query_one("#import-run", Button).disabled = True
        # the app's worker, not this screen's: going back does not cancel the import
        app, bar = self.app, self.query_one("#import-progress", ProgressBar)
        app.run_worker(partial(self.run_import, app, bar, paths, dry_run), thread=True,
                       exclusive=True, group="import")

    def run_import(self, app: App[None], bar: ProgressBar, paths: list[Path],
                   dry_run: bool) -> None:
        """Read and import off the UI thread; the progress bar follows each deck."""
        try:
            batch = read_files(paths)
            with own_connection(self.db) as db:  # this thread's: the UI thread has self.db
                result = run_import(
                    db, batch, self.clock(), dry_run=dry_run,
                    progress=lambda stage, done, total: app.call_from_thread(
                        self.attached(bar.update), total=total, progress=done))
        except DeckError as exc:
            app.call_from_thread(self.done, "\n".join(map(str, exc.problems)), True)
        except StoreError as exc:
            app.call_from_thread(self.done, str(exc), True)
        else:
            app.call_from_thread(self.done, describe(result), False)

    def attached(self, update: Callable[..., object]) -> Callable[..., None]:
        """`update`, done only while this screen is shown."""
        def maybe(*args: object, **kwargs: object) -> None:
            if self.is_attached:
                update(*args, **kwargs)

        return maybe

    def done(self, message: str, error: bool) -> None:
        """The import's outcome: here, or as a notification when the user has gone back."""
        if self.is_attached:
            self.show(message, error)
        else:
            self.app.notify(message, severity="error" if error else "information", timeout=10)

    def show(self, message: str, error: bool = False) -> None:
        self.query_one("#import-progress").display = False
        self.query_one("#import-run", Button).disabled = False
        self.query_one("#import-result", Static).update(
            literal(message, style="bold red" if error else ""))
