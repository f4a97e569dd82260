"""Rebuild a card's memory state by replaying its review history through FSRS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

import fsrs

from loopdrill.core.fastfsrs import LeanScheduler
from loopdrill.core.model import Rating
from loopdrill.core.queue import retrievability_after
from loopdrill.core.scheduling import Memory, answer


class Step(NamedTuple):
    """One replayed review: the state before and after, and R predicted before it."""

    reviewed_at: dt.datetime
    rating: Rating
    before: Memory
    after: Memory
    retrievability: float | None
    cram: bool


def replay(
    plain: fsrs.Scheduler,
    fuzzed: fsrs.Scheduler,
    history: Sequence[tuple[dt.datetime, Rating, bool]],
    seed: str,
) -> list[Step]:
    """Replay (time, rating, cram) reviews from a new card, oldest first.

    Every review but the last uses `plain` (no fuzz) so the states are reproducible; the last
    uses `fuzzed`, seeded by `seed`, so imported cards do not all fall due together. Cram
    reviews are kept as steps but leave the state alone.
    """
    decay = float(plain.parameters[20])
    lean = LeanScheduler(plain)
    memory = Memory()
    steps: list[Step] = []
    last = max((i for i, (_, _, cram) in enumerate(history) if not cram), default=-1)
    for index, (moment, rating, cram) in enumerate(history):
        r = None
        if memory.last_review is not None and memory.stability is not None:
            days = (moment - memory.last_review).total_seconds() / 86400
            r = retrievability_after(days, memory.stability, decay)
        if cram:
            steps.append(Step(moment, rating, memory, memory, r, True))
            continue
        if index == last:
            after = answer(fuzzed, memory, rating, moment, seed).after
        else:
            after = lean.review(memory, int(rating), moment)
        steps.append(Step(moment, rating, memory, after, r, False))
        memory = after
    return steps

