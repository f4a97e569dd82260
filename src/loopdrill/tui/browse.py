"""Browse: search cards, see one card's info and history, and act on it (suspend, flag,
forget, set due, edit), with undo of the last action."""

from __future__ import annotations

from sqlite_utils import Database
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from loopdrill.core.search import SearchError
from loopdrill.core.text import clean
from loopdrill.services.browse import CardLine, search_page, span
from loopdrill.services.card_actions import Done, act, card_info, faces, undo
from loopdrill.services.session import Clock
from loopdrill.store.tx import BUSY, Busy
from loopdrill.tui.browse_detail import detail
from loopdrill.tui.browse_modals import DaysAsk, FlagPick

PAGE = 500
COLUMNS = (("Front", 32), ("Deck", 14), ("Due", 10), ("Ivl", 5), ("R", 4))


class BrowseScreen(Screen[None]):
    """The card browser."""

    BINDINGS = [
        Binding("slash", "search", "Search", id="browse.search"),
        Binding("s", "suspend", "Suspend", id="browse.suspend"),
        Binding("f", "flag", "Flag", id="browse.flag"),
        Binding("n", "forget", "Forget", id="browse.forget"),
        Binding("d", "set_due", "Set due", id="browse.set_due",
                tooltip="Set the due date: 0 today, 3, or 1-7"),
        Binding("e", "edit", "Edit", id="browse.edit"),
        Binding("u", "undo", "Undo", id="browse.undo"),
        Binding("escape", "back", "Back", id="browse.back"),
    ]

    selected: reactive[str | None] = reactive(None, bindings=True)
    last: reactive[tuple[str, Done] | None] = reactive(None, bindings=True)

    def __init__(self, db: Database, clock: Clock, query: str = "") -> None:
        super().__init__()
        self.db = db
        self.clock = clock
        self.initial = query
        self.lines: dict[str, CardLine] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(value=self.initial, id="browse-query",
                    placeholder="Search: text, deck:, tag:, is:due, prop:ivl>=30, rated:7 ...")
        yield Static("", id="browse-count")
        yield DataTable(id="browse-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="browse-detail"):
            yield Static("", id="browse-info")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in COLUMNS:
            table.add_column(name, key=name.lower(), width=width)
        self.run_search()
        if self.initial:
            table.focus()

    # -- search ------------------------------------------------------------------------------
    @on(Input.Changed, "#browse-query")
    def query_changed(self) -> None:
        self.run_search()

    @on(Input.Submitted, "#browse-query")
    def query_submitted(self) -> None:
        self.query_one(DataTable).focus()

    def run_search(self, keep: str | None = None) -> None:
        """Show the cards the query matches (at most PAGE), keeping the cursor's card."""
        query = self.query_one("#browse-query", Input).value
        count = self.query_one("#browse-count", Static)
        try:
            total, lines = search_page(self.db, query, self.clock(), limit=PAGE)
        except SearchError as exc:
            count.update(clean(str(exc)))
            return
        shown = f" · first {PAGE} shown" if total > PAGE else ""
        count.update(f"{total} card{'s' * (total != 1)}{shown}")
        table = self.query_one(DataTable)
        table.clear()
        self.lines = {ln.id: ln for ln in lines}
        for ln in lines:
            card = ln.found.card
            r = "-" if ln.retrievability is None else f"{ln.retrievability:.0%}"
            due = card.memory.due.strftime("%Y-%m-%d") if card.memory.due else "new"
            if card.suspended:
                due = "suspended"
            table.add_row(clean(" ".join(faces(card.kind, card.content)[0].split())),
                          clean(card.deck), due, span(ln.interval_days), r, key=card.id)
        if keep in self.lines:
            table.move_cursor(row=table.get_row_index(keep))
        self.selected = lines[0].id if lines and keep not in self.lines else keep
        if lines:
            self.show_detail(self.current_id())
        else:
            self.selected = None
            self.query_one("#browse-info", Static).update("No card matches.")

    def current_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.selected = str(event.row_key.value)
        self.show_detail(self.selected)

    def show_detail(self, card_id: str | None) -> None:
        info = card_info(self.db, card_id, self.clock()) if card_id else None
        self.query_one("#browse-info", Static).update(detail(info, self.clock()) if info
                                                      else "")

    # -- actions -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("suspend", "flag", "forget", "set_due", "edit"):
            return self.selected is not None
        if action == "undo":
            return self.last is not None
        return True

    def _do(self, action: str, *, flag: int = 0, days: str = "0") -> None:
        card_id = self.current_id()
        if card_id is None:
            return
        try:
            done = act(self.db, action, [card_id], self.clock(), flag=flag, days=days)
        except Busy:  # the UI thread waits 0.25 s at most for the write lock
            self.notify(BUSY, severity="warning", timeout=4)
            return
        self.last = (action, done)
        note = f"{action}: {done.changed} card{'s' * (done.changed != 1)}"
        if done.skipped:
            note += f" ({done.why_skipped})"
        self.notify(note, timeout=3)
        self.run_search(keep=card_id)

    def action_search(self) -> None:
        self.query_one("#browse-query", Input).focus()

    def action_suspend(self) -> None:
        line = self.lines.get(self.current_id() or "")
        if line is not None:
            self._do("unsuspend" if line.found.card.suspended else "suspend")

    def action_flag(self) -> None:
        def picked(number: int | None) -> None:
            if number is not None:
                self._do("flag" if number else "unflag", flag=number)

        self.app.push_screen(FlagPick(), picked)

    def action_forget(self) -> None:
        self._do("forget")

    def action_set_due(self) -> None:
        def chosen(text: str | None) -> None:
            if text is not None:
                self._do("set-due", days=text)

        self.app.push_screen(DaysAsk(), chosen)

    def action_edit(self) -> None:
        from loopdrill.tui.browse_edit import edit_card

        card_id = self.current_id()
        if card_id is not None:
            self.notify(edit_card(self.app, self.db, card_id, self.clock()), timeout=5)
            self.run_search(keep=card_id)

    def action_undo(self) -> None:
        if self.last is None:
            return
        action, done = self.last
        try:
            undo(self.db, done)
        except Busy:
            self.notify(BUSY, severity="warning", timeout=4)
            return
        self.last = None
        self.notify(f"undid {action}", timeout=3)
        self.run_search(keep=self.current_id())

    def action_back(self) -> None:
        self.dismiss(None)
