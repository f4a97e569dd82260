"""What the browser does to cards, shared by the CLI and the TUI: card info with its
history, and suspend / unsuspend / bury / unbury / flag / forget / set due on the cards a
query matches (or on chosen ids), each returning how many and an undo snapshot."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from loopdrill.core.cards import back_spans, front_spans, plain
from loopdrill.core.search import parse_days
from loopdrill.core.timeutil import day_start, next_day_start, study_day
from loopdrill.services.browse import CardLine, context, line
from loopdrill.services.config import global_options
from loopdrill.store import card_ops, search
from loopdrill.store.card_info import ReviewLine, card_reviews
from loopdrill.store.card_ops import ManualEntry, Snapshot

ACTIONS = ("suspend", "unsuspend", "bury", "unbury", "flag", "unflag", "forget", "set-due")


def faces(kind: str, content: dict[str, Any]) -> tuple[str, str]:
    """A card's question and answer as one line of plain text each."""
    if kind in ("basic", "cloze"):
        return plain(front_spans(kind, content)), plain(back_spans(kind, content))
    answer = content.get("answer", "")
    if isinstance(answer, list):
        answer = ", ".join(str(a) for a in answer)
    unit = content.get("unit")
    return str(content.get("front", "")), f"{answer} {unit}" if unit else str(answer)


def get_line(db: Database, card_id: str, now: dt.datetime) -> CardLine | None:
    """One card as the browser lists it, retired or not; None when no card has this id."""
    ctx = context(db, now)
    found = next(search.find(db, ("id = ?", [card_id]), ctx), None)
    return line(found, ctx) if found else None


@dataclass(frozen=True)
class HistoryLine:
    """One answer with the interval it gave (the next answer's interval before, or the
    card's interval now for the last one)."""

    review: ReviewLine
    interval_given: float | None


@dataclass(frozen=True)
class CardInfo:
    """Everything `card ID` shows."""

    line: CardLine
    front: str
    back: str
    history: list[HistoryLine]
    manual: list[ManualEntry]


def card_info(db: Database, card_id: str, now: dt.datetime) -> CardInfo | None:
    """A card's content, schedule and every review; None when no card has this id."""
    found = get_line(db, card_id, now)
    if found is None:
        return None
    card = found.found.card
    reviews = card_reviews(db, card_id)
    history = []
    for at, review in enumerate(reviews):
        if review.cram:
            given = None
        elif at + 1 < len(reviews):
            given = next((r.interval_before for r in reviews[at + 1:] if not r.cram),
                         found.interval_days)
        else:
            given = found.interval_days
        history.append(HistoryLine(review, given))
    front, back = faces(card.kind, card.content)
    return CardInfo(found, front, back, history, card_ops.manual_entries(db, card_id))


def matching(db: Database, query: str, now: dt.datetime) -> list[str]:
    """The ids a query matches (core.search.SearchError when it cannot be read)."""
    from loopdrill.services.browse import clause

    where, _ = clause(db, query, now)
    return search.ids(db, where)


@dataclass(frozen=True)
class Done:
    """What an action did: cards changed, cards left alone (and why), and the snapshot that
    undoes it."""

    changed: int
    skipped: int
    why_skipped: str
    undo: Snapshot


def act(db: Database, action: str, ids: Sequence[str], now: dt.datetime, *,
        flag: int = 0, days: str = "0", rng: random.Random | None = None) -> Done:
    """Do `action` (one of ACTIONS) on these cards."""
    before = card_ops.snapshot(db, ids)
    skipped, why = 0, ""
    rollover = global_options(db).rollover_hour
    if action in ("suspend", "unsuspend"):
        changed = card_ops.set_suspended(db, ids, action == "suspend")
    elif action == "bury":
        changed = card_ops.set_buried(db, ids, next_day_start(now, rollover))
    elif action == "unbury":
        changed = card_ops.set_buried(db, ids, None)
    elif action in ("flag", "unflag"):
        changed = card_ops.set_flag(db, ids, flag if action == "flag" else 0)
    elif action == "forget":
        changed = card_ops.forget(db, ids, now)
    elif action == "set-due":
        low, high = parse_days(days)
        studied = [row[0] for row in before.rows if row[4] != 0]  # state column
        skipped, why = len(before.rows) - len(studied), "new cards have no schedule to move"
        today = study_day(now, rollover)
        pick = rng or random.Random()
        dues = {}
        for card_id in studied:
            offset = pick.randint(low, high)
            dues[card_id] = now if offset == 0 else day_start(
                today + dt.timedelta(days=offset), rollover)
        changed = card_ops.set_due(db, dues, now)
    else:
        raise ValueError(f"unknown action {action!r}")
    return Done(changed, skipped, why, before)


def undo(db: Database, done: Done) -> None:
    """Put the cards of an action back as they were."""
    card_ops.restore(db, done.undo)
