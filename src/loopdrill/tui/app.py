"""The Textual app: home (decks) and the drill, with a palette built from the live keys."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from sqlite_utils import Database
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from loopdrill.services.session import Clock, DrillSession
from loopdrill.store.queries import data_version
from loopdrill.store.settings import get_meta, set_meta
from loopdrill.store.tx import impatient
from loopdrill.tui.drill import DrillScreen
from loopdrill.tui.home import HomeScreen

UI_PATIENCE_S = 0.25  # longest the UI thread waits for the write lock (then a worker does)
#: How often the app looks for changes made elsewhere (a PRAGMA, microseconds).
CHANGES_EVERY_S = 2.0
THEME_KEY = "theme"


class LoopdrillApp(App[None]):
    """loopdrill's TUI. Screens get the database and the clock from here, never globals.
    `db` is the UI thread's connection: it never waits long for the write lock (the drill
    saves an answer from a worker then); workers open connections of their own."""

    CSS_PATH = "app.tcss"
    TITLE = "loopdrill"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="app.quit", show=False),
                Binding("question_mark", "help", "Help: every key", id="app.help", show=False)]

    def __init__(self, db: Database, clock: Clock, *, session: DrillSession | None = None,
                 fuzz: bool = True, backup_dir: Path | None = None,
                 background: Callable[[], str | None] | None = None) -> None:
        super().__init__()
        self.db = db
        impatient(db, UI_PATIENCE_S)
        self.clock = clock
        self.fuzz = fuzz
        self.backup_dir = backup_dir
        self.background = background
        self._initial_session = session

    def on_mount(self) -> None:
        saved = get_meta(self.db, THEME_KEY)
        if saved and saved in self.available_themes:
            self.theme = saved
        self._theme_loaded = True
        if self._initial_session is not None:
            self.push_screen(DrillScreen(self._initial_session), callback=lambda _: self.exit())
        else:
            self.push_screen(HomeScreen(self.db, self.clock, fuzz=self.fuzz,
                                        backup_dir=self.backup_dir))
        if self.background is not None:
            self.run_background()
        self._data_version = data_version(self.db)
        self.set_interval(CHANGES_EVERY_S, self.check_for_changes)

    def action_help(self) -> None:
        """`?`: the keys of the screen on top (not again over the help itself)."""
        from loopdrill.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def watch_theme(self, theme: str) -> None:
        """Remember the theme chosen (palette: Change theme) for the next launch."""
        if getattr(self, "_theme_loaded", False):
            set_meta(self.db, THEME_KEY, theme)

    def check_for_changes(self) -> None:
        """Reload the screens when another connection changed the database (the launch refit,
        `loopdrill config` or an import in another terminal)."""
        version = data_version(self.db)
        if version != self._data_version:
            self._data_version = version
            self.refresh_screens()

    def refresh_screens(self) -> None:
        """Every open screen that shows counts reloads them."""
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.refresh_decks()

    @work(thread=True)
    def run_background(self) -> None:
        """Launch-time upkeep (the weekly FSRS refit) off the UI thread; says what changed."""
        assert self.background is not None
        message = self.background()
        if message:
            self.call_from_thread(self.refresh_screens)
            self.call_from_thread(self.notify, message, timeout=10)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette: the app's own commands, then every key live on this screen."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not active.enabled or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                binding.tooltip or f"key: {binding.key_display or key}",
                partial(self.run_action, binding.action, active.node),
            )
