"""The Browse screen's detail pane: card info as `loopdrill card` shows it, as literal text."""

from __future__ import annotations

import datetime as dt

from rich.text import Text

from loopdrill.core.text import clean
from loopdrill.services.browse import rating_name, span
from loopdrill.services.card_actions import CardInfo


def detail(info: CardInfo, now: dt.datetime) -> Text:
    """The card's content, schedule, memory state and every review, newest first."""
    card = info.line.found.card
    memory = card.memory
    r = info.line.retrievability
    state = info.line.state + "".join(
        f" · {word}" for word, on in (("suspended", card.suspended),
                                     ("buried", card.buried_until is not None
                                                and card.buried_until > now),
                                     ("retired", card.retired)) if on)
    flag = info.line.found.flag
    out = Text()
    out.append(clean(info.front), style="bold")
    out.append("\n→ ")
    out.append(clean(info.back))
    out.append(f"\n{clean(card.id)} · {card.kind} · {state}" + (f" · flag {flag}" if flag else ""))
    due = memory.due.strftime("%Y-%m-%d %H:%M") if memory.due else "-"
    difficulty = "-" if memory.difficulty is None else f"{memory.difficulty:.1f}"
    out.append(f"\ndue {due} · interval {span(info.line.interval_days)} · "
               f"S {span(memory.stability)} · D {difficulty} · "
               f"R {'-' if r is None else f'{r:.0%}'} · reps {memory.reps} · "
               f"lapses {memory.lapses}")
    added = info.line.found.added
    source = card.source or "-"
    as_of = card.as_of.isoformat() if card.as_of else "-"
    out.append(f"\nadded {added.date().isoformat() if added else '-'} · as of {as_of} · ")
    out.append(clean(source))
    lines: list[tuple[str, str]] = []
    for h in info.history:
        rv = h.review
        text = (f"{rating_name(rv.rating):5} ivl {span(h.interval_given):>6} "
                f"elapsed {span(rv.elapsed_days):>6}" + (" cram" if rv.cram else ""))
        if rv.typed is not None:
            text += f" typed {clean(rv.typed)!r}"
        lines.append((rv.at.strftime("%Y-%m-%d %H:%M"), text))
    for m in info.manual:
        lines.append((m.at.strftime("%Y-%m-%d %H:%M"), m.action + (
            f" to {m.due.strftime('%Y-%m-%d')}" if m.due else "")))
    out.append(f"\n{len(info.history)} reviews" + (":" if lines else ""))
    for at, text in sorted(lines, key=lambda entry: entry[0], reverse=True):
        out.append(f"\n  {at}  {text}")
    return out
