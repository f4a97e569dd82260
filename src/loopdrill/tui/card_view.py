"""What the drill shows of a card, as Rich text: the front and back, the verdict on a typed
answer, the source line. User text is always Text, never markup."""

from __future__ import annotations

from rich.text import Text

from loopdrill.core.cards import Span
from loopdrill.core.model import Rating
from loopdrill.core.text import BOLD, clean
from loopdrill.services.decks import is_stale
from loopdrill.services.session import Shown

GRADE_NAMES = {Rating.AGAIN: "Again", Rating.HARD: "Hard", Rating.GOOD: "Good",
               Rating.EASY: "Easy"}
VERDICT_WORDS = {Rating.GOOD: ("Right", "green"), Rating.HARD: ("Close", "yellow"),
                 Rating.AGAIN: ("Wrong", "red")}


def spans_text(spans: list[Span]) -> Text:
    """Card text with the cloze gap or answer emphasised, and bold (`**x**`, from Anki's
    <b>) shown bold without its marks."""
    text = Text()
    for span in spans:
        text.append(clean(span.text), style="bold reverse" if span.mark else "")
    if "**" not in text.plain:
        return text
    out, at = Text(), 0
    for match in BOLD.finditer(text.plain):  # across spans: a cloze gap inside bold
        out.append_text(text[at:match.start()])
        inner = text[match.start() + 2:match.end() - 2]
        inner.stylize("bold")
        out.append_text(inner)
        at = match.end()
    out.append_text(text[at:])
    return out


def answer_text(shown: Shown) -> Text:
    """The back of a self-graded card, or the verdict on a typed answer."""
    if shown.self_graded or shown.verdict is None:
        return spans_text(shown.back)
    verdict = shown.verdict
    word, colour = VERDICT_WORDS.get(verdict.proposed, ("Wrong", "red"))
    text = Text()
    text.append(f"{word}", style=f"bold {colour}")
    if verdict.detail:
        text.append(f": {clean(verdict.detail)}")
    text.append("\nYou typed: ", style="dim")
    text.append(clean(verdict.typed) or "(nothing)")
    text.append("\nExpected:  ", style="dim")
    text.append(clean(verdict.expected), style="bold")
    text.append(f"\nEnter accepts {GRADE_NAMES[verdict.proposed]}; 1-4 choose another.",
                style="dim")
    return text


def source_text(shown: Shown) -> Text:
    """`Source: URL · as of DATE`, with a warning when the fact is stale."""
    as_of = f" · as of {shown.card.as_of}" if shown.card.as_of else ""
    line = Text(clean(f"Source: {shown.card.source}{as_of}"), style="dim")
    if is_stale(shown.card.as_of, shown.shown_at.date()):
        line.append("  ⚠ stale: check the source before trusting this figure",
                    style="bold yellow")
    return line
