"""The report's figures from the cards as they are now (counts, predicted retention, forecast,
distributions, exam readiness) and the calibration of past predictions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlite_utils import Database

from loopdrill.core.retention import BinGroup, ratio, rmse_bins
from loopdrill.core.timeutil import day_start
from loopdrill.engine.curve import DEFAULT_DECAY
from loopdrill.services.params import parameters_for
from loopdrill.services.report_model import STATES, DeckLine, Histogram, Readiness, StatsReport
from loopdrill.store import statsql

# whole days -> bin: the first edge at or below; labels read as ranges of days
DAY_EDGES = (0, 1, 2, 3, 7, 14, 21, 30, 60, 90, 180, 365)
DAY_LABELS = ("<1d", "1d", "2d", "3-6d", "1-2w", "2-3w", "3w-1m", "1-2m", "2-3m", "3-6m",
              "6m-1y", "1y+")
DIFFICULTY_LABELS = tuple(f"{d}-{d + 1}" for d in range(1, 10))
TENTH_LABELS = tuple(f"{t * 10}-{t * 10 + 10}" for t in range(10))


def day_bin(days: int) -> int:
    """The DAY_EDGES bin of a whole number of days."""
    return max(i for i, edge in enumerate(DAY_EDGES) if days >= edge) if days > 0 else 0


def card_figures(db: Database, report: StatsReport, now: dt.datetime, rollover: int) -> None:
    """Counts by state (overall and per deck), predicted retention and knowledge, the
    forecast with its backlog apart, the distributions, and readiness on the exam date."""
    scope, exam = report.scope, report.exam
    params = parameters_for(db, scope.decks[0] if len(scope.decks) == 1 else None)
    decay = params[20] if params else DEFAULT_DECAY
    exam_at = day_start(exam, rollover) if exam else None
    counts = dict.fromkeys((*STATES, "leeches"), 0)
    decks = {d.name: d for d in report.decks}
    per_deck: dict[str, dict[str, int]] = {}
    r_sum = 0.0
    for deck, category, count, studied, r_now, r_exam, below in statsql.card_groups(
            db, scope, now, decay, exam_at):
        counts[category] += count
        per_deck.setdefault(deck, dict.fromkeys(STATES, 0))[category] += count
        if category == "retired":
            continue
        line = decks.setdefault(deck, DeckLine(deck))
        if category == "new":
            line.new += count
        line.studied += studied or 0
        report.studied_cards += studied or 0
        r_sum += r_now or 0.0
        if exam_at is not None and studied:
            line.exam_retention = (line.exam_retention or 0.0) + (r_exam or 0.0)
            line.exam_below += below or 0
    if exam is not None:
        ready = Readiness(exam, (exam - report.today).days)
        for line in decks.values():
            ready.studied += line.studied
            ready.new += line.new
            ready.recall_sum += line.exam_retention or 0.0
            ready.below += line.exam_below
        report.readiness = ready
    for line in decks.values():
        if line.exam_retention is not None:
            line.exam_retention /= max(line.studied, 1)
    tag_lapses: dict[str, int] = defaultdict(int)
    for deck, tags, lapses, leeches in statsql.lapsed(db, scope):
        decks.setdefault(deck, DeckLine(deck)).lapses += lapses
        counts["leeches"] += leeches or 0
        for tag in tags.split():
            tag_lapses[tag] += lapses
    for tag in report.tags:
        tag.lapses = tag_lapses.get(tag.name, 0)
    report.decks = sorted(decks.values(), key=lambda d: d.name)
    report.counts = counts
    report.deck_counts = dict(sorted(per_deck.items()))
    report.knowledge = round(r_sum, 2)
    report.predicted_retention = ratio(r_sum, report.studied_cards)
    end = day_start(report.today + dt.timedelta(days=30), rollover)
    start = day_start(report.today, rollover)
    for offset, count in statsql.forecast(db, scope, start, end):
        if offset is None:  # a due time that is not ISO (a damaged row)
            continue
        if offset < 0:
            report.backlog += count
        elif offset < 30:
            report.forecast[offset] += count
    report.histograms = _histograms(statsql.distributions(db, scope, now, decay))


def _histograms(rows: list[tuple[str, int, int]]) -> list[Histogram]:
    hists = {
        "interval": Histogram("interval", "days until due, as scheduled", list(DAY_LABELS),
                              [0] * len(DAY_LABELS)),
        "stability": Histogram("stability", "days until recall falls to 90%",
                               list(DAY_LABELS), [0] * len(DAY_LABELS)),
        "difficulty": Histogram("difficulty", "FSRS difficulty, 1 easiest to 10 hardest",
                                list(DIFFICULTY_LABELS), [0] * len(DIFFICULTY_LABELS)),
        "retrievability": Histogram("retrievability", "chance of recall now, %",
                                    list(TENTH_LABELS), [0] * len(TENTH_LABELS)),
    }
    for what, key, count in rows:
        if key is None:  # a time that is not ISO (a damaged row): SQLite's date math gives NULL
            continue
        hist = hists[what]
        if what in ("interval", "stability"):
            index = day_bin(int(key))
        elif what == "difficulty":
            index = min(max(int(key) - 1, 0), 8)
        else:
            index = min(max(int(key), 0), 9)
        hist.counts[index] += count
    return list(hists.values())


def calibration(db: Database, report: StatsReport) -> None:
    """Reviews by predicted R against the measured pass rate, log loss and RMSE(bins)."""
    groups: dict[tuple[float, float, float], list[float]] = defaultdict(lambda: [0, 0.0, 0])
    tenths = [[0, 0.0, 0] for _ in range(10)]
    loss = 0.0
    for days, reps, lapses, tenth, n, r_sum, passed, log_loss in statsql.calibration(
            db, report.scope):
        group = groups[days, reps, lapses]  # the benchmark's bins (statsql.calibration)
        group[0] += n
        group[1] += r_sum
        group[2] += passed
        bucket = tenths[tenth]
        bucket[0] += n
        bucket[1] += r_sum
        bucket[2] += passed
        loss += log_loss
    total = sum(int(t[0]) for t in tenths)
    report.calibration_reviews = total
    report.calibration = [
        {"from": i / 10, "to": (i + 1) / 10, "reviews": int(n),
         "predicted": round(r / n, 4) if n else None, "actual": round(p / n, 4) if n else None}
        for i, (n, r, p) in enumerate(tenths)]
    if total:
        report.log_loss = round(loss / total, 4)
        value = rmse_bins([BinGroup(int(n), r / n, p / n) for n, r, p in groups.values() if n])
        report.rmse_bins = round(value, 4) if value is not None else None
