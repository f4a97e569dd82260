"""The drill: the front, reveal or type an answer, grade 1-4 with their intervals, undo,
suspend, bury."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static

from loopdrill.core.cards import Span
from loopdrill.core.grading import choice_rule, option_label
from loopdrill.core.model import Rating
from loopdrill.services.decks import is_stale
from loopdrill.services.session import AnsweredSince, DrillSession, Shown
from loopdrill.tui.summary import SummaryScreen

GRADE_NAMES = {Rating.AGAIN: "Again", Rating.HARD: "Hard", Rating.GOOD: "Good",
               Rating.EASY: "Easy"}
VERDICT_WORDS = {Rating.GOOD: ("Right", "green"), Rating.HARD: ("Close", "yellow"),
                 Rating.AGAIN: ("Wrong", "red")}


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
    ended: reactive[bool] = reactive(False, bindings=True)
    shown: reactive[Shown | None] = reactive(None, bindings=True, always_update=True)

    def __init__(self, session: DrillSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="status")
        with VerticalScroll(id="card"):
            yield Static("", id="front")
            yield Static("", id="options")
            yield Input(id="answer", placeholder="Type your answer, Enter to check "
                        "(empty: don't know)", max_length=10_000)
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
    @property
    def typing(self) -> bool:
        """An auto-graded card waits for its typed answer."""
        return self.shown is not None and not self.shown.self_graded and not self.revealed

    def next_card(self) -> None:
        """Show the next card, or end the session with its summary."""
        self.revealed = False
        self.shown = self.session.next_card()
        if self.shown is None:
            self.action_end()
            return
        answer = self.query_one("#answer", Input)
        answer.value = ""
        choices = self.shown.prompt.choices if self.shown.prompt else ()
        answer.placeholder = (f"{choice_rule(len(choices)).capitalize()}; Enter to check"
                              if choices else
                              "Type your answer, Enter to check (empty: don't know)")
        if self.typing:
            answer.focus()
        else:
            self.set_focus(None)
        self.render_card()

    def render_card(self) -> None:
        shown = self.shown
        if shown is None:
            return
        progress = self.session.progress()
        cram = " · cram: schedule unchanged" if self.session.cram else ""
        self.query_one("#status", Static).update(
            f"{shown.card.deck}{cram} · {progress.done} done today · {progress.left} left")
        self.query_one("#front", Static).update(spans_text(shown.front))
        options = self.query_one("#options", Static)
        choices = shown.prompt.choices if shown.prompt else ()
        options.display = bool(choices)
        options.update(Text("\n".join(f"{option_label(n, len(choices))}) {o}"
                                      for n, o in enumerate(choices, start=1))))
        self.query_one("#answer", Input).display = self.typing
        back = self.query_one("#back", Static)
        back.update(self._answer_text(shown))
        back.display = self.revealed
        source = self.query_one("#source", Static)
        source.display = self.revealed and bool(shown.card.source)
        if shown.card.source:
            as_of = f" · as of {shown.card.as_of}" if shown.card.as_of else ""
            line = Text(f"Source: {shown.card.source}{as_of}", style="dim")
            if is_stale(shown.card.as_of, shown.shown_at.date()):
                line.append("  ⚠ stale: check the source before trusting this figure",
                            style="bold yellow")
            source.update(line)
        proposed = shown.verdict.proposed if shown.verdict else None
        for rating, name in GRADE_NAMES.items():
            button = self.query_one(f"#grade-{int(rating)}", Button)
            button.label = (f"{int(rating)} {name} · {shown.label(rating)}"
                            if self.revealed and not self.session.cram else f"{int(rating)} {name}")
            button.disabled = not self.revealed
            button.set_class(rating == proposed, "proposed")
        self.query_one("#grades").display = self.revealed

    def _answer_text(self, shown: Shown) -> Text:
        if shown.self_graded or shown.verdict is None:
            return spans_text(shown.back)
        verdict = shown.verdict
        word, colour = VERDICT_WORDS.get(verdict.proposed, ("Wrong", "red"))
        text = Text()
        text.append(f"{word}", style=f"bold {colour}")
        if verdict.detail:
            text.append(f": {verdict.detail}")
        text.append("\nYou typed: ", style="dim")
        text.append(verdict.typed or "(nothing)")
        text.append("\nExpected:  ", style="dim")
        text.append(verdict.expected, style="bold")
        text.append(f"\nEnter accepts {GRADE_NAMES[verdict.proposed]}; 1-4 choose another.",
                    style="dim")
        return text

    def watch_revealed(self) -> None:
        self.render_card()

    # -- keys ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.ended:  # the summary is on top: nothing here applies any more
            return False
        has_card = self.shown is not None
        if action == "grade":
            return self.revealed
        if action == "advance":
            return has_card and not self.typing
        if action in ("suspend", "bury"):
            return has_card and not self.typing
        if action == "undo":
            return self.session.can_undo() and not self.typing
        return True

    @on(Input.Submitted, "#answer")
    def check_answer(self, event: Input.Submitted) -> None:
        if self.shown is None or self.shown.self_graded:
            return
        verdict = self.shown.check(event.value)
        if verdict.unreadable:  # e.g. "0,023" or option 9 of 4: say why and ask again
            self.shown.verdict = None
            self.notify(verdict.detail, severity="warning", timeout=4)
            return
        self.set_focus(None)
        self.revealed = True

    def action_advance(self) -> None:
        if self.shown is None:
            return
        if not self.revealed:
            self.revealed = True
        elif self.shown.verdict is not None:
            self.action_grade(int(self.shown.verdict.proposed))
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
        try:
            undone = self.session.undo()
        except AnsweredSince as exc:
            self.notify(f"Cannot undo: {exc}.", severity="warning", timeout=4)
            return
        if undone:
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
        self.ended = True
        summary = self.session.summary()
        self.app.push_screen(SummaryScreen(summary), callback=self._summary_closed)

    def _summary_closed(self, _: None) -> None:
        # Not a lambda: a callback that returns dismiss()'s awaitable gets awaited by this
        # screen's own message handler, which Textual refuses (ScreenError) when the summary
        # was opened from on_mount (an empty session).
        self.dismiss(None)
