"""Today's work as Anki counts it: new / learning / review within the daily limits, what the
limits still allow, why a session ran out, and custom study (more new cards or reviews today
only, without changing the setting)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlite_utils import Database

from loopdrill.core.timeutil import day_start, from_stamp, next_day_start, study_day
from loopdrill.core.words import plural
from loopdrill.services.config import global_options, options_for
from loopdrill.store import queries, settings
from loopdrill.store.decks import deck_family, deck_slugs
from loopdrill.store.queries import Available, Scope

EXTRA_KEY = "custom_study"


@dataclass(frozen=True)
class Today:
    """Cards to study today: new ones to introduce, learning and review cards due."""

    new: int = 0
    learning: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class Allowance:
    """What today's limits still allow, per deck and overall (custom study included)."""

    new: dict[str, int]
    review: dict[str, int]
    new_overall: int
    review_overall: int
    new_limit: int  # the overall limits
    review_limit: int
    deck_limits: dict[str, tuple[int, int]]  # each deck's own (new, review) limits


def scope_decks(db: Database, scope: Scope) -> list[str]:
    """The decks a scope covers: each named deck with the decks under it in its tree, or
    every shown deck when it names none."""
    if scope.decks:
        return list(dict.fromkeys(s for d in scope.decks for s in deck_family(db, d)))
    return deck_slugs(db, shown=True)


def extra_today(db: Database, now: dt.datetime) -> tuple[int, int]:
    """Today's custom-study extension: (more new cards, more reviews)."""
    raw = settings.get_meta(db, EXTRA_KEY)
    rollover = global_options(db).rollover_hour
    try:
        stored = json.loads(raw) if raw else {}
        if stored.get("day") == study_day(now, rollover).isoformat():
            return int(stored.get("new", 0)), int(stored.get("review", 0))
    except (ValueError, TypeError, AttributeError):
        pass
    return 0, 0


def extend_today(db: Database, now: dt.datetime, *, new: int = 0, review: int = 0) -> None:
    """Custom study: raise today's new-card or review limit (every deck's and the overall one)
    by `new` / `review`, for this study day only; the options stay as they are."""
    more_new, more_review = extra_today(db, now)
    day = study_day(now, global_options(db).rollover_hour).isoformat()
    settings.set_meta(db, EXTRA_KEY, json.dumps(
        {"day": day, "new": more_new + max(0, new), "review": more_review + max(0, review)}))


def allowance(db: Database, decks: list[str], now: dt.datetime) -> Allowance:
    """What the daily limits still allow after today's answers (cram answers not counted)."""
    g = global_options(db)
    start = day_start(study_day(now, g.rollover_hour), g.rollover_hour)
    done = queries.studied_since(db, start)
    more_new, more_review = extra_today(db, now)
    new, review, limits = {}, {}, {}
    for deck in decks:
        opts = options_for(db, deck)
        limits[deck] = (opts.new_per_day + more_new, opts.reviews_per_day + more_review)
        new_today, reviews_today = done.get(deck, (0, 0))
        new[deck] = max(0, limits[deck][0] - new_today)
        review[deck] = max(0, limits[deck][1] - reviews_today)
    all_new = sum(n for n, _ in done.values())
    all_reviews = sum(r for _, r in done.values())
    return Allowance(new, review, max(0, g.new_per_day + more_new - all_new),
                     max(0, g.reviews_per_day + more_review - all_reviews),
                     g.new_per_day + more_new, g.reviews_per_day + more_review, limits)


def _day_end(db: Database, now: dt.datetime) -> dt.datetime:
    return next_day_start(now, global_options(db).rollover_hour)


def _limit_reached(allowed: Allowance, decks: list[str], which: int) -> str:
    """`is reached (N a day)` naming the limit that ended it (`which`: 0 new, 1 review): the
    overall one when it is used up, else the deck's own (each deck's, for several)."""
    if (allowed.new_overall, allowed.review_overall)[which] == 0 or not decks:
        return f"is reached ({(allowed.new_limit, allowed.review_limit)[which]} a day)"
    if len(decks) == 1:
        return f"for {decks[0]} is reached ({allowed.deck_limits[decks[0]][which]} a day)"
    return "of each deck here is reached"


def today_counts(db: Database, now: dt.datetime,
                 scope: Scope | None = None) -> tuple[dict[str, Today], Today]:
    """Each deck's counts for today within its own limits and the overall ones, and the
    total over the scope as a drill of all of it would show (the overall limits shared)."""
    scope = scope or Scope()
    decks = scope_decks(db, scope)
    available = queries.available_today(db, scope, now, _day_end(db, now))
    allowed = allowance(db, decks, now)
    per_deck: dict[str, Today] = {}
    new_left, review_left = allowed.new_overall, allowed.review_overall
    total_new = total_learning = total_review = 0
    for deck in decks:
        a = available.get(deck, Available())
        new = min(a.new, allowed.new[deck])
        review = min(a.review, allowed.review[deck])
        per_deck[deck] = Today(min(new, allowed.new_overall), a.learning,
                               min(review, allowed.review_overall))
        total_new += min(new, new_left)
        total_review += min(review, review_left)
        total_learning += a.learning
        new_left -= min(new, new_left)
        review_left -= min(review, review_left)
    return per_deck, Today(total_new, total_learning, total_review)


@dataclass(frozen=True)
class Ending:
    """Why a session has nothing more to show, and which limit (if one) ended it."""

    text: str
    limit: str | None = None  # "new" or "review": custom study can extend it


def why_over(db: Database, scope: Scope, now: dt.datetime) -> Ending:
    """Why nothing is left to study in a scope right now, in a sentence or two."""
    decks = scope_decks(db, scope)
    available = queries.available_today(db, scope, now, _day_end(db, now))
    cards = sum(a.cards for a in available.values())
    if not cards:
        return Ending("No cards here yet: import a deck with i on Home, or loopdrill import.")
    if sum(a.suspended for a in available.values()) == cards:
        return Ending(f"Every card here is suspended ({plural(cards, 'card')}): "
                      "loopdrill unsuspend brings them back.")
    allowed = allowance(db, decks, now)
    waiting_new = sum(a.new for a in available.values())
    waiting_review = sum(a.review for a in available.values())
    if waiting_review:
        return Ending(f"Today's review limit {_limit_reached(allowed, decks, 1)}; "
                      f"{plural(waiting_review, 'more review')} due.", "review")
    if waiting_new:
        return Ending(f"Today's new-card limit {_limit_reached(allowed, decks, 0)}; "
                      f"{plural(waiting_new, 'new card')} waiting.", "new")
    learning = sum(a.learning for a in available.values())
    if learning:
        soon = queries.next_due(db, scope, now)
        at = f": the next at {from_stamp(soon).astimezone():%H:%M}" if soon else ""
        verb = "comes" if learning == 1 else "come"
        return Ending(f"{plural(learning, 'learning card')} {verb} back later today{at}.")
    soon = queries.next_due(db, scope, now)
    when = f" The next is due {from_stamp(soon).astimezone():%Y-%m-%d %H:%M}." if soon else ""
    return Ending(f"Nothing more is due today.{when}")
