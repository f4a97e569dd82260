"""The end-of-session summary, as a modal: what the session amounted to, why it ended, and
(when a daily limit ended it) custom study: N more new cards or reviews today only."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from loopdrill.core.words import plural
from loopdrill.services.session import Summary
from loopdrill.services.today import Ending

#: What custom study asks for: ("new" or "review", how many more today).
More = tuple[str, int]
DEFAULT_MORE = 10


class SummaryScreen(ModalScreen[More | None]):
    """Cards, minutes, Again count and this session's retention; why it ended."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="summary.close"),
        Binding("enter", "enter", "Close/study more", id="summary.enter", show=False),
        Binding("m", "more", "Study more today", id="summary.more"),
    ]

    def __init__(self, summary: Summary, ending: Ending | None = None) -> None:
        super().__init__()
        self.summary = summary
        self.ending = ending

    def compose(self) -> ComposeResult:
        s = self.summary
        retention = f"{s.retention:.0%}" if s.retention is not None else "—"
        if s.answers:
            body = (f"Cards      {s.cards}\nAnswers    {s.answers}\nMinutes    {s.minutes:.1f}\n"
                    f"Again      {s.again}\nRetention  {retention}")
        else:
            body = "Nothing answered this time."
        limit = self.ending.limit if self.ending else None
        with Vertical(id="summary"):
            yield Static("Session over", id="summary-title")
            yield Static(body, id="summary-body")
            if self.ending is not None:
                yield Static(self.ending.text, id="summary-ending")
            if limit is not None:
                what = "new cards" if limit == "new" else "reviews"
                yield Static(f"Custom study: how many more {what} today? (the setting stays)",
                             id="summary-more-label")
                with Horizontal(id="summary-more"):
                    yield Input(str(DEFAULT_MORE), id="summary-count", type="integer",
                                max_length=4)
                    yield Button(f"Study more {what}", id="summary-more-go")
            yield Button("Close", id="summary-close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#summary-close", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "more":
            return self.ending is not None and self.ending.limit is not None
        return True

    def action_close(self) -> None:
        self.dismiss(None)

    def action_enter(self) -> None:
        focused = self.focused
        if isinstance(focused, Button):
            focused.press()
        elif isinstance(focused, Input):
            self.action_more()
        else:
            self.dismiss(None)

    @on(Button.Pressed, "#summary-close")
    def close_pressed(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#summary-more-go")
    @on(Input.Submitted, "#summary-count")
    def action_more(self) -> None:
        if self.ending is None or self.ending.limit is None:
            return
        raw = self.query_one("#summary-count", Input).value.strip()
        count = int(raw) if raw.isdigit() else 0
        if count <= 0:
            self.notify("Type how many more, e.g. 10.", severity="warning", timeout=3)
            return
        what = "more new card" if self.ending.limit == "new" else "more review"
        self.notify(f"{plural(count, what)} today.", timeout=3)
        self.dismiss((self.ending.limit, count))
