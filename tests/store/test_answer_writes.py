"""What one answer writes: only the card columns it changes among those indexes hold alone."""

from __future__ import annotations

from sqlite_utils import Database

from loopdrill.core.model import CardState, Rating
from loopdrill.services.session import DrillSession
from tests.conftest import FakeClock


def test_an_answer_sets_state_and_lapses_only_when_they_change(demo_db: Database,
                                                                clock: FakeClock) -> None:
    conn = demo_db.conn
    conn.execute("CREATE TEMP TABLE sets (col TEXT, card TEXT)")
    for col in ("state", "lapses"):  # UPDATE OF fires when the column is in the SET list
        conn.execute(f"CREATE TEMP TRIGGER set_{col} AFTER UPDATE OF {col} ON main.cards "
                     f"BEGIN INSERT INTO sets VALUES ('{col}', NEW.id); END")
    session = DrillSession(demo_db, clock, fuzz=False)
    shown = session.next_card()
    assert shown is not None
    card = shown.card.id
    session.answer(Rating.AGAIN)  # new -> learning: the state changes, the lapses do not
    assert conn.execute("SELECT col FROM sets WHERE card = ?", (card,)).fetchall() == [
        ("state",)]
    conn.execute("DELETE FROM sets")
    clock.advance(minutes=2)
    again = session.next_card()
    assert again is not None and again.card.id == card
    session.answer(Rating.AGAIN)  # learning -> learning: neither changes
    assert conn.execute("SELECT col FROM sets WHERE card = ?", (card,)).fetchall() == []
    state, lapses = conn.execute("SELECT state, lapses FROM cards WHERE id = ?",
                                 (card,)).fetchone()
    assert (state, lapses) == (CardState.LEARNING, 0)
    assert session.undo() and session.undo()  # undo puts every column back
    assert conn.execute("SELECT state, step, due, reps FROM cards WHERE id = ?",
                        (card,)).fetchone() == (CardState.NEW, None, None, 0)
