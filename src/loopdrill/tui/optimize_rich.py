"""The optimizer's results as rich renderables: `loopdrill optimize` prints them and the
Optimize screen shows them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from loopdrill.core.words import plural
from loopdrill.services.optimize import ApplyReport, FitReport, RetentionRow


def _change(before: float, after: float) -> Text:
    """`after` coloured by whether it is lower (better) than `before`."""
    style = "green" if after < before else "red" if after > before else ""
    return Text(f"{after:.4f}", style=style)


def render_fit(report: FitReport) -> RenderableType:
    """What a fit found: the history used and how both parameter sets predict it."""
    scope = f"deck {report.deck}" if report.deck else "all decks"
    if report.fitted is None:
        return Group(Text(f"FSRS fit ({scope})", style="bold"), Text(report.message),
                     *_skipped(report))
    table = Table(title=f"FSRS fit ({scope})", title_justify="left", show_edge=False)
    table.add_column("on the same history")
    table.add_column("current", justify="right")
    table.add_column("fitted", justify="right")
    for key, label in (("log_loss", "log loss"), ("rmse_bins", "RMSE (bins)")):
        table.add_row(label, f"{report.before[key]:.4f}",
                      _change(report.before[key], report.after[key]))
    verdict = (Text("The fit predicts your history better; apply it to use it.", "green")
               if report.better else
               Text("The fit is no better than the current parameters; keep them.", "yellow"))
    used = Text(f"{plural(report.reviews, 'review')} used (24 hours or more after the card's "
                f"previous one), from {plural(report.cards, 'card')}.")
    return Group(table, used, *_skipped(report), verdict)


def _skipped(report: FitReport) -> list[Text]:
    if not report.skipped:
        return []
    return [Text(f"{plural(report.skipped, 'revlog row')} skipped: rating out of range or an "
                 "unreadable time.", style="yellow")]


def render_apply(changed: ApplyReport) -> RenderableType:
    """What applying the fit (or new options) did to the schedule."""
    lines = [
        f"{plural(changed.cards, 'card')} rescheduled, {plural(changed.moved, 'due date')} moved.",
        f"Due by the end of today: {changed.due_today_before:,} → {changed.due_today_after:,}; "
        f"within 7 days: {changed.due_week_before:,} → {changed.due_week_after:,}.",
    ]
    if changed.backup:
        lines.append(f"Backup taken first: {changed.backup}")
    return Text("\n".join(lines))


def bar(value: float, most: float, width: int) -> str:
    """A horizontal bar of `width` cells at most, in eighths of a cell."""
    if most <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / most * width * 8))
    return "█" * (eighths // 8) + " ▏▎▍▌▋▊▉"[eighths % 8].strip()


def render_retention(rows: Sequence[RetentionRow]) -> RenderableType:
    """The retention simulation as a table with a bar chart of the seconds per card
    remembered, the best retention marked."""
    table = Table(title="The next 365 days at each desired retention (simulated)",
                  title_justify="left", show_edge=False)
    for name in ("retention", "reviews/day", "total hours", "remembered", "s per card"):
        table.add_column(name, justify="right")
    table.add_column("", justify="left", no_wrap=True)
    most = max((row.seconds_per_card for row in rows), default=0.0)
    for row in rows:
        daily = row.reviews_per_day
        mark = " ◀ best" if row.best else ""
        table.add_row(f"{row.retention:.2f}", f"{daily:,.1f}" if daily < 10 else f"{daily:,.0f}",
                      f"{row.minutes_total / 60:,.1f}", f"{row.remembered:,.0f}",
                      f"{row.seconds_per_card:.1f}", bar(row.seconds_per_card, most, 12) + mark,
                      style="bold green" if row.best else "")
    note = Text("remembered: cards you would recall at the end (sum of retrievability); "
                "s per card: review time per card remembered (◀ best: the least). Set one with "
                "`loopdrill config desired_retention 0.85`.", style="dim")
    return Group(table, note)
