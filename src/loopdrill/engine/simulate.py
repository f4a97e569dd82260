"""A small deterministic simulation of the next year of reviews, to choose a desired retention.

fsrs-rs-python's `simulate` starts from an empty deck (its Python binding takes no existing
cards); this one starts from the learner's cards as they stand, and takes every FSRS formula
from the library (next_states: memory and interval) or engine.curve (the forgetting curve).
Per day, in order:

1. Review cards whose due day has come, oldest due first, up to the daily review limit if
   one is set (the rest wait a day; retention is compared without one, since a limit hides
   the workload a retention asks for). Recall happens with the FSRS-6 retrievability after
   the elapsed days; a recalled card is rated Hard/Good/Easy with the learner's own mix, a
   forgotten one Again.
   Stability and difficulty after each answer are fsrs-rs-python's (`FSRS.next_states`, the
   library's FSRS-6); after Again the card is relearned the same day (one more review, a Good
   short-term step) before its next interval.
2. Introduce new cards up to the daily new-card limit while any remain: the first rating is
   drawn from the learner's mix; after Again or Hard one more same-day review (Good).
3. The next interval is fsrs-rs' for the desired retention (next_states), in whole days as
   py-fsrs rounds it, capped at the maximum interval (no fuzz).

Every review (learning steps included) costs the learner's mean answer time. Knowledge at the
end is the sum of retrievability over every studied card on the last day. The generator is
seeded, and each retention is run with the same seed, so the rows compare like for like.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import fsrs_rs_python as rs

from loopdrill.engine.curve import forgetting_curve

_DEFAULTS = rs.default_simulator_config()  # fsrs-rs' own rating mix (float32, so rounded)
FIRST_RATINGS = tuple(round(p, 6) for p in _DEFAULTS.first_rating_prob)  # Again..Easy
RECALL_RATINGS = tuple(round(p, 6) for p in _DEFAULTS.review_rating_prob)  # Hard..Easy
RATING_NAMES = ("", "again", "hard", "good", "easy")  # NextStates' attribute per rating


@dataclass(frozen=True)
class SimCard:
    """A studied card at the start: memory, days since its last review, days until due."""

    stability: float
    difficulty: float
    elapsed: float
    due_in: int


@dataclass(frozen=True)
class SimSetup:
    """Everything but the retention: limits, the learner's habits, the horizon."""

    days: int = 365
    new_cards: int = 0
    new_per_day: float = 20  # may be fractional when simulating a sample of the cards
    reviews_per_day: int | None = None
    maximum_interval: int = 36500
    first_ratings: tuple[float, ...] = FIRST_RATINGS
    recall_ratings: tuple[float, ...] = RECALL_RATINGS
    seed: int = 42


@dataclass(frozen=True)
class SimResult:
    """One retention's year: reviews (every answer), new cards learned, sum of R at the end."""

    retention: float
    reviews: int
    learned: int
    knowledge: float


def simulate(w: Sequence[float], retention: float, cards: Sequence[SimCard],
             setup: SimSetup) -> SimResult:
    """Simulate `setup.days` days of study at `retention` (see the module docstring)."""
    model, recall = rs.FSRS(list(w)), forgetting_curve(w[20])
    rng = random.Random(setup.seed)
    rand = rng.random

    next_states = model.next_states

    def answer(memory: Any, rating: int, elapsed: int) -> Any:
        """fsrs-rs' state (memory, interval) after answering `rating` `elapsed` whole days
        after the last review."""
        return getattr(next_states(memory, retention, elapsed), RATING_NAMES[rating])

    def due_day(day: int, state: Any) -> int:
        """The day the state's interval (whole days, 1 to the maximum) comes back on."""
        whole = min(max(round(float(state.interval)), 1), setup.maximum_interval)
        return min(day + whole, setup.days)

    def pick(weights: Sequence[float], offset: int) -> int:
        x, total = rand() * sum(weights), 0.0
        for index, p in enumerate(weights):
            total += p
            if x < total:
                return index + offset
        return len(weights) - 1 + offset

    memories = [rs.MemoryState(c.stability, c.difficulty) for c in cards]
    last = [-c.elapsed for c in cards]
    buckets: list[list[int]] = [[] for _ in range(setup.days + 1)]
    for index, card in enumerate(cards):
        buckets[min(max(card.due_in, 0), setup.days)].append(index)
    reviews = learned = 0
    owed = 0.0  # new cards due so far (fractional per day for a sample)
    backlog: list[int] = []
    for day in range(setup.days):
        due = backlog + buckets[day]
        limit = len(due) if setup.reviews_per_day is None else setup.reviews_per_day
        backlog = due[limit:]
        for i in due[:limit]:
            elapsed = max(int(day - last[i]), 0)
            reviews += 1
            if rand() < recall(elapsed, memories[i].stability):
                state = answer(memories[i], pick(setup.recall_ratings, 2), elapsed)
            else:
                state = answer(answer(memories[i], 1, elapsed).memory, 3, 0)
                reviews += 1
            memories[i], last[i] = state.memory, day
            buckets[due_day(day, state)].append(i)
        owed += setup.new_per_day
        fresh = min(int(owed) - learned, setup.new_cards - learned)
        for _ in range(max(fresh, 0)):
            rating = pick(setup.first_ratings, 1)
            state = answer(None, rating, 0)
            reviews += 1
            if rating < 3:
                state, reviews = answer(state.memory, 3, 0), reviews + 1
            memories.append(state.memory)
            last.append(day)
            buckets[due_day(day, state)].append(len(memories) - 1)
            learned += 1
    end = setup.days
    knowledge = sum(recall(end - t, m.stability)
                    for m, t in zip(memories, last, strict=True))
    return SimResult(retention, reviews, learned, knowledge)
