"""The stats report (DESIGN.md section 6) for all decks, one deck or one tag.

The revlog figures and the card figures are two independent groups of indexed queries; on a
database file they run at once on two connections (SQLite works without the GIL)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from loopdrill.core.cards import front_spans, plain
from loopdrill.core.queue import DEFAULT_DECAY
from loopdrill.core.stats import (
    Bin,
    bin_edges,
    day_bounds,
    forgetting_factor,
    ratio,
    rmse_bins,
    streaks,
)
from loopdrill.core.timeutil import day_start, study_day
from loopdrill.services.config import global_options
from loopdrill.services.params import parameters_for
from loopdrill.store import stats_queries as q
from loopdrill.store.queries import Scope

PERIODS = ("today", "yesterday", "7d", "30d", "365d")
WEAK_WINDOW_DAYS = 30
WEAK_MIN_REVIEWS = 10
READY_THRESHOLD = 0.8
MAX_HISTORY_DAYS = 20 * 366


class StatsError(ValueError):
    """An unknown deck or tag, or an exam date not in the future; one sentence."""


@dataclass(frozen=True)
class Rate:
    """Passed answers out of a total."""

    passed: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return ratio(self.passed, self.total)

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.passed + other.passed, self.total + other.total)


@dataclass(frozen=True)
class Retention:
    """True retention in one period: review-state answers (no cram), young and mature."""

    period: str
    young: Rate
    mature: Rate

    @property
    def all(self) -> Rate:
        return self.young + self.mature


@dataclass(frozen=True)
class Today:
    cards: int
    reviews: int
    minutes: float
    again: int
    true_retention: float | None


@dataclass(frozen=True)
class Predicted:
    """Mean retrievability now over studied cards, and its sum (estimated knowledge)."""

    studied: int
    retention: float | None
    knowledge: float


@dataclass(frozen=True)
class Calendar:
    """Answers per study day over the last 365 (oldest first) and the streaks."""

    start: dt.date
    counts: tuple[int, ...]
    current_streak: int
    longest_streak: int


@dataclass(frozen=True)
class CardCounts:
    new: int = 0
    learning: int = 0
    young: int = 0
    mature: int = 0
    relearning: int = 0
    suspended: int = 0
    buried: int = 0
    retired: int = 0
    leeches: int = 0


@dataclass(frozen=True)
class CalibrationBin:
    lower: float
    upper: float
    count: int
    predicted: float | None
    actual: float | None


@dataclass(frozen=True)
class Calibration:
    bins: tuple[CalibrationBin, ...]
    reviews: int
    log_loss: float | None
    rmse_bins: float | None


@dataclass(frozen=True)
class WeakSpot:
    kind: str  # "deck" or "tag"
    name: str
    retention: Rate
    lapses: int


@dataclass(frozen=True)
class Leech:
    id: str
    deck: str
    lapses: int
    front: str


@dataclass(frozen=True)
class WeakSpots:
    lowest_retention: tuple[WeakSpot, ...]
    most_lapses: tuple[WeakSpot, ...]
    leeches: tuple[Leech, ...]


@dataclass(frozen=True)
class DeckReadiness:
    deck: str
    studied: int
    retention: float | None
    below: int


@dataclass(frozen=True)
class Readiness:
    exam: dt.date
    decks: tuple[DeckReadiness, ...]


@dataclass(frozen=True)
class StatsReport:
    """Every figure of the Stats screen and `loopdrill stats`."""

    scope: Scope
    now: dt.datetime
    study_day: dt.date
    today: Today
    retention: tuple[Retention, ...]
    predicted: Predicted
    forecast: tuple[int, ...]  # due per study day from today, overdue in [0]
    calendar: Calendar
    counts: CardCounts
    buttons: dict[str, tuple[int, int, int, int]]  # "learning"/"review": Again..Easy, 30 days
    minutes_per_day: tuple[float, ...]  # the last 30 study days, oldest first
    calibration: Calibration
    weak: WeakSpots
    readiness: Readiness | None

    @property
    def empty(self) -> bool:
        """No answer and no studied card in scope: nothing to show but what to do next."""
        return not any(self.calendar.counts) and not self.predicted.studied


def build_report(db: Database, now: dt.datetime, scope: Scope | None = None,
                 exam: dt.date | None = None) -> StatsReport:
    """The whole report; StatsError for an unknown deck or tag or an exam date not after
    today (study days). An empty database or scope gives zeros and None, never an error."""
    scope = scope or Scope()
    rollover = global_options(db).rollover_hour
    today = study_day(now, rollover)
    known = q.deck_slugs_in(db)
    for deck in scope.decks:
        if deck not in known:
            raise StatsError(f"no deck named {deck!r}; `loopdrill decks` lists them")
    if scope.tag and not q.tag_exists(db, scope.tag):
        raise StatsError(f"no card has the tag {scope.tag!r}")
    if exam is not None and exam <= today:
        raise StatsError(f"the exam date {exam} is not after today ({today}); "
                         "give the day of your interview, e.g. 2026-12-15")
    decks = list(scope.decks) or known
    curves: dict[float, list[str]] = defaultdict(list)
    for deck in decks:
        params = parameters_for(db, deck)
        curves[params[20] if params and len(params) > 20 else DEFAULT_DECAY].append(deck)
    exam_at = day_start(exam, rollover) if exam else None
    cards = _in_parallel(db, lambda reader: _card_figures(
        reader, scope, decks, now, today, rollover, curves, exam_at))
    reviews = _review_figures(db, scope, decks, now, today, rollover)
    return _assemble(scope, now, today, exam, reviews, cards.result())


class _Pending:
    """A result computed on another thread (or already here)."""

    def __init__(self) -> None:
        self.value: dict[str, Any] = {}
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def result(self) -> dict[str, Any]:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        return self.value


def _in_parallel(db: Database, work: Callable[[Database], dict[str, Any]]) -> _Pending:
    """Start `work` on a second connection in a thread, or run it here for a memory db."""
    pending = _Pending()
    reader = q.second_reader(db)
    if reader is None:
        pending.value = work(db)
        return pending

    def run() -> None:
        try:
            pending.value = work(reader)
        except BaseException as exc:  # re-raised by result()
            pending.error = exc
        finally:
            reader.conn.close()

    pending.thread = threading.Thread(target=run, name="stats-cards", daemon=True)
    pending.thread.start()
    return pending


def _review_figures(db: Database, scope: Scope, decks: list[str], now: dt.datetime,
                    today: dt.date, rollover: int) -> dict[str, Any]:
    tag = scope.tag
    first = q.first_answer(db, scope.decks, tag)
    start = today - dt.timedelta(days=364)
    if first is not None:
        start = max(min(start, study_day(first, rollover)),
                    today - dt.timedelta(days=MAX_HISTORY_DAYS))
    bounds = day_bounds(start, (today - start).days + 1, rollover)
    per_day = q.answers_per_day(db, scope.decks, tag, bounds)
    days = [start + dt.timedelta(days=i) for i, n in enumerate(per_day) if n]
    current, longest = streaks(days, today)
    b = bounds[-366:]  # the last 365 study days: b[i] starts day today - 364 + i
    periods = [(b[364], b[365]), (b[363], b[364]), (b[358], b[363]), (b[335], b[358]),
               (b[0], b[335])]
    rows = q.review_state_answers(db, decks, tag, periods)
    buttons = {"learning": [0, 0, 0, 0], "review": [0, 0, 0, 0]}
    for state, _deck, rating, n in q.answer_buttons(db, decks, tag, b[335], b[365]):
        buttons["review" if state == 2 else "learning"][rating - 1] += n
    edges = bin_edges()
    return {
        "calendar": Calendar(today - dt.timedelta(days=364), tuple(per_day[-365:]), current,
                             longest),
        "day": q.day_summary(db, scope.decks, tag, b[364], b[365]),
        "periods": rows,
        "buttons": {k: tuple(v) for k, v in buttons.items()},
        "minutes": tuple(round(ms / 60000, 2)
                         for ms in q.time_per_day(db, scope.decks, tag, b[335:])),
        "calibration": (edges, q.calibration(db, scope.decks, tag, edges)),
    }


def _card_figures(db: Database, scope: Scope, decks: list[str], now: dt.datetime,
                  today: dt.date, rollover: int, curves: dict[float, list[str]],
                  exam_at: dt.datetime | None) -> dict[str, Any]:
    tag = scope.tag
    studied = [row for decay, group in curves.items()
               for row in q.studied_cards(db, group, tag, now, forgetting_factor(decay), decay,
                                          exam_at)]
    window = day_bounds(today - dt.timedelta(days=WEAK_WINDOW_DAYS - 1), WEAK_WINDOW_DAYS,
                        rollover)
    return {
        "groups": q.card_groups(db, scope.decks, tag, now),
        "studied": studied,
        "weak": q.review_state_by_card_group(db, scope.decks, tag, window[0], window[-1]),
        "lapses": q.lapses_by_card_group(db, decks, tag),
        "leeches": q.leeches(db, scope.decks, tag, 20),
        "forecast": tuple(q.due_per_day(db, scope.decks, tag, day_bounds(today, 30, rollover))),
    }


def _assemble(scope: Scope, now: dt.datetime, today: dt.date, exam: dt.date | None,
              reviews: dict[str, Any], cards: dict[str, Any]) -> StatsReport:
    retention = _retention(reviews["periods"])
    answers, studied_today, ms, again = reviews["day"]
    counts, predicted, readiness = _cards(cards, exam)
    return StatsReport(
        scope=scope, now=now, study_day=today,
        today=Today(studied_today, answers, round(ms / 60000, 2), again,
                    retention[0].all.rate),
        retention=retention, predicted=predicted, forecast=cards["forecast"],
        calendar=reviews["calendar"], counts=counts, buttons=reviews["buttons"],
        minutes_per_day=reviews["minutes"], calibration=_calibration(*reviews["calibration"]),
        weak=_weak(cards), readiness=readiness)


def _retention(rows: list[tuple[int, str, int, int, float]]) -> tuple[Retention, ...]:
    # disjoint ranges 0 today, 1 yesterday, 2 days 2-6, 3 days 7-29, 4 days 30-364
    parts = [[0, 0, 0, 0] for _ in range(5)]  # young passed, young, mature passed, mature
    for i, _deck, rating, n, young in rows:
        y, m = int(young), n - int(young)
        part = parts[i]
        part[1] += y
        part[3] += m
        if rating > 1:
            part[0] += y
            part[2] += m
    spans = {"today": (0,), "yesterday": (1,), "7d": (0, 1, 2), "30d": (0, 1, 2, 3),
             "365d": (0, 1, 2, 3, 4)}
    out = []
    for period in PERIODS:
        yp, yn, mp, mn = (sum(parts[i][k] for i in spans[period]) for k in range(4))
        out.append(Retention(period, Rate(yp, yn), Rate(mp, mn)))
    return tuple(out)


def _cards(cards: dict[str, Any], exam: dt.date | None
           ) -> tuple[CardCounts, Predicted, Readiness | None]:
    tally: dict[str, int] = defaultdict(int)
    active_review = 0
    for _deck, state, retired, suspended, n, buried in cards["groups"]:
        if retired:
            tally["retired"] += n
        elif suspended:
            tally["suspended"] += n
        else:
            tally["buried"] += int(buried)
            name = {0: "new", 1: "learning", 2: "review", 3: "relearning"}.get(state, "new")
            if name == "review":
                active_review += n - int(buried)
            else:
                tally[name] += n - int(buried)
    young = int(sum(row[5] for row in cards["studied"]))
    leeches = cards["leeches"]
    counts = CardCounts(new=tally["new"], learning=tally["learning"], young=young,
                        mature=active_review - young, relearning=tally["relearning"],
                        suspended=tally["suspended"], buried=tally["buried"],
                        retired=tally["retired"], leeches=int(leeches[0][5]) if leeches else 0)
    studied = sum(int(row[1]) for row in cards["studied"])
    knowledge = sum(float(row[2]) for row in cards["studied"])
    predicted = Predicted(studied, ratio(knowledge, studied), round(knowledge, 2))
    readiness = None
    if exam is not None:
        readiness = Readiness(exam, tuple(
            DeckReadiness(deck, int(n), ratio(r_exam, n), int(below))
            for deck, n, _r, r_exam, below, _y in sorted(cards["studied"])))
    return counts, predicted, readiness


def _calibration(edges: list[float], rows: list[tuple[int, float, int, float]]
                 ) -> Calibration:
    bins = [Bin(n, r_sum, passed) for n, r_sum, passed, _ in rows]
    total = sum(b.count for b in bins)
    ln_sum = sum(row[3] for row in rows)
    uppers = [*edges[1:], 1.0]
    return Calibration(
        bins=tuple(CalibrationBin(lo, hi, b.count, b.predicted, b.actual)
                   for lo, hi, b in zip(edges, uppers, bins, strict=True)),
        reviews=total, log_loss=-ln_sum / total if total else None, rmse_bins=rmse_bins(bins))


def _weak(cards: dict[str, Any]) -> WeakSpots:
    rates: dict[tuple[str, str], Rate] = defaultdict(Rate)
    lapses: dict[tuple[str, str], int] = defaultdict(int)
    for deck, tags, n, passed in cards["weak"]:
        for key in [("deck", deck), *(("tag", t) for t in tags.split() if t != "leech")]:
            rates[key] += Rate(int(passed), int(n))
    for deck, tags, n in cards["lapses"]:
        for key in [("deck", deck), *(("tag", t) for t in tags.split() if t != "leech")]:
            lapses[key] += int(n)
    spots = [WeakSpot(kind, name, rates.get((kind, name), Rate()), lapses.get((kind, name), 0))
             for kind, name in sorted(set(rates) | set(lapses))]
    lowest = sorted((s for s in spots if s.retention.total >= WEAK_MIN_REVIEWS),
                    key=lambda s: (s.retention.rate or 0.0, -s.retention.total))
    most = sorted((s for s in spots if s.lapses), key=lambda s: -s.lapses)
    leeches = tuple(Leech(cid, deck, int(n), plain(front_spans(kind, _content(content))))
                    for cid, deck, n, kind, content, _total in cards["leeches"])
    return WeakSpots(tuple(lowest[:5]), tuple(most[:5]), leeches)


def _content(text: str) -> dict[str, Any]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def report_to_json(report: StatsReport) -> dict[str, Any]:
    """The report as plain JSON data; the shape is documented in docs/stats-json.md and kept
    stable (new keys may be added; `version` changes if one is removed or changes meaning)."""

    def rate(r: Rate) -> dict[str, Any]:
        return {"passed": r.passed, "total": r.total, "rate": _round(r.rate)}

    def spot(s: WeakSpot) -> dict[str, Any]:
        return {"kind": s.kind, "name": s.name, "reviews": s.retention.total,
                "passed": s.retention.passed, "retention": _round(s.retention.rate),
                "lapses": s.lapses}

    day = report.study_day
    names = ("again", "hard", "good", "easy")
    readiness = None
    if report.readiness is not None:
        readiness = {"exam": report.readiness.exam.isoformat(), "threshold": READY_THRESHOLD,
                     "decks": [{"deck": d.deck, "studied": d.studied,
                                "retention": _round(d.retention), "below_threshold": d.below}
                               for d in report.readiness.decks]}
    return {
        "version": 1,
        "scope": {"decks": list(report.scope.decks), "tag": report.scope.tag},
        "generated_at": report.now.isoformat(),
        "study_day": day.isoformat(),
        "empty": report.empty,
        "today": {"cards": report.today.cards, "reviews": report.today.reviews,
                  "minutes": report.today.minutes, "again": report.today.again,
                  "true_retention": _round(report.today.true_retention)},
        "true_retention": {r.period: {"young": rate(r.young), "mature": rate(r.mature),
                                      "all": rate(r.all)} for r in report.retention},
        "predicted": {"studied_cards": report.predicted.studied,
                      "retention": _round(report.predicted.retention),
                      "estimated_knowledge": report.predicted.knowledge},
        "forecast": {"start": day.isoformat(), "due": list(report.forecast)},
        "calendar": {"start": report.calendar.start.isoformat(),
                     "reviews": list(report.calendar.counts),
                     "current_streak": report.calendar.current_streak,
                     "longest_streak": report.calendar.longest_streak},
        "card_counts": {k: getattr(report.counts, k) for k in CardCounts.__dataclass_fields__},
        "answer_buttons": {"days": 30, **{kind: dict(zip(names, values, strict=True))
                                          for kind, values in report.buttons.items()}},
        "minutes_per_day": {"start": (day - dt.timedelta(days=29)).isoformat(),
                            "minutes": list(report.minutes_per_day)},
        "calibration": {
            "bins": [{"lower": _round(b.lower), "upper": _round(b.upper), "reviews": b.count,
                      "predicted": _round(b.predicted), "actual": _round(b.actual)}
                     for b in report.calibration.bins],
            "reviews": report.calibration.reviews,
            "log_loss": _round(report.calibration.log_loss),
            "rmse_bins": _round(report.calibration.rmse_bins)},
        "weak_spots": {"window_days": WEAK_WINDOW_DAYS, "min_reviews": WEAK_MIN_REVIEWS,
                       "lowest_retention": [spot(s) for s in report.weak.lowest_retention],
                       "most_lapses": [spot(s) for s in report.weak.most_lapses],
                       "leeches": [{"id": x.id, "deck": x.deck, "lapses": x.lapses,
                                    "front": x.front} for x in report.weak.leeches]},
        "readiness": readiness,
    }


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None
