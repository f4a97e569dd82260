"""Small questions the Browse and Home screens ask: a flag, set-due's days, a hidden deck."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from loopdrill.core.search import parse_days
from loopdrill.core.text import clean


class FlagPick(ModalScreen[int | None]):
    """Which flag: 1-7, or 0 to clear it."""

    BINDINGS = [
        *(Binding(str(n), f"pick({n})", f"Flag {n}" if n else "No flag", id=f"flag.{n}")
          for n in range(8)),
        Binding("escape", "pick(-1)", "Cancel", id="flag.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="browse-modal"):
            yield Static("Flag the card: 1-7, or 0 to clear its flag (Esc: cancel)")

    def action_pick(self, number: int) -> None:
        self.dismiss(None if number < 0 else number)


class DaysAsk(ModalScreen[str | None]):
    """Set due: 0 (today), 3, or 1-7 (spread over the range)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="days.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="browse-modal"):
            yield Static("Due in how many days? 0 is today, 3, or 1-7 to spread (Esc: cancel)")
            yield Input(placeholder="0", id="days")
            yield Static("", id="days-error")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip() or "0"
        try:
            parse_days(text)
        except ValueError as exc:
            self.query_one("#days-error", Static).update(str(exc))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HiddenDecks(ModalScreen[str | None]):
    """The decks `deck delete` hid: Enter shows one again."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="hidden.cancel")]

    def __init__(self, slugs: list[str]) -> None:
        super().__init__()
        self.slugs = slugs

    def compose(self) -> ComposeResult:
        with Vertical(classes="browse-modal"):
            yield Static("Hidden decks: Enter shows one again with its progress (Esc: cancel)")
            yield OptionList(*(clean(s) for s in self.slugs), id="hidden-decks")

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.slugs[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
