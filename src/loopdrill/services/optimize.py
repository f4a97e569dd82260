"""Fit FSRS to the learner's revlog, apply the fit by rescheduling, choose a retention.

`fit` reads the history and trains in a subprocess (optimize_worker), so the caller's GIL
stays free; `apply` stores the parameters after a backup and replays every affected card in
one transaction; `reschedule_all` moves due dates after an option change; `simulate_retention`
compares desired retentions over a year; `maybe_auto_optimize` refits at most weekly.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import fsrs
import fsrs.scheduler
from sqlite_utils import Database

from loopdrill.core.timeutil import to_stamp
from loopdrill.core.words import plural
from loopdrill.engine.fit import MIN_REVIEWS, HistoryEncoder
from loopdrill.services.optimize_reschedule import (
    ApplyReport,
    OptimizeError,
    due_counts,
    replay_cards,
    reschedule_all,
    review_total,
    skipped_rows,
)
from loopdrill.services.optimize_retention import RetentionRow, simulate_retention
from loopdrill.services.params import parameters_for
from loopdrill.store.backup import backup
from loopdrill.store.decks import deck_family, no_deck_named
from loopdrill.store.history import fit_rows
from loopdrill.store.settings import get_meta, set_meta
from loopdrill.store.tx import transaction

__all__ = ["ApplyReport", "FitReport", "OptimizeError", "RetentionRow", "apply",
           "apply_to_json", "fit", "maybe_auto_optimize", "report_from_json", "report_to_json",
           "reschedule_all", "retention_to_json", "simulate_retention"]

FIT_TIMEOUT_S = 300.0
WORKER = (sys.executable, "-m", "loopdrill.services.optimize_worker")
AUTO_EVERY = dt.timedelta(days=7)
AUTO_REVIEWS = 500
LAST_FIT = "optimize:last"


@dataclass(frozen=True)
class FitReport:
    """A fit and how the current and fitted parameters predict the same history."""

    deck: str | None
    reviews: int  # training items: reviews 24 hours or more after the card's previous one
    cards: int
    skipped: int  # corrupt revlog rows left out
    current: list[float]
    fitted: list[float] | None = None
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    message: str = ""
    needed: int = 0  # more reviews needed before a fit is possible

    @property
    def better(self) -> bool:
        """Whether the fit predicts the history better than the current parameters."""
        return (self.fitted is not None and "log_loss" in self.after
                and self.after["log_loss"] < self.before["log_loss"])


def _how_many(items: int) -> str:
    return "No review" if items == 0 else f"Only {plural(items, 'review')}"


def _key(deck: str | None) -> str:
    return f"parameters:{deck}" if deck else "parameters"


def _run_worker(db: Database, deck: str | None, current: list[float], timeout: float,
                command: Sequence[str]) -> tuple[dict[str, Any], int]:
    """Stream the history to the worker (it parses while this process reads the next rows)
    and collect its result, with the count of unusable rows (counted while the worker
    trains). OptimizeError when it dies, fails or runs out of time."""
    worker = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert worker.stdin is not None
    with suppress(ImportError, AttributeError, OSError):  # Linux: write 1 MB ahead while the
        import fcntl  # worker still starts up (not on Windows)

        fcntl.fcntl(worker.stdin, fcntl.F_SETPIPE_SZ, 1 << 20)
    try:
        worker.stdin.write(json.dumps({
            "current": current, "lower": list(fsrs.scheduler.LOWER_BOUNDS_PARAMETERS),
            "upper": list(fsrs.scheduler.UPPER_BOUNDS_PARAMETERS)}).encode() + b"\n")
        cursor, encoder = fit_rows(db, deck), HistoryEncoder()
        while chunk := cursor.fetchmany(5_000):
            worker.stdin.write(encoder.encode(chunk))
        worker.stdin.write(encoder.end())
        worker.stdin.flush()
        skipped = skipped_rows(db, deck)
        out, err = worker.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
        raise OptimizeError(f"The fit took longer than {timeout:.0f} s and was stopped; the "
                            "parameters are unchanged.") from None
    except BrokenPipeError:  # the worker died while reading: say why below
        worker.kill()
        out, err = worker.communicate()
        skipped = 0
    except BaseException:
        worker.kill()
        worker.communicate()
        raise
    if worker.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        why = (f"the worker was killed by signal {-worker.returncode}"
               if worker.returncode < 0 else (lines or [f"exit {worker.returncode}"])[-1])
        raise OptimizeError(f"The fit failed ({why}); the parameters are unchanged.")
    try:
        result: dict[str, Any] = json.loads(out)
    except ValueError:
        raise OptimizeError("The fit worker gave an unreadable answer; the parameters are "
                            "unchanged.") from None
    return result, skipped


def fit(db: Database, now: dt.datetime, deck: str | None = None, *,
        timeout: float = FIT_TIMEOUT_S, command: Sequence[str] = WORKER) -> FitReport:
    """Fit parameters to the revlog (one deck's, or all) in a subprocess, so this process
    keeps its GIL free. With too little history the report says how much more is needed and
    has no fit. OptimizeError (one sentence) when the deck is unknown or a worker fails, dies
    or times out; nothing is stored either way (`apply` stores a fit)."""
    del now  # the fit depends on the history only; kept for a uniform service signature
    if deck is not None and not deck_family(db, deck):  # a parent: its decks' reviews
        raise OptimizeError(no_deck_named(deck))
    current = parameters_for(db, deck) or [float(w) for w in fsrs.Scheduler().parameters]
    fitted, skipped = _run_worker(db, deck, current, timeout, command)
    items, cards = int(fitted["items"]), int(fitted["cards"])
    if items < MIN_REVIEWS:
        return FitReport(deck, items, cards, skipped, current, needed=MIN_REVIEWS - items,
                         message=(
            f"{_how_many(items)} came 24 hours or more after the card's previous one; a fit "
            f"needs at least {MIN_REVIEWS}, so {MIN_REVIEWS - items} more. Keeping the "
            "current parameters."))
    try:
        parameters = [float(w) for w in fitted["parameters"]]
        fsrs.Scheduler(parameters=parameters)
        before, after = dict(fitted["before"]), dict(fitted["after"])
    except (ValueError, KeyError, TypeError) as exc:
        raise OptimizeError(f"The fit gave unusable parameters ({exc}); the parameters are "
                            "unchanged.") from None
    return FitReport(deck, items, cards, skipped, current, parameters, before, after)


def apply(db: Database, now: dt.datetime, report: FitReport, deck: str | None = None, *,
          backup_dir: Path | None) -> ApplyReport:
    """Store the fitted parameters (rounded to 6 places; `parameters`, or `parameters:<deck>`
    for the deck and each deck under it)
    and reschedule every affected card by replaying its history, after a backup, in one
    transaction. `deck` defaults to the report's and must match it."""
    deck = report.deck if deck is None else deck
    if deck != report.deck:
        raise OptimizeError(f"This fit is for {report.deck or 'all decks'}, not {deck}.")
    if report.fitted is None:
        raise OptimizeError("There is no fit to apply: " + (report.message or "run a fit."))
    fitted = [round(float(w), 6) for w in report.fitted]
    try:
        fsrs.Scheduler(parameters=fitted)
    except ValueError as exc:
        raise OptimizeError(f"These parameters are out of bounds ({exc}).") from None
    try:
        saved = backup(db.conn, backup_dir, reason="pre-optimize", now=now) if backup_dir \
            else None
    except OSError as exc:
        raise OptimizeError(f"Cannot back up into {backup_dir} ({exc.strerror or exc}); "
                            "nothing was changed.") from None
    with transaction(db):
        before = due_counts(db, now, deck)
        for scope in deck_family(db, deck) if deck else [None]:  # each deck of a tree
            set_meta(db, _key(scope), json.dumps(fitted))
        _mark_fit(db, now)
        started = time.perf_counter()
        cards, moved = replay_cards(db, deck)
        seconds = time.perf_counter() - started
        after = due_counts(db, now, deck)
    return ApplyReport(cards, moved, *before, *after, seconds=seconds,
                       backup=str(saved) if saved else None)


# -- automatic refits -----------------------------------------------------------------------

def _mark_fit(db: Database, now: dt.datetime) -> None:
    set_meta(db, LAST_FIT, json.dumps({"at": to_stamp(now), "reviews": review_total(db)}))


def maybe_auto_optimize(db: Database, now: dt.datetime, backup_dir: Path | None
                        ) -> str | None:
    """At most once a week, once 500 reviews have accrued since the last fit: fit all decks
    and apply only when the fit's log loss beats the current parameters' on the same history.
    A one-line message when the parameters changed, else None; OptimizeError when the fit
    itself failed (the attempt is recorded, so it is not retried before next week)."""
    raw = get_meta(db, LAST_FIT)
    last: dict[str, Any] = json.loads(raw) if raw else {}
    if "at" in last and now - dt.datetime.fromisoformat(last["at"]) < AUTO_EVERY:
        return None
    if review_total(db) - int(last.get("reviews", 0)) < AUTO_REVIEWS:
        return None
    _mark_fit(db, now)
    report = fit(db, now, None)
    if not report.better:
        return None
    changed = apply(db, now, report, None, backup_dir=backup_dir)
    return (f"FSRS refitted on {plural(report.reviews, 'review')}: log loss "
            f"{report.before['log_loss']:.4f} → {report.after['log_loss']:.4f}, "
            f"{plural(changed.moved, 'due date')} moved, due today {changed.due_today_before} → "
            f"{changed.due_today_after}.")


# -- JSON for `loopdrill optimize --json` ---------------------------------------------------

def report_to_json(report: FitReport) -> dict[str, Any]:
    """A fit report as JSON-ready data."""
    return {**asdict(report), "better": report.better}


def report_from_json(data: dict[str, Any]) -> FitReport:
    """The inverse of report_to_json."""
    names = FitReport.__dataclass_fields__
    return FitReport(**{k: v for k, v in data.items() if k in names})


def apply_to_json(report: ApplyReport) -> dict[str, Any]:
    """What applying changed, as JSON-ready data."""
    return asdict(report)


def retention_to_json(rows: Sequence[RetentionRow]) -> list[dict[str, Any]]:
    """The retention simulation as JSON-ready data."""
    return [asdict(row) for row in rows]
