"""The stats report as rich renderables, one per section: the Stats screen shows them in a
scroll and `loopdrill stats` prints them. Charts are plain unicode (bars, shades), readable
in dark and light themes and on a dumb terminal."""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from loopdrill.services.stats import (
    READY_THRESHOLD,
    WEAK_MIN_REVIEWS,
    WEAK_WINDOW_DAYS,
    Rate,
    StatsReport,
    WeakSpot,
)

EMPTY = ("No reviews yet — drill some cards with `loopdrill` or Enter on the home screen, "
         "then come back here.")
BLOCKS = " ▁▂▃▄▅▆▇█"
SHADES = "·░▒▓█"
BAR = 24


def pct(value: float | None) -> str:
    """A share as a percentage, or a dash when there was nothing to measure."""
    return "—" if value is None else f"{value:.1%}"


def rate(r: Rate) -> str:
    return f"{pct(r.rate)} ({r.passed}/{r.total})" if r.total else "—"


def bar(value: float, top: float, width: int = BAR) -> str:
    """A horizontal bar in eighths of a cell."""
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    return "█" * (eighths // 8) + ("▏▎▍▌▋▊▉"[eighths % 8 - 1] if eighths % 8 else "")


def columns(values: list[int], height: int = 5) -> list[str]:
    """Vertical bars, one column per value, `height` rows from the top, scaled to the max."""
    top = max(values, default=0)
    rows = []
    for level in range(height, 0, -1):
        row = ""
        for v in values:
            fill = v / top * height * 8 if top else 0
            cell = fill - (level - 1) * 8
            row += "█" if cell >= 8 else BLOCKS[max(0, int(cell))] if cell > 0 else " "
        rows.append(row)
    return rows


def render_report(report: StatsReport) -> list[RenderableType]:
    """Every section of the report, in reading order (just a hint when it is empty)."""
    if report.empty:
        return [Text(EMPTY, style="bold")]
    return [_today(report), _retention(report), _forecast(report), _calendar(report),
            _counts(report), _buttons(report), _calibration(report), _weak(report),
            _readiness(report)]


def _title(text: str) -> Text:
    return Text(text, style="bold")


def _today(report: StatsReport) -> RenderableType:
    t, p, cal = report.today, report.predicted, report.calendar
    scope = ", ".join(report.scope.decks) or "all decks"
    if report.scope.tag:
        scope += f", tag {report.scope.tag}"
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column()
    table.add_row("Today", f"{t.cards} cards in {t.minutes:.1f} min · {t.reviews} answers · "
                  f"{t.again} Again · true retention {pct(t.true_retention)}")
    table.add_row("Predicted now", f"{pct(p.retention)} recall over {p.studied:,} studied "
                  f"cards · estimated knowledge {p.knowledge:,.0f} cards")
    table.add_row("Streak", f"{cal.current_streak} days (longest {cal.longest_streak})")
    return Group(_title(f"Stats for {report.study_day} — {scope}"), table)


def _retention(report: StatsReport) -> RenderableType:
    table = Table(title="True retention (review cards, no cram; Hard/Good/Easy pass)",
                  title_justify="left", expand=False)
    for name in ("period", "young (<21 d)", "mature", "all"):
        table.add_column(name, justify="left" if name == "period" else "right")
    for r in report.retention:
        table.add_row(r.period, rate(r.young), rate(r.mature), rate(r.all))
    return table


def _forecast(report: StatsReport) -> RenderableType:
    due = list(report.forecast)
    lines = [Text("".join(c * 2 for c in row), style="cyan") for row in columns(due)]
    axis, labels = "", ""
    for day in range(len(due)):
        tick = day % 7 == 0
        axis += ("┴" if tick else "─") + "─"
        if tick:
            labels = labels.ljust(2 * day) + ("today" if day == 0 else f"+{day}d")
    summary = Text(f"today {due[0]:,} (overdue included) · next 7 days {sum(due[:7]):,} · "
                   f"next 30 days {sum(due):,} · busiest day {max(due):,}", style="dim")
    return Group(_title("Due per day, next 30 days"), *lines, Text(axis, style="dim"),
                 Text(labels, style="dim"), summary)


def _calendar(report: StatsReport, weeks: int = 53) -> RenderableType:
    cal = report.calendar
    today = report.study_day
    counts = {cal.start + dt.timedelta(days=i): n for i, n in enumerate(cal.counts)}
    top = max(cal.counts, default=0)
    first = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    text = Text()
    for weekday in range(7):
        text.append("MTWTFSS"[weekday] + " ", style="dim")
        for week in range(weeks):
            day = first + dt.timedelta(days=7 * week + weekday)
            n = counts.get(day, 0)
            if day > today or day < cal.start:
                text.append(" ")
            elif not n:
                text.append(SHADES[0], style="dim")
            else:
                text.append(SHADES[1 + min(3, int(n / top * 4))], style="green")
        text.append("\n")
    text.append(f"less {SHADES} more · {sum(1 for n in cal.counts if n)} study days, "
                f"{sum(cal.counts):,} answers in the last year", style="dim")
    return Group(_title("Answers per day, last year"), text)


def _counts(report: StatsReport) -> RenderableType:
    c = report.counts
    names = ("new", "learning", "relearning", "young", "mature", "leeches", "suspended",
             "buried", "retired")
    table = Table.grid(padding=(0, 1))
    for _ in range(3):
        table.add_column(style="dim")
        table.add_column(justify="right", min_width=6)
    for row in range(3):
        cells = []
        for name in names[row * 3:row * 3 + 3]:
            cells += [name, f"{getattr(c, name):,}"]
        table.add_row(*cells)
    return Group(_title("Cards by state"), table)


def _buttons(report: StatsReport) -> RenderableType:
    table = Table(title="Answer buttons, last 30 days (no cram)", title_justify="left")
    for name in ("", "Again", "Hard", "Good", "Easy"):
        table.add_column(name, justify="right")
    for kind, values in report.buttons.items():
        total = sum(values)
        table.add_row(kind, *(f"{v:,} ({v / total:.0%})" if total else "0" for v in values))
    minutes = list(report.minutes_per_day)
    spark = "".join(BLOCKS[min(8, round(m / max(minutes) * 8))] if m else "·"
                    for m in minutes) if any(minutes) else "·" * len(minutes)
    time = Text("Minutes a day, 30 days ", style="dim").append(spark, style="cyan")
    time.append(f" {sum(minutes):.0f} min", style="dim")
    return Group(table, time)


def _calibration(report: StatsReport) -> RenderableType:
    cal = report.calibration
    loss = f"{cal.log_loss:.4f}" if cal.log_loss is not None else "—"
    rmse = f"{cal.rmse_bins:.4f}" if cal.rmse_bins is not None else "—"
    table = Table(title=f"Calibration: predicted vs measured recall · log loss {loss} · "
                        f"RMSE(bins) {rmse} · {cal.reviews:,} answers", title_justify="left")
    width = 16
    for name in ("predicted R", "answers", "predicted", "measured", "│ = predicted"):
        table.add_column(name, justify="left" if name.startswith("│") else "right")
    for b in cal.bins:
        if not b.count:
            continue
        mark = min(width - 1, round((b.predicted or 0) * width))
        drawn = bar(b.actual or 0, 1.0, width).ljust(width)
        drawn = drawn[:mark] + "│" + drawn[mark + 1:]
        table.add_row(f"{b.lower:.2f}–{b.upper:.2f}", f"{b.count:,}", pct(b.predicted),
                      pct(b.actual), Text(drawn, style="cyan"))
    if not cal.reviews:
        return Text("Calibration: no long-term answers with a prediction yet.", style="dim")
    return table


def _weak(report: StatsReport) -> RenderableType:
    parts: list[RenderableType] = [_title(
        f"Weak spots (last {WEAK_WINDOW_DAYS} days, at least {WEAK_MIN_REVIEWS} review "
        "answers; lapses all time)")]
    spots = [*report.weak.lowest_retention,
             *(s for s in report.weak.most_lapses if s not in report.weak.lowest_retention)]
    if spots:
        table = Table()
        for name in ("", "name", "retention", "lapses"):
            table.add_column(name, justify="right" if name in ("retention", "lapses") else "left")
        for s in spots:
            table.add_row(s.kind, s.name, _spot_rate(s), f"{s.lapses:,}")
        parts.append(table)
    else:
        parts.append(Text("none yet", style="dim"))
    if report.weak.leeches:
        leeches = Table(title=f"Leeches ({report.counts.leeches:,})", title_justify="left")
        for name in ("card", "deck", "lapses", "front"):
            leeches.add_column(name, justify="right" if name == "lapses" else "left",
                               overflow="fold" if name == "card" else "ellipsis",
                               no_wrap=name == "front", max_width=60)
        for leech in report.weak.leeches:
            leeches.add_row(leech.id, leech.deck, str(leech.lapses), leech.front)
        parts.append(leeches)
    return Group(*parts)


def _spot_rate(spot: WeakSpot) -> str:
    return rate(spot.retention) if spot.retention.total else "—"


def _readiness(report: StatsReport) -> RenderableType:
    if report.readiness is None:
        return Text("Readiness: press e (or use --exam) to set your interview date.",
                    style="dim")
    ready = report.readiness
    days = (ready.exam - report.study_day).days
    table = Table(title=f"Readiness on {ready.exam} (in {days} days, with no more reviews)",
                  title_justify="left")
    for name in ("deck", "studied", "predicted recall", f"below {READY_THRESHOLD:.0%}"):
        table.add_column(name, justify="left" if name == "deck" else "right")
    for d in ready.decks:
        table.add_row(d.deck, f"{d.studied:,}", pct(d.retention), f"{d.below:,}")
    return table
