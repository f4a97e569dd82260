"""The report's headline: a few sentences, each from the numbers, that answer "is it working?"
(true retention against the desired one, the workload's direction, the weakest spot, readiness
on the exam date)."""

from __future__ import annotations

import datetime as dt

from loopdrill.core.text import clean
from loopdrill.services.report_json import weakest
from loopdrill.services.report_model import PERIOD_NAMES, StatsReport

ENOUGH = 20  # review answers before a true retention is worth a verdict
NEAR = 0.02  # within two points of the desired retention counts as on target
TREND = 0.15  # the workload changes by more than this share: growing or shrinking


def headline(report: StatsReport) -> list[str]:
    """The sentences, in the order a learner asks them."""
    if report.empty:
        return ["Nothing studied yet: drill a deck and come back."]
    return [s for s in (_retention(report), _workload(report), _weakest(report),
                        _readiness(report)) if s]


def _retention(report: StatsReport) -> str:
    r = report.period_retention
    when = PERIOD_NAMES[report.period]
    desired = report.desired_retention
    if r.total < ENOUGH or r.overall is None:
        return (f"Too few review answers in the {when} to measure true retention "
                f"({r.total} of {ENOUGH}).") if report.period != "all" else (
                f"Too few review answers to measure true retention ({r.total} of {ENOUGH}).")
    gap = r.overall - desired
    verdict = ("near your desired" if abs(gap) <= NEAR else
               f"{abs(gap) * 100:.0f} points {'below' if gap < 0 else 'above'} your desired")
    advice = (": lapses cost more reviews than planned" if gap < -NEAR else
              ": you could ask for less and review less" if gap > NEAR else "")
    scope = f"over the {when}" if report.period != "all" else "over all time"
    return (f"True retention {scope} is {r.overall:.1%} of {r.total:,} review answers, "
            f"{verdict} {desired:.0%}{advice}.")


def _workload(report: StatsReport) -> str:
    ahead = sum(report.forecast[:7]) / 7
    days = sorted(report.calendar)[-7:]
    recent = [d for d in days if (report.today - dt.date.fromisoformat(d)).days < 7]
    behind = sum(report.calendar[d] for d in recent) / 7
    if behind == 0 and ahead == 0:
        trend = "nothing due in the next week and nothing answered in the last"
    else:
        change = (ahead - behind) / behind if behind else 1.0
        word = ("growing" if change > TREND else "shrinking" if change < -TREND
                else "steady")
        trend = (f"{word}: {ahead:,.0f} due a day next week against {behind:,.0f} "
                 "answered a day last week")
    backlog = (f"; {report.backlog:,} overdue cards wait apart from that"
               if report.backlog else "")
    return f"Workload {trend}{backlog}."


def _weakest(report: StatsReport) -> str:
    lines = [("deck", d) for d in weakest(report.decks)] if len(report.decks) > 1 else []
    lines += [("tag", t) for t in weakest(report.tags)]
    rated = [(kind, d) for kind, d in lines if d.retention is not None and d.reviews >= 10]
    if not rated:
        return ""
    kind, line = min(rated, key=lambda item: item[1].retention or 0.0)
    leeches = report.counts.get("leeches", 0)
    tail = f"; {leeches} leech{'es' if leeches != 1 else ''}" if leeches else ""
    return (f"Weakest: {kind} {clean(line.name)}, {line.retention or 0:.1%} of {line.reviews:,} "
            f"review answers, {line.lapses:,} lapses{tail}.")


def _readiness(report: StatsReport) -> str:
    ready = report.readiness
    if ready is None:
        return "No exam date set: set one to see how ready you would be."
    known = ready.known
    if known is None:
        return f"Exam on {ready.exam}: no cards in scope."
    text = (f"Exam on {ready.exam} ({ready.days_left} days): you would recall about "
            f"{known:.0%} of {ready.cards:,} cards")
    if ready.new:
        text += (f"; {ready.new:,} never studied count as not known, and "
                 f"{ready.new_per_day:,} new card{'s' if ready.new_per_day != 1 else ''} "
                 "a day would see them all in time")
    return text + "."
