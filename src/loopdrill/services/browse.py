"""The card browser's searches, shared by the CLI and the TUI: parse a query, measure it
from now, and list or count the cards it matches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database

from loopdrill.core.model import CardState, Rating
from loopdrill.core.search import parse
from loopdrill.core.timeutil import day_start, study_day
from loopdrill.engine.curve import DEFAULT_DECAY, retrievability
from loopdrill.services.config import global_options
from loopdrill.services.params import parameters_for
from loopdrill.store import search
from loopdrill.store.search import FoundCard, SearchContext, Sql

STALE_DAYS = 180
STATE_NAMES = {CardState.NEW: "new", CardState.LEARNING: "learning",
               CardState.REVIEW: "review", CardState.RELEARNING: "relearning"}


def context(db: Database, now: dt.datetime) -> SearchContext:
    """The search context for `now`: study days by the rollover hour, the global decay."""
    rollover = global_options(db).rollover_hour
    today = study_day(now, rollover)
    params = parameters_for(db, None)
    return SearchContext(
        now=now, day=lambda n: day_start(today + dt.timedelta(days=n), rollover),
        decay=params[20] if params and len(params) > 20 else DEFAULT_DECAY,
        stale_before=now.date() - dt.timedelta(days=STALE_DAYS))


def clause(db: Database, query: str, now: dt.datetime) -> tuple[Sql, SearchContext]:
    """The WHERE clause of a query (core.search.SearchError when it cannot be read)."""
    ctx = context(db, now)
    return search.where(parse(query), ctx), ctx


def span(days: float | None) -> str:
    """An interval or a stability, short: 10m, 5h, 2.8d, 11d ('-' for none)."""
    if days is None:
        return "-"
    if days < 1 / 24:
        return f"{round(days * 1440)}m"
    if days < 1:
        return f"{round(days * 24)}h"
    return f"{days:.1f}d" if days < 10 else f"{days:.0f}d"


def rating_name(rating: int) -> str:
    """Again, Hard, Good or Easy."""
    return Rating(rating).name.title() if 1 <= rating <= 4 else str(rating)


@dataclass(frozen=True)
class CardLine:
    """One card as the browser lists it."""

    found: FoundCard
    state: str
    interval_days: float | None
    retrievability: float | None

    @property
    def id(self) -> str:
        return self.found.card.id


def line(found: FoundCard, ctx: SearchContext) -> CardLine:
    """A found card with its state name, interval and retrievability now."""
    memory = found.card.memory
    interval = None
    if memory.due is not None and memory.last_review is not None:
        interval = round((memory.due - memory.last_review).total_seconds() / 86400, 2)
    r = None
    if memory.stability is not None and memory.last_review is not None:
        r = retrievability(memory.stability, memory.last_review, ctx.now, ctx.decay)
    return CardLine(found, STATE_NAMES[memory.state], interval, r)


def find_cards(db: Database, query: str, now: dt.datetime, *, sort: str = "",
               limit: int | None = None) -> list[CardLine]:
    """The cards a query matches, in `sort` order (added order when empty), at most `limit`."""
    return search_page(db, query, now, sort=sort, limit=limit)[1]


def search_page(db: Database, query: str, now: dt.datetime, *, sort: str = "",
                limit: int | None = None) -> tuple[int, list[CardLine]]:
    """How many cards a query matches, and the first `limit` of them in `sort` order."""
    where, ctx = clause(db, query, now)
    total = search.count(db, where)
    if total == 0:
        return 0, []
    common = limit is not None and total > 20 * limit
    found = search.find(db, where, ctx, sort=sort, limit=limit, common=common)
    return total, [line(f, ctx) for f in found]


def count_cards(db: Database, query: str, now: dt.datetime) -> int:
    """How many cards a query matches."""
    where, _ = clause(db, query, now)
    return search.count(db, where)
