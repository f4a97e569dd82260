"""The stats report (DESIGN.md section 6, issue 19), built from running totals in a handful of
grouped SQL queries: what looks back follows the chosen period; card states are as of now."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from sqlite_utils import Database

from loopdrill.core.cards import front_spans, plain
from loopdrill.core.retention import streaks
from loopdrill.core.timeutil import day_start, study_day
from loopdrill.services.config import global_options, options_for
from loopdrill.services.headline import headline
from loopdrill.services.report_cards import calibration, card_figures
from loopdrill.services.report_json import report_to_json, weakest
from loopdrill.services.report_model import (
    DEFAULT_PERIOD,
    PERIOD_DAYS,
    RETENTION_ROWS,
    DeckLine,
    Retention,
    StatsError,
    StatsReport,
    Totals,
)
from loopdrill.store import statsql
from loopdrill.store.decks import deck_family, deck_slugs, no_deck_named
from loopdrill.store.queries import Scope

__all__ = ["DeckLine", "StatsError", "StatsReport", "build_report", "report_to_json",
           "scope_choices", "weakest"]


def build_report(db: Database, now: dt.datetime, scope: Scope | None = None,
                 exam: dt.date | None = None, period: str = DEFAULT_PERIOD) -> StatsReport:
    """The whole report for a scope and period; StatsError for an unknown deck, tag or
    period, or a past exam."""
    scope = scope or Scope()
    _check(db, scope, now, exam, period)
    options = global_options(db)
    rollover = options.rollover_hour
    today = study_day(now, rollover)
    # one deck: its own desired retention, which the headline measures true retention against
    desired = (options_for(db, scope.decks[0]) if len(scope.decks) == 1 else options)
    report = StatsReport(scope, today, exam, period,
                         desired_retention=desired.desired_retention)
    _reviews(db, report, rollover)
    card_figures(db, report, now, rollover)
    calibration(db, report)
    report.leeches = [
        {"id": cid, "deck": deck, "lapses": lapses,
         "front": plain(front_spans(kind, json.loads(content)))[:120]}
        for cid, deck, lapses, kind, content in statsql.leeches(db, scope)]
    report.headline = headline(report)
    return report


def scope_choices(db: Database) -> tuple[list[str], list[str]]:
    """The decks and the tags a report can be narrowed to."""
    return deck_slugs(db), statsql.tags(db)


def _check(db: Database, scope: Scope, now: dt.datetime, exam: dt.date | None,
           period: str) -> None:
    if period not in PERIOD_DAYS:
        raise StatsError(f"--period: {period!r} is not one of {', '.join(PERIOD_DAYS)}")
    for deck in scope.decks:
        if not deck_family(db, deck):
            raise StatsError(no_deck_named(deck))
    if scope.tag and not statsql.known_tag(db, scope.tag):
        raise StatsError(f"--tag: no card has the tag {scope.tag!r}")
    if exam is not None and exam <= now.date():
        raise StatsError(f"--exam: {exam} is not in the future; give the date of your "
                         "interview, e.g. 2026-12-15")


def period_start(report: StatsReport, first_answer: dt.date | None) -> dt.date | None:
    """The first study day of the report's period (for all time: the first day answered)."""
    days = PERIOD_DAYS[report.period]
    if days is None:
        return first_answer
    return report.today - dt.timedelta(days=days - 1)


def _reviews(db: Database, report: StatsReport, rollover: int) -> None:
    """Everything from the per-day totals: the period's totals, buttons, calendar and minutes,
    the fixed true-retention rows, today's figures and the streaks (over every day)."""
    today, period = report.today, report.period
    groups = statsql.day_groups(db, report.scope, None, None)
    ages: dict[str, int] = {}
    for row in groups:
        if row[0] not in ages:
            ages[row[0]] = (today - dt.date.fromisoformat(row[0])).days if row[0] else -1
    answered = sorted(day for day, age in ages.items() if age >= 0)
    first = period_start(report, dt.date.fromisoformat(answered[0]) if answered else None)
    oldest = (today - first).days if first else -1
    rows = {p: Retention(p) for p in RETENTION_ROWS}
    extra = {"3m": ("90d", 89), "all": ("all", oldest)}.get(period)
    if extra:
        rows[extra[0]] = Retention(extra[0])
    spans = dict(RETENTION_ROWS, **({extra[0]: (0, extra[1])} if extra else {}))
    chosen = Retention(period)
    totals = Totals(period, first, oldest + 1 if first else 0)
    buttons = {"learning": [0, 0, 0, 0], "review": [0, 0, 0, 0]}
    calendar: dict[str, int] = defaultdict(int)
    minutes: dict[str, float] = defaultdict(float)
    for day, _, review, young, rating, cram, count, ms in groups:
        age = ages[day]
        if age < 0:  # a day after today's (a clock set back) or a corrupt stamp
            continue
        if age == 0:
            report.reviews_today += count
            report.minutes_today += (ms or 0) / 60000
            report.again_today += count if rating == 1 else 0
        in_period = age <= oldest
        if in_period:
            calendar[day] += count
            minutes[day] += (ms or 0) / 60000
            totals.reviews += count
            totals.again += count if rating == 1 else 0
            totals.cram += count if cram else 0
            totals.minutes += (ms or 0) / 60000
        if cram:
            continue
        if in_period:
            buttons["review" if review else "learning"][rating - 1] += count
        if not review:
            continue
        passed = count if rating > 1 else 0
        targets = [rows[p] for p, (low, high) in spans.items() if low <= age <= high]
        for bucket in [*targets, chosen] if in_period else targets:
            if young:
                bucket.young_total += count
                bucket.young_passed += passed
            else:
                bucket.mature_total += count
                bucket.mature_passed += passed
    totals.days_studied = len(calendar)
    totals.minutes = round(totals.minutes, 2)
    start = day_start(first, rollover) if first else None
    totals.cards_added = statsql.cards_added(db, report.scope, start)
    report.totals = totals
    report.period_retention = chosen
    report.studied_today = statsql.cards_today(db, report.scope, day_start(today, rollover))
    report.retention = list(rows.values())
    report.buttons = buttons
    report.calendar = dict(sorted(calendar.items()))
    report.minutes_per_day = {d: round(m, 2) for d, m in sorted(minutes.items())}
    report.streak_current, report.streak_longest = streaks(
        (dt.date.fromisoformat(d) for d in answered), today)
    for hour, count, passed in statsql.hour_groups(db, report.scope, first, start):
        if 0 <= hour < 24 and first is not None:
            report.hours[hour] = [count, passed or 0]
    report.decks = sorted((DeckLine(deck, count, passed or 0) for deck, count, passed
                           in statsql.deck_retention(db, report.scope)), key=lambda d: d.name)
    report.tags = sorted((DeckLine(tag, count, passed) for tag, count, passed
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
