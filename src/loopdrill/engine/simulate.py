"""A small deterministic simulation of the next year of reviews, to choose a desired retention.

fsrs-rs-python's `simulate` starts from an empty deck; this one starts from the learner's
cards as they stand. Per day, in order:

1. Review cards whose due day has come, oldest due first, up to the daily review limit if
   one is set (the rest wait a day; retention is compared without one, since a limit hides
   the workload a retention asks for). Recall happens with the FSRS-6 retrievability after
   the elapsed days; a recalled card is rated Hard/Good/Easy with the learner's own mix, a
   forgotten one Again.
   Stability and difficulty follow the FSRS-6 formulas; after Again the card is relearned
   the same day (one more review, a Good short-term step) before its next interval.
2. Introduce new cards up to the daily new-card limit while any remain: the first rating is
   drawn from the learner's mix; after Again or Hard one more same-day review (Good).
3. The next interval is py-fsrs' for the desired retention, capped at the maximum interval
   (no fuzz).

Every review (learning steps included) costs the learner's mean answer time. Knowledge at the
end is the sum of retrievability over every studied card on the last day. The generator is
seeded, and each retention is run with the same seed, so the rows compare like for like.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from loopdrill.engine.curve import next_interval, retrievability_after

FIRST_RATINGS = (0.24, 0.094, 0.495, 0.171)  # fsrs-rs' defaults: Again, Hard, Good, Easy
RECALL_RATINGS = (0.224, 0.631, 0.145)  # Hard, Good, Easy among recalled reviews


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
    decay = w[20]
    rng = random.Random(setup.seed)
    rand = rng.random
    easy_d = w[4] - math.exp(w[5] * 3) + 1

    def interval(s: float) -> int:
        return next_interval(s, retention, decay, setup.maximum_interval)

    def next_d(d: float, rating: int) -> float:
        d2 = d + (10.0 - d) * (-w[6] * (rating - 3)) / 9.0
        return min(max(w[7] * easy_d + (1 - w[7]) * d2, 1.0), 10.0)

    def short_s(s: float, rating: int) -> float:
        inc: float = math.exp(w[17] * (rating - 3 + w[18])) * s ** -w[19]
        return max(s * (max(inc, 1.0) if rating >= 2 else inc), 0.001)

    def pick(weights: Sequence[float], offset: int) -> int:
        x, total = rand() * sum(weights), 0.0
        for index, p in enumerate(weights):
            total += p
            if x < total:
                return index + offset
        return len(weights) - 1 + offset

    stab = [c.stability for c in cards]
    diff = [c.difficulty for c in cards]
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
            s, d = stab[i], diff[i]
            r = retrievability_after(day - last[i], s, decay)
            reviews += 1
            if rand() < r:
                rating = pick(setup.recall_ratings, 2)
                s = s * (1 + math.exp(w[8]) * (11 - d) * s ** -w[9]
                         * (math.exp((1 - r) * w[10]) - 1)
                         * (w[15] if rating == 2 else 1) * (w[16] if rating == 4 else 1))
            else:
                rating = 1
                s = min(w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * math.exp((1 - r) * w[14]),
                        s / math.exp(w[17] * w[18]))
                d = next_d(d, 1)
                s, rating, reviews = short_s(max(s, 0.001), 3), 3, reviews + 1
            stab[i], diff[i], last[i] = max(s, 0.001), next_d(d, rating), day
            buckets[min(day + interval(stab[i]), setup.days)].append(i)
        owed += setup.new_per_day
        fresh = min(int(owed) - learned, setup.new_cards - learned)
        for _ in range(max(fresh, 0)):
            rating = pick(setup.first_ratings, 1)
            s = max(w[rating - 1], 0.001)
            d = min(max(w[4] - math.exp(w[5] * (rating - 1)) + 1, 1.0), 10.0)
            reviews += 1
            if rating < 3:
                s, d, reviews = short_s(s, 3), next_d(d, 3), reviews + 1
            stab.append(s)
            diff.append(d)
            last.append(day)
            buckets[min(day + interval(s), setup.days)].append(len(stab) - 1)
            learned += 1
    end = setup.days
    knowledge = sum(retrievability_after(end - t, s, decay) for s, t in zip(stab, last,
                                                                            strict=True))
    return SimResult(retention, reviews, learned, knowledge)
