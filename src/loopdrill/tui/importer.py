"""Import from the TUI: a file path, a preview (dry run), and the import in a worker."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from textual import on, work
from textual.app import ComposeResult
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
        self.run_import(paths, dry_run)

    @work(thread=True, exclusive=True)
    def run_import(self, paths: list[Path], dry_run: bool) -> None:
        """Read and import off the UI thread; the progress bar follows each deck."""
        bar = self.query_one("#import-progress", ProgressBar)
        try:
            batch = read_files(paths)
            with own_connection(self.db) as db:  # this thread's: the UI thread has self.db
                result = run_import(
                    db, batch, self.clock(), dry_run=dry_run,
                    progress=lambda stage, done, total: self.app.call_from_thread(
                        bar.update, total=total, progress=done))
        except DeckError as exc:
            self.app.call_from_thread(self.show, "\n".join(map(str, exc.problems)), True)
        except StoreError as exc:
            self.app.call_from_thread(self.show, str(exc), True)
        else:
            self.app.call_from_thread(self.show, describe(result), False)

    def show(self, message: str, error: bool = False) -> None:
        self.query_one("#import-progress").display = False
        self.query_one("#import-run", Button).disabled = False
        self.query_one("#import-result", Static).update(
            literal(message, style="bold red" if error else ""))
