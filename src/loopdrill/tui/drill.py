"""The drill: the front, reveal or type an answer, grade 1-4 with their intervals, undo,
suspend, bury, open the card's media.

The keys are declared once in BINDINGS; footer, palette and the help screen read them from
there. What the screen shows, and how keys reach it one after the other, is tui.drill_view's.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.widgets import Button, Input, Static

from loopdrill.core.grading import choice_rule
from loopdrill.core.model import Rating
from loopdrill.core.text import clean
from loopdrill.services.media import open_media
from loopdrill.services.session import AnsweredSince
from loopdrill.store.db import StoreError, own_connection
from loopdrill.store.failures import SHORT, Damaged, FileProblem, cause, remedy
from loopdrill.store.tx import BUSY, Busy
from loopdrill.tui.card_view import GRADE_NAMES
from loopdrill.tui.drill_view import DrillView
from loopdrill.tui.summary import More, SummaryScreen

UNDONE = {"answer": "Answer undone.", "suspend": "Suspend undone: the card is back.",
          "bury": "Bury undone: the card is back."}


class DrillScreen(DrillView):
    """One drill session; ends with its summary."""

    BINDINGS = [
        Binding("enter", "enter", "Check/accept", id="drill.enter"),
        Binding("space", "advance", "Show/accept", id="drill.advance", show=False),
        Binding("1", "grade(1)", "Again", id="drill.again", show=False),
        Binding("2", "grade(2)", "Hard", id="drill.hard", show=False),
        Binding("3", "grade(3)", "Good", id="drill.good", show=False),
        Binding("4", "grade(4)", "Easy", id="drill.easy", show=False),
        Binding("ctrl+z,u", "undo", "Undo", id="drill.undo", key_display="^z/u"),
        Binding("s", "suspend", "Suspend", id="drill.suspend"),
        Binding("b", "bury", "Bury", id="drill.bury"),
        Binding("escape", "leave_box", "Leave box", id="drill.leave_box"),
        Binding("tab", "enter_box", "Type", id="drill.enter_box", show=False),
        Binding("q,escape", "end", "End", id="drill.end"),
        Binding("slash", "browse", "Browse", id="drill.browse"),
        Binding("m", "media", "Media", id="drill.media"),
        Binding("r", "retry", "", id="drill.retry", show=False),  # after a failed save
    ]

    unsaved: Rating | None = None  # an answer the file refused (read-only, full disk)
    damaged = False  # the file is damaged: nothing more is written

    def on_mount(self) -> None:
        self.next_card()

    def next_card(self) -> None:
        """Show the next card, or end the session with its summary."""
        self.revealed = False
        self.shown = self.session.next_card()
        for problem in self.session.take_unusable():  # a damaged card, left out: said
            self.notify(clean(str(problem)), severity="error", timeout=15, markup=False)
        if self.shown is None:
            self.action_end()
            return
        answer = self.query_one("#answer", Input)
        answer.value = ""
        choices = self.shown.prompt.choices if self.shown.prompt else ()
        answer.placeholder = (f"{choice_rule(len(choices)).capitalize()}; Enter to check"
                              if choices else
                              "Type your answer, Enter to check (empty: don't know)")
        self.in_box = self.typing
        self.render_card()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.ended or self.saving:  # the summary is on top, or an answer is being saved
            return False
        has_card = self.shown is not None
        if action in ("grade", "retry", "suspend", "bury", "undo") and self.damaged:
            return False
        if action == "grade":
            return self.revealed
        if action == "retry":
            return self.unsaved is not None
        if action == "enter":
            return has_card
        if action == "advance":
            return has_card and not self.typing
        if action in ("suspend", "bury", "media"):
            return has_card and not self.in_box
        if action == "leave_box":
            return self.in_box
        if action == "enter_box":
            return self.typing and not self.in_box
        if action == "end":
            return not self.in_box
        if action == "undo":
            return bool(self.session.done)  # an action to take back
        return True

    # -- actions -----------------------------------------------------------------------------
    def action_enter(self) -> None:
        """Check the typed answer; back into the box after Esc; else show/accept."""
        if self.typing:
            if self.in_box:
                self.check_answer(self.query_one("#answer", Input).value)
            else:
                self.in_box = True
        else:
            self.action_advance()

    def check_answer(self, typed: str) -> None:
        if self.shown is None or self.shown.self_graded:
            return
        verdict = self.shown.check(typed)
        if verdict.unreadable:  # e.g. "0,023" or option z of 4: say why and ask again
            self.shown.verdict = None
            self.notify(clean(verdict.detail), severity="warning", timeout=4, markup=False)
            return
        self.in_box = False
        self.revealed = True

    def action_leave_box(self) -> None:
        self.in_box = False
        self.notify("Left the answer box: s suspend, b bury, u undo, q end; "
                    "Enter or Tab to type again.", timeout=4)

    def action_enter_box(self) -> None:
        self.in_box = True

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
        if self.shown is None or not self.revealed or self.saving:
            return
        try:
            self.session.answer(Rating(rating))  # the app's connection waits 0.25 s at most
        except Busy:  # another loopdrill holds the lock (an import): save it from a thread
            self.saving = True
            self.query_one("#status", Static).update(Text(
                f"Waiting for another loopdrill to finish writing; your answer "
                f"({GRADE_NAMES[Rating(rating)]}) is kept.", style="bold yellow"))
            self.save_answer(Rating(rating))
            return
        except FileProblem as exc:  # a read-only file, a full disk, a damaged file
            self.cannot_save(Rating(rating), exc)
            return
        self.unsaved = None
        self.next_card()

    def cannot_save(self, rating: Rating, exc: FileProblem) -> None:
        """The answer was not written: it stays on screen, r tries again (not into a damaged
        file, which gets nothing more), q leaves. The status line says it short, a
        notification in full."""
        grade, what = GRADE_NAMES[rating], cause(exc.kind, exc.file, exc.detail)
        if isinstance(exc, Damaged):
            self.damaged = True
            short = f"Not saved: the database is damaged; your answer ({grade}) is lost, q leaves."
            full = f"Cannot save: {what}, so nothing more is written to it; " \
                   f"{remedy(exc.kind, exc.file)}."
        else:
            self.unsaved = rating
            short = (f"Not saved ({SHORT[exc.kind]}); your answer ({grade}) is kept: r retries, "
                     "q leaves.")
            full = f"Cannot save: {what}; your answer ({grade}) is kept: " \
                   f"{remedy(exc.kind, exc.file)} and press r to retry, or q to leave."
        self.query_one("#status", Static).update(Text(short, style="bold red"))
        self.notify(clean(full), severity="error", timeout=30, markup=False)

    def action_retry(self) -> None:
        if self.unsaved is not None:
            self.session.reopen_writable()  # the file may have been made writable since
            self.action_grade(int(self.unsaved))

    @work(thread=True, exclusive=True, group="answer")
    def save_answer(self, rating: Rating) -> None:
        """Write the answer on this thread's own connection, waiting for the lock as long as
        it takes, while the screen stays live; the next card comes once it is committed."""
        try:
            with own_connection(self.session.db) as db:
                self.session.answer(rating, db=db, on_wait=None)
        except StoreError as exc:
            self.app.call_from_thread(self.saved, str(exc))
        else:
            self.app.call_from_thread(self.saved, None)

    def saved(self, problem: str | None) -> None:
        self.saving = False
        if problem is None:
            self.next_card()
            return
        self.notify(f"{problem}; grade the card again to save your answer.",
                    severity="error", timeout=10)
        self.render_card()

    @on(Button.Pressed, ".grade")
    def grade_button(self, event: Button.Pressed) -> None:
        assert event.button.id is not None
        self.action_grade(int(event.button.id.removeprefix("grade-")))

    def refused(self, exc: Exception) -> None:
        """Say in one line why undo, suspend or bury changed nothing: nothing to undo since
        another answer, another loopdrill holding the lock, or a file refusing the write (a
        read-only file, a full disk). Nothing is lost."""
        if isinstance(exc, AnsweredSince):
            self.notify(clean(f"Cannot undo: {exc}."), severity="warning", timeout=4,
                        markup=False)
        elif isinstance(exc, Busy):
            self.notify(BUSY, severity="warning", timeout=4)
        else:
            self.notify(clean(str(exc)), severity="error", timeout=10, markup=False)

    def action_undo(self) -> None:
        try:
            undone = self.session.undo()
        except (AnsweredSince, Busy, StoreError) as exc:
            self.refused(exc)
            return
        if undone:
            self.notify(UNDONE[undone], timeout=2)
            self.next_card()

    def action_suspend(self) -> None:
        try:
            self.session.suspend_current()
        except (Busy, StoreError) as exc:
            self.refused(exc)
            return
        self.notify("Card suspended (u undoes).", timeout=2)
        self.next_card()

    def action_bury(self) -> None:
        try:
            self.session.bury_current()
        except (Busy, StoreError) as exc:
            self.refused(exc)
            return
        self.notify("Card buried until tomorrow (u undoes).", timeout=2)
        self.next_card()

    def action_browse(self) -> None:
        """The card browser, opened on the card on screen."""
        from loopdrill.tui.browse import BrowseScreen

        if self.shown is not None:
            query = f'id:"{self.shown.card.id}"'
            self.app.push_screen(BrowseScreen(self.session.db, self.session.clock, query))

    def action_media(self) -> None:
        """Open the card's images and sounds in the system's viewer: the front's, and the
        back's once it is shown (so the answer stays hidden until then)."""
        if self.shown is None:
            return
        texts = [span.text for span in self.shown.front]
        if self.revealed:
            texts += [span.text for span in self.shown.back]
            texts.append(str(self.shown.card.content.get("back", "")))  # a typed card's back
        opened, message = open_media(self.session.db, texts)
        self.notify(clean(message), severity="information" if opened else "warning",
                    timeout=4, markup=False)

    def action_end(self) -> None:
        self.ended = True
        self.in_box = False
        summary = self.session.summary()
        ending = self.session.ending() if self.shown is None else None
        self.app.push_screen(SummaryScreen(summary, ending), callback=self._summary_closed)

    def _summary_closed(self, more: More | None) -> None:
        # Not a lambda: a callback that returns dismiss()'s awaitable gets awaited by this
        # screen's own message handler, which Textual refuses (ScreenError) when the summary
        # was opened from on_mount (an empty session).
        if more is None:
            self.dismiss(None)
            return
        limit, count = more
        self.session.study_more(**{limit: count})
        self.ended = False
        self.next_card()
