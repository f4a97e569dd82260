"""FSRS policy: the scheduler for a deck's options, one answer, previews and leech rules."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import fsrs
import fsrs.scheduler

from loopdrill.core.model import CardState, Rating
from loopdrill.core.options import Options

# py-fsrs draws its fuzz from `random.random`, bound at import in fsrs.scheduler. Point it at
# our own generator, seeded per answer, so fuzz is reproducible (a preview and the answer it
# previews agree) without saving and restoring the global random state on every answer.
_FUZZ = random.Random()
fsrs.scheduler.random = _FUZZ.random  # type: ignore[attr-defined]

_FSRS_STATE = {
    CardState.LEARNING: fsrs.State.Learning,
    CardState.REVIEW: fsrs.State.Review,
    CardState.RELEARNING: fsrs.State.Relearning,
}


class Memory(NamedTuple):
    """A card's scheduling state: what the revlog's before/after columns hold.

    A named tuple rather than a dataclass: replaying a long history builds one per review."""

    state: CardState = CardState.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: dt.datetime | None = None
    last_review: dt.datetime | None = None
    reps: int = 0
    lapses: int = 0

    @property
    def interval_days(self) -> float:
        """Days between the last review and the due date (0 for new cards)."""
        if self.due is None or self.last_review is None:
            return 0.0
        return (self.due - self.last_review).total_seconds() / 86400


@dataclass(frozen=True)
class Outcome:
    """What one rating does to a card."""

    rating: Rating
    after: Memory
    lapse: bool

    @property
    def interval(self) -> dt.timedelta:
        assert self.after.due is not None and self.after.last_review is not None
        return self.after.due - self.after.last_review


def make_scheduler(
    options: Options, parameters: Sequence[float] | None = None, *, fuzz: bool = True
) -> fsrs.Scheduler:
    """An fsrs.Scheduler for these options (library default parameters unless fitted ones)."""
    kwargs: dict[str, tuple[float, ...]] = {}
    if parameters is not None:
        kwargs["parameters"] = tuple(round(float(p), 6) for p in parameters)
    return fsrs.Scheduler(
        desired_retention=options.desired_retention,
        learning_steps=tuple(dt.timedelta(minutes=m) for m in options.learning_steps),
        relearning_steps=tuple(dt.timedelta(minutes=m) for m in options.relearning_steps),
        maximum_interval=options.maximum_interval,
        enable_fuzzing=fuzz,
        **kwargs,
    )


def to_fsrs(memory: Memory, now: dt.datetime) -> fsrs.Card:
    """The fsrs.Card for a memory state (a new card starts learning at step 0)."""
    if memory.state == CardState.NEW:
        return fsrs.Card(card_id=1, state=fsrs.State.Learning, step=0, due=now)
    return fsrs.Card(
        card_id=1,
        state=_FSRS_STATE[memory.state],
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=memory.due or now,
        last_review=memory.last_review,
    )


def answer(
    scheduler: fsrs.Scheduler, memory: Memory, rating: Rating, now: dt.datetime, seed: str = ""
) -> Outcome:
    """Apply one rating at `now`. Fuzz draws from a generator seeded by `seed`, the card's
    reps and the rating, so a preview and the answer it previews agree."""
    return _answer(scheduler, memory, rating, now, zlib.crc32(seed.encode()))


def _answer(scheduler: fsrs.Scheduler, memory: Memory, rating: Rating, now: dt.datetime,
            seed: int) -> Outcome:
    _FUZZ.seed(seed * 1_000_003 + memory.reps * 7 + int(rating))
    new, _ = scheduler.review_card(to_fsrs(memory, now), fsrs.Rating(int(rating)), now)
    lapse = memory.state == CardState.REVIEW and rating == Rating.AGAIN
    after = Memory(
        state=CardState(int(new.state)),
        step=new.step,
        stability=new.stability,
        difficulty=new.difficulty,
        due=new.due,
        last_review=new.last_review,
        reps=memory.reps + 1,
        lapses=memory.lapses + (1 if lapse else 0),
    )
    return Outcome(rating, after, lapse)


def preview(
    scheduler: fsrs.Scheduler, memory: Memory, now: dt.datetime, seed: str = ""
) -> dict[Rating, Outcome]:
    """The outcome of each of the four ratings, for the button labels."""
    number = zlib.crc32(seed.encode())
    return {r: _answer(scheduler, memory, r, now, number) for r in Rating}


def retrievability(scheduler: fsrs.Scheduler, memory: Memory, now: dt.datetime) -> float | None:
    """FSRS's predicted chance of recall at `now` (None for cards never studied)."""
    if memory.state == CardState.NEW or memory.last_review is None:
        return None
    return float(scheduler.get_card_retrievability(to_fsrs(memory, now), now))


def is_leech(after: Memory, options: Options) -> bool:
    """A card becomes a leech when its lapses reach the threshold."""
    return after.lapses >= options.leech_threshold


def interval_label(delta: dt.timedelta) -> str:
    """Short Anki-style interval text: <1m, 10m, 3h, 2d, 1.5mo, 2.1y."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
