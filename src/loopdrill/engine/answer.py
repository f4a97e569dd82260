"""FSRS policy: the scheduler for a deck's options, one answer, previews and leech rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import fsrs

from loopdrill.core.model import CardState, Rating
from loopdrill.core.options import Options
from loopdrill.engine.fuzz import fuzz_draw, fuzzed_days

if TYPE_CHECKING:
    import fsrs_rs_python as rs

SM2_EASE = 2.5  # Anki's starting ease factor: the one of a card whose ease is not known
SM2_RETENTION = 0.9  # Anki's default "historical retention" of SM-2 reviews
_FSRS_STATE = {
    CardState.LEARNING: fsrs.State.Learning,
    CardState.REVIEW: fsrs.State.Review,
    CardState.RELEARNING: fsrs.State.Relearning,
}
_STATE = {fsrs_state: state for state, fsrs_state in _FSRS_STATE.items()}
_FSRS_RATING = {rating: fsrs.Rating(int(rating)) for rating in Rating}
PASSING = (Rating.HARD, Rating.GOOD, Rating.EASY)


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


@lru_cache(maxsize=16)
def _model(parameters: tuple[float, ...]) -> rs.FSRS:
    import fsrs_rs_python as rs  # only a card scheduled by SM-2 needs the Rust model here

    try:
        return rs.FSRS(list(parameters))
    except (ValueError, TypeError):  # parameters of another FSRS version: the defaults
        return rs.FSRS([])


def from_sm2(ease: float, interval: float, retention: float = SM2_RETENTION,
             parameters: Sequence[float] = ()) -> tuple[float, float]:
    """(stability, difficulty) of a card SM-2 scheduled at `interval` days with this ease
    factor (2.5 for 250%), as Anki derives them when FSRS is switched on for such a card
    (fsrs-rs' memory_state_from_sm2); `parameters` empty: FSRS' defaults."""
    state = _model(tuple(float(p) for p in parameters)).memory_state_from_sm2(
        float(ease) if ease > 0 else SM2_EASE, max(1.0, float(interval)), float(retention))
    return float(state.stability), min(10.0, max(1.0, float(state.difficulty)))


def settled(memory: Memory) -> Memory:
    """A review or relearning card with no memory state (an Anki card scheduled by SM-2 that
    an older loopdrill imported without one) as a lapse-free review: its stability and
    difficulty from SM-2 (Anki's starting ease) at the interval between its last review and
    its due date (1 day when that is not known, its last review then a day before its due
    date), a relearning card at its first step when it has none. Any other card as it is.
    Live answers (to_fsrs) and replays (engine.replay) start such a card from this."""
    if memory.state not in (CardState.REVIEW, CardState.RELEARNING) or (
            memory.stability is not None and memory.difficulty is not None):
        return memory
    days = max(1.0, memory.interval_days) if memory.last_review is not None else 1.0
    last = memory.last_review
    if last is None and memory.due is not None:
        last = memory.due - dt.timedelta(days=days)
    stability, difficulty = from_sm2(SM2_EASE, days)
    step = memory.step if memory.step is not None or memory.state == CardState.REVIEW else 0
    return memory._replace(step=step, stability=memory.stability or stability,
                           difficulty=difficulty, last_review=last)


def to_fsrs(memory: Memory, now: dt.datetime) -> fsrs.Card:
    """The fsrs.Card for a memory state (a new card starts learning at step 0; a card with
    no memory state is settled first)."""
    if memory.state == CardState.NEW:
        return fsrs.Card(card_id=1, state=fsrs.State.Learning, step=0, due=now)
    memory = settled(memory)
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
    """Apply one rating at `now`. py-fsrs computes it without fuzz; when the scheduler fuzzes,
    a review interval is fuzzed here with py-fsrs' formula and the draw engine.fuzz fixes by
    `seed` (the card id), the card's reps and the rating: the draw a replay of the card's log
    makes, and the one a preview of the answer made."""
    plain = _unfuzzed(scheduler)
    new, _ = plain.review_card(to_fsrs(memory, now), _FSRS_RATING[rating], now)
    due = new.due
    if scheduler.enable_fuzzing and new.state == fsrs.State.Review:
        days = (due - now) // dt.timedelta(days=1)
        draw = fuzz_draw(seed, memory.reps, int(rating))
        due = now + dt.timedelta(days=fuzzed_days(days, scheduler.maximum_interval, draw))
    lapse = memory.state == CardState.REVIEW and rating == Rating.AGAIN
    after = Memory(
        state=_STATE[new.state],
        step=new.step,
        stability=new.stability,
        difficulty=new.difficulty,
        due=due,
        last_review=new.last_review,
        reps=memory.reps + 1,
        lapses=memory.lapses + (1 if lapse else 0),
    )
    return Outcome(rating, after, lapse)


# id(scheduler) -> (scheduler, its twin without fuzz); the scheduler is kept so its id is not
# reused while the entry lives (fsrs.Scheduler defines __eq__, so it cannot be a dict key)
_UNFUZZED: dict[int, tuple[fsrs.Scheduler, fsrs.Scheduler]] = {}


def _unfuzzed(scheduler: fsrs.Scheduler) -> fsrs.Scheduler:
    """The scheduler itself, or its twin without fuzz (made once per scheduler)."""
    if not scheduler.enable_fuzzing:
        return scheduler
    pair = _UNFUZZED.get(id(scheduler))
    if pair is None:
        if len(_UNFUZZED) >= 256:  # a long-running process makes a few per deck and session
            _UNFUZZED.clear()
        twin = fsrs.Scheduler.from_dict({**scheduler.to_dict(), "enable_fuzzing": False})
        pair = _UNFUZZED[id(scheduler)] = (scheduler, twin)
    return pair[1]


def preview(
    scheduler: fsrs.Scheduler, memory: Memory, now: dt.datetime, seed: str = ""
) -> dict[Rating, Outcome]:
    """The outcome of each of the four ratings as FSRS gives it, before in_order (the
    buttons' labels come from answer_in_order; the tests compare them with this)."""
    return {r: answer(scheduler, memory, r, now, seed) for r in Rating}


def in_order(before: Memory, outcomes: dict[Rating, Outcome]) -> dict[Rating, Outcome]:
    """Hard < Good < Easy for a review card, at least a day apart, as Anki keeps them: when
    FSRS (or its fuzz) gives Good no more days than Hard, Good becomes Hard + 1 day, and Easy
    at least Good + 1. Only the due date moves; the memory state is FSRS's. Learning and
    relearning steps (minutes) are left as they are."""
    if before.state != CardState.REVIEW:
        return outcomes
    ordered = dict(outcomes)
    floor: int | None = None
    for rating in PASSING:
        outcome = ordered.get(rating)
        if outcome is None or outcome.after.state != CardState.REVIEW:
            floor = None
            continue
        days = round(outcome.interval.total_seconds() / 86400)
        if floor is not None and days < floor:
            assert outcome.after.last_review is not None
            due = outcome.after.last_review + dt.timedelta(days=floor)
            ordered[rating] = Outcome(rating, outcome.after._replace(due=due), outcome.lapse)
            days = floor
        floor = days + 1
    return ordered


def answer_in_order(scheduler: fsrs.Scheduler, memory: Memory, rating: Rating,
                    now: dt.datetime, seed: str = "", *,
                    all_passing: bool = False) -> dict[Rating, Outcome]:
    """The outcome of `rating` with the buttons kept in order (in_order), so what a button
    shows is what an answer applies. For a passing review: the outcomes of the passing
    ratings up to `rating` (in_order raises each one from those below it only), or all three
    with `all_passing` (the buttons' labels); the one asked for otherwise."""
    if memory.state != CardState.REVIEW or rating == Rating.AGAIN:
        return {rating: answer(scheduler, memory, rating, now, seed)}
    upto = PASSING if all_passing else PASSING[:PASSING.index(rating) + 1]
    return in_order(memory, {r: answer(scheduler, memory, r, now, seed) for r in upto})


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
