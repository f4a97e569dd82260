"""A big review import split over two processes writes exactly what one process writes."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

import pytest
from sqlite_utils import Database

from loopdrill.core.model import Rating, ReviewRecord
from loopdrill.engine.forked import ForkedError
from loopdrill.services import history
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
                "VALUES (?, ?, ?, 'basic', '{}', ?)",
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
    """Every table's rows; the revlog's without their ids (the two processes' rows interleave
    as they come), ordered by card and id, so each card's rows are in the order written."""
    query = {table: f"SELECT * FROM {table} ORDER BY 1, 2" for table in TABLES}
    query["reviews"] = "SELECT * FROM reviews ORDER BY card_id, id"
    out = {table: [tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                   for row in db.conn.execute(sql)] for table, sql in query.items()}
    out["reviews"] = [row[1:] for row in out["reviews"]]
    return out


@pytest.mark.parametrize("bulk_rows", [0, 20_000])
def test_split_import_equals_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         bulk_rows: int) -> None:
    monkeypatch.setattr(bulk, "BULK_ROWS", bulk_rows)
    monkeypatch.setattr(history, "PARALLEL_ROWS", 10)
    monkeypatch.setattr(history, "CHUNK_ROWS", 7)  # many hand-overs of rows and card states
    forks: list[int] = []
    real = history.ForkedItems
    monkeypatch.setattr(history, "ForkedItems", lambda work: forks.append(1) or real(work))
    split, single = library(tmp_path / "split.db"), library(tmp_path / "single.db")
    for seed in (1, 2):  # the second import replaces stored rows of cards it touches again
        history.import_reviews(split, records(seed), NOW)
        with monkeypatch.context() as patch:
            patch.setattr(history, "can_fork", lambda: False)
            history.import_reviews(single, records(seed), NOW)
    assert len(forks) == 2
    assert contents(split) == contents(single)
    assert contents(split)["reviews"]


def test_a_failing_second_process_changes_nothing(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "PARALLEL_ROWS", 10)
    db = library(tmp_path / "x.db")
    history.import_reviews(db, records(1), NOW)
    before = contents(db)
    parent = os.getpid()
    real = history.HistoryReplayer.replay

    def replay_failing_in_the_child(self: object, card_id: str, steps: object) -> object:
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return real(self, card_id, steps)  # type: ignore[arg-type]

    monkeypatch.setattr(history.HistoryReplayer, "replay", replay_failing_in_the_child)
    with pytest.raises(ForkedError, match="second process failed"):
        history.import_reviews(db, records(2), NOW)
    assert contents(db) == before


def test_the_cli_says_so_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from loopdrill.cli import cli
    from loopdrill.formats.review_csv import write_review_csv

    monkeypatch.setattr(history, "PARALLEL_ROWS", 10)
    db = library(tmp_path / "cli.db")
    db.conn.close()
    csv = tmp_path / "reviews.csv"
    with csv.open("w") as stream:
        write_review_csv(records(3), stream)
    parent = os.getpid()
    real = history.HistoryReplayer.replay

    def replay_failing_in_the_child(self: object, card_id: str, steps: object) -> object:
        if os.getpid() != parent:
            os._exit(9)
        return real(self, card_id, steps)  # type: ignore[arg-type]

    monkeypatch.setattr(history.HistoryReplayer, "replay", replay_failing_in_the_child)
    result = CliRunner().invoke(cli, ["import-reviews", "--db", str(tmp_path / "cli.db"),
                                      str(csv)])
    assert result.exit_code == 1
    assert "error: the work could not finish (the second process failed" in result.output
    assert "nothing was changed" in result.output
    assert open_db(tmp_path / "cli.db").conn.execute("SELECT COUNT(*) FROM reviews"
                                                     ).fetchone()[0] == 0


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
