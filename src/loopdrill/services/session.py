"""A drill session: what to show next, grading, undo, suspend and bury, and its summary."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import fsrs
from sqlite_utils import Database

from loopdrill.core.cards import Span, back_spans, front_spans, is_self_graded
from loopdrill.core.graded_kinds import Prompt, Verdict, grade, prepare
from loopdrill.core.model import Rating
from loopdrill.core.options import Options
from loopdrill.core.words import plural
from loopdrill.engine.answer import (
    Outcome,
    answer_in_order,
    interval_label,
    is_leech,
    make_scheduler,
    retrievability,
)
from loopdrill.services import today
from loopdrill.services.config import global_options, options_for
from loopdrill.services.params import parameters_for
from loopdrill.services.session_queue import Progress, SessionQueue
from loopdrill.store import reviews
from loopdrill.store.aggregates import day_number
from loopdrill.store.backup import database_file
from loopdrill.store.db import writable_again
from loopdrill.store.failures import UnusableCard
from loopdrill.store.queries import Scope
from loopdrill.store.reviews import AnsweredSince
from loopdrill.store.rows import StoredCard
from loopdrill.store.tx import Waiting, say_waiting, transaction

__all__ = ["AnsweredSince", "Clock", "DrillSession", "Progress", "Shown", "Summary"]

Clock = Callable[[], dt.datetime]
MAX_ANSWER_MS = 60_000


@dataclass
class Shown:
    """The card on screen and what each grade would do (computed when first asked)."""

    card: StoredCard
    front: list[Span]
    back: list[Span]
    shown_at: dt.datetime
    scheduler: fsrs.Scheduler
    prompt: Prompt | None = None
    verdict: Verdict | None = None
    _outcomes: dict[Rating, Outcome] = field(default_factory=dict)

    def outcome(self, rating: Rating) -> Outcome:
        """What a grade does to the card as of when it was shown (engine.answer.in_order)."""
        if rating not in self._outcomes:
            self._outcomes.update(answer_in_order(self.scheduler, self.card.memory, rating,
                                                  self.shown_at, seed=self.card.id,
                                                  all_passing=True))
        return self._outcomes[rating]

    def label(self, rating: Rating) -> str:
        """The interval a grade gives, as on Anki's buttons."""
        return interval_label(self.outcome(rating).interval)

    @property
    def self_graded(self) -> bool:
        return is_self_graded(self.card.kind)

    def check(self, typed: str) -> Verdict:
        """Grade a typed answer (auto-graded kinds); the verdict is kept for the revlog."""
        assert self.prompt is not None, "self-graded cards are not checked"
        self.verdict = grade(self.card.kind, self.card.content, self.prompt, typed)
        return self.verdict


@dataclass(frozen=True)
class Summary:
    """What a session amounted to."""

    cards: int
    answers: int
    minutes: float
    again: int
    retention: float | None


@dataclass
class DrillSession:
    """One sitting of the drill over a scope of decks and tags."""

    db: Database
    clock: Clock
    scope: Scope = field(default_factory=Scope)
    cram: bool = False
    limit: int | None = None
    fuzz: bool = True
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    current: Shown | None = None
    answered: int = 0
    started: dt.datetime | None = None
    rng: random.Random = field(default_factory=random.Random)
    #: What undo can take back, newest last: (answer | suspend | bury, card id, the card's
    #: suspended and buried_until before a suspend or bury).
    done: list[tuple[str, str, tuple[int, str | None] | None]] = field(default_factory=list)
    unusable: list[UnusableCard] = field(default_factory=list)  # not yet said: take_unusable

    def __post_init__(self) -> None:
        self._schedulers: dict[str, tuple[Options, fsrs.Scheduler]] = {}
        self._pruned: dt.date | None = None
        self.started = self.clock()
        self.globals = global_options(self.db)
        self.upcoming = SessionQueue(self.db, self.scope, self.globals, cram=self.cram,
                                     limit=self.limit)
        self.upcoming.build(self.started)

    def reopen_writable(self) -> None:
        """Go on through a new connection (the queue too) if the read-only file is writable now."""
        again = writable_again(self.db)  # whoever opened the old connection closes it
        if again is not None:
            self.db = self.upcoming.db = again

    # -- queue -------------------------------------------------------------------------------
    @property
    def queue(self) -> deque[str]:
        """The ids still queued today (reviews and new cards), next first."""
        return self.upcoming.ids

    def study_more(self, *, new: int = 0, review: int = 0) -> None:
        """Custom study: today's limits raised by `new` / `review` and the queue built again."""
        now = self.clock()
        today.extend_today(self.db, now, new=new, review=review)
        self.upcoming.build(now)

    def take_unusable(self) -> list[UnusableCard]:
        """Cards left out (a value their kind cannot use) since last asked: each said once."""
        taken, self.unusable = self.unusable, []
        return taken

    def ending(self) -> today.Ending:
        """Why this session has nothing more to show."""
        if self.limit is not None and self.answered >= self.limit:
            return today.Ending(f"Reached this session's limit of {plural(self.limit, 'answer')}.")
        if self.cram:
            return today.Ending("Every studied card here has been crammed this session.")
        return today.why_over(self.db, self.scope, self.clock())

    # -- scheduling --------------------------------------------------------------------------
    def scheduler(self, deck: str) -> tuple[Options, fsrs.Scheduler]:
        """The options and scheduler for a deck (cached for the session)."""
        if deck not in self._schedulers:
            opts = options_for(self.db, deck)
            self._schedulers[deck] = (
                opts, make_scheduler(opts, parameters_for(self.db, deck), fuzz=self.fuzz))
        return self._schedulers[deck]

    # -- the loop ----------------------------------------------------------------------------
    def next_card(self) -> Shown | None:
        """The next card to show, or None when the session is over."""
        if self.limit is not None and self.answered >= self.limit:
            self.current = None
            return None
        now = self.clock()
        while (card := self.upcoming.next_card(now)) is not None:
            prompt = None
            if is_self_graded(card.kind):
                front = front_spans(card.kind, card.content)
                back = back_spans(card.kind, card.content)
                break
            try:
                prompt = prepare(card.kind, card.content, self.rng)
            except ValueError as exc:  # a damaged value: left out of the session, said once
                self.unusable.append(UnusableCard(database_file(self.db.conn), card.id, str(exc)))
                self.upcoming.leave_out(card.id)
                continue
            front, back = [Span(prompt.front)], []
            break
        if card is None:
            self.current = None
            return None
        _, sched = self.scheduler(card.deck)
        self.current = Shown(card=card, front=front, back=back, shown_at=now, scheduler=sched,
                             prompt=prompt)
        return self.current

    def answer(self, rating: Rating, *, patience: float | None = None,
               db: Database | None = None, on_wait: Waiting | None = say_waiting) -> None:
        """Record a grade for the current card: one transaction, committed now. The card is
        read again inside it (another terminal may have answered it since it was shown) and
        the new state computed from that row. Waits for the write lock as transaction() does
        (`patience`, `on_wait`); `db` is another connection to use (a worker thread's).
        For an auto-graded card the typed answer, its verdict and any drawn values go too."""
        shown = self.current
        if shown is None:
            raise RuntimeError("no card on screen")
        typed = proposed = verdict = None
        if shown.verdict is not None:
            typed, proposed = shown.verdict.typed, shown.verdict.proposed
            verdict = shown.verdict.as_dict()
            if shown.prompt is not None and shown.prompt.values:
                verdict["values"] = shown.prompt.values
        own = db is None or db is self.db  # another connection: a worker thread's
        db = db or self.db
        now = self.clock()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # the revlog keeps ms
        duration = int(min(MAX_ANSWER_MS, (now - shown.shown_at).total_seconds() * 1000))
        card = shown.card
        opts, sched = self.scheduler(card.deck)
        day = self.upcoming.study_day(now).day
        self.upcoming.before_answer(counted=own)
        with transaction(db, patience=patience, on_wait=on_wait):
            reading = reviews.read_for_answer(db, card.id,
                                              siblings=opts.bury_siblings and not self.cram)
            memory = reading.memory or card.memory
            if memory.last_review is not None and memory.last_review > now:
                now = memory.last_review  # another terminal's answer came a moment later
            # computed at the moment the revlog records, so the card is its log's replay;
            # Hard < Good < Easy kept as the buttons showed (engine.answer.in_order)
            outcome = answer_in_order(sched, memory, rating, now, seed=card.id)[rating]
            leech = outcome.lapse and is_leech(outcome.after, opts)
            if day != self._pruned:  # once a study day: older undo entries are let go
                reviews.prune_undo(db, day_number(day))
            reviews.record(db, reviews.Answer(
                card_id=card.id, deck=card.deck, reviewed_at=now, rating=rating,
                before=memory, after=outcome.after, duration_ms=max(0, duration),
                retrievability=retrievability(sched, memory, now),
                typed=typed, proposed=proposed, verdict=verdict, cram=self.cram,
                session=self.id, bury=reading.siblings,
                bury_until=self.upcoming.study_day(now).end,
                leech=leech, suspend=leech and opts.leech_action == "suspend",
            ), rollover=reading.rollover)
        self._pruned = day
        if own:
            self.upcoming.answered(card.id, memory, outcome.after, now,
                                   suspended=leech and opts.leech_action == "suspend")
        self.answered += 1
        self.done.append(("answer", card.id, None))
        self.current = None

    def undo(self) -> str | None:
        """Take back the newest action of this session (an answer, a suspend or a bury);
        its card comes back next. Returns what was undone, None when nothing was."""
        if not self.done:
            return None
        action, card_id, hidden = self.done[-1]
        if action == "answer":  # AnsweredSince (another terminal answered it) keeps the step
            undone = reviews.undo_last(self.db, self.id)
            self.done.pop()
            if undone is None:
                return None
            self.answered = max(0, self.answered - 1)
        else:
            reviews.restore_hidden(self.db, card_id, hidden or (0, None))
            self.done.pop()
        if self.current is not None:
            self.upcoming.put_back(self.current.card.id)
        self.upcoming.put_back(card_id)
        self.current = None
        return action

    def suspend_current(self) -> None:
        """Suspend the card on screen; the next one follows. Undo takes it back."""
        if self.current is not None:
            card_id = self.current.card.id
            before = reviews.hidden_state(self.db, card_id)
            reviews.set_suspended(self.db, card_id, True)
            self.done.append(("suspend", card_id, before))
            self.current = None

    def bury_current(self) -> None:
        """Hide the card on screen until the next study day. Undo takes it back."""
        if self.current is not None:
            card_id = self.current.card.id
            before = reviews.hidden_state(self.db, card_id)
            reviews.bury(self.db, card_id, self.upcoming.study_day(self.clock()).end)
            self.done.append(("bury", card_id, before))
            self.current = None

    # -- reporting ---------------------------------------------------------------------------
    def progress(self) -> Progress:
        """Answers today in scope, and cards still to come today."""
        current = self.current.card if self.current is not None else None
        return self.upcoming.progress(self.clock(), current, self.answered)

    def summary(self) -> Summary:
        """Cards, minutes, Again count and pass rate of this session's answers."""
        cards, answers, ms, again = reviews.session_totals(self.db, self.id)
        retention = (answers - again) / answers if answers else None
        return Summary(cards, answers, ms / 60000, again, retention)

