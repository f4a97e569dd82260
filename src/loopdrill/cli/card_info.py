"""Printing `loopdrill card ID`: the card's content and schedule, then every review."""

from __future__ import annotations

import json
from typing import Any

import click

from loopdrill.core.text import clean
from loopdrill.services.browse import rating_name, span
from loopdrill.services.card_actions import CardInfo


def print_info(info: CardInfo, as_json: bool, fields: dict[str, Any]) -> None:
    """The card info, as text or JSON."""
    card = info.line.found.card
    memory = card.memory
    if as_json:
        fields.update({
            "back": info.back, "content": card.content, "source": card.source,
            "as_of": card.as_of.isoformat() if card.as_of else None,
            "reviews": [{
                "at": h.review.at.isoformat(), "rating": h.review.rating,
                "duration_ms": h.review.duration_ms, "typed": h.review.typed,
                "verdict": h.review.verdict, "interval_given_days": h.interval_given,
                "elapsed_days": h.review.elapsed_days, "cram": h.review.cram}
                for h in info.history],
            "manual": [{"at": m.at.isoformat(), "action": m.action,
                        "due": m.due.isoformat() if m.due else None} for m in info.manual],
        })
        click.echo(json.dumps(fields, indent=2, ensure_ascii=False))
        return
    r = info.line.retrievability
    rows = [
        ("card", card.id), ("deck", card.deck), ("kind", card.kind),
        ("front", info.front), ("back", info.back),
        ("source", card.source or "-"),
        ("as of", card.as_of.isoformat() if card.as_of else "-"),
        ("tags", " ".join(card.tags) or "-"),
        ("added", fields["added"] or "-"),
        ("state", info.line.state + (" (suspended)" if card.suspended else "")
         + (" (buried)" if fields["buried"] else "") + (" (retired)" if card.retired else "")),
        ("flag", str(info.line.found.flag or "-")),
        ("due", memory.due.strftime("%Y-%m-%d %H:%M UTC") if memory.due else "-"),
        ("interval", span(info.line.interval_days)),
        ("stability", span(memory.stability)),
        ("difficulty", "-" if memory.difficulty is None else f"{memory.difficulty:.2f}"),
        ("retrievability", "-" if r is None else f"{r:.1%} now"),
        ("reviews", str(memory.reps)), ("lapses", str(memory.lapses)),
    ]
    for label, value in rows:
        click.echo(f"{label:15} {clean(str(value))}")
    click.echo("")
    if not info.history and not info.manual:
        click.echo("no reviews yet")
        return
    entries: list[tuple[str, str]] = []
    for h in info.history:
        rv = h.review
        text = (f"{rating_name(rv.rating):5}  interval {span(h.interval_given):>10}"
                f"  elapsed {span(rv.elapsed_days):>10}  {rv.duration_ms / 1000:.1f}s"
                + ("  cram" if rv.cram else ""))
        if rv.typed is not None:
            judged = rv.verdict or {}
            verdict = ("right" if judged.get("correct") else "wrong") if judged else ""
            if judged.get("detail"):
                verdict += f": {judged['detail']}"
            text += f"  typed {clean(rv.typed)!r}" + (f" ({clean(verdict)})" if verdict else "")
        entries.append((rv.at.isoformat(), text))
    for m in info.manual:
        entries.append((m.at.isoformat(), f"{m.action}" + (
            f" to {m.due.strftime('%Y-%m-%d %H:%M UTC')}" if m.due else "")))
    click.echo(f"{'time (UTC)':19}  rating")
    for at, text in sorted(entries, key=lambda entry: entry[0]):
        click.echo(f"{at[:19].replace('T', ' ')}  {text}")
