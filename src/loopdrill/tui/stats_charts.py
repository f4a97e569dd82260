"""The Stats screen's charts, drawn with plotext (textual-plotext): a title, labelled axes and
a legend on each."""

from __future__ import annotations

from typing import Any

from loopdrill.services.report_model import Histogram, StatsReport
from loopdrill.tui.stats_render import forecast_title, histogram_title, hours_title


def title(key: str, report: StatsReport) -> str:
    """The chart's title (shown above it: plotext drops a title wider than the chart)."""
    if key == "forecast":
        return forecast_title(report)
    if key == "hours":
        return hours_title(report)
    return histogram_title(next(h for h in report.histograms if h.name == key))


def _start(plt: Any) -> None:
    plt.clear_figure()  # the widget sets the theme from the app's when it renders


def draw(plt: Any, key: str, report: StatsReport) -> None:
    """Draw the chart `key` (stats_render.CHARTS) of the report on a plotext figure."""
    if key == "forecast":
        _forecast(plt, report)
    elif key == "hours":
        _hours(plt, report)
    else:
        _histogram(plt, next(h for h in report.histograms if h.name == key))


def _count_ticks(plt: Any, values: list[int]) -> None:
    """Whole-number ticks on the left axis (plotext would label counts 0.50, 1.00...)."""
    top = max(values, default=0)
    plt.yticks(sorted({round(top * i / 4) for i in range(5)}) if top else [0])


def _forecast(plt: Any, report: StatsReport) -> None:
    _start(plt)
    plt.bar(list(range(30)), report.forecast, label="cards due that day", color="cyan",
            width=0.8)
    plt.xticks(list(range(0, 30, 5)))
    _count_ticks(plt, report.forecast)
    plt.xlabel("days from today (the backlog is not drawn)")
    plt.ylabel("cards due")


def _hours(plt: Any, report: StatsReport) -> None:
    _start(plt)
    hours = list(range(24))
    plt.bar(hours, [n for n, _ in report.hours], label="answers", color="cyan", width=0.8)
    rated = [(h, p / n * 100) for h, (n, p) in enumerate(report.hours) if n]
    if rated:
        plt.plot([h for h, _ in rated], [r for _, r in rated], yside="right",
                 label="pass % (right axis)", color="green", marker="dot")
        plt.ylim(0, 100, yside="right")
    plt.xticks(list(range(0, 24, 3)))
    _count_ticks(plt, [n for n, _ in report.hours])
    plt.xlabel("hour of day")
    plt.ylabel("answers", yside="left")
    plt.ylabel("pass %", yside="right")


def _histogram(plt: Any, hist: Histogram) -> None:
    _start(plt)
    plt.bar(hist.labels, hist.counts, label="studied cards", color="cyan", width=0.8)
    plt.xlabel(hist.unit)
    _count_ticks(plt, hist.counts)
    plt.ylabel("cards")
