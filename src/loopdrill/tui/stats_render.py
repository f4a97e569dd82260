"""The stats report as rich renderables: shared by `loopdrill stats` and the Stats screen."""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from loopdrill.core.words import plural
from loopdrill.services.report import DeckLine, StatsReport, weakest

BLOCKS = " ▁▂▃▄▅▆▇█"
SHADES = "·░▒▓█"


def pct(value: float | None) -> str:
    """A share as a percentage, or a dash when there was nothing to measure."""
    return "—" if value is None else f"{value:.1%}"


def sparkline(values: list[int]) -> str:
    """One character per value, scaled to the largest."""
    top = max(values, default=0)
    if not top:
        return BLOCKS[0] * len(values)
    return "".join(BLOCKS[min(8, round(v / top * 8))] if v else BLOCKS[0] for v in values)


def heatmap(calendar: dict[str, int], today: dt.date, weeks: int = 53) -> Text:
    """Reviews per day over the last year: a row per weekday, a column per week."""
    start = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    top = max(calendar.values(), default=0)
    text = Text()
    for weekday in range(7):
        text.append("MTWTFSS"[weekday] + " ", style="dim")
        for week in range(weeks):
            day = start + dt.timedelta(days=7 * week + weekday)
            if day > today:
                text.append(" ")
                continue
            count = calendar.get(day.isoformat(), 0)
            level = 0 if not count else 1 + min(3, int(count / max(top, 1) * 4))
            text.append(SHADES[level], style="green" if count else "dim")
        text.append("\n")
    return text


def render_report(report: StatsReport) -> list[RenderableType]:
    """Every section of the report, in reading order."""
    if report.empty:
        return [Text("No reviews yet. Drill some cards first: run `loopdrill` and press Enter "
                     "on a deck, or `loopdrill drill --plain`.", style="bold")]
    out: list[RenderableType] = []
    today = Table(title="Today", show_header=False, box=None)
    today.add_row("Cards studied", str(report.studied_today))
    today.add_row("Answers", str(report.reviews_today))
    today.add_row("Minutes", f"{report.minutes_today:.1f}")
    today.add_row("Again", str(report.again_today))
    today.add_row("True retention", pct(report.retention_today))
    today.add_row("Predicted retention now", pct(report.predicted_retention))
    today.add_row("Estimated knowledge", f"{report.knowledge:,.0f} of "
                  f"{plural(report.studied_cards, 'card')} studied")
    today.add_row("Streak", f"{_days(report.streak_current)} "
                  f"(longest {_days(report.streak_longest)})")
    out.append(today)

    retention = Table(title="True retention (review cards; Hard, Good, Easy pass)")
    for name in ("period", "young", "n", "mature", "n", "all"):
        retention.add_column(name, justify="right" if name != "period" else "left")
    for r in report.retention:
        retention.add_row(r.period, pct(r.young), str(r.young_total), pct(r.mature),
                          str(r.mature_total), pct(r.overall))
    out.append(retention)

    forecast = Text()
    forecast.append(sparkline(report.forecast) + "\n")
    forecast.append(f"today {report.forecast[0]} (with overdue) · next 7 days "
                    f"{sum(report.forecast[:7])} · next 30 days {sum(report.forecast)}",
                    style="dim")
    out.append(Group(Text("Due in the next 30 days", style="bold"), forecast))
    out.append(Group(Text("Reviews per day, last year", style="bold"),
                     heatmap(report.calendar, report.today)))

    counts = Table(title="Cards by state", show_header=False)
    counts.add_column("state")
    counts.add_column("cards", justify="right")
    for name, value in report.counts.items():
        counts.add_row(name, f"{value:,}")
    out.append(counts)

    buttons = Table(title="Answer buttons, last 30 days")
    for name in ("", "Again", "Hard", "Good", "Easy"):
        buttons.add_column(name, justify="right")
    for kind, values in report.buttons.items():
        total = sum(values) or 1
        buttons.add_row(kind, *(f"{v} ({v / total:.0%})" for v in values))
    minutes = list(report.minutes_per_day.values())
    out.append(buttons)
    out.append(Text(f"Minutes per day (last 30 days): {sparkline([round(m) for m in minutes])}"
                    f"  total {sum(minutes):.0f} min"))

    calibration = Table(title=f"Calibration: predicted vs measured recall "
                              f"(log loss {report.log_loss if report.log_loss is not None else '—'}"
                              f", RMSE(bins) {pct(report.rmse_bins)})")
    for name in ("predicted R", "reviews", "predicted", "measured", ""):
        calibration.add_column(name, justify="right")
    for b in report.calibration:
        if not b["reviews"]:
            continue
        bar = "█" * round((b["actual"] or 0) * 20)
        calibration.add_row(f"{b['from']:.1f}–{b['to']:.1f}", f"{b['reviews']:,}",
                            pct(b["predicted"]), pct(b["actual"]), bar)
    out.append(calibration)

    out.append(_lines("Weak decks", weakest(report.decks)))
    out.append(_lines("Weak tags", weakest(report.tags)))
    if report.leeches:
        leeches = Table(title="Leeches")
        for name in ("card", "lapses", "front"):
            leeches.add_column(name)
        for leech in report.leeches:
            leeches.add_row(leech["id"], str(leech["lapses"]), leech["front"][:60])
        out.append(leeches)
    if report.exam:
        ready = Table(title=f"Readiness on {report.exam}")
        for name in ("deck", "studied", "predicted retention", "below 0.8"):
            ready.add_column(name, justify="right" if name != "deck" else "left")
        for d in report.decks:
            ready.add_row(d.name, str(d.studied), pct(d.exam_retention), str(d.exam_below))
        out.append(ready)
    return out


def _lines(title: str, lines: list[DeckLine]) -> RenderableType:
    table = Table(title=title)
    for name in ("name", "reviews", "retention", "lapses"):
        table.add_column(name, justify="right" if name != "name" else "left")
    for d in lines:
        table.add_row(d.name, str(d.reviews), pct(d.retention), str(d.lapses))
    if not lines:
        return Text(f"{title}: none yet (needs 10 reviews of review cards)", style="dim")
    return table


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
