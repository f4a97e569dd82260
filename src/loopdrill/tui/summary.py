"""The end-of-session summary, as a modal."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from loopdrill.services.session import Summary


class SummaryScreen(ModalScreen[None]):
    """Cards, minutes, Again count and this session's retention."""

    BINDINGS = [Binding("enter,escape,q", "close", "Close", id="summary.close", priority=True)]

    def __init__(self, summary: Summary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        s = self.summary
        retention = f"{s.retention:.0%}" if s.retention is not None else "—"
        if s.answers:
            body = (f"Cards      {s.cards}\nAnswers    {s.answers}\nMinutes    {s.minutes:.1f}\n"
                    f"Again      {s.again}\nRetention  {retention}")
        else:
            body = "Nothing answered this time.\nCome back when cards are due."
        with Vertical(id="summary"):
            yield Static("Session over", id="summary-title")
            yield Static(body, id="summary-body")
            yield Button("Close", id="summary-close", variant="primary")

    def action_close(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self) -> None:
        self.dismiss(None)
