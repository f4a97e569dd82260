"""A review import: bulk writes equal row-by-row ones, what was typed survives, repeats count
once."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from sqlite_utils import Database

from loopdrill.core.model import DeckError, Rating, ReviewRecord
from loopdrill.engine import replay
from loopdrill.services import history
from loopdrill.services.doctor import run_doctor
from loopdrill.services.history_plan import CLOCK_SKEW
from loopdrill.store import bulk
from loopdrill.store.db import open_db
from loopdrill.store.tx import transaction

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
TABLES = ("cards", "reviews", "review_days", "review_cards", "review_calibration")


def library(path: Path) -> Database:
    db = open_db(path)
    with transaction(db):
        for deck in ("a", "b"):
            db.conn.execute("INSERT INTO decks (slug, title) VALUES (?, ?)", (deck, deck))
            db.conn.executemany(
                "INSERT INTO cards (id, deck, item, kind, content, position) "
                "VALUES (?, ?, ?, 'basic', '{\"front\": \"\", \"back\": \"\"}', ?)",
                [(f"{deck}/c{i}", deck, f"c{i}", i) for i in range(40)])
    return db


def records(seed: int) -> list[ReviewRecord]:
    rng = random.Random(seed)
    out = []
    for deck in ("a", "b"):
        for i in range(40):
            moment = NOW - dt.timedelta(days=rng.randint(100, 300))
            for _ in range(rng.randint(1, 12)):
                moment += dt.timedelta(hours=rng.choice([0.2, 20, 50, 300]))
                if moment < NOW:
                    out.append(ReviewRecord(f"{deck}/c{i}", moment, Rating(rng.randint(1, 4)),
                                            rng.randint(0, 9000), rng.random() < 0.05))
    return out


def contents(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows; the revlog's without their ids, ordered by card and id, so each
    card's rows are in the order written."""
    query = {table: f"SELECT * FROM {table} ORDER BY 1, 2" for table in TABLES}
    query["reviews"] = "SELECT * FROM reviews ORDER BY card_id, id"
    out = {table: [tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                   for row in db.conn.execute(sql)] for table, sql in query.items()}
    out["reviews"] = [row[1:] for row in out["reviews"]]
    return out


def test_a_bulk_import_equals_one_written_row_by_row(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """With indexes dropped and totals counted in Python (store.revlog_bulk), the same rows, states
    and totals as with the triggers; the replay chunked into many batch calls."""
    monkeypatch.setattr(replay, "CHUNK_REVIEWS", 7)
    bulked, single = library(tmp_path / "bulk.db"), library(tmp_path / "single.db")
    for seed in (1, 2):  # the second import replaces stored rows of cards it touches again
        with monkeypatch.context() as patch:
            patch.setattr(bulk, "BULK_ROWS", 0)
            history.import_reviews(bulked, records(seed), NOW)
        history.import_reviews(single, records(seed), NOW)
    assert contents(bulked) == contents(single)
    assert contents(bulked)["reviews"]
    assert run_doctor(bulked).ok


@pytest.mark.parametrize("bulk_rows", [0, 20_000])
def test_what_was_typed_in_the_drill_survives_a_later_import(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_rows: int) -> None:
    monkeypatch.setattr(bulk, "BULK_ROWS", bulk_rows)
    db = library(tmp_path / "typed.db")
    drilled = NOW - dt.timedelta(days=3)
    history.import_reviews(db, [ReviewRecord("a/c1", drilled, Rating.GOOD, 4000)], NOW)
    db.conn.execute("INSERT INTO revlog_typed SELECT id, '$0.61', 3, 'right' FROM revlog")
    db.conn.execute("INSERT INTO revlog_undo SELECT id, 's1', '[]', '{}' FROM revlog")
    history.import_reviews(db, [ReviewRecord("a/c1", drilled - dt.timedelta(days=9),
                                             Rating.AGAIN, 7000)], NOW)
    rows = db.conn.execute("SELECT rating, answer, proposed, verdict FROM reviews "
                           "ORDER BY reviewed_at").fetchall()
    assert rows == [(1, None, None, None), (3, "$0.61", 3, "right")]


def test_repeated_reviews_are_counted_once_and_stored_rows_all_stay(tmp_path: Path) -> None:
    """A review already stored, or twice in one file, is a duplicate; two stored rows at one
    time (written by an older version) both stay; the rest go in in time order."""
    db = library(tmp_path / "repeats.db")
    t1, t2, t3 = (NOW - dt.timedelta(days=d) for d in (30, 20, 10))
    history.import_reviews(db, [ReviewRecord("a/c1", t2, Rating.GOOD, 1000)], NOW)
    db.conn.execute("INSERT INTO reviews (card_id, deck, reviewed_at, rating, state_before, "
                    "state_after, before, after) SELECT card_id, deck, reviewed_at, 4, "
                    "state_before, state_after, before, after FROM reviews")
    report = history.import_reviews(db, [
        ReviewRecord("a/c1", t3, Rating.HARD, 3000), ReviewRecord("a/c1", t2, Rating.AGAIN, 9),
        ReviewRecord("a/c1", t3, Rating.EASY, 5), ReviewRecord("a/c1", t1, Rating.AGAIN, 2000),
        ReviewRecord("a/c1", t1, Rating.GOOD, 7)], NOW)
    assert (report.cards, report.added, report.duplicates) == (1, 2, 3)
    rows = db.conn.execute("SELECT reviewed_at, rating, duration_ms FROM reviews "
                           "ORDER BY reviewed_at, id").fetchall()
    assert [(r[1], r[2]) for r in rows] == [(1, 2000), (3, 1000), (4, 0), (2, 3000)]
    assert [r[0][:10] for r in rows] == [t.date().isoformat() for t in (t1, t2, t2, t3)]


def test_reviews_a_little_ahead_of_this_clock_are_taken_later_ones_refused(
        tmp_path: Path) -> None:
    """Another machine's clock may run minutes ahead: its newest reviews still come in; a review
    hours in the future refuses the whole file, naming it."""
    db = library(tmp_path / "x.db")
    ahead = NOW + CLOCK_SKEW - dt.timedelta(seconds=1)
    report = history.import_reviews(db, [ReviewRecord("a/c1", ahead, Rating.GOOD, 1000)], NOW)
    assert report.added == 1
    assert run_doctor(db).ok
    later = NOW + dt.timedelta(hours=2)
    with pytest.raises(DeckError, match="in the future"):
        history.import_reviews(db, [ReviewRecord("a/c2", NOW - dt.timedelta(days=1),
                                                 Rating.GOOD, 1000),
                                    ReviewRecord("a/c3", later, Rating.AGAIN, 1000)], NOW)
    assert db.conn.execute("SELECT count(*) FROM revlog").fetchone()[0] == 1


def test_an_unknown_card_id_is_quoted_cut_short(tmp_path: Path) -> None:
    """A file naming a card id of 300,000 characters is refused with a line that quotes its
    start, not the whole id (core.text.shown, as the reader's other messages quote a value)."""
    db = library(tmp_path / "x.db")
    long_id = "x" * 300_000
    with pytest.raises(DeckError) as caught:
        history.import_reviews(db, [ReviewRecord(long_id, NOW, Rating.GOOD, 1000)], NOW)
    [problem] = caught.value.problems
    assert problem.message.startswith("no card with id 'xxx")
    assert len(problem.message) < 200


@pytest.mark.parametrize("far", [0, 1 << 50])
def test_taken_is_membership_in_the_stored_cards_and_times(far: int) -> None:
    """history_plan.taken (whether a review's card and time are a stored row's) says what a set
    of the stored (card, time) pairs says, repeats on either side included; with times too far
    apart to pack with the card (`far`) too."""
    import numpy as np

    from loopdrill.services.history_plan import taken

    rng = np.random.default_rng(3)
    card, at = rng.integers(0, 30, 4000), rng.integers(0, 200, 4000) * (far or 1)
    stored_card, stored_at = rng.integers(0, 40, 3000), rng.integers(0, 200, 3000) * (far or 1)
    card[0] = stored_card[0] = 1 << 14
    pairs = set(zip(stored_card.tolist(), stored_at.tolist(), strict=True))
    expected = [(c, t) in pairs for c, t in zip(card.tolist(), at.tolist(), strict=True)]
    assert taken(card, at, stored_card, stored_at).tolist() == expected
    assert 0 < sum(expected) < len(expected)


def test_a_review_in_the_future_is_named_as_the_file_writes_it(tmp_path: Path) -> None:
    """The refusal quotes the review's time as a review CSV writes it and this machine's clock,
    so a user sees which clock is wrong (not a database stamp with microseconds)."""
    db = library(tmp_path / "x.db")
    later = NOW + dt.timedelta(hours=2)
    with pytest.raises(DeckError) as caught:
        history.import_reviews(db, [ReviewRecord("a/c1", later, Rating.GOOD, 1000, line=7)],
                               NOW + dt.timedelta(microseconds=5))
    assert [str(p) for p in caught.value.problems] == [
        "reviews:7: reviewed_at 2026-11-23T11:00:00Z is in the future (this machine's clock "
        "says 2026-11-23T09:00:00Z)"]
