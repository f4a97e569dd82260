"""Fitting FSRS: training items, recovery of known parameters, apply and reschedule, errors."""

from __future__ import annotations

import datetime as dt
import json
import random

import fsrs
import fsrs_rs_python as rs
import pytest
from sqlite_utils import Database

from loopdrill.core.fitting import day_histories, training_items
from loopdrill.core.model import Rating, ReviewRecord
from loopdrill.core.options import Options
from loopdrill.core.scheduling import make_scheduler
from loopdrill.services import fitting as opt
from loopdrill.services.fitting_worker import fit as worker_fit
from loopdrill.services.history import import_reviews
from loopdrill.store.settings import get_meta
from tests.conftest import NOW

TRUE = [0.5, 1.5, 3.5, 12.0, 6.0, 0.6, 2.5, 0.01, 1.6, 0.2, 0.9, 1.6, 0.08, 0.3, 1.6, 0.5,
        2.0, 0.6, 0.1, 0.05, 0.2]


def test_histories_count_days_between_study_days() -> None:
    rows = [("a", 10, 3), ("a", 10, 3), ("a", 13, 1), ("b", 10, 4)]
    histories = day_histories(rows)
    assert histories == [[(3, 0), (3, 0), (1, 3)], [(4, 0)]]
    assert training_items(histories) == [[(3, 0), (3, 0), (1, 3)]]


def synthetic(cards: int, seed: int = 7) -> list[list[tuple[int, int]]]:
    """Histories drawn from a known FSRS model: recall happens with its predicted R."""
    model = rs.FSRS(TRUE)
    rng = random.Random(seed)
    out = []
    for _ in range(cards):
        history = [(rng.choice([1, 3, 3, 3, 4]), 0)]
        for _ in range(rng.randint(4, 9)):
            state = model.memory_state(rs.FSRSItem([rs.FSRSReview(r, d) for r, d in history]))
            gap = max(1, round(state.stability * rng.uniform(0.3, 2.5)))
            recall = (1 + (0.9 ** (1 / -TRUE[20]) - 1) * gap / state.stability) ** -TRUE[20]
            rating = rng.choice([2, 3, 3, 3, 4]) if rng.random() < recall else 1
            history.append((rating, gap))
        out.append(history)
    return out


def test_fit_on_synthetic_history_comes_close_to_the_true_model() -> None:
    histories = synthetic(1500)
    result = worker_fit([[list(r) for r in h] for h in histories],
                        [float(w) for w in rs.DEFAULT_PARAMETERS])
    items = [rs.FSRSItem([rs.FSRSReview(r, d) for r, d in item])
             for item in training_items(histories)]
    true_loss = rs.FSRS(TRUE).evaluate(items).log_loss
    assert result["after"]["log_loss"] <= true_loss * 1.01
    fsrs.Scheduler(parameters=result["parameters"])  # never refused after rounding


def review_db(db: Database, demo_db: Database, days: int = 40) -> Database:
    rng = random.Random(3)
    records = []
    for card in ("demo/s3-standard", "demo/sqs-standard", "demo/efs-standard"):
        moment = NOW - dt.timedelta(days=days)
        for _ in range(6):
            records.append(ReviewRecord(card, moment, Rating(rng.choice([1, 3, 3, 4])), 5000))
            moment += dt.timedelta(days=rng.randint(1, 6))
    import_reviews(demo_db, records, NOW)
    return demo_db


def test_tiny_history_is_refused_with_how_much_more(db: Database, demo_db: Database) -> None:
    report = opt.fit(review_db(db, demo_db))
    assert report.fitted is None and "a fit needs at least 400" in report.message
    with pytest.raises(opt.OptimizeError, match="no fit to apply"):
        opt.apply(demo_db, NOW, report, None)
    assert get_meta(demo_db, "parameters") is None


def test_apply_reschedules_like_replaying_through_py_fsrs(db: Database,
                                                          demo_db: Database) -> None:
    review_db(db, demo_db)
    report = opt.FitReport(None, 400, 400, list(rs.DEFAULT_PARAMETERS), TRUE, {"log_loss": 1},
                           {"log_loss": 0.5})
    changed = opt.apply(demo_db, NOW, report, None)
    assert json.loads(get_meta(demo_db, "parameters") or "[]") == TRUE
    assert changed.cards == 3 and changed.moved >= 1
    scheduler = make_scheduler(Options(), TRUE, fuzz=False)
    rows = demo_db.conn.execute("SELECT reviewed_at, rating FROM reviews WHERE card_id = "
                                "'demo/s3-standard' ORDER BY reviewed_at").fetchall()
    card = fsrs.Card(card_id=1)
    for stamp, rating in rows:
        card, _ = scheduler.review_card(card, fsrs.Rating(rating),
                                        dt.datetime.fromisoformat(stamp))
    stored = demo_db.conn.execute("SELECT stability, difficulty FROM cards WHERE id = "
                                  "'demo/s3-standard'").fetchone()
    assert stored == (card.stability, card.difficulty)


def test_a_fit_that_is_killed_leaves_parameters_alone(db: Database, demo_db: Database,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    review_db(db, demo_db)
    monkeypatch.setattr(opt, "MIN_ITEMS", 1)
    with pytest.raises(opt.OptimizeError, match="took longer"):
        opt.fit(demo_db, timeout=0.001)
    monkeypatch.setattr(opt.sys, "executable", "/bin/false")
    with pytest.raises(opt.OptimizeError, match="the fit failed"):
        opt.fit(demo_db)
    assert get_meta(demo_db, "parameters") is None


def test_retention_simulation_marks_one_best(demo_db: Database) -> None:
    rows = opt.simulate_retention(demo_db)
    assert [r.retention for r in rows] == [0.75, 0.80, 0.85, 0.90, 0.95]
    assert sum(r.best for r in rows) == 1


def test_auto_optimize_waits_for_500_reviews(db: Database, demo_db: Database) -> None:
    review_db(db, demo_db)
    assert not opt.should_auto_optimize(demo_db, NOW)
    assert opt.auto_optimize(demo_db, NOW, None) is None


def test_py_fsrs_and_fsrs_rs_memory_states_agree() -> None:
    rng = random.Random(11)
    scheduler = make_scheduler(Options(), list(rs.DEFAULT_PARAMETERS), fuzz=False)
    model = rs.FSRS(list(rs.DEFAULT_PARAMETERS))
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    for _ in range(200):
        history = [(rng.choice([1, 2, 3, 4]), 0)] + [
            (rng.choice([1, 2, 3, 3, 4]), rng.randint(1, 60)) for _ in range(rng.randint(1, 8))]
        card, moment = fsrs.Card(card_id=1), start
        for rating, gap in history:
            moment += dt.timedelta(days=gap)
            card, _ = scheduler.review_card(card, fsrs.Rating(rating), moment)
        state = model.memory_state(rs.FSRSItem([rs.FSRSReview(r, d) for r, d in history]))
        assert state.stability == pytest.approx(card.stability, rel=1e-4)
        assert state.difficulty == pytest.approx(card.difficulty, rel=1e-4)
