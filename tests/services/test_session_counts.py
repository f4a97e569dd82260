"""The progress line's counts, kept up to date as a session answers, always equal a fresh
count from the database: after answers, a leech suspended, undo, suspend, bury, another
terminal's answer, a write through the same connection, and a new study day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlite_utils import Database

from loopdrill.core.model import CardState, Rating
from loopdrill.core.timeutil import day_start, next_day_start, study_day
from loopdrill.formats.native import read_deck
from loopdrill.services import session_queue
from loopdrill.services.session import DrillSession
from loopdrill.store import queries
from loopdrill.store.db import open_db
from loopdrill.store.decks import sync_deck
from loopdrill.store.queries import Scope
from loopdrill.store.tx import transaction
from tests.conftest import DEMO_DECK, NOW, FakeClock


def counted_afresh(session: DrillSession) -> tuple[int, int]:
    """(done today, learning left today) as the database says, the card on screen counted
    as learning when it is."""
    now, hour = session.clock(), 4
    done = queries.reviews_since(session.db, day_start(study_day(now, hour), hour), Scope())
    current = session.current.card if session.current is not None else None
    learning = queries.learning_count(session.db, Scope(), now, next_day_start(now, hour),
                                      besides=current.id if current else None)
    if current is not None and current.memory.state in (CardState.LEARNING,
                                                         CardState.RELEARNING):
        learning += 1
    return done, learning


def check(session: DrillSession) -> None:
    progress = session.progress()
    assert (progress.done, progress.learning) == counted_afresh(session)


def demo_file(tmp_path: Path) -> tuple[Path, Database]:
    """The demo deck in a database file (other connections can open it too)."""
    path = tmp_path / "x.db"
    db = open_db(path)
    deck_file = tmp_path / "demo.yaml"
    deck_file.write_text(DEMO_DECK, encoding="utf-8")
    with transaction(db):
        sync_deck(db, read_deck(deck_file), NOW)
    return path, db


def all_overdue(db: Database) -> None:
    """Every card relearning, all due at one past moment (as after a bulk change)."""
    db.conn.execute("UPDATE cards SET state = 3, step = 0, stability = 1, difficulty = 5, "
                    "reps = 4, lapses = 1, due = '2026-11-23T07:00:00.000000+00:00', "
                    "last_review = '2026-11-22T07:00:00.000000+00:00'")


def test_counts_follow_every_change(tmp_path: Path) -> None:
    path, db = demo_file(tmp_path)
    db.conn.execute("INSERT INTO options VALUES ('', 'leech_threshold', '1')")
    clock = FakeClock()
    session = DrillSession(db, clock, fuzz=False)
    check(session)
    ratings = [Rating.AGAIN, Rating.GOOD, Rating.AGAIN, Rating.HARD, Rating.EASY]
    for rating in ratings:  # new cards into learning, some out of it
        assert session.next_card() is not None
        check(session)
        session.answer(rating)
        check(session)
        clock.advance(minutes=3)
    assert session.progress().learning > 0
    session.undo()
    check(session)
    assert session.next_card() is not None
    session.suspend_current()
    check(session)
    session.undo()
    check(session)
    assert session.next_card() is not None
    session.bury_current()
    check(session)

    other = open_db(path)  # another terminal answers a learning card
    clock.advance(minutes=30)
    theirs = DrillSession(other, clock, fuzz=False)
    shown = theirs.next_card()
    assert shown is not None and shown.card.memory.state == CardState.LEARNING
    theirs.answer(Rating.GOOD)
    check(session)
    other.conn.close()

    session.next_card()
    db.conn.execute("UPDATE cards SET suspended = 1 WHERE state = 1")  # same connection
    check(session)
    db.conn.execute("UPDATE cards SET suspended = 0")

    # a review card lapses and becomes a leech: suspended, so not counted as learning
    db.conn.execute("UPDATE cards SET state = 2, step = NULL, stability = 5, difficulty = 5, "
                    "due = ?, last_review = ?, reps = 3 WHERE id = 'demo/efs-standard'",
                    ("2026-11-23T08:00:00.000000+00:00", "2026-11-18T08:00:00.000000+00:00"))
    leeching = DrillSession(db, clock, fuzz=False)
    while (shown := leeching.next_card()) is not None and shown.card.id != "demo/efs-standard":
        leeching.answer(Rating.EASY)
    assert shown is not None
    check(leeching)
    leeching.answer(Rating.AGAIN)
    assert db.conn.execute("SELECT suspended FROM cards WHERE id = 'demo/efs-standard'"
                           ).fetchone()[0] == 1
    check(leeching)

    clock.moment = NOW + dt.timedelta(days=1)  # a new study day: nothing done yet
    check(session)
    assert session.progress().done == 0
    db.conn.close()


@pytest.mark.parametrize("soonest", [1, 2, 64])
@pytest.mark.parametrize("overdue", [False, True])
def test_learning_cards_come_back_as_soon_as_due(demo_db: Database, soonest: int,
                                                 overdue: bool,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The session keeps the learning cards due soonest (`soonest` of them read at once) and
    follows its own answers; a learning card is still shown the moment it is due, the one a
    fresh look at the database finds first (`overdue`: every card starts in learning, all due
    at one past moment, as after a bulk change)."""
    monkeypatch.setattr(session_queue, "SOONEST", soonest)
    if overdue:
        all_overdue(demo_db)
    clock = FakeClock()
    session = DrillSession(demo_db, clock, fuzz=False)
    shown_learning = 0
    for step in range(60):
        now = clock()
        first = next(iter(queries.soonest_learning(demo_db, Scope(), now)), None)
        shown = session.next_card()
        if shown is None:
            break
        if first is not None and first[0] <= now:  # the soonest (cards due at once: any)
            assert shown.card.memory.due == first[0]
            shown_learning += 1
        elif shown.card.memory.state in (CardState.LEARNING, CardState.RELEARNING):
            assert first is not None and shown.card.memory.due == first[0]  # learn ahead
        session.answer(Rating.AGAIN if step % 3 == 0 else Rating.GOOD)
        session.progress()
        clock.advance(minutes=2)
    assert shown_learning > 3


def test_a_learning_card_another_terminal_answered_is_not_shown_again(tmp_path: Path) -> None:
    """The soonest learning cards kept by a session are read again once another terminal
    has written: the card it answered is not shown from the kept list."""
    path, db = demo_file(tmp_path)
    all_overdue(db)
    clock = FakeClock()
    here = DrillSession(db, clock, fuzz=False)
    for _ in range(2):  # counted, then the soonest learning cards read and kept with them
        assert here.next_card() is not None
        here.answer(Rating.GOOD)
        here.progress()
    other_db = open_db(path)
    there = DrillSession(other_db, clock, fuzz=False)
    theirs = there.next_card()
    assert theirs is not None
    there.answer(Rating.EASY)  # another terminal takes the card due next
    mine = here.next_card()
    assert mine is not None and mine.card.id != theirs.card.id
    first = queries.soonest_learning(db, Scope(), clock())
    assert mine.card.memory.due == first[0][0]
    other_db.conn.close()
    db.conn.close()


def test_a_review_card_another_terminal_answered_is_not_shown_again(tmp_path: Path) -> None:
    """Today's reviews are queued when a session starts; one another terminal has answered
    since (due again in days) is passed over, not shown a second time."""
    path, db = demo_file(tmp_path)
    db.conn.execute("UPDATE cards SET state = 2, step = NULL, stability = 3, difficulty = 5, "
                    "reps = 4, due = '2026-11-23T07:00:00.000000+00:00', "
                    "last_review = '2026-11-20T07:00:00.000000+00:00'")
    clock = FakeClock()
    here = DrillSession(db, clock, fuzz=False)
    other_db = open_db(path)
    there = DrillSession(other_db, clock, fuzz=False)
    assert list(there.queue) == list(here.queue)  # both queued the same reviews
    theirs = there.next_card()
    assert theirs is not None
    there.answer(Rating.EASY)
    mine = here.next_card()
    assert mine is not None and mine.card.id != theirs.card.id
    shown = [mine.card.id]
    here.answer(Rating.GOOD)
    while (card := here.next_card()) is not None and card.card.memory.state == CardState.REVIEW:
        shown.append(card.card.id)
        here.answer(Rating.EASY)
    assert theirs.card.id not in shown
    other_db.conn.close()
    db.conn.close()


def test_undone_learning_answers_are_not_counted_as_reviews(demo_db: Database) -> None:
    """Undo puts the card back; a learning card comes back as learning cards do, counted
    once, among the learning cards (it was also counted as a review to come)."""
    all_overdue(demo_db)
    clock = FakeClock()
    session = DrillSession(demo_db, clock, fuzz=False)
    for rating in (Rating.GOOD, Rating.AGAIN):
        assert session.next_card() is not None
        session.answer(rating)
    for _ in range(2):
        assert session.undo() == "answer"
        shown = session.next_card()
        assert shown is not None
        progress = session.progress()
        assert progress.review == 0
        assert (progress.done, progress.learning) == counted_afresh(session)
