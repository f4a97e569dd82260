"""Replaying review logs: a card's state is the replay of its log, from its newest manual
baseline (a forget, a set-due, an Anki import of its schedule) or from new.

Memory states (stability, difficulty) come from fsrs-rs-python in one batch call per chunk of
cards (`FSRS.historical_memory_state_batch`), with elapsed days counted as py-fsrs counts them:
whole 24-hour periods since the previous answer. On top of them, once, what the drill does
with py-fsrs (`fsrs.Scheduler`): the learning-step state machine, the interval from stability
(engine.curve.interval_rule), and on the last answer the fuzz (engine.fuzz) and the
Hard < Good < Easy order (engine.answer.in_order). Earlier answers are replayed unfuzzed (no
due date but the last affects a card's state). Cram answers are kept as rows and leave the
state alone.

fsrs-rs computes in float32: its stabilities and difficulties are within a few millionths
(relative) of py-fsrs' float64 ones (3.2e-6 at most on 3,000 random histories of up to 60
answers), so doctor compares them with STATE_TOLERANCE, and a due date with the one the stored
stability gives (replay's last_stability): a stability at a whole number of days and a half
rounds to either day (6 cards of 20,000 on the 200,000-review workload, none on the 1M one).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import fsrs
import fsrs_rs_python as rs

from loopdrill.core.model import CardState, Rating
from loopdrill.core.timeutil import from_stamp
from loopdrill.engine.answer import Memory, Outcome, in_order, settled
from loopdrill.engine.curve import forgetting_curve, interval_rule
from loopdrill.engine.fuzz import fuzz_draw, fuzzed_days

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
US_PER_DAY = 86_400_000_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
CHUNK_REVIEWS = 50_000  # answers per batch call: bounds the memory states held at once
STATE_TOLERANCE = 1e-4  # relative, on stability and difficulty (float32 against float64)
MAX_STABILITY = 36_500.0  # fsrs-rs' ceiling (py-fsrs has none)

# (state, step, stability, difficulty, due µs, last review µs, reps, lapses)
MemoryRow = tuple[int, int | None, float | None, float | None, int | None, int | None, int, int]
# a revlog row's replayed columns: state before, reps before, lapses before, interval before
# (whole days), whole 24-hour periods since the last review, R before (millionths)
StepRow = tuple[int, int, int, int, int, int | None]
NEW_MEMORY: MemoryRow = (NEW, None, None, None, None, None, 0, 0)
History = Sequence[tuple[int, int, bool]]  # (time µs, rating 1-4, cram), oldest first
T = TypeVar("T")


def to_micros(moment: dt.datetime) -> int:
    """Whole microseconds since the Unix epoch of an aware datetime (exact)."""
    return (moment - EPOCH) // MICROSECOND


def from_micros(micros: int) -> dt.datetime:
    """The inverse of to_micros (UTC)."""
    return EPOCH + dt.timedelta(microseconds=micros)


def manual_start(action: str, before: str, due: str | None) -> MemoryRow:
    """The state a manual-log entry leaves (store.card_ops.log_manual writes `before` as the
    JSON of store.card_ops.SNAPSHOT): a forget leaves a new card, a set-due the state before
    with the due date given, an Anki import the state it set."""
    if action == "forget":
        return NEW_MEMORY
    state, step, s, d, old_due, last, reps, lapses = json.loads(before)[3:]
    due = due if action == "set-due" else old_due
    return (int(state), step, s, d, to_micros(from_stamp(due)) if due else None,
            to_micros(from_stamp(last)) if last else None, int(reps), int(lapses))


def _settled(start: MemoryRow) -> MemoryRow:
    """A start without a memory state that is answered: as the drill answers it
    (engine.answer.settled)."""
    state, step, s, d, due, last, reps, lapses = start
    if state not in (REVIEW, RELEARNING) or (s is not None and d is not None):
        return start
    memory = settled(Memory(CardState(state), step, s, d,
                            from_micros(due) if due is not None else None,
                            from_micros(last) if last is not None else None, reps, lapses))
    return (state, memory.step, memory.stability, memory.difficulty, due,
            to_micros(memory.last_review) if memory.last_review else None, reps, lapses)


def batches(jobs: Iterable[T], at: int) -> Iterator[list[T]]:
    """The jobs in lists of about CHUNK_REVIEWS answers (each job's `at` item is its log)."""
    chunk: list[T] = []
    size = 0
    for job in jobs:
        chunk.append(job)
        size += len(job[at])  # type: ignore[index]
        if size >= CHUNK_REVIEWS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _steps(steps: Sequence[dt.timedelta]) -> tuple[tuple[int, ...], int]:
    """The steps in µs, and the Hard wait on the first step as py-fsrs computes it."""
    steps = tuple(steps)
    if not steps:
        return (), 0
    hard = steps[0] * 1.5 if len(steps) == 1 else (steps[0] + steps[1]) / 2.0
    return tuple(s // MICROSECOND for s in steps), hard // MICROSECOND


class HistoryReplayer:
    """Replays logs with one scheduler's parameters and options."""

    def __init__(self, scheduler: fsrs.Scheduler, *, rows: bool = True) -> None:
        self.rows = rows  # without: only the memory after (no revlog columns, no intervals
        # of answers but the last: a check or a reschedule needs no more)
        self.model = rs.FSRS([float(p) for p in scheduler.parameters])
        self.fuzz = scheduler.enable_fuzzing
        self.retention = scheduler.desired_retention
        self.maximum = scheduler.maximum_interval
        self.decay = float(scheduler.parameters[20])
        self.interval = interval_rule(self.retention, self.decay, self.maximum)
        self.recall = forgetting_curve(self.decay)
        self.learning = _steps(scheduler.learning_steps)
        self.relearning = _steps(scheduler.relearning_steps)

    def replay(self, card_id: str, history: History, start: MemoryRow = NEW_MEMORY,
               last_stability: float | None = None) -> tuple[list[StepRow], MemoryRow]:
        """Revlog columns for each answer of `history` and the memory after it, from `start`;
        with `last_stability`, the last answer's stability is that one (doctor asks which due
        date a stored stability within STATE_TOLERANCE gives)."""
        return next(self._chunk([(card_id, history, start)], last_stability))

    def replay_all(self, cards: Iterable[tuple[str, History, MemoryRow]]
                   ) -> Iterator[tuple[list[StepRow], MemoryRow]]:
        """replay() of each (card id, history, start), in order, a batch call per chunk."""
        for chunk in batches(cards, 1):
            yield from self._chunk(chunk)

    def _chunk(self, cards: list[tuple[str, History, MemoryRow]],
               last_stability: float | None = None
               ) -> Iterator[tuple[list[StepRow], MemoryRow]]:
        review, item, state_of = rs.FSRSReview, rs.FSRSItem, rs.MemoryState
        cards = [(card_id, history, _settled(start) if any(not c for _, _, c in history)
                  else start) for card_id, history, start in cards]
        items: list[rs.FSRSItem] = []
        starts: list[rs.MemoryState | None] = []
        answered: list[bool] = []
        for _, history, start in cards:
            last, answers = start[5], []
            for at, rating, cram in history:
                if not cram:
                    answers.append(review(rating, (at - last) // US_PER_DAY
                                          if last is not None else 0))
                    last = at
            answered.append(bool(answers))
            if answers:
                items.append(item(answers))
                s, d = start[2], start[3]
                starts.append(state_of(s, d) if s is not None and d is not None else None)
        found = iter(self.model.historical_memory_state_batch(
            items, starts if any(s is not None for s in starts) else None) if items else ())
        for (card_id, history, start), some in zip(cards, answered, strict=True):
            states = next(found) if some else []
            begun = start[2] is not None and start[3] is not None  # listed first: skipped
            memories = [(m.stability, m.difficulty) for m in states[begun:]]
            if memories and last_stability is not None:
                memories[-1] = (last_stability, memories[-1][1])
            yield self._card(card_id, history, start, memories)

    def _card(self, card_id: str, history: History, start: MemoryRow,
              memories: list[tuple[float, float]]) -> tuple[list[StepRow], MemoryRow]:
        """py-fsrs' state machine over one card's answers, with their memory states."""
        recall, interval, fuzz, with_rows = self.recall, self.interval, self.fuzz, self.rows
        learning, hard_learning = self.learning
        relearning, hard_relearning = self.relearning
        state, step, s, d, due, last, reps, lapses = start
        ivl = (due - last) // US_PER_DAY if due is not None and last is not None else 0
        last_at = len(history) - 1  # the last answer that is not cram
        while last_at >= 0 and history[last_at][2]:
            last_at -= 1
        rows: list[StepRow] = []
        answered = 0
        for index, (now, rating, cram) in enumerate(history):
            if with_rows:
                r: int | None = None
                whole = 0
                if last is not None and state != NEW:
                    whole = (now - last) // US_PER_DAY
                    if s is not None:
                        r = round(recall((now - last) / 1_000_000 / 86400, s) * 1e6)
                rows.append((state, reps, lapses, ivl, whole, r))
            if cram:
                continue
            s_before, d_before = s, d
            s, d = memories[answered]
            answered += 1
            new_state, new_step = (LEARNING, 0) if state == NEW else (state, step)
            wait: int | None = None  # µs; None: whole days from stability
            if new_state == REVIEW:
                if rating == 1 and relearning:
                    new_state, new_step, wait = RELEARNING, 0, relearning[0]
            else:
                steps, hard_wait = ((learning, hard_learning) if new_state == LEARNING
                                    else (relearning, hard_relearning))
                at = new_step or 0
                if not steps or (at >= len(steps) and rating >= 2):
                    new_state, new_step = REVIEW, None
                elif rating == 1:
                    new_step, wait = 0, steps[0]
                elif rating == 2:
                    new_step, wait = at, hard_wait if at == 0 else steps[at]
                elif rating == 3 and at + 1 != len(steps):
                    new_step, wait = at + 1, steps[at + 1]
                else:
                    new_state, new_step = REVIEW, None
            if wait is None:
                if index != last_at:
                    days = interval(s) if with_rows else 0  # only a row shows it
                elif state == REVIEW and rating >= 2:
                    days = self._in_order(card_id, reps, rating, s, s_before, d_before,
                                          (now - last) // US_PER_DAY if last is not None else 0)
                else:
                    days = interval(s)
                    days = fuzzed_days(days, self.maximum, fuzz_draw(card_id, reps, rating)) \
                        if fuzz else days
                wait = days * US_PER_DAY
            lapses += state == REVIEW and rating == 1
            reps += 1
            due, last = now + wait, now
            state, step = new_state, new_step
            ivl = wait // US_PER_DAY
        return rows, (state, step, s, d, due, last, reps, lapses)

    def _in_order(self, card_id: str, reps: int, rating: int, stability: float,
                  s_before: float | None, d_before: float | None, days: int) -> int:
        """The last answer's whole days, a passing review: as the drill applies it, each of
        Hard .. `rating` from the stability it gives, fuzzed with its own draw, then kept in
        order by engine.answer.in_order."""
        start = (rs.MemoryState(s_before, d_before)
                 if s_before is not None and d_before is not None else None)
        others = self.model.next_states(start, self.retention, days)
        given = {Rating.HARD: others.hard.memory.stability,
                 Rating.GOOD: others.good.memory.stability, Rating(rating): stability}
        zero = EPOCH
        outcomes = {}
        for grade in (Rating.HARD, Rating.GOOD, Rating.EASY)[:rating - 1]:
            whole = self.interval(given[grade])
            if self.fuzz:
                whole = fuzzed_days(whole, self.maximum, fuzz_draw(card_id, reps, int(grade)))
            after = Memory(CardState.REVIEW, None, given[grade], None,
                           zero + dt.timedelta(days=whole), zero)
            outcomes[grade] = Outcome(grade, after, False)
        ordered: dict[Rating, Outcome] = in_order(Memory(CardState.REVIEW), outcomes)
        return round(ordered[Rating(rating)].interval / dt.timedelta(days=1))


def same_state(stored: Sequence[Any], replayed: Sequence[Any]) -> bool:
    """Whether a stored memory (state, step, stability, difficulty, due, last review, reps,
    lapses) is its replay: stability and difficulty within STATE_TOLERANCE (relative; the
    stability up to fsrs-rs' ceiling), everything else equal."""
    for index, (a, b) in enumerate(zip(stored, replayed, strict=True)):
        if index in (2, 3) and a is not None and b is not None:
            if index == 2:
                a, b = min(a, MAX_STABILITY), min(b, MAX_STABILITY)
            if abs(a - b) > STATE_TOLERANCE * max(abs(a), abs(b)):
                return False
        elif a != b:
            return False
    return True
