"""What the drill shows: the card on screen (front, options, answer box, back, source,
grade buttons with their intervals) drawn from the screen's state, and every key reaching
the screen in the order it was pressed. tui.drill declares the keys and what they do.

Every key reaches this screen in the order it was pressed, and is acted on here, one after
the other: nothing in the drill takes focus (the answer box is filled by this screen), and the
bindings are not priority bindings, so `Space 3 Space 3` typed faster than the screen redraws
still records two answers.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static

from loopdrill.core.grading import option_label
from loopdrill.services.session import DrillSession, Shown
from loopdrill.tui.card_view import GRADE_NAMES, answer_text, source_text, spans_text
from loopdrill.tui.literal import literal

#: Keys that edit the answer box while it is active, and the box's action for each.
EDITING = {"backspace": "delete_left", "delete": "delete_right", "left": "cursor_left",
           "right": "cursor_right", "home": "home", "end": "end",
           "ctrl+u": "delete_left_all", "ctrl+w": "delete_left_word"}


class DrillView(Screen[None]):
    """The drill's card and state; the keys and actions are DrillScreen's (tui.drill)."""

    revealed: reactive[bool] = reactive(False, bindings=True)
    in_box: reactive[bool] = reactive(False, bindings=True)
    ended: reactive[bool] = reactive(False, bindings=True)
    saving: reactive[bool] = reactive(False, bindings=True)  # an answer waits for the lock
    shown: reactive[Shown | None] = reactive(None, bindings=True, always_update=True)

    def __init__(self, session: DrillSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="status")
        with VerticalScroll(id="card", can_focus=False):
            yield Static("", id="front")
            yield Static("", id="options")
            answer = Input(id="answer", max_length=10_000)
            answer.can_focus = False  # filled by this screen, so keys keep their order
            yield answer
            yield Static("", id="back")
            yield Static("", id="source")
        with Horizontal(id="grades"):
            for rating, name in GRADE_NAMES.items():
                button = Button(f"{int(rating)} {name}", id=f"grade-{int(rating)}",
                                classes=f"grade {name.lower()}")
                button.can_focus = False
                yield button
        yield Footer(compact=True)

    # -- state -> screen ---------------------------------------------------------------------
    @property
    def typing(self) -> bool:
        """An auto-graded card waits for its typed answer."""
        return self.shown is not None and not self.shown.self_graded and not self.revealed

    def render_card(self) -> None:
        shown = self.shown
        if shown is None:
            return
        progress = self.session.progress()
        if self.session.cram:
            left = f"cram: schedule unchanged · {progress.left} left"
        else:
            left = (f"new {progress.new} · learning {progress.learning} · "
                    f"review {progress.review}")
        self.query_one("#status", Static).update(literal(
            f"{shown.card.deck} · {progress.done} done today · {left}"))
        self.query_one("#front", Static).update(spans_text(shown.front))
        options = self.query_one("#options", Static)
        choices = shown.prompt.choices if shown.prompt else ()
        options.display = bool(choices)
        options.update(literal("\n".join(f"{option_label(n, len(choices))}) {o}"
                                         for n, o in enumerate(choices, start=1))))
        answer = self.query_one("#answer", Input)
        answer.display = self.typing
        answer.set_class(self.in_box, "-active")
        back = self.query_one("#back", Static)
        back.update(answer_text(shown))
        back.display = self.revealed
        source = self.query_one("#source", Static)
        source.display = self.revealed and bool(shown.card.source)
        if shown.card.source:
            source.update(source_text(shown))
        proposed = shown.verdict.proposed if shown.verdict else None
        for rating, name in GRADE_NAMES.items():
            button = self.query_one(f"#grade-{int(rating)}", Button)
            button.label = (f"{int(rating)} {name} · {shown.label(rating)}"
                            if self.revealed and not self.session.cram else f"{int(rating)} {name}")
            button.disabled = not self.revealed
            button.set_class(rating == proposed, "proposed")
        self.query_one("#grades").display = self.revealed

    def watch_revealed(self) -> None:
        self.render_card()

    def watch_in_box(self) -> None:
        self.query_one("#answer", Input).set_class(self.in_box, "-active")

    # -- keys, in the order they came -----------------------------------------------------------
    async def on_key(self, event: events.Key) -> None:
        """Type into the answer box, or run this screen's binding for the key: here, one key
        after the other, so that no key overtakes another."""
        if self.in_box and self._edit_box(event):
            event.stop()
            event.prevent_default()
            return
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if event.key in binding.key.split(",") and self._enabled(binding.action):
                event.stop()
                event.prevent_default()
                await self.run_action(binding.action)
                return

    def on_paste(self, event: events.Paste) -> None:
        if self.in_box:
            self.query_one("#answer", Input).insert_text_at_cursor(event.text)
            event.stop()

    def _edit_box(self, event: events.Key) -> bool:
        """Apply a typing key to the answer box; False for keys that are not typing."""
        answer = self.query_one("#answer", Input)
        if event.is_printable and event.character:
            answer.insert_text_at_cursor(event.character)
            return True
        if event.key in EDITING:
            getattr(answer, f"action_{EDITING[event.key]}")()
            return True
        return False

    def _enabled(self, action: str) -> bool:
        name, _, _ = action.partition("(")
        return bool(self.check_action(name, ()))

    @on(events.Click, "#answer")
    def click_box(self) -> None:
        if self.typing:
            self.in_box = True

