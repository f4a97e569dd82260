"""Fit FSRS to the learner's history, apply the fit by rescheduling, choose a retention."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fsrs
from sqlite_utils import Database

from loopdrill.core.fitting import MIN_ITEMS, day_histories, long_term_reviews
from loopdrill.core.model import Rating
from loopdrill.core.replay import replay
from loopdrill.core.timeutil import day_start, from_stamp, next_day_start, to_stamp
from loopdrill.services.config import global_options, options_for
from loopdrill.services.params import ReplaySchedulers, parameters_for
from loopdrill.store.backup import backup
from loopdrill.store.bulk import set_memories
from loopdrill.store.rows import memory_columns
from loopdrill.store.settings import get_meta, set_meta
from loopdrill.store.tx import transaction

RETENTIONS = (0.75, 0.80, 0.85, 0.90, 0.95)
SIM_CARDS = 5000
FIT_TIMEOUT_S = 300


class OptimizeError(ValueError):
    """The fit cannot be made or applied; one sentence, old parameters untouched."""


@dataclass(frozen=True)
class FitReport:
    """What a fit found, on the same history for the current and the fitted parameters."""

    deck: str | None
    reviews: int
    items: int
    current: list[float]
    fitted: list[float] | None = None
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    message: str = ""

    @property
    def better(self) -> bool:
        return bool(self.fitted) and self.after.get("log_loss", 1e9) < self.before.get(
            "log_loss", 0)


@dataclass(frozen=True)
class ApplyReport:
    """What applying parameters changed."""

    cards: int
    moved: int
    due_today_before: int
    due_today_after: int
    due_week_before: int
    due_week_after: int


def _histories(db: Database, deck: str | None, rollover: int) -> tuple[list[Any], int]:
    """Per card, (rating, days since its previous study day). Study days are counted in SQL
    as whole days from a rollover moment (24-hour days: across a change of daylight saving
    time a review within an hour of the rollover may count to the neighbouring day)."""
    epoch = to_stamp(day_start(dt.date(2000, 1, 3), rollover))
    where = " AND deck = ?" if deck else ""
    rows = db.conn.execute(
        "SELECT card_id, CAST(julianday(reviewed_at) - julianday(?) AS INTEGER), rating "
        f"FROM reviews WHERE cram = 0 AND rating BETWEEN 1 AND 4{where} "
        "ORDER BY card_id, reviewed_at", (epoch, *((deck,) if deck else ())))
    histories = day_histories(rows)
    return histories, long_term_reviews(histories)


def fit(db: Database, deck: str | None = None, *, timeout: float = FIT_TIMEOUT_S) -> FitReport:
    """Fit parameters to the revlog in a subprocess; a report saying why not when too little
    history. OptimizeError when the fit itself fails."""
    if deck is not None and not db.conn.execute(
            "SELECT 1 FROM decks WHERE slug = ?", (deck,)).fetchone():
        raise OptimizeError(f"--deck: no deck named {deck!r}; `loopdrill decks` lists them")
    current = parameters_for(db, deck) or [float(w) for w in fsrs.Scheduler().parameters]
    histories, reviews = _histories(db, deck, global_options(db).rollover_hour)
    if reviews < MIN_ITEMS:
        return FitReport(deck, reviews, reviews, current, message=(
            f"only {reviews} reviews a day or more after the card's previous one; a fit needs "
            f"at least {MIN_ITEMS} ({MIN_ITEMS - reviews} more). Keeping the current "
            "parameters."))
    request = json.dumps({"histories": histories, "current": current})
    try:
        done = subprocess.run([sys.executable, "-m", "loopdrill.services.fitting_worker"],
                              input=request, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        raise OptimizeError(f"the fit took longer than {timeout:.0f} s and was stopped; "
                            "parameters unchanged") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["it was killed"])[-1]
        raise OptimizeError(f"the fit failed ({last}); parameters unchanged")
    result = json.loads(done.stdout)
    fitted = [float(w) for w in result["parameters"]]
    try:
        fsrs.Scheduler(parameters=fitted)
    except ValueError as exc:
        raise OptimizeError(f"the fitted parameters were refused ({exc}); unchanged") from None
    return FitReport(deck, reviews, result["items"], current, fitted, result["before"],
                     result["after"])


def _due_counts(db: Database, now: dt.datetime, deck: str | None) -> tuple[int, int]:
    rollover = global_options(db).rollover_hour
    today_end = next_day_start(now, rollover)
    week_end = today_end + dt.timedelta(days=6)
    where = " AND deck = ?" if deck else ""
    row = db.conn.execute(
        "SELECT SUM(due < ?), SUM(due < ?) FROM cards WHERE state IN (1, 2, 3) AND retired = 0 "
        f"AND suspended = 0{where}",
        (to_stamp(today_end), to_stamp(week_end), *((deck,) if deck else ()))).fetchone()
    return int(row[0] or 0), int(row[1] or 0)


def reschedule(db: Database, now: dt.datetime, deck: str | None = None) -> tuple[int, int]:
    """Recompute every studied card's state and due date by replaying its history with the
    parameters and options now in force (the caller holds the transaction).
    Returns (cards, due dates moved)."""
    where = " AND c.deck = ?" if deck else ""
    rows = db.conn.execute(
        "SELECT r.card_id, c.deck, c.due, r.reviewed_at, r.rating, r.cram FROM reviews r "
        "JOIN cards c ON c.id = r.card_id WHERE c.retired = 0"
        f"{where} ORDER BY r.card_id, r.reviewed_at", (deck,) if deck else ())
    schedulers = ReplaySchedulers(db)
    updates: list[dict[str, Any]] = []
    cards = moved = 0

    def flush(card_id: str, deck_slug: str, old_due: str | None,
              history: list[Any]) -> None:
        nonlocal cards, moved
        plain, fuzzed = schedulers(deck_slug)
        steps = replay(plain, fuzzed, history, seed=card_id)
        if not steps:
            return
        columns = memory_columns(steps[-1].after)
        cards += 1
        moved += columns["due"] != old_due
        updates.append({**columns, "id": card_id})

    current: tuple[str, str, str | None] | None = None
    history: list[Any] = []
    for card_id, deck_slug, due, stamp, rating, cram in rows:
        if current is None or card_id != current[0]:
            if current is not None:
                flush(*current, history)
            current, history = (card_id, deck_slug, due), []
        history.append((from_stamp(stamp), Rating(rating), bool(cram)))
    if current is not None:
        flush(*current, history)
    set_memories(db, updates)
    return cards, moved


def apply(db: Database, now: dt.datetime, report: FitReport, backup_dir: Path | None
          ) -> ApplyReport:
    """Store fitted parameters (after a backup) and reschedule the affected cards."""
    if not report.fitted:
        raise OptimizeError("there is no fit to apply; " + (report.message or "run a fit"))
    if backup_dir is not None:
        backup(db.conn, backup_dir, reason="pre-optimize", now=now)
    today_before, week_before = _due_counts(db, now, report.deck)
    key = f"parameters:{report.deck}" if report.deck else "parameters"
    with transaction(db):
        set_meta(db, key, json.dumps(report.fitted))
        _mark_fit(db, now)
        cards, moved = reschedule(db, now, report.deck)
    today_after, week_after = _due_counts(db, now, report.deck)
    return ApplyReport(cards, moved, today_before, today_after, week_before, week_after)


@dataclass(frozen=True)
class RetentionRow:
    """One desired retention, simulated over the next year."""

    retention: float
    reviews_per_day: float
    minutes_per_day: float
    remembered: float
    minutes_per_card: float
    best: bool = False


def simulate_retention(db: Database, deck: str | None = None,
                       retentions: tuple[float, ...] = RETENTIONS) -> list[RetentionRow]:
    """Daily reviews, time and cards remembered after 365 days for each desired retention."""
    import fsrs_rs_python as rs  # deferred: only this command needs the Rust simulator

    params = parameters_for(db, deck) or [float(w) for w in fsrs.Scheduler().parameters]
    opts = options_for(db, deck)
    where = " AND deck = ?" if deck else ""
    cards = db.conn.execute(f"SELECT COUNT(*) FROM cards WHERE retired = 0{where}",
                            (deck,) if deck else ()).fetchone()[0]
    seconds = db.conn.execute(
        f"SELECT AVG(duration_ms) / 1000.0 FROM reviews WHERE duration_ms > 0{where}",
        (deck,) if deck else ()).fetchone()[0] or 8.0
    config = rs.default_simulator_config()
    # simulate at most SIM_CARDS cards (a year of 100,000 takes 20 s) and scale up
    simulated = max(1, min(int(cards), SIM_CARDS))
    scale = max(int(cards), 1) / simulated
    config.deck_size = simulated
    config.learn_span = 365
    config.learn_limit = max(1, round(opts.new_per_day / scale))
    config.review_limit = max(1, round(opts.reviews_per_day / scale))
    config.max_cost_perday = 1e9
    rows = []
    for retention in retentions:
        result = rs.simulate(w=params, desired_retention=retention, config=config, seed=42)
        reviews = sum(result.review_cnt_per_day) / 365 * scale
        remembered = result.memorized_cnt_per_day[-1] * scale
        total_minutes = (sum(result.review_cnt_per_day) + sum(result.learn_cnt_per_day)) \
            * seconds / 60 * scale
        rows.append(RetentionRow(retention, reviews, total_minutes / 365, remembered,
                                 total_minutes / max(remembered, 1)))
    best = min(rows, key=lambda r: r.minutes_per_card)
    return [RetentionRow(**{**vars(r), "best": r is best}) for r in rows]


def _review_total(db: Database) -> int:
    return int(db.conn.execute("SELECT COUNT(*) FROM reviews WHERE cram = 0").fetchone()[0])


def _mark_fit(db: Database, now: dt.datetime) -> None:
    """Remember when a fit ran and how many reviews there were then."""
    set_meta(db, "last_fit", json.dumps({"at": to_stamp(now), "reviews": _review_total(db)}))


def should_auto_optimize(db: Database, now: dt.datetime) -> bool:
    """At most once a week, and only with 500 new reviews since the last fit."""
    raw = get_meta(db, "last_fit")
    last: dict[str, Any] = json.loads(raw) if raw else {}
    at = last.get("at")
    if isinstance(at, str) and now - from_stamp(at) < dt.timedelta(days=7):
        return False
    return _review_total(db) - int(last.get("reviews") or 0) >= 500


def auto_optimize(db: Database, now: dt.datetime, backup_dir: Path | None) -> str | None:
    """Fit when it is due and apply only if it beats the current parameters by log loss."""
    if not should_auto_optimize(db, now):
        return None
    report = fit(db)
    if not report.fitted:
        return None
    if not report.better:
        _mark_fit(db, now)
        return None
    changed = apply(db, now, report, backup_dir)
    return (f"FSRS parameters refitted on {report.reviews} reviews: log loss "
            f"{report.before['log_loss']:.4f} → {report.after['log_loss']:.4f}; "
            f"{changed.moved} due dates moved.")
