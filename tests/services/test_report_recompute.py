"""Every figure of the stats report checked against an independent recomputation from the
review CSV the history was imported from (TZ=UTC, rollover 4): totals and counts per period,
days studied, the calendar, answers by hour with their pass rate, the answer buttons, cards
added, and the histograms of stability, difficulty and retrievability (a replay of the CSV
through py-fsrs) and of intervals (from the stored cards)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import fsrs
import pytest
from sqlite_utils import Database

from loopdrill.formats.native import read_deck
from loopdrill.formats.review_csv import read_review_csv
from loopdrill.services.history import import_reviews
from loopdrill.services.report import build_report
from loopdrill.services.report_cards import DAY_EDGES, day_bin
from loopdrill.store.decks import sync_deck
from loopdrill.store.tx import transaction
from tests.conftest import DEMO_DECK, NOW

ROLLOVER = dt.timedelta(hours=4)
TODAY = (NOW - ROLLOVER).date()
CARDS, STUDIED = 40, 30
HIST_LOADED = NOW - dt.timedelta(days=200)
DEMO_LOADED = NOW - dt.timedelta(days=10)


def _deck_text() -> str:
    items = "".join(f"  - id: q{i:02d}\n    front: Question {i} [b]not markup[/b]?\n"
                    f"    back: Answer {i}\n    tags: [{'net' if i % 2 else 'db'}]\n"
                    for i in range(CARDS))
    return f"deck: hist\ntitle: History deck\nitems:\n{items}"


def _history(seed: int = 19) -> list[tuple[str, dt.datetime, int, int]]:
    """(card id, time, rating, duration ms): growing gaps from a random start, random hours,
    two answers on either side of a 4 am rollover."""
    rng = random.Random(seed)
    rows = []
    for i in range(STUDIED):
        day = NOW - dt.timedelta(days=rng.uniform(20, 420))
        gap = 1.0
        while day < NOW - dt.timedelta(hours=1):
            rating = rng.choices((1, 2, 3, 4), weights=(0.15, 0.15, 0.6, 0.1))[0]
            moment = day.replace(hour=rng.randrange(24), minute=rng.randrange(60),
                                 microsecond=0)
            if moment < NOW:
                rows.append((f"hist/q{i:02d}", moment, rating, rng.randrange(2000, 15000)))
            gap = 1.0 if rating == 1 else gap * rng.uniform(1.5, 3.0)
            day += dt.timedelta(days=gap)
    rows.append(("hist/q00", dt.datetime(2026, 11, 20, 3, 59, 59, tzinfo=dt.UTC), 3, 5000))
    rows.append(("hist/q00", dt.datetime(2026, 11, 20, 4, 0, 0, tzinfo=dt.UTC), 1, 5000))
    return sorted(rows, key=lambda r: (r[0], r[1]))


@pytest.fixture
def history(db: Database, write_deck: Callable[[str, str], Path],
            tmp_path: Path) -> tuple[Database, list[tuple[str, dt.datetime, int, int]]]:
    """The hist deck loaded 200 days ago with 30 of its 40 cards studied from a CSV, and the
    demo deck loaded 10 days ago, never studied."""
    for text, name, moment in ((_deck_text(), "hist.yaml", HIST_LOADED),
                               (DEMO_DECK, "demo.yaml", DEMO_LOADED)):
        with transaction(db):
            sync_deck(db, read_deck(write_deck(text, name)), moment)
    path = tmp_path / "reviews.csv"
    rows = _history()
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["card_id", "reviewed_at", "rating", "duration_ms"])
        for card, moment, rating, ms in rows:
            out.writerow([card, moment.isoformat(), rating, ms])
    import_reviews(db, read_review_csv(path), NOW)
    return db, _read_csv(path)


def _read_csv(path: Path) -> list[tuple[str, dt.datetime, int, int]]:
    with path.open(newline="") as f:
        return [(r["card_id"], dt.datetime.fromisoformat(r["reviewed_at"]), int(r["rating"]),
                 int(r["duration_ms"])) for r in csv.DictReader(f)]


def _study_day(moment: dt.datetime) -> dt.date:
    return (moment - ROLLOVER).date()


@pytest.mark.parametrize("period", ["1m", "3m", "1y", "all"])
def test_period_totals_calendar_hours_buttons(
        history: tuple[Database, list[tuple[str, dt.datetime, int, int]]], period: str) -> None:
    db, rows = history
    report = build_report(db, NOW, period=period)
    days = {"1m": 30, "3m": 90, "1y": 365}.get(period)
    first = (TODAY - dt.timedelta(days=days - 1) if days
             else min(_study_day(m) for _, m, _, _ in rows))
    inside = [r for r in rows if first <= _study_day(r[1]) <= TODAY]
    assert (inside and len(inside) < len(rows)) or period == "all"
    t = report.totals
    assert (t.first_day, t.days) == (first, (TODAY - first).days + 1)
    assert t.reviews == len(inside)
    assert t.again == sum(1 for r in inside if r[2] == 1)
    assert t.days_studied == len({_study_day(r[1]) for r in inside})
    assert t.minutes == pytest.approx(round(sum(r[3] for r in inside) / 60000, 2))
    assert t.per_studied_day == pytest.approx(len(inside) / t.days_studied)
    assert report.calendar == {d.isoformat(): n for d, n in
                               sorted(Counter(_study_day(r[1]) for r in inside).items())}
    hours = Counter(r[1].hour for r in inside)
    passed = Counter(r[1].hour for r in inside if r[2] > 1)
    assert report.hours == [[hours[h], passed[h]] for h in range(24)]
    by_rating = Counter(r[2] for r in inside)
    assert [a + b for a, b in zip(report.buttons["learning"], report.buttons["review"],
                                  strict=True)] == [by_rating[k] for k in (1, 2, 3, 4)]
    start = dt.datetime.combine(first, dt.time(4), tzinfo=dt.UTC)
    assert t.cards_added == (CARDS if start <= HIST_LOADED else 0) + 6  # demo: 6 cards


def test_hours_and_totals_follow_a_tag(
        history: tuple[Database, list[tuple[str, dt.datetime, int, int]]]) -> None:
    from loopdrill.store.queries import Scope

    db, rows = history
    report = build_report(db, NOW, Scope(tag="net"), period="1y")
    first = TODAY - dt.timedelta(days=364)
    inside = [r for r in rows if int(r[0][-2:]) % 2 and first <= _study_day(r[1])]
    assert report.totals.reviews == len(inside)
    assert [n for n, _ in report.hours] == [
        sum(1 for r in inside if r[1].hour == h) for h in range(24)]
    assert report.totals.cards_added == CARDS // 2


def _bins_agree(got: list[int], values: list[float], bin_of: Callable[[float], int],
                slack: float) -> None:
    """Each bin holds the values that fall in it, give or take values within `slack` of an
    edge (float32 arithmetic may put those on either side)."""
    low, high = [0] * len(got), [0] * len(got)
    for value in values:
        a, b = bin_of(value - slack), bin_of(value + slack)
        for i in {a, b}:
            high[i] += 1
        if a == b:
            low[a] += 1
    assert sum(got) == len(values)
    assert all(lo <= n <= hi for lo, n, hi in zip(low, got, high, strict=True)), (got, low, high)


def test_histograms(history: tuple[Database, list[tuple[str, dt.datetime, int, int]]]) -> None:
    db, rows = history
    report = build_report(db, NOW)
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    cards: dict[str, fsrs.Card] = {}
    for card_id, moment, rating, _ in rows:
        card = cards.setdefault(card_id, fsrs.Card(card_id=len(cards) + 1))
        cards[card_id], _ = scheduler.review_card(card, fsrs.Rating(rating), moment)
    hist = {h.name: h.counts for h in report.histograms}
    assert len(cards) == STUDIED
    _bins_agree(hist["stability"], [c.stability or 0 for c in cards.values()],
                lambda v: day_bin(int(max(v, 0))), 1e-3)
    _bins_agree(hist["difficulty"], [c.difficulty or 0 for c in cards.values()],
                lambda v: min(max(int(v) - 1, 0), 8), 1e-3)
    _bins_agree(hist["retrievability"],
                [scheduler.get_card_retrievability(c, NOW) for c in cards.values()],
                lambda v: min(max(int(v * 10), 0), 9), 1e-3)
    intervals = [
        (dt.datetime.fromisoformat(due) - dt.datetime.fromisoformat(last)).total_seconds()
        / 86400 for due, last in db.execute(
            "SELECT due, last_review FROM cards WHERE state > 0")]
    assert hist["interval"] == [sum(1 for d in intervals if day_bin(int(d)) == i)
                                for i in range(len(DAY_EDGES))]


def test_readiness_counts_never_studied_cards(
        history: tuple[Database, list[tuple[str, dt.datetime, int, int]]]) -> None:
    db, _ = history
    exam = TODAY + dt.timedelta(days=7)
    report = build_report(db, NOW, exam=exam)
    ready = report.readiness
    assert ready is not None
    assert (ready.studied, ready.new, ready.days_left) == (STUDIED, CARDS - STUDIED + 6, 7)
    assert ready.new_per_day == -(-(CARDS - STUDIED + 6) // 7)
    assert ready.known is not None and ready.known < ready.recall_sum / STUDIED
    assert any("never studied" in s and f"{ready.new_per_day} new cards a day" in s
               for s in report.headline)
