"""Doctor's tolerance: fsrs-rs replays in float32, the drill answers through py-fsrs in
float64. A stored stability and difficulty within STATE_TOLERANCE of the replay's are the
replay's, and so is the due date that stored stability gives; anything further is not."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from loopdrill.core.model import Rating, ReviewRecord
from loopdrill.core.timeutil import to_stamp
from loopdrill.engine.replay import STATE_TOLERANCE, from_micros, to_micros
from loopdrill.services.doctor import run_doctor
from loopdrill.services.history import import_reviews
from loopdrill.services.replays import Replays
from tests.conftest import NOW
from tests.services.test_optimize import make_decks

# Easy each time the card falls due: a stability of about 23,800 days after the sixth answer,
# where STATE_TOLERANCE spans more than two days of interval
GAPS = (8, 65, 393, 1859, 7211)


def easy_card(db: Database) -> tuple[float, str]:
    make_decks(db, {"syn": 1})
    moment = NOW - dt.timedelta(days=sum(GAPS) + 3)
    records = [ReviewRecord("syn/c0", moment, Rating.EASY, 1000)]
    for gap in GAPS:
        moment += dt.timedelta(days=gap)
        records.append(ReviewRecord("syn/c0", moment, Rating.EASY, 1000))
    import_reviews(db, records, NOW)
    stability, due = db.conn.execute("SELECT stability, due FROM cards").fetchone()
    assert stability > 20_000
    return float(stability), str(due)


def due_with(db: Database, stability: float) -> str:
    """The due date the replay gives when its last stability is `stability`."""
    log = db.conn.execute("SELECT at, rating, cram FROM revlog ORDER BY at").fetchall()
    memory = Replays(db).ending_with(((), 1, "syn/c0", "syn", log), stability)
    assert memory[4] is not None
    return to_stamp(from_micros(memory[4]))


def test_a_stability_within_tolerance_and_the_due_it_gives_are_the_replay(db: Database) -> None:
    stability, due = easy_card(db)
    assert db.conn.execute("SELECT num FROM cards").fetchone()[0] == 1
    near = stability * (1 + STATE_TOLERANCE / 2)
    moved = due_with(db, near)
    assert moved != due  # half the tolerance is more than a day at this stability
    db.conn.execute("UPDATE cards SET stability = ?, due = ?", (near, moved))
    assert run_doctor(db).ok


def test_a_due_date_no_stability_within_tolerance_gives_is_off(db: Database) -> None:
    stability, due = easy_card(db)
    later = to_stamp(from_micros(to_micros(dt.datetime.fromisoformat(due))
                                 + 86_400_000_000 * 9))
    db.conn.execute("UPDATE cards SET due = ?", (later,))
    assert not run_doctor(db).ok
    db.conn.execute("UPDATE cards SET stability = ?, due = ?",
                    (stability * (1 + STATE_TOLERANCE * 3), due))
    assert not run_doctor(db).ok
