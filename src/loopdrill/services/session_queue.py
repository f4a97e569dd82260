"""A drill session's queue: today's reviews and new cards within the daily limits, learning
cards as they come due, and the counts of what is left today (the progress line)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import deque
from dataclasses import dataclass

from sqlite_utils import Database

from loopdrill.core.model import CardState
from loopdrill.core.options import Options
from loopdrill.core.timeutil import day_start, study_day
from loopdrill.engine.answer import Memory
from loopdrill.engine.queue import interleave, take_within_limits
from loopdrill.services import today
from loopdrill.store import queries
from loopdrill.store.queries import Scope
from loopdrill.store.rows import StoredCard

LEARNING_STATES = (CardState.LEARNING, CardState.RELEARNING)
NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)
SOONEST = 64  # learning cards read at once, shown one after another without asking again


@dataclass(frozen=True)
class Progress:
    """Done today within the session's scope, and what is left today, split as Anki does:
    new cards to introduce, learning cards due, review cards due."""

    done: int
    new: int = 0
    learning: int = 0
    review: int = 0
    cap: int | None = None  # a session limit (--limit) that ends it sooner

    @property
    def left(self) -> int:
        total = self.new + self.learning + self.review
        return total if self.cap is None else min(total, self.cap)


@dataclass(frozen=True)
class StudyDay:
    """A study day (rollover to rollover, local time) and the moments it starts and ends."""

    day: dt.date
    start: dt.datetime
    end: dt.datetime


@dataclass
class _Counted:
    """Answers today and learning cards due today, as counted from the database, with what
    they were counted against: the day's end, SQLite's data_version (another connection's
    commit changes it) and this connection's total_changes (any other write through it)."""

    until: dt.datetime
    version: int
    changes: int
    done: int
    learning: int
    #: the learning cards due soonest, as (due, id) in due order (None: not read yet), and a
    #: moment no other learning card is due before (SessionQueue._learning_due_by)
    soonest: list[tuple[dt.datetime, str]] | None = None
    beyond: dt.datetime = NEVER


def _learning_due(memory: Memory, until: dt.datetime) -> bool:
    return memory.state in LEARNING_STATES and memory.due is not None and memory.due <= until


class SessionQueue:
    """What a session shows, in order: a learning card as soon as it is due, then today's
    reviews (most at risk first) with the new cards spread among them, then learning cards
    due within the learn-ahead minutes. A cram session takes every studied card instead."""

    def __init__(self, db: Database, scope: Scope, options: Options, *, cram: bool = False,
                 limit: int | None = None) -> None:
        self.db, self.scope, self.options = db, scope, options
        self.cram, self.limit = cram, limit
        self.ids: deque[str] = deque()
        self.new_ids: set[str] = set()
        self._new_queued = 0
        self.left_out: set[str] = set()  # cards this session cannot show (leave_out)
        self._counted: _Counted | None = None
        self._day: StudyDay | None = None

    def study_day(self, now: dt.datetime) -> StudyDay:
        """The study day `now` falls in, worked out again only when `now` leaves the one
        kept (local times cost a system call each: five an answer less)."""
        kept = self._day
        if kept is None or not kept.start <= now < kept.end:
            hour = self.options.rollover_hour
            day = study_day(now, hour)
            kept = self._day = StudyDay(day, day_start(day, hour),
                                        day_start(day + dt.timedelta(days=1), hour))
        return kept

    def build(self, now: dt.datetime) -> None:
        """Today's queue as the daily limits allow it now."""
        if self.cram:
            due = queries.reviews_due(self.db, self.scope, now, now + dt.timedelta(days=36500))
            studied = [cid for cid, _ in due]
            self._fill(studied[: self.limit] if self.limit else studied, [])
            return
        day_end = self.study_day(now).end
        allowed = today.allowance(self.db, today.scope_decks(self.db, self.scope), now)
        due = queries.reviews_due(self.db, self.scope, now, day_end)
        ordered = take_within_limits(due, allowed.review, allowed.review_overall)
        fresh = [cid for cid, _ in queries.new_cards(self.db, self.scope, now, allowed.new,
                                                     allowed.new_overall)]
        self._fill(interleave(ordered, fresh), fresh)

    def _fill(self, ids: list[str], new: list[str]) -> None:
        self.ids = deque(ids)
        self.new_ids = set(new)
        self._new_queued = len(self.new_ids)

    def next_card(self, now: dt.datetime) -> StoredCard | None:
        """The next card to show at `now`, taken off the queue, or None."""
        if not self.cram:
            learning = self._learning_due_by(now, now)
            if learning is not None:
                return queries.get_card(self.db, learning)
        while self.ids:
            card_id = self.ids.popleft()
            if card_id in self.new_ids:
                self._new_queued -= 1
            card = queries.get_card(self.db, card_id)
            if card is not None and card_id not in self.left_out and self._showable(card, now):
                return card
        if not self.cram:
            ahead = now + dt.timedelta(minutes=self.options.learn_ahead_minutes)
            soon = self._learning_due_by(now, ahead)
            if soon is not None:
                return queries.get_card(self.db, soon)
        return None

    def _learning_due_by(self, now: dt.datetime, until: dt.datetime) -> str | None:
        """The learning card due soonest, if it is due by `until`. While the counts stand
        (nothing written since, by another connection or through this one, but this session's
        answers, which `answered` follows), the SOONEST learning cards due first are kept with
        them, and the database is asked again only once they are all taken and `until`
        reaches the moment before which no other is due."""
        kept = self._count(now)  # counted again when written since, by another terminal too
        if kept.soonest is None or (not kept.soonest and kept.beyond <= until):
            read = queries.soonest_learning(self.db, self.scope, now, SOONEST)
            # those not read are due no sooner than the last read (all were read when fewer)
            kept.beyond = read[-1][0] if len(read) == SOONEST else NEVER
            kept.soonest = [due_id for due_id in read if due_id[1] not in self.left_out]
        if kept.soonest and kept.soonest[0][0] <= until:
            return kept.soonest[0][1]
        return None

    def _showable(self, card: StoredCard, now: dt.datetime) -> bool:
        """Whether a queued card, read again now, is still to be shown: another terminal may
        have answered (a new card learning, a review due in days), hidden or retired it."""
        if card.retired or card.suspended:
            return False
        if card.buried_until is not None and card.buried_until > now:
            return False
        memory = card.memory
        if self.cram or memory.state == CardState.NEW:
            return True
        return memory.state == CardState.REVIEW and memory.due is not None and \
            memory.due < self.study_day(now).end  # as queries.reviews_due queued it

    def leave_out(self, card_id: str) -> None:
        """Offer a card no more this session (DrillSession.next_card cannot show it): a
        learning card, which stays first among the soonest until answered, above all."""
        self.left_out.add(card_id)
        self._drop_soonest(card_id)

    def _drop_soonest(self, card_id: str) -> None:
        counted = self._counted
        if counted is not None and counted.soonest:
            counted.soonest = [due_id for due_id in counted.soonest if due_id[1] != card_id]

    def put_back(self, card_id: str) -> None:
        """Put a card at the front of the queue (undo brings it back next). A learning card
        is left out: it comes back by its due moment, as learning cards do (the queue's list
        holds the new and review cards it shows; one put in it was counted twice)."""
        if not self.cram and queries.card_state(self.db, card_id) in LEARNING_STATES:
            return
        self.ids.appendleft(card_id)
        if card_id in self.new_ids:
            self._new_queued += 1

    # -- counts ------------------------------------------------------------------------------
    def progress(self, now: dt.datetime, current: StoredCard | None, answered: int) -> Progress:
        """Answers today in scope, and cards still to come today (`current` on screen among
        them). The answers and learning cards are counted in the database once, then kept
        up to date as this session answers (`answered`), and counted again when anything else
        has written to the database (another terminal, an undo, a suspend, a new day)."""
        counted = self._count(now)
        learning = counted.learning
        new = self._new_queued
        review = len(self.ids) - new
        if current is not None:
            memory = current.memory
            if memory.state == CardState.NEW:
                new += 1
            elif memory.state in LEARNING_STATES:
                if not _learning_due(memory, counted.until):
                    learning += 1  # due later than today: on screen all the same
            else:
                review += 1
        cap = None if self.limit is None else max(0, self.limit - answered)
        return Progress(counted.done, new, learning, review, cap)

    def _count(self, now: dt.datetime) -> _Counted:
        today = self.study_day(now)
        until = today.end
        version, changes = queries.data_version(self.db), queries.own_writes(self.db)
        counted = self._counted
        if counted is None or (counted.until, counted.version, counted.changes) != (
                until, version, changes):
            done = queries.reviews_since(self.db, today.start, self.scope)
            learning = 0 if self.cram else queries.learning_count(self.db, self.scope, now,
                                                                  until)
            counted = self._counted = _Counted(until, version, changes, done, learning)
        return counted

    def answered(self, card_id: str, before: Memory, after: Memory, at: dt.datetime, *,
                 suspended: bool) -> None:
        """This session's connection committed an answer changing card `card_id` from `before`
        to `after` at `at`: the counts and the soonest learning cards follow it, unless
        something else wrote since they were counted."""
        counted = self._counted  # (another connection's commit since: recounted next time)
        if counted is None:
            return
        if at < counted.until:
            counted.done += 1
        if not self.cram:
            counted.learning += (_learning_due(after, counted.until) and not suspended) - \
                _learning_due(before, counted.until)
            if counted.soonest is not None:
                self._drop_soonest(card_id)
                due = after.due if after.state in LEARNING_STATES else None
                if not suspended and due is not None and due < counted.beyond:
                    bisect.insort(counted.soonest, (due, card_id))
        counted.changes = queries.own_writes(self.db)

    def before_answer(self, *, counted: bool) -> None:
        """Called before this session writes an answer: the counts stay only if nothing has
        written through this connection since they were counted, and if the answer will be
        `counted` by `answered` (it is written through this connection, not a worker's)."""
        kept = self._counted
        if kept is not None and (not counted or kept.changes != queries.own_writes(self.db)):
            self._counted = None
