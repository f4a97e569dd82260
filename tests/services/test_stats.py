"""The stats report against a hand-computed fixture (TZ=UTC, rollover 4 am, now 2026-11-23
09:00 UTC, so today's study day began at 04:00), the JSON shape, and the clear errors."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from loopdrill.services import stats
from loopdrill.services.stats import StatsError, build_report, report_to_json
from loopdrill.store.queries import Scope
from tests.conftest import NOW

DECAY = 0.1542
FACTOR = 0.9 ** (1 / -DECAY) - 1

REVIEWS = [
    # n, stamp (UTC), card, rating, state_before, interval_before, R, elapsed days, cram
    (1, "2026-11-23T05:00:00", "s3-standard", 3, 2, 10.0, 0.9, 10.0, 0),     # today, young
    (2, "2026-11-23T04:00:00", "sqs-standard", 1, 2, 30.0, 0.8, 30.0, 0),    # the boundary
    (3, "2026-11-23T03:59:59.999999", "efs-standard", 3, 2, 30.0, None, 0.5, 0),  # yesterday
    (4, "2026-11-20T10:00:00", "s3-standard", 2, 2, 5.0, 0.95, 5.0, 0),
    (5, "2026-11-01T10:00:00", "efs-standard", 1, 2, 40.0, 0.7, 40.0, 0),
    (6, "2026-11-23T06:00:00", "slo-shape:c1", 3, 0, 0.0, None, 0.0, 0),     # new card
    (7, "2026-11-23T07:00:00", "s3-standard", 4, 2, 10.0, 0.99, 0.1, 1),     # cram
    (8, "2025-12-01T10:00:00", "sqs-standard", 3, 2, 25.0, 0.85, 25.0, 0),   # 357 days ago
    (9, "2025-06-01T10:00:00", "sqs-standard", 3, 1, 0.0, 0.99, 0.007, 0),   # a year+ ago
    (10, "2026-11-22T10:00:00", "sqs-standard", 3, 3, 0.0, 0.6, 1.5, 0),     # relearning
]

CARDS = [
    # card, state, stability, last_review, due, lapses, tags, suspended, buried_until
    ("sqs-standard", 2, 10.0, "2026-11-13T09:00:00", "2026-11-22T09:00:00", 1, " pricing ", 0,
     None),
    ("efs-standard", 2, 5.0, "2026-11-18T09:00:00", "2026-11-25T10:00:00", 0, " pricing ", 0,
     None),
    ("s3-standard", 2, 40.0, "2026-10-24T09:00:00", "2026-12-20T09:00:00", 2, " pricing ", 0,
     None),
    ("slo-shape:c1", 1, 0.5, "2026-11-23T06:00:00", "2026-11-23T06:10:00", 0, " pricing ", 0,
     None),
    ("slo-shape:c2", 3, 2.0, "2026-11-21T09:00:00", "2026-11-21T09:10:00", 8,
     " pricing leech ", 1, None),
    ("s3-standard:r", 0, None, None, None, 0, " pricing ", 0, "2026-11-24T04:00:00"),
]


def stamp(text: str | None) -> str | None:
    if text is None:
        return None
    return dt.datetime.fromisoformat(text + "+00:00").isoformat(timespec="microseconds")


def fill(db: Database) -> Database:
    """Write the fixture's revlog rows and card states into the demo deck."""
    for _, at, card, rating, state, interval, r, elapsed, cram in REVIEWS:
        db.conn.execute(
            "INSERT INTO reviews (card_id, deck, reviewed_at, rating, duration_ms, state_before, "
            "state_after, interval_before, retrievability, elapsed_days, before, after, cram) "
            "VALUES (?, 'demo', ?, ?, 6000, ?, 2, ?, ?, ?, '{}', '{}', ?)",
            (f"demo/{card}", stamp(at), rating, state, interval, r, elapsed, cram))
    for card, state, s, last, due, lapses, tags, suspended, buried in CARDS:
        db.conn.execute(
            "UPDATE cards SET state = ?, stability = ?, difficulty = 5, last_review = ?, "
            "due = ?, lapses = ?, tags = ?, suspended = ?, buried_until = ? WHERE id = ?",
            (state, s, stamp(last), stamp(due), lapses, tags, suspended, stamp(buried),
             f"demo/{card}"))
    return db


@pytest.fixture
def stats_db(demo_db: Database) -> Database:
    return fill(demo_db)


def r_at(stability: float, days: float) -> float:
    return float((1 + FACTOR * days / stability) ** -DECAY)


def test_today_and_true_retention_with_the_4am_boundary(stats_db: Database) -> None:
    report = build_report(stats_db, NOW)
    assert report.study_day == dt.date(2026, 11, 23)
    # today: reviews 1, 2 (04:00:00 exactly is today), 6 and 7 (cram counts as studying)
    today = report.today
    assert (today.reviews, today.cards, today.again) == (4, 3, 1)
    assert today.minutes == pytest.approx(4 * 6000 / 60000)
    assert today.true_retention == 0.5  # review 1 passed, review 2 failed; cram left out
    table = {r.period: (r.young.passed, r.young.total, r.mature.passed, r.mature.total)
             for r in report.retention}
    assert table == {"today": (1, 1, 0, 1), "yesterday": (0, 0, 1, 1), "7d": (2, 2, 1, 2),
                     "30d": (2, 2, 1, 3), "365d": (2, 2, 2, 4)}
    assert report.retention[4].all.rate == pytest.approx(4 / 6)


def test_calendar_streaks_buttons_and_minutes(stats_db: Database) -> None:
    report = build_report(stats_db, NOW)
    cal = report.calendar
    assert cal.start == dt.date(2025, 11, 24) and len(cal.counts) == 365
    by_day = {(cal.start + dt.timedelta(days=i)).isoformat(): n
              for i, n in enumerate(cal.counts) if n}
    assert by_day == {"2025-12-01": 1, "2026-11-01": 1, "2026-11-20": 1, "2026-11-22": 2,
                      "2026-11-23": 4}
    assert (cal.current_streak, cal.longest_streak) == (2, 2)
    assert report.buttons == {"learning": (0, 0, 2, 0), "review": (2, 1, 2, 0)}
    assert len(report.minutes_per_day) == 30
    assert report.minutes_per_day[-1] == 0.4 and report.minutes_per_day[-2] == 0.2
    assert report.minutes_per_day[-4] == 0.1 and sum(report.minutes_per_day) == pytest.approx(0.8)


def test_streak_counts_from_yesterday_before_any_review_today(stats_db: Database) -> None:
    stats_db.conn.execute("DELETE FROM reviews WHERE reviewed_at >= ?",
                          (stamp("2026-11-23T04:00:00"),))
    report = build_report(stats_db, NOW)
    assert (report.calendar.current_streak, report.calendar.longest_streak) == (1, 1)
    assert report.today.reviews == 0 and report.today.true_retention is None


def test_predicted_retention_counts_and_forecast(stats_db: Database) -> None:
    report = build_report(stats_db, NOW)
    expected = [0.9, 0.9, r_at(40, 30), r_at(0.5, 3 / 24), 0.9]
    assert report.predicted.studied == 5
    assert report.predicted.retention == pytest.approx(sum(expected) / 5)
    assert report.predicted.knowledge == pytest.approx(round(sum(expected), 2))
    c = report.counts
    assert (c.new, c.learning, c.young, c.mature, c.relearning) == (0, 1, 2, 1, 0)
    assert (c.suspended, c.buried, c.retired, c.leeches) == (1, 1, 0, 1)
    assert len(report.forecast) == 30
    assert {i: n for i, n in enumerate(report.forecast) if n} == {0: 2, 2: 1, 27: 1}


def test_calibration_log_loss_and_rmse_bins(stats_db: Database) -> None:
    report = build_report(stats_db, NOW)
    # long-term, non-cram answers with a prediction: 1, 2, 4, 5, 8 and 10 (relearning 1.5 d)
    pairs = [(0.9, 1), (0.8, 0), (0.95, 1), (0.7, 0), (0.85, 1), (0.6, 1)]
    cal = report.calibration
    assert cal.reviews == 6
    assert cal.log_loss == pytest.approx(
        -sum(math.log(p if y else 1 - p) for p, y in pairs) / 6)
    # every answer falls in its own fsrs-rs bin (14, 10, 17, 7, 12, 5): RMSE over single bins
    assert cal.rmse_bins == pytest.approx(math.sqrt(sum((p - y) ** 2 for p, y in pairs) / 6))
    filled = {i: (b.count, b.actual) for i, b in enumerate(cal.bins) if b.count}
    assert filled == {5: (1, 1.0), 7: (1, 0.0), 10: (1, 0.0), 12: (1, 1.0), 14: (1, 1.0),
                      17: (1, 1.0)}
    assert cal.bins[14].lower == pytest.approx(math.log(15) / math.log(21))


def test_weak_spots_and_leeches(stats_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    weak = build_report(stats_db, NOW).weak
    assert weak.lowest_retention == ()  # 5 review answers in 30 days: under the minimum 10
    assert [(s.kind, s.name, s.lapses) for s in weak.most_lapses] == [
        ("deck", "demo", 11), ("tag", "pricing", 11)]
    assert [(x.id, x.lapses) for x in weak.leeches] == [("demo/slo-shape:c2", 8)]
    assert "window" in weak.leeches[0].front
    monkeypatch.setattr(stats, "WEAK_MIN_REVIEWS", 1)
    lowest = build_report(stats_db, NOW).weak.lowest_retention
    # 30 days of review answers: s3 2/2, sqs 0/1, efs 1/2
    assert [(s.kind, s.name, s.retention.passed, s.retention.total) for s in lowest] == [
        ("deck", "demo", 3, 5), ("tag", "pricing", 3, 5)]


def test_readiness_on_an_exam_date(stats_db: Database) -> None:
    exam = dt.date(2026, 12, 23)
    report = build_report(stats_db, NOW, exam=exam)
    assert report.readiness is not None and report.readiness.exam == exam
    (demo,) = report.readiness.decks
    at = dt.datetime(2026, 12, 23, 4, tzinfo=dt.UTC)  # the exam day's start

    def days(last: str) -> float:
        return (at - dt.datetime.fromisoformat(last + "+00:00")).total_seconds() / 86400

    expected = [r_at(10, days("2026-11-13T09:00:00")), r_at(5, days("2026-11-18T09:00:00")),
                r_at(40, days("2026-10-24T09:00:00")), r_at(0.5, days("2026-11-23T06:00:00")),
                r_at(2, days("2026-11-21T09:00:00"))]
    assert demo.deck == "demo" and demo.studied == 5
    assert demo.retention == pytest.approx(sum(expected) / 5)
    assert demo.below == sum(r < 0.8 for r in expected) == 4


@pytest.mark.parametrize(("scope", "exam", "message"), [
    (Scope(("nope",)), None, "no deck named 'nope'"),
    (Scope(tag="nope"), None, "no card has the tag 'nope'"),
    (Scope(), dt.date(2026, 11, 1), "is not after today"),
    (Scope(), dt.date(2026, 11, 23), "is not after today"),
])
def test_unknown_deck_or_tag_and_past_exam_are_errors(stats_db: Database, scope: Scope,
                                                      exam: dt.date | None, message: str) -> None:
    with pytest.raises(StatsError, match=message):
        build_report(stats_db, NOW, scope, exam)


def test_tag_and_deck_scopes(stats_db: Database) -> None:
    leech = build_report(stats_db, NOW, Scope(tag="leech"))
    assert leech.predicted.studied == 1 and leech.today.reviews == 0
    assert leech.counts.suspended == 1 and sum(leech.calendar.counts) == 0
    demo = build_report(stats_db, NOW, Scope(("demo",)))
    assert demo.today.reviews == 4 and demo.predicted.studied == 5


def test_empty_database_and_deck_without_reviews(db: Database, demo_db: Database) -> None:
    for database in (db, demo_db):
        report = build_report(database, NOW, exam=dt.date(2027, 1, 1))
        assert report.empty and report.predicted.retention is None
        assert report.calibration.log_loss is None and report.calibration.rmse_bins is None
        assert report.today.true_retention is None and sum(report.forecast) == 0
        json.dumps(report_to_json(report))
    assert build_report(demo_db, NOW, Scope(("demo",))).counts.new == 6


def test_json_shape(stats_db: Database) -> None:
    data: dict[str, Any] = report_to_json(build_report(stats_db, NOW, exam=dt.date(2026, 12, 23)))
    assert set(data) == {"version", "scope", "generated_at", "study_day", "empty", "today",
                         "true_retention", "predicted", "forecast", "calendar", "card_counts",
                         "answer_buttons", "minutes_per_day", "calibration", "weak_spots",
                         "readiness"}
    assert data["version"] == 1 and data["study_day"] == "2026-11-23"
    assert data["today"] == {"cards": 3, "reviews": 4, "minutes": 0.4, "again": 1,
                             "true_retention": 0.5}
    assert data["true_retention"]["7d"]["mature"] == {"passed": 1, "total": 2, "rate": 0.5}
    assert set(data["true_retention"]) == {"today", "yesterday", "7d", "30d", "365d"}
    assert data["answer_buttons"]["review"] == {"again": 2, "hard": 1, "good": 2, "easy": 0}
    assert data["forecast"]["start"] == "2026-11-23" and len(data["forecast"]["due"]) == 30
    assert data["calendar"]["start"] == "2025-11-24" and len(data["calendar"]["reviews"]) == 365
    assert set(data["calibration"]["bins"][0]) == {"lower", "upper", "reviews", "predicted",
                                                   "actual"}
    assert set(data["weak_spots"]) == {"window_days", "min_reviews", "lowest_retention",
                                       "most_lapses", "leeches"}
    assert data["readiness"]["decks"][0]["below_threshold"] == 4
    assert json.loads(json.dumps(data)) == data


def test_a_database_file_gives_the_same_report(stats_db: Database, tmp_path: Path) -> None:
    """On a file the card figures run on a second connection; the figures do not change."""
    from loopdrill.store.db import open_db

    path = tmp_path / "copy.db"
    stats_db.conn.execute("VACUUM INTO ?", (str(path),))
    on_file = open_db(path)
    try:
        assert report_to_json(build_report(on_file, NOW)) == report_to_json(
            build_report(stats_db, NOW))
    finally:
        on_file.conn.close()
