"""The stats report (DESIGN.md section 6), built from a handful of grouped SQL queries."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from loopdrill.core.cards import front_spans, plain
from loopdrill.core.retention import (
    BinGroup,
    count_bin,
    interval_bin,
    lapse_bin,
    ratio,
    rmse_bins,
    streaks,
)
from loopdrill.core.timeutil import day_start, study_day
from loopdrill.engine.queue import DEFAULT_DECAY
from loopdrill.services.config import global_options
from loopdrill.services.params import parameters_for
from loopdrill.store import statsql
from loopdrill.store.decks import deck_slugs, no_deck_named
from loopdrill.store.queries import Scope

PERIODS = ("today", "yesterday", "7d", "30d", "365d")
PERIOD_DAYS = {"today": (0, 0), "yesterday": (1, 1), "7d": (0, 6), "30d": (0, 29),
               "365d": (0, 364)}


class StatsError(ValueError):
    """An unknown deck or tag, or an exam date that cannot be used; one sentence."""


@dataclass
class Retention:
    """True retention of review-state answers in one period."""

    period: str
    young_passed: int = 0
    young_total: int = 0
    mature_passed: int = 0
    mature_total: int = 0

    @property
    def young(self) -> float | None:
        return ratio(self.young_passed, self.young_total)

    @property
    def mature(self) -> float | None:
        return ratio(self.mature_passed, self.mature_total)

    @property
    def overall(self) -> float | None:
        return ratio(self.young_passed + self.mature_passed,
                     self.young_total + self.mature_total)


@dataclass
class DeckLine:
    """Per deck (or tag): true retention over the last year, lapses, readiness."""

    name: str
    reviews: int = 0
    passed: int = 0
    lapses: int = 0
    studied: int = 0
    exam_retention: float | None = None
    exam_below: int = 0

    @property
    def retention(self) -> float | None:
        return ratio(self.passed, self.reviews)


@dataclass
class StatsReport:
    """Every figure of the stats screen and `loopdrill stats`."""

    scope: Scope
    today: dt.date
    exam: dt.date | None
    studied_today: int = 0
    reviews_today: int = 0
    minutes_today: float = 0.0
    again_today: int = 0
    retention: list[Retention] = field(default_factory=list)
    predicted_retention: float | None = None
    knowledge: float = 0.0
    studied_cards: int = 0
    forecast: list[int] = field(default_factory=lambda: [0] * 30)
    calendar: dict[str, int] = field(default_factory=dict)
    streak_current: int = 0
    streak_longest: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    buttons: dict[str, list[int]] = field(default_factory=dict)
    minutes_per_day: dict[str, float] = field(default_factory=dict)
    calibration: list[dict[str, Any]] = field(default_factory=list)
    log_loss: float | None = None
    rmse_bins: float | None = None
    calibration_reviews: int = 0
    decks: list[DeckLine] = field(default_factory=list)
    tags: list[DeckLine] = field(default_factory=list)
    leeches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.calendar and not self.studied_cards

    @property
    def retention_today(self) -> float | None:
        return self.retention[0].overall if self.retention else None


def build_report(db: Database, now: dt.datetime, scope: Scope | None = None,
                 exam: dt.date | None = None) -> StatsReport:
    """The whole report for a scope; StatsError for an unknown deck or tag or a past exam."""
    scope = scope or Scope()
    _check(db, scope, now, exam)
    rollover = global_options(db).rollover_hour
    today = study_day(now, rollover)
    report = StatsReport(scope, today, exam)
    _reviews(db, report, rollover)
    _cards(db, report, now, rollover, exam)
    _calibration(db, report)
    report.leeches = [
        {"id": cid, "deck": deck, "lapses": lapses,
         "front": plain(front_spans(kind, json.loads(content)))[:120]}
        for cid, deck, lapses, kind, content in statsql.leeches(db, scope)]
    return report


def _check(db: Database, scope: Scope, now: dt.datetime, exam: dt.date | None) -> None:
    known = set(deck_slugs(db))
    for deck in scope.decks:
        if deck not in known:
            raise StatsError(no_deck_named(deck))
    if scope.tag and not statsql.known_tag(db, scope.tag):
        raise StatsError(f"--tag: no card has the tag {scope.tag!r}")
    if exam is not None and exam <= now.date():
        raise StatsError(f"--exam: {exam} is not in the future; give the date of your "
                         "interview, e.g. 2026-12-15")


def _reviews(db: Database, report: StatsReport, rollover: int) -> None:
    today = report.today
    first = today - dt.timedelta(days=364)
    periods = {p: Retention(p) for p in PERIODS}
    buttons = {"learning": [0, 0, 0, 0], "review": [0, 0, 0, 0]}
    calendar: dict[str, int] = defaultdict(int)
    minutes: dict[str, float] = defaultdict(float)
    ages: dict[str, int] = {}
    for day, _, review, young, rating, cram, count, ms in statsql.day_groups(
            db, report.scope, first, day_start(first, rollover)):
        age = ages.get(day)
        if age is None:
            age = ages[day] = (today - dt.date.fromisoformat(day)).days
        if not 0 <= age <= 364:
            continue
        calendar[day] += count
        if age < 30:
            minutes[day] += (ms or 0) / 60000
        if age == 0:
            report.reviews_today += count
            report.minutes_today += (ms or 0) / 60000
            report.again_today += count if rating == 1 else 0
        if cram:
            continue
        if age < 30:
            buttons["review" if review else "learning"][rating - 1] += count
        if not review:
            continue
        passed = count if rating > 1 else 0
        for period, (low, high) in PERIOD_DAYS.items():
            if low <= age <= high:
                bucket = periods[period]
                if young:
                    bucket.young_total += count
                    bucket.young_passed += passed
                else:
                    bucket.mature_total += count
                    bucket.mature_passed += passed
    report.studied_today = statsql.cards_today(db, report.scope, day_start(today, rollover))
    report.retention = [periods[p] for p in PERIODS]
    report.buttons = buttons
    report.calendar = dict(sorted(calendar.items()))
    report.minutes_per_day = {d: round(m, 2) for d, m in sorted(minutes.items())}
    days = [dt.date.fromisoformat(d) for d in calendar]
    report.streak_current, report.streak_longest = streaks(days, today)
    report.decks = sorted((DeckLine(deck, count, passed or 0) for deck, count, passed
                           in statsql.deck_retention(db, report.scope)), key=lambda d: d.name)
    report.tags = sorted((DeckLine(tag, count, passed or 0) for tag, count, passed
                          in _tag_totals(statsql.tag_groups(db, report.scope))),
                         key=lambda t: t.name)


def _tag_totals(groups: list[tuple[Any, ...]]) -> list[tuple[str, int, int]]:
    """(tag, count, passed) from (tag string, count, passed) rows."""
    totals: dict[str, list[int]] = {}
    for tag_text, count, passed in groups:
        for tag in tag_text.split():
            total = totals.setdefault(tag, [0, 0])
            total[0] += count
            total[1] += passed or 0
    return [(tag, count, passed) for tag, (count, passed) in totals.items()]


def _cards(db: Database, report: StatsReport, now: dt.datetime, rollover: int,
           exam: dt.date | None) -> None:
    params = parameters_for(db, report.scope.decks[0] if len(report.scope.decks) == 1 else None)
    decay = params[20] if params else DEFAULT_DECAY
    factor = 0.9 ** (1 / -decay) - 1
    exam_at = day_start(exam, rollover) if exam else None
    counts = dict.fromkeys(("new", "learning", "young", "mature", "relearning", "suspended",
                            "buried", "retired", "leeches"), 0)
    decks = {d.name: d for d in report.decks}
    r_sum = 0.0
    tag_lapses: dict[str, int] = defaultdict(int)
    for deck, category, count, studied, r_now, r_exam, below in statsql.card_groups(
            db, report.scope, now, factor, decay, exam_at):
        counts[category] += count
        if category == "retired":
            continue
        line = decks.setdefault(deck, DeckLine(deck))
        line.studied += studied or 0
        report.studied_cards += studied or 0
        r_sum += r_now or 0.0
        if exam_at is not None and studied:
            line.exam_retention = (line.exam_retention or 0.0) + (r_exam or 0.0)
            line.exam_below += below or 0
    for line in decks.values():
        if line.exam_retention is not None:
            line.exam_retention /= max(line.studied, 1)
    for deck, tags, lapses, leeches in statsql.lapsed(db, report.scope):
        decks.setdefault(deck, DeckLine(deck)).lapses += lapses
        counts["leeches"] += leeches or 0
        for tag in tags.split():
            tag_lapses[tag] += lapses
    for tag in report.tags:
        tag.lapses = tag_lapses.get(tag.name, 0)
    report.decks = sorted(decks.values(), key=lambda d: d.name)
    report.counts = counts
    report.knowledge = round(r_sum, 2)
    report.predicted_retention = ratio(r_sum, report.studied_cards)
    end = day_start(report.today + dt.timedelta(days=30), rollover)
    start = day_start(report.today, rollover)
    for offset, count in statsql.forecast(db, report.scope, start, end):
        if 0 <= offset < 30:
            report.forecast[offset] += count


def _calibration(db: Database, report: StatsReport) -> None:
    groups: dict[tuple[float, float, float], list[float]] = defaultdict(lambda: [0, 0.0, 0])
    tenths = [[0, 0.0, 0] for _ in range(10)]
    loss = 0.0
    for days, reps, lapses, tenth, n, r_sum, passed, log_loss in statsql.calibration(
            db, report.scope):
        group = groups[(interval_bin(days), count_bin(reps + 1), lapse_bin(lapses))]
        group[0] += n
        group[1] += r_sum
        group[2] += passed
        tenths[tenth][0] += n
        tenths[tenth][1] += r_sum
        tenths[tenth][2] += passed
        loss += log_loss
    total = sum(int(t[0]) for t in tenths)
    report.calibration_reviews = total
    report.calibration = [
        {"from": i / 10, "to": (i + 1) / 10, "reviews": int(n),
         "predicted": round(r / n, 4) if n else None, "actual": round(p / n, 4) if n else None}
        for i, (n, r, p) in enumerate(tenths)]
    if total:
        report.log_loss = round(loss / total, 4)
        value = rmse_bins([BinGroup(int(n), r / n, p / n) for n, r, p in groups.values() if n])
        report.rmse_bins = round(value, 4) if value is not None else None


def report_to_json(report: StatsReport) -> dict[str, Any]:
    """The documented JSON shape (README, `loopdrill stats --json`)."""

    def line(d: DeckLine) -> dict[str, Any]:
        return {"name": d.name, "reviews": d.reviews, "retention": _r(d.retention),
                "lapses": d.lapses, "studied": d.studied,
                "exam_retention": _r(d.exam_retention), "exam_below_0_8": d.exam_below}

    return {
        "scope": {"decks": list(report.scope.decks), "tag": report.scope.tag},
        "study_day": report.today.isoformat(),
        "exam": report.exam.isoformat() if report.exam else None,
        "today": {"cards": report.studied_today, "reviews": report.reviews_today,
                  "minutes": round(report.minutes_today, 2), "again": report.again_today,
                  "true_retention": _r(report.retention_today)},
        "true_retention": {r.period: {
            "young": _r(r.young), "young_reviews": r.young_total,
            "mature": _r(r.mature), "mature_reviews": r.mature_total,
            "all": _r(r.overall)} for r in report.retention},
        "predicted_retention": _r(report.predicted_retention),
        "estimated_knowledge": report.knowledge,
        "studied_cards": report.studied_cards,
        "forecast": report.forecast,
        "calendar": report.calendar,
        "streak": {"current": report.streak_current, "longest": report.streak_longest},
        "card_counts": report.counts,
        "answer_buttons": report.buttons,
        "minutes_per_day": report.minutes_per_day,
        "calibration": {"bins": report.calibration, "log_loss": report.log_loss,
                        "rmse_bins": report.rmse_bins, "reviews": report.calibration_reviews},
        "weak_spots": {
            "decks": [line(d) for d in weakest(report.decks)],
            "tags": [line(t) for t in weakest(report.tags)],
            "leeches": report.leeches},
        "readiness": [line(d) for d in report.decks] if report.exam else None,
    }


def weakest(lines: list[DeckLine], minimum: int = 10, count: int = 5) -> list[DeckLine]:
    """Lines with enough reviews, lowest retention first, then most lapses."""
    rated = [d for d in lines if d.reviews >= minimum]
    rated.sort(key=lambda d: (d.retention if d.retention is not None else 1.0, -d.lapses))
    lapsing = sorted((d for d in lines if d.lapses and d not in rated), key=lambda d: -d.lapses)
    return (rated + lapsing)[:count]


def _r(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


