"""The optimize service: fit, apply (replay equal to py-fsrs), bad input, reschedule_all,
the retention simulation and automatic refits, on small synthetic revlogs."""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from pathlib import Path

import fsrs
import fsrs.scheduler
import fsrs_rs_python as rs
import pytest
from sqlite_utils import Database

from loopdrill.core.model import Rating, ReviewRecord
from loopdrill.engine.answer import Memory, answer_in_order, make_scheduler
from loopdrill.engine.replay import same_state
from loopdrill.services import optimize as opt
from loopdrill.services.config import options_for, set_value
from loopdrill.services.history import import_reviews
from loopdrill.store.history import fit_rows, fit_rows_query
from loopdrill.store.queries import get_card
from loopdrill.store.settings import get_meta
from loopdrill.store.tx import transaction

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
TRUE = [0.5, 1.5, 3.5, 12.0, 6.0, 0.6, 2.5, 0.01, 1.6, 0.2, 0.9, 1.6, 0.08, 0.3, 1.6, 0.5,
        2.0, 0.6, 0.1, 0.05, 0.2]
KILLED = (sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")


def make_decks(db: Database, decks: dict[str, int]) -> None:
    with transaction(db):
        for slug, cards in decks.items():
            db.conn.execute("INSERT INTO decks (slug, title) VALUES (?, ?)", (slug, slug))
            db.conn.executemany(
                "INSERT INTO cards (id, deck, item, kind, content, position) "
                "VALUES (?, ?, ?, 'basic', '{\"front\": \"\", \"back\": \"\"}', ?)",
                [(f"{slug}/c{i}", slug, f"c{i}", i) for i in range(cards)])


def history(db: Database, deck: str, cards: int, reviews: int, seed: int = 5) -> None:
    """Reviews drawn from a known model (recall with its predicted R), at 10:00 UTC."""
    model, rng = rs.FSRS(TRUE), random.Random(seed)
    factor = 0.9 ** (1 / -TRUE[20]) - 1
    records = []
    for i in range(cards):
        day = NOW.replace(hour=10) - dt.timedelta(days=300 - rng.randint(0, 40))
        past = [(rng.choice([1, 3, 3, 4]), 0)]
        records.append(ReviewRecord(f"{deck}/c{i}", day, Rating(past[0][0]), 6000))
        for _ in range(reviews - 1):
            state = model.memory_state(rs.FSRSItem([rs.FSRSReview(r, d) for r, d in past]))
            gap = max(1, round(state.stability * rng.uniform(0.4, 2.0)))
            if day + dt.timedelta(days=gap) >= NOW:
                break
            day += dt.timedelta(days=gap)
            recall = (1 + factor * gap / state.stability) ** -TRUE[20]
            rating = rng.choice([2, 3, 3, 4]) if rng.random() < recall else 1
            past.append((rating, gap))
            records.append(ReviewRecord(f"{deck}/c{i}", day, Rating(rating), 6000))
    import_reviews(db, records, NOW)


@pytest.fixture
def big(db: Database) -> Database:
    make_decks(db, {"syn": 160, "other": 5})
    history(db, "syn", 160, 7)
    history(db, "other", 5, 3, seed=9)
    return db


def test_fit_reports_before_and_after_and_stores_nothing(big: Database) -> None:
    report = opt.fit(big, NOW)
    assert report.fitted is not None and report.reviews >= 400 and report.skipped == 0
    assert report.cards > 100 and report.better
    assert set(report.before) == set(report.after) == {"log_loss", "rmse_bins"}
    assert report.current == [float(w) for w in fsrs.Scheduler().parameters]
    assert all(w == round(w, 6) for w in report.fitted)
    assert get_meta(big, "parameters") is None
    assert opt.report_from_json(json.loads(json.dumps(opt.report_to_json(report)))) == report


def reference(db: Database, card_id: str, scheduler: fsrs.Scheduler) -> Memory:
    """The card's history answered as the drill answers (engine.answer: fsrs.Scheduler, fuzz
    drawn by the card, its reps and the rating; Hard < Good < Easy kept)."""
    memory = Memory()
    for stamp, rating in db.conn.execute(
            "SELECT reviewed_at, rating FROM reviews WHERE card_id = ? AND cram = 0 "
            "ORDER BY reviewed_at", (card_id,)):
        moment, grade = dt.datetime.fromisoformat(stamp), Rating(rating)
        memory = answer_in_order(scheduler, memory, grade, moment, seed=card_id)[grade].after
    return memory


def test_apply_stores_rounded_parameters_and_replays_every_card(big: Database,
                                                                tmp_path: Path) -> None:
    report = opt.fit(big, NOW)
    assert report.fitted is not None
    changed = opt.apply(big, NOW, report, backup_dir=tmp_path)
    assert json.loads(get_meta(big, "parameters") or "[]") == report.fitted
    assert changed.cards == 165 and 0 < changed.moved <= 165
    assert changed.backup and Path(changed.backup).exists()
    assert 0 <= changed.due_today_after <= changed.due_week_after <= 165
    scheduler = make_scheduler(options_for(big, "syn"), report.fitted)
    for i in range(0, 160, 7):
        card = get_card(big, f"syn/c{i}")
        assert card is not None  # stability and difficulty from fsrs-rs: float32
        assert same_state(card.memory, reference(big, f"syn/c{i}", scheduler))


def test_a_backup_that_fails_changes_nothing(big: Database, tmp_path: Path) -> None:
    report = opt.fit(big, NOW)
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(opt.OptimizeError, match=r"Cannot back up into .*nothing was changed"):
        opt.apply(big, NOW, report, backup_dir=tmp_path / "file" / "backups")
    assert get_meta(big, "parameters") is None


def test_a_deck_fit_goes_under_its_own_key(big: Database) -> None:
    with pytest.raises(opt.OptimizeError, match="no deck named 'nope'"):
        opt.fit(big, NOW, "nope")
    report = opt.fit(big, NOW, "syn")
    assert report.deck == "syn" and report.fitted is not None
    with pytest.raises(opt.OptimizeError, match="for syn, not other"):
        opt.apply(big, NOW, report, "other", backup_dir=None)
    changed = opt.apply(big, NOW, report, "syn", backup_dir=None)
    assert get_meta(big, "parameters") is None
    assert json.loads(get_meta(big, "parameters:syn") or "[]") == report.fitted
    assert changed.cards == 160


def test_tiny_history_is_refused_with_how_much_more(db: Database) -> None:
    make_decks(db, {"syn": 10})
    history(db, "syn", 10, 5)
    report = opt.fit(db, NOW)
    assert report.fitted is None and 0 < report.needed <= 400
    assert f"needs at least 400, so {report.needed} more" in report.message
    assert "Keeping the current parameters" in report.message
    with pytest.raises(opt.OptimizeError, match="no fit to apply"):
        opt.apply(db, NOW, report, backup_dir=None)
    assert get_meta(db, "parameters") is None
    assert opt.fit(db, NOW, "syn").needed == report.needed
    assert report.message.startswith(f"Only {400 - report.needed} reviews came")


def test_an_empty_history_is_refused_in_words(db: Database) -> None:
    report = opt.fit(db, NOW)
    assert report.needed == 400 and report.message.startswith("No review came 24 hours or more")


@pytest.mark.parametrize(("command", "timeout", "message"), [
    (KILLED, 60.0, "killed by signal 9"),
    ((sys.executable, "-c", "import sys; sys.stdin.read(); print('nonsense')"), 60.0,
     "unreadable answer"),
    ((sys.executable, "-c", "import sys; sys.exit('boom: no memory')"), 60.0, "boom"),
    ((sys.executable, "-c", "import sys, time; sys.stdin.read(); time.sleep(30)"), 0.5,
     "longer than 0 s"),
])
def test_a_worker_that_dies_leaves_the_parameters_alone(big: Database, command: tuple[str, ...],
                                                        timeout: float, message: str) -> None:
    due = big.conn.execute("SELECT group_concat(due) FROM cards").fetchone()[0]
    with pytest.raises(opt.OptimizeError, match=message):
        opt.fit(big, NOW, command=command, timeout=timeout)
    assert get_meta(big, "parameters") is None
    assert big.conn.execute("SELECT group_concat(due) FROM cards").fetchone()[0] == due


def test_the_history_is_read_in_the_revlog_card_index_order(big: Database) -> None:
    for deck in (None, "syn"):
        sql, params = fit_rows_query(deck)
        plan = " ".join(row[-1] for row in big.conn.execute(f"EXPLAIN QUERY PLAN {sql}",
                                                            params))
        assert "INDEX revlog_card" in plan and "TEMP B-TREE" not in plan


def test_rows_of_no_card_are_skipped_and_counted(big: Database) -> None:
    big.conn.execute("DROP TRIGGER revlog_totals_insert")  # a row no card owns
    big.conn.execute("INSERT INTO revlog (card, at, day, hour, rating, ms, state, reps, lapses, "
                     "ivl, elapsed, r, cram) SELECT 999999, at, day, hour, rating, ms, state, "
                     "reps, lapses, ivl, elapsed, r, cram FROM revlog LIMIT 2")
    report = opt.fit(big, NOW)
    assert report.skipped == 2
    assert opt.apply(big, NOW, report, backup_dir=None).cards == 165


def test_reschedule_all_moves_review_cards_to_the_new_retention(big: Database) -> None:
    set_value(big, "desired_retention", "0.8", None)
    changed = opt.reschedule_all(big, NOW, None)
    assert changed.cards > 0 and changed.moved > changed.cards // 2
    assert changed.due_week_after <= changed.due_week_before
    # every card is its log replayed with the new retention: a second pass moves nothing
    assert opt.reschedule_all(big, NOW, "syn").moved == 0


def test_simulation_marks_one_best_retention(big: Database) -> None:
    rows = opt.simulate_retention(big, NOW)
    assert [r.retention for r in rows] == [0.75, 0.80, 0.85, 0.90, 0.95]
    assert sum(r.best for r in rows) == 1
    best = next(r for r in rows if r.best)
    assert best.seconds_per_card == min(r.seconds_per_card for r in rows)
    assert rows[0].reviews_per_day < rows[-1].reviews_per_day
    assert rows[0].remembered < rows[-1].remembered
    # 6 s per answer in this history
    assert rows[2].minutes_total == pytest.approx(rows[2].reviews_per_day * 365 * 6 / 60)
    assert opt.simulate_retention(big, NOW) == rows
    assert json.dumps(opt.retention_to_json(rows))


def test_auto_optimize_at_most_weekly_after_500_reviews(big: Database, tmp_path: Path) -> None:
    message = opt.maybe_auto_optimize(big, NOW, tmp_path)
    assert message is not None and message.startswith("FSRS refitted on ")
    assert get_meta(big, "parameters") is not None
    assert opt.maybe_auto_optimize(big, NOW + dt.timedelta(days=8), tmp_path) is None  # 0 new
    last = json.loads(get_meta(big, "optimize:last") or "{}")
    assert last["reviews"] == big.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]


def test_auto_optimize_waits_for_500_reviews(db: Database) -> None:
    make_decks(db, {"syn": 10})
    history(db, "syn", 10, 5)
    assert opt.maybe_auto_optimize(db, NOW, None) is None
    assert get_meta(db, "optimize:last") is None


def test_the_fit_counts_24_hour_periods_as_the_scheduler_does(db: Database) -> None:
    """Reviews 23 hours apart across midnight (and the 4 am rollover) give delta_t 0, a
    short-term review and no training item, as py-fsrs treats them; 25 hours give 1."""
    import io

    import fsrs

    from loopdrill.engine.fit import HistoryEncoder, TrainingItems, parse_histories

    make_decks(db, {"syn": 1})
    first = dt.datetime(2026, 3, 7, 22, 0, tzinfo=dt.UTC)
    moments = [first, first + dt.timedelta(hours=23), first + dt.timedelta(hours=48)]
    import_reviews(db, [ReviewRecord("syn/c0", m, Rating.GOOD, 5000) for m in moments], NOW)
    encoder = HistoryEncoder()
    data = encoder.encode(fit_rows(db, None).fetchall()) + encoder.end()
    histories = list(parse_histories(io.BytesIO(data)))
    assert histories == [[(3, 0), (3, 0), (3, 1)]]
    assert len(TrainingItems(histories)) == 1
    scheduler, card = fsrs.Scheduler(enable_fuzzing=False), fsrs.Card()
    gaps = []
    for moment in moments:
        if card.last_review is not None:
            gaps.append((moment - card.last_review).days)
        card, _ = scheduler.review_card(card, fsrs.Rating.Good, moment)
    assert gaps == [0, 1]


def test_cli_applies_only_a_better_fit(db_path: Path) -> None:
    from click.testing import CliRunner

    from loopdrill.cli import cli
    from loopdrill.store.db import open_db

    db_path.parent.mkdir(parents=True)
    db = open_db(db_path)
    make_decks(db, {"syn": 160})
    history(db, "syn", 160, 7)
    db.conn.close()
    runner = CliRunner()
    first = runner.invoke(cli, ["optimize", "--apply"])
    assert first.exit_code == 0 and "due dates moved" in first.output
    stored = get_meta(open_db(db_path), "parameters")
    again = runner.invoke(cli, ["optimize", "--apply"])
    assert again.exit_code == 0 and "no better" in again.output
    assert "Not applied: the current parameters stay." in again.output
    assert get_meta(open_db(db_path), "parameters") == stored
