"""The stats report as rich renderables, one per section: `loopdrill stats` prints them all,
the Stats screen shows them and draws the charts (keys in CHARTS) with plotext instead."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from loopdrill.core.words import plural
from loopdrill.services.report import DeckLine, StatsReport, weakest
from loopdrill.services.report_model import PERIOD_NAMES, STATES, Histogram
from loopdrill.tui.literal import literal
from loopdrill.tui.text_charts import bars, columns, heatmap

CHARTS = ("forecast", "hours", "interval", "stability", "difficulty", "retrievability")
SHORT_STATES = {"new": "new", "learning": "learn", "young": "young", "mature": "mature",
                "relearning": "relearn", "suspended": "susp", "buried": "buried"}


@dataclass
class Section:
    """One part of the report: a key (what the TUI may draw otherwise) and what to show."""

    key: str
    body: RenderableType


def pct(value: float | None) -> str:
    """A share as a percentage, or a dash when there was nothing to measure."""
    return "—" if value is None else f"{value:.1%}"


def render_report(report: StatsReport) -> list[RenderableType]:
    """Every section of the report, in reading order."""
    return [s.body for s in sections(report)]


def _title(text: str) -> Text:
    return Text(text, style="bold")


def sections(report: StatsReport) -> list[Section]:
    """Every section of the report, in reading order, with its key."""
    if report.empty:
        return [Section("empty", Text(
            "No reviews yet. Drill some cards first: run `loopdrill` and press Enter on a "
            "deck, or `loopdrill drill --plain`.", style="bold"))]
    when = PERIOD_NAMES[report.period]
    out = [Section("headline", _headline(report)), Section("totals", _totals(report))]
    retention = Table(title="True retention (review cards; Hard, Good, Easy pass)")
    for name in ("period", "young", "n", "mature", "n", "all"):
        retention.add_column(name, justify="right" if name != "period" else "left")
    for r in report.retention:
        retention.add_row(r.period, pct(r.young), f"{r.young_total:,}", pct(r.mature),
                          f"{r.mature_total:,}", pct(r.overall))
    out.append(Section("retention", retention))
    buttons = Table(title=f"Answer buttons, {when}")
    for name in ("", "Again", "Hard", "Good", "Easy"):
        buttons.add_column(name, justify="right")
    for kind, values in report.buttons.items():
        total = sum(values) or 1
        buttons.add_row(kind, *(f"{v:,} ({v / total:.0%})" for v in values))
    out.append(Section("buttons", buttons))
    out.append(Section("forecast", Group(_title(forecast_title(report)), columns(
        report.forecast, [str(d) if d % 5 == 0 else "" for d in range(30)],
        y_label="cards due", x_label="days from today",
        legend="cards due that day (the backlog is not drawn)"))))
    weeks = min(53, max(5, (report.totals.days + 6) // 7 + 1))
    out.append(Section("calendar", Group(
        _title(f"Answers per day, {when}" + (" (last 53 weeks shown)"
                                               if report.totals.days > 53 * 7 else "")),
        heatmap(report.calendar, report.today, weeks))))
    out.append(Section("hours", Group(_title(hours_title(report)), columns(
        [n for n, _ in report.hours], [str(h) if h % 3 == 0 else "" for h in range(24)],
        width=3, y_label="answers", x_label="hour",
        below=[f"{p / n:.0%}"[:-1] if n else "-" for n, p in report.hours],
        below_label="pass%",
        legend="answers in that hour; pass%: Hard, Good or Easy"))))
    for hist in report.histograms:
        out.append(Section(hist.name, _histogram(hist)))
    out.append(Section("counts", _deck_counts(report)))
    out.append(Section("calibration", _calibration(report)))
    out.append(Section("weak_decks", _lines("Weak decks (all time)", weakest(report.decks))))
    out.append(Section("weak_tags", _lines("Weak tags (all time)", weakest(report.tags))))
    if report.leeches:
        leeches = Table(title="Leeches")
        for name in ("card", "lapses", "front"):
            leeches.add_column(name)
        for leech in report.leeches:
            leeches.add_row(literal(leech["id"]), str(leech["lapses"]),
                            literal(leech["front"][:60]))
        out.append(Section("leeches", leeches))
    if report.readiness is not None:
        out.append(Section("readiness", _readiness(report)))
    return out


def forecast_title(report: StatsReport) -> str:
    backlog = (f"; backlog {report.backlog:,} overdue, not in the chart" if report.backlog
               else "; no backlog")
    return (f"Due in the next 30 days: today {report.forecast[0]:,}, week "
            f"{sum(report.forecast[:7]):,}, month {sum(report.forecast):,}{backlog}")


def hours_title(report: StatsReport) -> str:
    return f"Answers by hour of day and their pass rate, {PERIOD_NAMES[report.period]}"


def histogram_title(hist: Histogram) -> str:
    return f"{hist.name.capitalize()} of {sum(hist.counts):,} studied cards ({hist.unit})"


def _headline(report: StatsReport) -> RenderableType:
    text = Text()
    for sentence in report.headline:
        text.append("• ")
        text.append(sentence + "\n")
    text.rstrip()
    return Group(_title("Is it working?"), text)


def _totals(report: StatsReport) -> RenderableType:
    t = report.totals
    table = Table(title=f"Totals, {PERIOD_NAMES[report.period]}"
                  + (f" (from {t.first_day})" if t.first_day else ""),
                  show_header=False, box=None)
    table.add_column()
    table.add_column(justify="right")
    per_day = t.per_studied_day
    table.add_row("Answers", f"{t.reviews:,}" + (f" ({t.cram:,} cram)" if t.cram else ""))
    table.add_row("Again", f"{t.again:,} ({t.again / t.reviews:.0%})" if t.reviews else "0")
    table.add_row("Days studied", f"{t.days_studied:,} of {t.days:,}"
                  + (f" ({t.days_studied / t.days:.0%})" if t.days else ""))
    table.add_row("Answers per studied day", f"{per_day:,.1f}" if per_day else "—")
    table.add_row("Time spent", _duration(t.minutes))
    table.add_row("Cards added", f"{t.cards_added:,}")
    table.add_row("True retention", pct(report.period_retention.overall))
    table.add_row("Today", f"{report.reviews_today:,} answers on {report.studied_today:,} "
                  f"cards, {report.again_today:,} Again, {_duration(report.minutes_today)}")
    table.add_row("Predicted retention now", pct(report.predicted_retention))
    table.add_row("Estimated knowledge", f"{report.knowledge:,.0f} of "
                  f"{plural(report.studied_cards, 'card')} studied")
    table.add_row("Streak", f"{_days(report.streak_current)} (longest "
                  f"{_days(report.streak_longest)})")
    return table


def _duration(minutes: float) -> str:
    return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"


def _histogram(hist: Histogram) -> RenderableType:
    total = sum(hist.counts) or 1
    return Group(_title(histogram_title(hist)),
                 bars(hist.labels, hist.counts, width=28,
                      notes=[f"{c / total:.0%}" for c in hist.counts]),
                 Text("█ cards, right: how many and their share", style="dim"))


def _deck_counts(report: StatsReport) -> RenderableType:
    table = Table(title="Cards by state", box=None, padding=(0, 1), pad_edge=False,
                  show_footer=len(report.deck_counts) > 1)
    table.add_column("deck", max_width=16, no_wrap=True, overflow="ellipsis", footer="all")
    shown = [s for s in STATES if s in SHORT_STATES]
    for state in shown:
        table.add_column(SHORT_STATES[state], justify="right",
                         footer=f"{report.counts.get(state, 0):,}")
    for deck, counts in report.deck_counts.items():
        table.add_row(literal(deck), *(f"{counts[s]:,}" for s in shown))
    return table


def _calibration(report: StatsReport) -> RenderableType:
    loss = report.log_loss if report.log_loss is not None else "—"
    table = Table(title=f"Calibration, all time: log loss {loss}, RMSE(bins) "
                        f"{pct(report.rmse_bins)}", caption="bar: measured recall, 0-100%")
    for name in ("predicted R", "reviews", "predicted", "measured", "bar"):
        table.add_column(name, justify="right" if name != "bar" else "left")
    for b in report.calibration:
        if not b["reviews"]:
            continue
        table.add_row(f"{b['from']:.1f}–{b['to']:.1f}", f"{b['reviews']:,}",
                      pct(b["predicted"]), pct(b["actual"]),
                      "█" * round((b["actual"] or 0) * 20))
    return table


def _readiness(report: StatsReport) -> RenderableType:
    ready = report.readiness
    assert ready is not None
    table = Table(title=f"Readiness on {ready.exam} ({_days(ready.days_left)} away)",
                  caption=f"all: {pct(ready.known)} of {ready.cards:,} cards; "
                          f"{ready.new_per_day:,} new a day would see the "
                          f"{ready.new:,} never studied in time")
    for name in ("deck", "studied", "new", "recall (studied)", "known (all)", "below 0.8"):
        table.add_column(name, justify="right" if name != "deck" else "left")
    for d in report.decks:
        table.add_row(literal(d.name), f"{d.studied:,}", f"{d.new:,}", pct(d.exam_retention),
                      pct(d.exam_known), f"{d.exam_below:,}")
    return table


def _lines(title: str, lines: list[DeckLine]) -> RenderableType:
    if not lines:
        return Text(f"{title}: none yet (needs 10 reviews of review cards)", style="dim")
    table = Table(title=title)
    for name in ("name", "reviews", "retention", "lapses"):
        table.add_column(name, justify="right" if name != "name" else "left")
    for d in lines:
        table.add_row(literal(d.name), f"{d.reviews:,}", pct(d.retention), f"{d.lapses:,}")
    return table


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"

