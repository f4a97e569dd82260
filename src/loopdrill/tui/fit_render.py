"""Optimizer results as text and rich tables: shared by `loopdrill optimize` and the TUI."""

from __future__ import annotations

from rich.table import Table

from loopdrill.services.fitting import ApplyReport, FitReport, RetentionRow


def fit_lines(report: FitReport, applied: ApplyReport | None = None) -> list[str]:
    """What a fit found (and what applying it changed), line by line."""
    if not report.fitted:
        return [report.message]
    lines = [
        f"Fitted on {report.reviews:,} reviews ({report.items:,} training items).",
        f"log loss   {report.before['log_loss']:.4f} (current) → "
        f"{report.after['log_loss']:.4f} (fitted)",
        f"RMSE(bins) {report.before['rmse_bins']:.4f} (current) → "
        f"{report.after['rmse_bins']:.4f} (fitted)",
    ]
    if applied is not None:
        lines += [
            f"Applied: {applied.cards:,} cards rescheduled, {applied.moved:,} due dates moved.",
            f"Due today {applied.due_today_before:,} → {applied.due_today_after:,}; "
            f"next 7 days {applied.due_week_before:,} → {applied.due_week_after:,}.",
        ]
    elif report.better:
        lines.append("The fit is better. Run with --apply to use it.")
    else:
        lines.append("The fit is not better than the current parameters; keep them.")
    return lines


def retention_table(rows: list[RetentionRow]) -> Table:
    """The retention simulation, best row marked."""
    table = Table(title="A year at each desired retention (simulated)")
    for name in ("retention", "reviews/day", "remembered", "min per card", ""):
        table.add_column(name, justify="right")
    table.add_column("chart", justify="left", no_wrap=True)
    worst = max((r.minutes_per_card for r in rows), default=0) or 1
    for row in rows:
        bar = "█" * max(1, round(row.minutes_per_card / worst * 12))
        table.add_row(f"{row.retention:.2f}", f"{row.reviews_per_day:,.0f}",
                      f"{row.remembered:,.0f}", f"{row.minutes_per_card:.2f}",
                      "◀ best" if row.best else "", bar)
    return table
