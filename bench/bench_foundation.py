"""Foundation benchmark: launch to first card, today's queue, 1,000 committed answers.

Usage: python bench/bench_foundation.py [--cards 100000] [--history DB [--runs N]]

--history DB: measure 1,000 answers on a fresh copy of DB (say one with the 1M-review history
imported by bench_import.py), plain and with 4,000 cards in learning (due later today), N times
each in turns (--runs, 1 by default): wall and CPU time of each run, and the best (lowest
wall, with its CPU). On a shared machine CPU is the steadier figure: wall time also counts the
time other processes hold the cores.
Generates the shared workload into bench/work/ (git-ignored), loads its cards through the
store's bulk insert, gives the cards with history a review state, then measures each budget
of DESIGN.md section 10 in a fresh process, reporting wall time and peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
WORKLOAD = HERE.parent.parent / "shared" / "bench" / "make_workload.py"
NOW = "2026-11-23T09:00:00+00:00"

SETUP = r"""
import csv, datetime as dt, random, sys
from pathlib import Path
from loopdrill.core.model import CardSpec
from loopdrill.services.library import open_library
from loopdrill.store.decks import insert_cards
from loopdrill.store.tx import transaction
from loopdrill.core.timeutil import to_stamp
now = dt.datetime.fromisoformat(sys.argv[3])
lib = open_library(Path(sys.argv[1]), now, builtins=False, daily_backup=False)
rows = []
with open(sys.argv[2], encoding="utf-8") as f:
    for line in f:
        if line.startswith("#"):
            continue
        front, back, tags, deck, guid = line.rstrip("\n").split("\t")
        rows.append(CardSpec(id=f"bench/{guid}", deck="bench", item=guid, variant="",
                             kind="basic", content={"front": front, "back": back},
                             tags=tuple(tags.split()), position=len(rows)))
with transaction(lib.db) as db:
    db.conn.execute("INSERT INTO decks (slug, title) VALUES ('bench', 'Bench')")
    insert_cards(db, rows, now)
    rng = random.Random(1)
    updates = []
    for spec in rows[: len(rows) // 5]:
        last = now - dt.timedelta(days=rng.uniform(1, 60))
        due = last + dt.timedelta(days=rng.uniform(1, 90))
        updates.append((rng.uniform(1, 80), rng.uniform(2, 9), to_stamp(due), to_stamp(last),
                        spec.id))
    db.conn.executemany("UPDATE cards SET state = 2, step = NULL, stability = ?, difficulty = ?, "
                        "due = ?, last_review = ?, reps = 3 WHERE id = ?", updates)
print(len(rows))
"""

LAUNCH = r"""
import time, sys
t0 = time.perf_counter()
import asyncio, datetime as dt
from pathlib import Path
from loopdrill.services.library import open_library
from loopdrill.services.session import DrillSession
from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.drill import DrillScreen
now = dt.datetime.fromisoformat(sys.argv[2])
async def launch():
    lib = open_library(Path(sys.argv[1]), now)
    app = LoopdrillApp(lib.db, lambda: now, session=DrillSession(lib.db, lambda: now))
    async with app.run_test(size=(80, 24)) as pilot:
        while not (isinstance(app.screen, DrillScreen) and app.screen.shown is not None):
            await pilot.pause(0.005)
        print(f"first-card {time.perf_counter() - t0:.4f}")
asyncio.run(launch())
import resource
print(f"maxrss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
"""

QUEUE_AND_ANSWERS = r"""
import datetime as dt, sys, time, resource
from pathlib import Path
from loopdrill.core.model import Rating
from loopdrill.services.library import open_library
from loopdrill.services.session import DrillSession
now = dt.datetime.fromisoformat(sys.argv[2])
lib = open_library(Path(sys.argv[1]), now, builtins=False, daily_backup=False)
lib.db.conn.execute("INSERT OR REPLACE INTO options VALUES ('', 'reviews_per_day', '2000')")
lib.db.conn.execute("INSERT OR REPLACE INTO options VALUES ('', 'new_per_day', '2000')")
lib.db.conn.execute("INSERT OR REPLACE INTO options VALUES ('bench', 'reviews_per_day', '2000')")
lib.db.conn.execute("INSERT OR REPLACE INTO options VALUES ('bench', 'new_per_day', '2000')")
if len(sys.argv) > 3:  # 4,000 new cards in learning, due later today (counted, not shown yet)
    later = (now + dt.timedelta(hours=2)).isoformat(timespec="microseconds")
    lib.db.conn.execute("UPDATE cards SET state = 1, step = 0, stability = 1, difficulty = 5, "
                        "due = ?, last_review = ?, reps = 1 WHERE rowid IN (SELECT rowid FROM "
                        "cards WHERE state = 0 LIMIT 4000)", (later, now.isoformat()))
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    session = DrillSession(lib.db, lambda: now)
    best = min(best, time.perf_counter() - t)
print(f"queue {best:.4f} ({len(session.queue)} cards)")
clock = [now]
session = DrillSession(lib.db, lambda: clock[0])
t, cpu = time.perf_counter(), time.process_time()
for i in range(1000):
    shown = session.next_card()
    assert shown is not None
    session.answer(Rating(1 + i % 4))
    session.progress()
elapsed = time.perf_counter() - t
print(f"answers {elapsed:.4f}")
print(f"answers_cpu {time.process_time() - cpu:.4f}")
print(f"maxrss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
"""


def measure(script: str, db: Path, *extra: str) -> tuple[dict[str, float], float]:
    """Run a script in a fresh interpreter: its `key value` lines and its peak RSS (MB)."""
    proc = subprocess.Popen([sys.executable, "-c", script, str(db), NOW, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = proc.communicate()
    if proc.returncode:
        sys.exit(stderr)
    figures = {}
    for line in stdout.splitlines():
        key, value = line.split()[:2]
        figures[key] = float(value)
    return figures, 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--history", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=1, help="runs of each --history case")
    args = parser.parse_args()
    if args.history is not None:
        answers_on_history(args.history, args.runs)
        return
    out = WORK / f"wl-{args.cards}"
    if not (out / "cards.tsv").exists():
        subprocess.run([sys.executable, str(WORKLOAD), "--cards", str(args.cards), "--end",
                        "2026-11-23", "--out", str(out)], check=True, capture_output=True)
    db = WORK / f"foundation-{args.cards}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", SETUP, str(db), str(out / "cards.tsv"), NOW],
                   check=True, capture_output=True, text=True)
    print(f"setup (bulk insert of {args.cards} cards, fresh process): "
          f"{time.perf_counter() - t:.2f} s")
    launches, launch_rss = [], 0.0
    for _ in range(3):
        figures, _ = measure(LAUNCH, db)
        launches.append(figures["first-card"])
        launch_rss = max(launch_rss, figures["maxrss_mb"])
    session, _ = measure(QUEUE_AND_ANSWERS, db)
    print(f"launch to first card: {min(launches):.3f} s best of 3 (budget 0.6 s)")
    print(f"today's queue:        {session['queue'] * 1000:.1f} ms best of 5 (budget 20 ms)")
    print(f"1,000 answers:        {session['answers']:.3f} s, cpu {session['answers_cpu']:.3f} s "
          "(budget 0.3 s)")
    print(f"peak memory:          launch {launch_rss:.0f} MB, queue and answers "
          f"{session['maxrss_mb']:.0f} MB (budget 150 MB)")


def answers_on_history(history: Path, runs: int = 1) -> None:
    """1,000 answers (each committed, with the progress line) on copies of a database with a
    big history: as it is, and with 4,000 cards in learning; `runs` times each, in turns."""
    import shutil

    WORK.mkdir(exist_ok=True)
    best: dict[bool, tuple[float, float]] = {}
    for _ in range(runs):
        for learning in (False, True):
            db = WORK / "answers-on-history.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.copy(history, db)
            figures, _ = measure(QUEUE_AND_ANSWERS, db, *(["learning"] if learning else []))
            wall, cpu = figures["answers"], figures["answers_cpu"]
            best[learning] = min(best.get(learning, (wall, cpu)), (wall, cpu))
            print(f"1,000 answers on {history.name}"
                  f"{' with 4,000 in learning' if learning else ''}: {wall:.3f} s, cpu {cpu:.3f} s "
                  "(budget 0.3 s)", flush=True)
    if runs > 1:
        for learning, (wall, cpu) in best.items():
            print(f"best of {runs}{' with 4,000 in learning' if learning else ''}: "
                  f"{wall:.3f} s, cpu {cpu:.3f} s")


if __name__ == "__main__":
    main()
