"""The drill: the front, reveal, grade 1-4 with their intervals, undo, suspend, bury."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from loopdrill.core.cards import Span
from loopdrill.core.model import Rating
from loopdrill.services.session import DrillSession, Shown
from loopdrill.tui.summary import SummaryScreen

GRADE_NAMES = {Rating.AGAIN: "Again", Rating.HARD: "Hard", Rating.GOOD: "Good",
               Rating.EASY: "Easy"}


def spans_text(spans: list[Span]) -> Text:
    """Card text with the cloze gap or answer emphasised."""
    text = Text()
    for span in spans:
        text.append(span.text, style="bold reverse" if span.mark else "")
    return text


class DrillScreen(Screen[None]):
    """One drill session; ends with its summary."""

    BINDINGS = [
        Binding("space,enter", "advance", "Show/accept", id="drill.advance", priority=True),
        Binding("1", "grade(1)", "Again", id="drill.again", show=False),
        Binding("2", "grade(2)", "Hard", id="drill.hard", show=False),
        Binding("3", "grade(3)", "Good", id="drill.good", show=False),
        Binding("4", "grade(4)", "Easy", id="drill.easy", show=False),
        Binding("u", "undo", "Undo", id="drill.undo"),
        Binding("s", "suspend", "Suspend", id="drill.suspend"),
        Binding("b", "bury", "Bury", id="drill.bury"),
        Binding("q,escape", "end", "End", id="drill.end"),
    ]

    revealed: reactive[bool] = reactive(False, bindings=True)
    shown: reactive[Shown | None] = reactive(None, bindings=True, always_update=True)

    def __init__(self, session: DrillSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="status")
        with VerticalScroll(id="card"):
            yield Static("", id="front")
            yield Static("", id="back")
            yield Static("", id="source")
        with Horizontal(id="grades"):
            for rating, name in GRADE_NAMES.items():
                yield Button(f"{int(rating)} {name}", id=f"grade-{int(rating)}",
                             classes=f"grade {name.lower()}")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.next_card()

    # -- state -> screen ---------------------------------------------------------------------
    def next_card(self) -> None:
        """Show the next card, or end the session with its summary."""
        self.revealed = False
        self.shown = self.session.next_card()
        if self.shown is None:
            self.action_end()
            return
        self.render_card()

    def render_card(self) -> None:
        shown = self.shown
        if shown is None:
            return
        progress = self.session.progress()
        cram = " · cram" if self.session.cram else ""
        self.query_one("#status", Static).update(
            f"{shown.card.deck}{cram} · {progress.done} done today · {progress.left} left")
        self.query_one("#front", Static).update(spans_text(shown.front))
        back = self.query_one("#back", Static)
        back.update(spans_text(shown.back) if self.revealed else "")
        back.display = self.revealed
        source = self.query_one("#source", Static)
        source.display = self.revealed and bool(shown.card.source)
        if shown.card.source:
            as_of = f" · as of {shown.card.as_of}" if shown.card.as_of else ""
            source.update(Text(f"Source: {shown.card.source}{as_of}", style="dim"))
        for rating, name in GRADE_NAMES.items():
            button = self.query_one(f"#grade-{int(rating)}", Button)
            button.label = f"{int(rating)} {name} · {shown.label(rating)}"
            button.disabled = not self.revealed
        self.query_one("#grades").display = self.revealed

    def watch_revealed(self) -> None:
        self.render_card()

    # -- keys ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        has_card = self.shown is not None
        if action == "grade":
            return self.revealed
        if action in ("suspend", "bury", "advance"):
            return has_card
        if action == "undo":
            return self.session.can_undo()
        return True

    def action_advance(self) -> None:
        if self.shown is None:
            return
        if not self.revealed:
            self.revealed = True
        else:
            self.action_grade(int(Rating.GOOD))

    def action_grade(self, rating: int) -> None:
        if self.shown is None or not self.revealed:
            return
        self.session.answer(Rating(rating))
        self.next_card()

    @on(Button.Pressed, ".grade")
    def grade_button(self, event: Button.Pressed) -> None:
        assert event.button.id is not None
        self.action_grade(int(event.button.id.removeprefix("grade-")))

    def action_undo(self) -> None:
        if self.session.undo():
            self.notify("Answer undone.", timeout=2)
            self.next_card()

    def action_suspend(self) -> None:
        self.session.suspend_current()
        self.notify("Card suspended.", timeout=2)
        self.next_card()

    def action_bury(self) -> None:
        self.session.bury_current()
        self.notify("Card buried until tomorrow.", timeout=2)
        self.next_card()

    def action_end(self) -> None:
        summary = self.session.summary()
        self.app.push_screen(SummaryScreen(summary), callback=lambda _: self.dismiss(None))
