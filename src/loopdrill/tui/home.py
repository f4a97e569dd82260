"""Home: every deck with its counts; Enter drills the selected deck, `a` drills all."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from loopdrill.core.words import plural
from loopdrill.services.decks import deck_list
from loopdrill.services.session import Clock, DrillSession
from loopdrill.services.today import Today, today_counts
from loopdrill.store.queries import Scope
from loopdrill.store.settings import exam_date
from loopdrill.tui.drill import DrillScreen
from loopdrill.tui.literal import literal
from loopdrill.tui.optimize import OptimizeScreen
from loopdrill.tui.stats_screen import StatsScreen

#: Today's counts first (as Anki's deck list: new / learning / review due, within the daily
#: limits), so that they stay visible at 80 columns; the title last.
COLUMNS = ("Deck", "New", "Learn", "Due", "Cards", "Title")


class HomeScreen(Screen[None]):
    """The deck list."""

    BINDINGS = [
        Binding("enter", "drill_deck", "Drill deck", id="home.drill_deck", priority=True),
        Binding("a", "drill_all", "Drill all", id="home.drill_all"),
        Binding("i", "import", "Import", id="home.import"),
        Binding("t", "stats", "Stats", id="home.stats"),
        Binding("o", "optimize", "Optimize", id="home.optimize"),
        Binding("b", "browse", "Browse", id="home.browse"),
        Binding("h", "hidden", "Hidden decks", id="home.hidden"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    def __init__(self, db: Database, clock: Clock, *, fuzz: bool = True,
                 backup_dir: Path | None = None) -> None:
        super().__init__()
        self.db = db
        self.clock = clock
        self.fuzz = fuzz
        self.backup_dir = backup_dir

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="home-summary")
        yield DataTable(id="decks", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#decks", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name.lower())
        self.refresh_decks()

    def on_screen_resume(self) -> None:
        self.refresh_decks()

    def refresh_decks(self) -> None:
        """Reload the counts (after a drill, an import)."""
        table = next(self.query("#decks").results(DataTable), None)
        if table is None or not table.columns:  # not mounted yet: on_mount reloads
            return
        row = table.cursor_row
        table.clear()
        now = self.clock()
        rows = deck_list(self.db, now)
        per_deck, total = today_counts(self.db, now)
        for r in rows:
            today = per_deck.get(r.slug, Today())
            table.add_row(literal(r.slug), str(today.new), str(today.learning),
                          str(today.review), str(r.total), literal(r.title), key=r.slug)
        if rows:
            table.move_cursor(row=min(row, len(rows) - 1))
        summary = self.query_one("#home-summary", Static)
        if rows:
            exam = exam_date(self.db)
            countdown = ""
            if exam is not None:
                days = (exam - now.astimezone().date()).days
                countdown = (f" · exam in {plural(days, 'day')}" if days > 0 else
                             " · exam today" if days == 0 else "")
            summary.update(f"Today: {total.new} new · {total.learning} learning · "
                           f"{total.review} review  ({plural(len(rows), 'deck')}){countdown}")
        else:
            summary.update("No decks yet. Import one with: loopdrill import FILE.yaml")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("drill_deck", "drill_all"):
            return self.query_one("#decks", DataTable).row_count > 0
        if action == "hidden":
            from loopdrill.store.items import hidden_decks

            return bool(hidden_decks(self.db))
        return True

    def _drill(self, scope: Scope) -> None:
        session = DrillSession(self.db, self.clock, scope, fuzz=self.fuzz)
        self.app.push_screen(DrillScreen(session))

    def action_drill_deck(self) -> None:
        table = self.query_one("#decks", DataTable)
        if table.row_count:
            slug = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
            self._drill(Scope((slug,)))

    def action_drill_all(self) -> None:
        self._drill(Scope())

    def action_import(self) -> None:
        from loopdrill.tui.importer import ImportScreen

        self.app.push_screen(ImportScreen(self.db, self.clock))

    def action_stats(self) -> None:
        self.app.push_screen(StatsScreen(self.db, self.clock))

    def action_browse(self) -> None:
        from loopdrill.tui.browse import BrowseScreen

        self.app.push_screen(BrowseScreen(self.db, self.clock))

    def action_hidden(self) -> None:
        from loopdrill.services.decks import show_deck
        from loopdrill.store.items import hidden_decks
        from loopdrill.tui.browse_modals import HiddenDecks

        def chosen(slug: str | None) -> None:
            if slug is not None:
                self.notify(show_deck(self.db, slug), timeout=4)
                self.refresh_decks()

        self.app.push_screen(HiddenDecks(hidden_decks(self.db)), chosen)

    def action_optimize(self) -> None:
        self.app.push_screen(OptimizeScreen(self.db, self.clock, self.backup_dir))
