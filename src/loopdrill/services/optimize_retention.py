"""Choosing a desired retention: a year simulated from the learner's cards for each candidate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import fsrs
from sqlite_utils import Database

from loopdrill.engine.simulate import (
    FIRST_RATINGS,
    RECALL_RATINGS,
    SimCard,
    SimSetup,
    simulate,
)
from loopdrill.services.config import options_for
from loopdrill.services.params import parameters_for
from loopdrill.store.history import mean_answer_ms, rating_mix
from loopdrill.store.queries import active_new_cards, simulation_cards

RETENTIONS = (0.75, 0.80, 0.85, 0.90, 0.95)
DAYS = 365
DEFAULT_SECONDS = 8.0
SAMPLE = 4000  # studied cards simulated at most (every k-th by id; figures scaled back up)


@dataclass(frozen=True)
class RetentionRow:
    """One desired retention over the next year."""

    retention: float
    reviews_per_day: float  # mean, learning steps included
    minutes_total: float  # at the learner's mean answer time
    remembered: float  # knowledge at the end: sum of retrievability over studied cards
    seconds_per_card: float  # review time per card remembered
    best: bool = False  # the least review time per card remembered


def _mix(db: Database, deck: str | None, first: bool) -> tuple[float, ...]:
    """The learner's rating mix: first answers (Again..Easy), or recalled reviews (Hard..Easy)."""
    counts = rating_mix(db, deck, first)
    ratings = range(1, 5) if first else range(2, 5)
    total = sum(counts.values())
    if total < 50:  # too few to say: the defaults fsrs-rs uses
        return FIRST_RATINGS if first else RECALL_RATINGS
    return tuple(counts.get(r, 0) / total for r in ratings)


def simulate_retention(db: Database, now: dt.datetime, deck: str | None = None, *,
                       parameters: Sequence[float] | None = None,
                       retentions: Sequence[float] = RETENTIONS) -> list[RetentionRow]:
    """Daily reviews, total time and knowledge after a year for each desired retention, with
    `parameters` (default: those in force) from the cards as they stand at `now` (at most
    SAMPLE studied cards, with new cards and the daily new-card limit scaled alike, and the
    figures scaled back to the whole collection); the row with the least review time per card
    remembered is marked best."""
    w = list(parameters or parameters_for(db, deck) or fsrs.Scheduler().parameters)
    opts = options_for(db, deck)
    rows = simulation_cards(db, deck)
    step = max(1, -(-len(rows) // SAMPLE))
    share = len(rows[::step]) / len(rows) if rows else 1.0
    cards = []
    for stability, difficulty, last, due in rows[::step]:
        elapsed = (now - dt.datetime.fromisoformat(last)).total_seconds() / 86400
        due_in = (dt.datetime.fromisoformat(due) - now).total_seconds() / 86400
        cards.append(SimCard(max(stability, 0.001), difficulty, max(elapsed, 0.0),
                             max(int(due_in), 0)))
    new_cards = active_new_cards(db, deck)
    mean_ms = mean_answer_ms(db, deck)
    seconds = mean_ms / 1000 if mean_ms else DEFAULT_SECONDS
    setup = SimSetup(days=DAYS, new_cards=round(new_cards * share),
                     new_per_day=opts.new_per_day * share,
                     maximum_interval=opts.maximum_interval,
                     first_ratings=_mix(db, deck, True), recall_ratings=_mix(db, deck, False))
    out = []
    for retention in retentions:
        result = simulate(w, retention, cards, setup)
        reviews, knowledge = result.reviews / share, result.knowledge / share
        total = reviews * seconds
        out.append(RetentionRow(retention, reviews / DAYS, total / 60, knowledge,
                                total / knowledge if knowledge else 0.0))
    if not any(r.remembered for r in out):
        return out
    best = min((r for r in out if r.remembered), key=lambda r: r.seconds_per_card)
    return [RetentionRow(r.retention, r.reviews_per_day, r.minutes_total, r.remembered,
                         r.seconds_per_card, r is best) for r in out]
