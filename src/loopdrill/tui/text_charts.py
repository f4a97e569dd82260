"""Text charts a person can read in any terminal: a title, axes with values, labels on the
bars and a legend line. Used by `loopdrill stats`; the Stats screen draws its own with
plotext where a chart has room."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.text import Text

EIGHTHS = " ▁▂▃▄▅▆▇█"
SHADES = "·░▒▓█"


def _fmt(value: float) -> str:
    return f"{value:,.0f}"


def _axis(value: float) -> str:
    """An axis mark in at most five cells: 9,999, 83k, 1.2M."""
    if value >= 999_500:
        return f"{value / 1e6:.1f}M"
    return f"{value / 1e3:.0f}k" if value >= 9_999.5 else _fmt(value)


def columns(values: Sequence[int], ticks: Sequence[str], *, height: int = 6, width: int = 1,
            y_label: str = "", x_label: str = "", below: Sequence[str] = (),
            below_label: str = "", legend: str = "", style: str = "cyan") -> Text:
    """A column chart: one column of `width` cells per value, a y axis with the top, middle
    and zero values, `ticks` (a label or '' per column) on the x axis, and optional rows
    `below` (text per column, e.g. a rate) named `below_label`, then the `legend`."""
    top = max(values, default=0)
    pad = max(len(_axis(top)), len(below_label), 3) + 1
    span = len(values) * width - (width > 1)  # no gap after the last column
    text = Text()
    if y_label:
        text.append(" " * (pad - 1) + y_label + "\n", style="dim")
    marks = {height: _axis(top), (height + 1) // 2: _axis(top / 2) if top else ""}
    for row in range(height, 0, -1):
        text.append(marks.get(row, "").rjust(pad - 1) + " ┤", style="dim")
        row_text = ""
        for value in values:
            cells = value / top * height if top else 0.0
            fill = min(max(cells - (row - 1), 0.0), 1.0)
            char = EIGHTHS[round(fill * 8)] if value else " "
            row_text += char if width == 1 else char * (width - 1) + " "  # gaps between
        text.append(row_text[:span].rstrip() + "\n", style=style)
    text.append("0".rjust(pad - 1) + " ┼" + "─" * span + "\n", style="dim")
    left = len(x_label) < pad  # a short axis name goes left of the ticks, a long one after
    line = (x_label if left else "").rjust(pad - 1) + "  "
    for i, tick in enumerate(ticks):
        if tick and len(line) <= pad + 1 + i * width:
            line = line.ljust(pad + 1 + i * width) + tick
    text.append(line + (f"  {x_label}" if x_label and not left else "") + "\n", style="dim")
    if below:
        text.append(below_label.rjust(pad - 1) + "  ", style="dim")
        text.append("".join(b.ljust(width) for b in below).rstrip() + "\n")
    if legend:
        text.append(" " * (pad + 1))
        text.append("█", style=style)
        text.append(f" {legend}", style="dim")
    return text


def bars(labels: Sequence[str], values: Sequence[int], *, width: int = 30,
         notes: Sequence[str] = (), style: str = "cyan") -> Text:
    """Horizontal bars: label │ bar scaled to the largest value │ the value (and a note)."""
    top = max(values, default=0)
    label_width = max((len(label) for label in labels), default=0)
    value_width = max((len(_fmt(v)) for v in values), default=1)
    text = Text()
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        cells = value / top * width if top else 0.0
        whole, part = int(cells), round((cells - int(cells)) * 8)
        bar = "█" * whole + (EIGHTHS[part] if part and whole < width else "")
        text.append(label.rjust(label_width) + " │", style="dim")
        text.append(bar.ljust(width), style=style)
        text.append(" " + _fmt(value).rjust(value_width))
        if i < len(notes) and notes[i]:
            text.append("  " + notes[i], style="dim")
        text.append("\n")
    return text


def heatmap(calendar: dict[str, int], today: dt.date, weeks: int) -> Text:
    """Answers per study day: a row per weekday, a column per week ending this week, month
    names above the week each month starts in, and a legend."""
    start = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    top = max(calendar.values(), default=0)
    months = [" "] * weeks
    for week in range(weeks):
        monday = start + dt.timedelta(days=7 * week)
        first = next((monday + dt.timedelta(days=d) for d in range(7)
                      if (monday + dt.timedelta(days=d)).day == 1), None)
        if week == 0 or first is not None:
            name = (first or monday).strftime("%b")
            if week + 3 <= weeks and all(c == " " for c in months[max(week - 1, 0):week + 3]):
                months[week:week + 3] = list(name)
    text = Text("  " + "".join(months).rstrip() + "\n", style="dim")
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
    text.append(f"  {SHADES[0]} none  {SHADES[1]}{SHADES[2]}{SHADES[3]}{SHADES[4]} more "
                f"(most: {top:,} answers a day)", style="dim")
    return text
