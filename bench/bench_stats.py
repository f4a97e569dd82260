"""Stats benchmark: the full report over 100,000 cards and 200,000 reviews.

Usage: python bench/bench_stats.py [--cards 100000] [--rebuild]

Generates the shared workload into bench/work/ (git-ignored), then builds a database for it
directly with executemany (no FSRS replay: a rough stability model fills plausible FSRS
columns, which is all the stats timing needs): the cards spread over four decks with their
state, stability, difficulty, due and last review, and the revlog with state_before,
interval_before and the retrievability predicted at review time. `build_report` is then
timed (best of 5, cold first run shown too) in a fresh process that reports its own peak
memory (max RSS), with and without an exam date and for one deck and one tag.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
WORKLOAD = Path("/work/shared/bench/make_workload.py")
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
DECKS = 4
DECAY = 0.1542
FACTOR = 0.9 ** (1 / -DECAY) - 1
FIRST_S = {1: 0.4, 2: 1.2, 3: 3.2, 4: 15.7}
GROWTH = {2: 1.4, 3: 2.6, 4: 4.0}

TIMING = r"""
import datetime as dt, sys, time
from loopdrill.store.db import open_db
from loopdrill.store.queries import Scope
from loopdrill.services.stats import build_report
now = dt.datetime.fromisoformat(sys.argv[2])
db = open_db(sys.argv[1])
cases = [("all decks", Scope(), None), ("all decks + exam", Scope(), dt.date(2026, 12, 20)),
         ("one deck", Scope(("bench-1",)), None), ("one tag", Scope(tag="cs"), None)]
for label, scope, exam in cases:
    times = []
    for _ in range(5):
        t = time.perf_counter()
        report = build_report(db, now, scope, exam)
        times.append(time.perf_counter() - t)
    print(f"{label:17} best {min(times) * 1000:6.1f} ms  first {times[0] * 1000:6.1f} ms")
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]  # this process only
print(f"peak memory {int(status) / 1024:.0f} MB")
report = build_report(db, now, Scope(), dt.date(2026, 12, 20))
t, r30, p = report.today, report.retention[3], report.predicted
print(f"figures: today {t.cards} cards / {t.reviews} answers / {t.minutes:.1f} min / "
      f"again {t.again}; true retention 30d young {r30.young.rate:.3f} of {r30.young.total} "
      f"mature {r30.mature.rate:.3f} of {r30.mature.total}; predicted R {p.retention:.3f} "
      f"over {p.studied} cards, knowledge {p.knowledge:.0f}; log loss "
      f"{report.calibration.log_loss:.4f} RMSE(bins) {report.calibration.rmse_bins:.4f} over "
      f"{report.calibration.reviews} answers; streak {report.calendar.current_streak}/"
      f"{report.calendar.longest_streak}; due today {report.forecast[0]}; "
      f"leeches {report.counts.leeches}")
"""


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def workload(cards: int) -> Path:
    out = WORK / f"wl-{cards}"
    if not (out / "manifest.json").exists():
        subprocess.run([sys.executable, str(WORKLOAD), "--cards", str(cards), "--end",
                        NOW.date().isoformat(), "--out", str(out)], check=True,
                       capture_output=True)
    return out


def simulate(card_id: str, deck: str, history: list[tuple[str, int, int]]
             ) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    """Revlog rows and the final card state from a rough stability model."""
    rows: list[tuple[Any, ...]] = []
    state, stability, difficulty, reps, lapses = 0, 0.0, 5.0, 0, 0
    last: dt.datetime | None = None
    interval = 0.0
    for text, rating, ms in history:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if last is None:
            r, elapsed = None, 0.0
        else:
            elapsed = (moment - last).total_seconds() / 86400
            r = (1 + FACTOR * elapsed / stability) ** -DECAY
        before = state
        if state == 0:
            stability = FIRST_S[rating]
        elif rating == 1:
            stability = max(0.3, stability * 0.35)
        else:
            stability *= GROWTH[rating]
        if rating == 1 and before == 2:
            lapses += 1
        state = 2 if rating > 1 else (3 if before in (2, 3) else 1)
        difficulty = min(10.0, max(1.0, difficulty + (3 - rating) * 0.6))
        rows.append((card_id, deck, stamp(moment), rating, ms, before, state, reps, lapses,
                     interval, r, elapsed, stability if state == 2 else 0.0))
        interval = stability if state == 2 else 0.0
        reps += 1
        last = moment
    assert last is not None
    due = last + dt.timedelta(days=max(stability, 10 / 1440) if state == 2 else 10 / 1440)
    return rows, {"state": state, "stability": stability, "difficulty": difficulty,
                  "due": stamp(due), "last_review": stamp(last), "reps": reps,
                  "lapses": lapses}


def build(path: Path, cards: int) -> None:
    from loopdrill.store.db import open_db

    out = workload(cards)
    path.unlink(missing_ok=True)
    db = open_db(path)
    histories: dict[str, list[tuple[str, int, int]]] = {}
    with open(out / "reviews.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            histories.setdefault(row["card_id"], []).append(
                (row["reviewed_at"], int(row["rating"]), int(row["duration_ms"])))
    card_rows: list[tuple[Any, ...]] = []
    review_rows: list[tuple[Any, ...]] = []
    with open(out / "cards.tsv", encoding="utf-8") as f:
        for position, line in enumerate(x for x in f if not x.startswith("#")):
            front, back, tags, _deck, guid = line.rstrip("\n").split("\t")
            deck = f"bench-{position % DECKS}"
            cid = f"{deck}/{guid}"
            state: dict[str, Any] = {"state": 0, "stability": None, "difficulty": None,
                                     "due": None, "last_review": None, "reps": 0, "lapses": 0}
            history = histories.get(guid)
            if history:
                rows, state = simulate(cid, deck, history)
                review_rows += rows
            tag_list = tags.split()
            suspended = 0
            if state["lapses"] >= 4:
                tag_list.append("leech")
                suspended = 1
            card_rows.append((
                cid, deck, guid, "basic", json.dumps({"back": back, "front": front}),
                f" {' '.join(tag_list)} " if tag_list else "", position, suspended,
                state["state"], state["stability"], state["difficulty"], state["due"],
                state["last_review"], state["reps"], state["lapses"]))
    conn = db.conn
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO decks (slug, title) VALUES (?, ?)",
                     [(f"bench-{i}", f"Bench {i}") for i in range(DECKS)])
    conn.executemany(
        "INSERT INTO cards (id, deck, item, kind, content, tags, position, suspended, state, "
        "stability, difficulty, due, last_review, reps, lapses) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", card_rows)
    conn.executemany(
        "INSERT INTO reviews (card_id, deck, reviewed_at, rating, duration_ms, state_before, "
        "state_after, reps_before, lapses_before, interval_before, retrievability, "
        "elapsed_days, scheduled_days, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', '{}')", review_rows)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    print(f"built {path.name}: {len(card_rows):,} cards, {len(review_rows):,} reviews")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="build the database afresh")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    path = WORK / f"bench-stats-{args.cards}.db"
    if args.rebuild or not path.exists():
        started = time.perf_counter()
        build(path, args.cards)
        print(f"build {time.perf_counter() - started:.1f} s")
    result = subprocess.run([sys.executable, "-c", TIMING, str(path), NOW.isoformat()],
                            capture_output=True, text=True, check=False)
    print(result.stdout.strip() or result.stderr.strip()[-2000:])
    print("budget: full report 150 ms, peak memory 150 MB")


if __name__ == "__main__":
    main()
