"""The stats report against a hand-computed fixture with a fixed clock (TZ=UTC, rollover 4)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from loopdrill.cli import cli
from loopdrill.services.report import StatsError, build_report, report_to_json
from loopdrill.store.queries import Scope
from tests.conftest import DEMO_DECK, NOW

REVIEWS = [
    # stamp, card, rating, state_before, interval_before, retrievability, elapsed, cram
    ("2026-11-23T05:00:00", "demo/s3-standard", 3, 2, 10.0, 0.9, 10.0, 0),
    ("2026-11-23T04:00:00", "demo/sqs-standard", 1, 2, 30.0, 0.8, 10.0, 0),  # the boundary
    ("2026-11-23T03:59:59", "demo/efs-standard", 3, 2, 30.0, None, 0.5, 0),  # yesterday
    ("2026-11-20T10:00:00", "demo/s3-standard", 2, 2, 5.0, None, 0.5, 0),
    ("2026-11-01T10:00:00", "demo/efs-standard", 1, 2, 40.0, None, 0.5, 0),
    ("2026-11-23T06:00:00", "demo/slo-shape:c1", 3, 0, 0.0, None, 0.0, 0),
    ("2026-11-23T07:00:00", "demo/s3-standard", 4, 2, 10.0, None, 0.0, 1),  # cram
]


@pytest.fixture
def stats_db(demo_db: Database) -> Database:
    conn = demo_db.conn
    for stamp, card, rating, state, interval, r, elapsed, cram in REVIEWS:
        conn.execute(
            "INSERT INTO reviews (card_id, deck, reviewed_at, rating, duration_ms, state_before, "
            "state_after, reps_before, lapses_before, interval_before, retrievability, "
            "elapsed_days, before, after, cram) VALUES (?, 'demo', ?, ?, 6000, ?, 2, 3, 0, ?, "
            "?, ?, '[]', '[]', ?)",
            (card, stamp + ".000000+00:00", rating, state, interval, r, elapsed, cram))
    # two studied cards at R = 0.9 exactly (elapsed = stability), one overdue, one due in 2 days
    conn.execute("UPDATE cards SET state = 2, stability = 10, difficulty = 5, "
                 "last_review = '2026-11-13T09:00:00.000000+00:00', "
                 "due = '2026-11-22T09:00:00.000000+00:00' WHERE id = 'demo/sqs-standard'")
    conn.execute("UPDATE cards SET state = 2, stability = 5, difficulty = 5, "
                 "last_review = '2026-11-18T09:00:00.000000+00:00', "
                 "due = '2026-11-25T10:00:00.000000+00:00' WHERE id = 'demo/efs-standard'")
    return demo_db


def test_true_retention_periods_with_the_4am_boundary(stats_db: Database) -> None:
    report = build_report(stats_db, NOW)
    table = {r.period: (r.young_passed, r.young_total, r.mature_passed, r.mature_total)
             for r in report.retention}
    assert table == {"today": (1, 1, 0, 1), "yesterday": (0, 0, 1, 1), "7d": (2, 2, 1, 2),
                     "30d": (2, 2, 1, 3), "365d": (2, 2, 1, 3)}
    assert report.retention_today == 0.5


def test_today_streak_calendar_buttons(stats_db: Database) -> None:
    # cards studied today are those whose last review is today (the fixture's card states are
    # not its reviews' replay: give the three answered today their last review)
    stats_db.conn.execute("UPDATE cards SET last_review = '2026-11-23T05:00:00.000000+00:00' "
                          "WHERE id = 'demo/sqs-standard'")
    stats_db.conn.execute("UPDATE cards SET state = 2, stability = 3, difficulty = 5, "
                          "last_review = '2026-11-23T05:00:00.000000+00:00', "
                          "due = '2026-11-26T05:00:00.000000+00:00' "
                          "WHERE id = 'demo/s3-standard'")
    stats_db.conn.execute("UPDATE cards SET state = 1, stability = 1, difficulty = 5, "
                          "last_review = '2026-11-23T06:00:00.000000+00:00', "
                          "due = '2026-11-23T06:10:00.000000+00:00' "
                          "WHERE id = 'demo/slo-shape:c1'")
    report = build_report(stats_db, NOW)
    assert (report.reviews_today, report.again_today, report.studied_today) == (4, 1, 3)
    assert report.minutes_today == pytest.approx(4 * 6000 / 60000)
    assert report.calendar == {"2026-11-01": 1, "2026-11-20": 1, "2026-11-22": 1,
                               "2026-11-23": 4}
    assert (report.streak_current, report.streak_longest) == (2, 2)
    assert report.buttons == {"learning": [0, 0, 1, 0], "review": [2, 1, 2, 0]}


def test_predicted_retention_forecast_counts(stats_db: Database) -> None:
    report = build_report(stats_db, NOW)
    assert report.studied_cards == 2
    assert report.predicted_retention == pytest.approx(0.9)
    assert report.knowledge == pytest.approx(1.8)
    # the overdue card is the backlog, apart from the forecast
    assert report.backlog == 1 and report.forecast[2] == 1 and sum(report.forecast) == 1
    assert report.counts["new"] == 4 and report.counts["mature"] == 0
    assert report.counts["young"] == 2


def test_calibration_log_loss_and_rmse_bins(stats_db: Database) -> None:
    report = build_report(stats_db, NOW)
    assert report.calibration_reviews == 2
    assert report.log_loss == pytest.approx(round((-math.log(0.9) - math.log(0.2)) / 2, 4))
    assert report.rmse_bins == pytest.approx(0.35)
    by_bin = {b["from"]: (b["reviews"], b["actual"]) for b in report.calibration}
    assert by_bin[0.9] == (1, 1.0) and by_bin[0.8] == (1, 0.0)


def test_readiness_on_an_exam_date(stats_db: Database) -> None:
    report = build_report(stats_db, NOW, exam=dt.date(2026, 12, 23))
    demo = next(d for d in report.decks if d.name == "demo")
    assert demo.studied == 2
    assert demo.exam_retention is not None and demo.exam_retention < 0.9
    assert demo.exam_below == 2


@pytest.mark.parametrize(("scope", "exam", "message"), [
    (Scope(("nope",)), None, "no deck named 'nope'"),
    (Scope(tag="nope"), None, "no card has the tag 'nope'"),
    (Scope(), dt.date(2026, 11, 1), "not in the future"),
])
def test_bad_scope_or_date(stats_db: Database, scope: Scope, exam: dt.date | None,
                           message: str) -> None:
    with pytest.raises(StatsError, match=message):
        build_report(stats_db, NOW, scope, exam)


def test_empty_database_and_json_shape(db: Database) -> None:
    report = build_report(db, NOW)
    assert report.empty and report.predicted_retention is None
    data: dict[str, Any] = report_to_json(report)
    assert set(data) == {"scope", "study_day", "period", "exam", "headline", "totals", "today",
                         "true_retention", "desired_retention", "predicted_retention",
                         "estimated_knowledge", "studied_cards", "backlog", "forecast",
                         "calendar", "streak", "card_counts", "deck_card_counts",
                         "answer_buttons", "minutes_per_day", "hours", "distributions",
                         "calibration", "weak_spots", "readiness"}
    assert data["true_retention"]["today"] == {"young": None, "young_reviews": 0,
                                               "mature": None, "mature_reviews": 0,
                                               "all": None}
    json.dumps(data)


def test_stats_command(db_path: Path, write_deck: Callable[..., Path]) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["import", str(write_deck(DEMO_DECK))])
    empty = runner.invoke(cli, ["stats"])
    assert empty.exit_code == 0 and "No reviews yet" in empty.output
    runner.invoke(cli, ["drill", "--plain", "--deck", "demo"], input="\n3\n\n1\n")
    data = json.loads(runner.invoke(cli, ["stats", "--json"]).output)
    assert data["today"]["reviews"] == 2 and data["today"]["again"] == 1
    bad = runner.invoke(cli, ["stats", "--exam", "tomorrow"])
    assert bad.exit_code == 1 and "--exam: 'tomorrow' is not a date" in bad.output
    past = runner.invoke(cli, ["stats", "--exam", "2020-01-01"])
    assert past.exit_code == 1 and "not in the future" in past.output


def test_flagged_new_cards_are_not_counted_as_new(stats_db: Database) -> None:
    before = build_report(stats_db, NOW).counts
    stats_db.conn.execute("UPDATE cards SET suspended = 1 WHERE id = 'demo/s3-standard:r'")
    stats_db.conn.execute("UPDATE cards SET retired = 1 WHERE id = 'demo/slo-shape:c2'")
    after = build_report(stats_db, NOW).counts
    assert after["new"] == before["new"] - 2
    assert (after["suspended"], after["retired"]) == (1, 1)


def test_weak_spot_lines_count_review_answers_of_all_time(stats_db: Database) -> None:
    stats_db.conn.execute(
        "INSERT INTO reviews (card_id, deck, reviewed_at, rating, state_before, state_after, "
        "before, after) VALUES ('demo/sqs-standard', 'demo', "
        "'2024-06-01T10:00:00.000000+00:00', 3, 2, 2, '[]', '[]')")
    report = build_report(stats_db, NOW)
    demo = next(d for d in report.decks if d.name == "demo")
    pricing = next(t for t in report.tags if t.name == "pricing")
    # review-state, not cram: 3, 1, 3, 2, 1 in the fixture and the 3 of 2024
    assert (demo.reviews, demo.passed) == (pricing.reviews, pricing.passed) == (6, 4)
    assert "2024-06-01" not in report.calendar
    tagged = build_report(stats_db, NOW, Scope(tag="pricing"))
    assert (tagged.decks[0].reviews, tagged.decks[0].passed) == (6, 4)


def test_a_tag_scope_reads_the_same_days_from_the_revlog(stats_db: Database) -> None:
    everything = report_to_json(build_report(stats_db, NOW))
    tagged = report_to_json(build_report(stats_db, NOW, Scope(tag="pricing")))
    for key in ("today", "true_retention", "calendar", "answer_buttons", "minutes_per_day",
                "streak", "calibration"):
        assert tagged[key] == everything[key], key


def test_changing_the_rollover_hour_moves_answers_between_days(stats_db: Database) -> None:
    from loopdrill.store.settings import set_option, unset_option

    set_option(stats_db, "rollover_hour", 3)  # 03:59:59 is now after the day began
    report = build_report(stats_db, NOW)
    assert report.calendar == {"2026-11-01": 1, "2026-11-20": 1, "2026-11-23": 5}
    assert report.retention[0].mature_total == 2 and report.retention[1].mature_total == 0
    unset_option(stats_db, "rollover_hour")
    assert build_report(stats_db, NOW).calendar == {
        "2026-11-01": 1, "2026-11-20": 1, "2026-11-22": 1, "2026-11-23": 4}


def test_calibration_bins_in_sql_group_as_the_benchmark_does(db: Database) -> None:
    """statsql.calibration groups by exponents in SQL; they must split values exactly where
    core.retention's interval_bin, count_bin and lapse_bin do."""
    from loopdrill.core.retention import count_bin, interval_bin, lapse_bin

    for sql, python, values in (
            ("floor(ln(?) / ln(3.62))", interval_bin, range(1, 3000)),
            ("floor(ln(? + 1) / ln(1.89))", lambda v: count_bin(v + 1), range(0, 400)),
            ("CASE WHEN ? = 0 THEN -1 ELSE floor(ln(?) / ln(1.73)) END", lapse_bin,
             range(0, 200))):
        keys = {v: db.conn.execute(f"SELECT {sql}", (v,) * sql.count("?")).fetchone()[0]
                for v in values}
        pairs = list(itertools.pairwise(values))
        assert all((keys[a] == keys[b]) == (python(a) == python(b)) for a, b in pairs)
