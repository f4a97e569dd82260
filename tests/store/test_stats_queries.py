"""The stats SQL: study-day ranges at the 4 am boundary, per-bin sums, and query plans that
read covering indexes without sorting the revlog."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from sqlite_utils import Database

from loopdrill.core.stats import bin_edges, day_bounds
from loopdrill.store import stats_queries as q
from tests.services.test_stats import fill, stamp

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


@pytest.fixture
def filled(demo_db: Database) -> Database:
    return fill(demo_db)


def test_answers_per_day_split_at_the_rollover(filled: Database) -> None:
    bounds = day_bounds(TODAY - dt.timedelta(days=2), 3, 4, dt.UTC)  # 21st, 22nd, 23rd
    assert q.answers_per_day(filled, (), None, bounds) == [0, 2, 4]
    assert q.time_per_day(filled, (), None, bounds) == [0, 12000, 24000]
    # a review one microsecond before 04:00 is yesterday's; one at 04:00:00 is today's
    assert q.day_summary(filled, (), None, bounds[2], bounds[3]) == (4, 3, 24000, 1)
    assert q.answers_per_day(filled, ("nope",), None, bounds) == [0, 0, 0]
    first = q.first_answer(filled, (), None)
    assert first == dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC)


def test_review_state_answers_and_buttons(filled: Database) -> None:
    bounds = day_bounds(TODAY - dt.timedelta(days=1), 2, 4, dt.UTC)
    rows = q.review_state_answers(filled, ["demo"], None, [(bounds[1], bounds[2]),
                                                           (bounds[0], bounds[1])])
    # today: Good (young) and Again (mature); yesterday: Good (mature); cram left out
    assert sorted(rows) == [(0, "demo", 1, 1, 0.0), (0, "demo", 3, 1, 1.0),
                            (1, "demo", 3, 1, 0.0)]
    buttons = q.answer_buttons(filled, ["demo"], None, bounds[0], bounds[2])
    assert sorted(buttons) == [(0, "demo", 3, 1), (2, "demo", 1, 1), (2, "demo", 3, 2),
                               (3, "demo", 3, 1)]


def test_calibration_sums_per_bin(filled: Database) -> None:
    rows = q.calibration(filled, (), None, bin_edges())
    assert len(rows) == 20
    n, r_sum, passed, ln_sum = rows[14]  # 0.9 passed
    assert (n, passed) == (1, 1) and r_sum == pytest.approx(0.9)
    assert ln_sum == pytest.approx(math.log(0.9))
    assert rows[10][3] == pytest.approx(math.log(0.2))  # 0.8 failed: ln(1 - p)
    assert sum(r[0] for r in rows) == 6


def test_card_queries(filled: Database) -> None:
    groups = {(state, suspended): (n, buried)
              for _, state, _, suspended, n, buried in q.card_groups(filled, (), None, NOW)}
    assert groups == {(0, 0): (1, 1.0), (1, 0): (1, 0.0), (2, 0): (3, 0.0), (3, 1): (1, 0.0)}
    factor = 0.9 ** (1 / -0.1542) - 1
    (row,) = q.studied_cards(filled, ["demo"], None, NOW, factor, 0.1542, None)
    assert row[0] == "demo" and row[1] == 5 and row[5] == 2  # two young review cards
    assert q.leeches(filled, (), None, 5)[0][0] == "demo/slo-shape:c2"
    assert sorted(q.lapses_by_card_group(filled, ["demo"], None)) == [
        ("demo", " pricing ", 3.0), ("demo", " pricing leech ", 8.0)]
    due = q.due_per_day(filled, (), None, day_bounds(TODAY, 3, 4, dt.UTC))
    assert due == [2, 0, 1]  # overdue and learning today; efs on the 25th
    assert q.tag_exists(filled, "leech") and not q.tag_exists(filled, "lee")


def test_memory_database_has_no_second_reader(filled: Database) -> None:
    assert q.second_reader(filled) is None


def test_plans_read_covering_indexes_and_never_sort_the_revlog(filled: Database) -> None:
    start, end = stamp("2026-10-24T04:00:00"), stamp("2026-11-24T04:00:00")
    statements = [
        ("SELECT COUNT(*) FROM reviews r INDEXED BY reviews_stats_time "
         "WHERE r.reviewed_at >= ? AND r.reviewed_at < ?", (start, end)),
        ("SELECT r.deck, r.rating, COUNT(*), TOTAL(r.interval_before < 21) FROM reviews r "
         "INDEXED BY reviews_stats_state WHERE r.state_before = 2 AND r.cram = 0 "
         "AND r.deck IN ('demo') AND r.rating IN (1, 2, 3, 4) AND r.reviewed_at >= ? "
         "AND r.reviewed_at < ? GROUP BY r.deck, r.rating", (start, end)),
        ("SELECT COUNT(*), TOTAL(r.retrievability) FROM reviews r "
         "INDEXED BY reviews_stats_recall WHERE r.cram = 0 AND r.retrievability >= 0.5 "
         "AND r.retrievability < 0.6 AND (r.state_before = 2 OR r.elapsed_days >= 1)", ()),
        ("SELECT c.deck, c.state, c.retired, c.suspended, COUNT(*) FROM cards c "
         "INDEXED BY cards_stats GROUP BY c.deck, c.state, c.retired, c.suspended", ()),
    ]
    for sql, args in statements:
        plan = " | ".join(r[3] for r in filled.conn.execute("EXPLAIN QUERY PLAN " + sql, args))
        assert "COVERING INDEX" in plan and "TEMP B-TREE" not in plan, plan
