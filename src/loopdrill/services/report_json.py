"""The stats report as the documented JSON (README, `loopdrill stats --json`)."""

from __future__ import annotations

from typing import Any

from loopdrill.services.report_model import DeckLine, StatsReport


def weakest(lines: list[DeckLine], minimum: int = 10, count: int = 5) -> list[DeckLine]:
    """Lines with enough reviews, lowest retention first, then most lapses."""
    rated = [d for d in lines if d.reviews >= minimum]
    rated.sort(key=lambda d: (d.retention if d.retention is not None else 1.0, -d.lapses))
    lapsing = sorted((d for d in lines if d.lapses and d not in rated), key=lambda d: -d.lapses)
    return (rated + lapsing)[:count]


def _r(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _line(d: DeckLine) -> dict[str, Any]:
    return {"name": d.name, "reviews": d.reviews, "retention": _r(d.retention),
            "lapses": d.lapses, "studied": d.studied, "new": d.new,
            "exam_retention": _r(d.exam_retention), "exam_known": _r(d.exam_known),
            "exam_below_0_8": d.exam_below}


def report_to_json(report: StatsReport) -> dict[str, Any]:
    """The documented JSON shape."""
    t = report.totals
    ready = report.readiness
    return {
        "scope": {"decks": list(report.scope.decks), "tag": report.scope.tag},
        "study_day": report.today.isoformat(),
        "period": report.period,
        "exam": report.exam.isoformat() if report.exam else None,
        "headline": report.headline,
        "totals": {"period": t.period, "first_day": t.first_day.isoformat() if t.first_day
                   else None, "days": t.days, "days_studied": t.days_studied,
                   "reviews": t.reviews, "again": t.again, "cram": t.cram,
                   "per_studied_day": _r(t.per_studied_day), "minutes": t.minutes,
                   "cards_added": t.cards_added,
                   "true_retention": _r(report.period_retention.overall),
                   "true_retention_reviews": report.period_retention.total},
        "today": {"cards": report.studied_today, "reviews": report.reviews_today,
                  "minutes": round(report.minutes_today, 2), "again": report.again_today,
                  "true_retention": _r(report.retention_today)},
        "true_retention": {r.period: {
            "young": _r(r.young), "young_reviews": r.young_total,
            "mature": _r(r.mature), "mature_reviews": r.mature_total,
            "all": _r(r.overall)} for r in report.retention},
        "desired_retention": report.desired_retention,
        "predicted_retention": _r(report.predicted_retention),
        "estimated_knowledge": report.knowledge,
        "studied_cards": report.studied_cards,
        "backlog": report.backlog,
        "forecast": report.forecast,
        "calendar": report.calendar,
        "streak": {"current": report.streak_current, "longest": report.streak_longest},
        "card_counts": report.counts,
        "deck_card_counts": report.deck_counts,
        "answer_buttons": report.buttons,
        "minutes_per_day": report.minutes_per_day,
        "hours": [{"hour": h, "reviews": n, "passed": p,
                   "pass_rate": _r(p / n) if n else None}
                  for h, (n, p) in enumerate(report.hours)],
        "distributions": {h.name: {"unit": h.unit, "bins": h.labels, "cards": h.counts}
                          for h in report.histograms},
        "calibration": {"bins": report.calibration, "log_loss": report.log_loss,
                        "rmse_bins": report.rmse_bins, "reviews": report.calibration_reviews},
        "weak_spots": {
            "decks": [_line(d) for d in weakest(report.decks)],
            "tags": [_line(t) for t in weakest(report.tags)],
            "leeches": report.leeches},
        "readiness": None if ready is None else {
            "days_left": ready.days_left, "studied": ready.studied, "never_studied": ready.new,
            "known": _r(ready.known), "studied_below_0_8": ready.below,
            "new_per_day_needed": ready.new_per_day,
            "decks": [_line(d) for d in report.decks]},
    }
