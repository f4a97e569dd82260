"""Stats benchmark on 1,000,000 reviews (issue 19): the full report for each period, with and
without a tag, and the Stats screen drawn headless at 160x48, each in a fresh process with
its peak memory.

Usage: python bench/bench_stats.py [--cards 100000] [--reviews-per-card 50] [--workload PATH]
       python bench/bench_stats.py --db DB   (a database already made: measured on a copy)
The workload is make_workload.py's (--seed 7 --end 2026-12-01), imported as bench_import.py
does (cards.tsv, then reviews.csv with the FSRS replay) once into bench/work/. Times are the
best of 5; CPU time is printed beside wall time because a loaded machine stretches wall time
(the budgets are for an otherwise idle 2-core machine): report 0.15 s, screen 0.5 s, 150 MB.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_import import STEP, WORK, WORKLOAD  # noqa: E402

NOW = "2026-12-01T09:00:00+00:00"

REPORT = r"""
import resource, sys, time, datetime as dt
from pathlib import Path
from loopdrill.services.library import open_library
from loopdrill.services.report import build_report
from loopdrill.store.queries import Scope
now = dt.datetime.fromisoformat(sys.argv[2])
lib = open_library(Path(sys.argv[1]), now, builtins=False, daily_backup=False)
scope = Scope(tag=sys.argv[4]) if sys.argv[4] else Scope()
wall = cpu = 1e9
for _ in range(5):
    t, c = time.perf_counter(), time.process_time()
    build_report(lib.db, now, scope, exam=dt.date(2026, 12, 20), period=sys.argv[3])
    wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{wall:.3f} s wall, {cpu:.3f} s CPU, peak {peak:.0f} MB")
"""

SCREEN = r"""
import asyncio, resource, sys, time, datetime as dt
from pathlib import Path
from textual.app import App
from loopdrill.services.library import open_library
from loopdrill.tui.stats_screen import StatsScreen
now = dt.datetime.fromisoformat(sys.argv[2])
lib = open_library(Path(sys.argv[1]), now, builtins=False, daily_backup=False)
class A(App[None]):
    CSS = Path(sys.argv[3]).read_text()
    def on_mount(self) -> None:
        self.push_screen(StatsScreen(lib.db, lambda: now))
async def main() -> None:
    app = A()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        wall = cpu = 1e9
        for _ in range(5):
            t, c = time.perf_counter(), time.process_time()
            app.screen.action_reload()
            await pilot.pause()
            app.screen.refresh()
            await pilot.pause()
            wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{wall:.3f} s wall, {cpu:.3f} s CPU, peak {peak:.0f} MB")
asyncio.run(main())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews-per-card", type=int, default=50)
    parser.add_argument("--workload", type=Path, default=WORKLOAD,
                        help="make_workload.py (default: the one beside the repository)")
    parser.add_argument("--db", type=Path, default=None,
                        help="measure this database (a copy of it) instead of building one")
    args = parser.parse_args()
    if args.db is not None:
        with tempfile.TemporaryDirectory() as scratch:
            db = Path(scratch) / "stats.db"
            shutil.copy(args.db, db)
            measure(db)
        return
    name = f"{args.cards}x{args.reviews_per_card}"
    out = WORK / f"wl-stats-{name}"
    if not (out / "reviews.csv").exists():
        subprocess.run([sys.executable, str(args.workload), "--cards", str(args.cards),
                        "--reviews-per-card", str(args.reviews_per_card), "--seed", "7",
                        "--end", "2026-12-01", "--out", str(out)], check=True,
                       capture_output=True)
    db = WORK / f"stats-{name}.db"
    if not db.exists():  # imported as bench_import.py does, at this workload's end
        for what in (f"cards={out / 'cards.tsv'}", f"reviews={out / 'reviews.csv'}"):
            subprocess.run([sys.executable, "-c", STEP, str(db), what, NOW], check=True,
                           capture_output=True)
    reviews = sum(1 for _ in (out / "reviews.csv").open()) - 1
    print(f"{reviews:,} reviews on {args.cards:,} cards")
    measure(db)


def measure(db: Path) -> None:
    """The report for each period, with and without a tag, then the screen."""
    for period in ("1m", "3m", "1y", "all"):
        for tag in ("", "vocab"):
            run = subprocess.run([sys.executable, "-c", REPORT, str(db), NOW, period, tag],
                                 capture_output=True, text=True, check=False)
            label = f"report --period {period}" + (f" --tag {tag}" if tag else "")
            print(f"{label:32} {run.stdout.strip() or run.stderr.strip()[-300:]}")
    css = HERE.parent / "src" / "loopdrill" / "tui" / "app.tcss"
    run = subprocess.run([sys.executable, "-c", SCREEN, str(db), NOW, str(css)],
                         capture_output=True, text=True, check=False)
    print(f"{'stats screen 160x48':32} {run.stdout.strip() or run.stderr.strip()[-300:]}")
    print("budgets: report 0.15 s, screen 0.5 s, memory 150 MB")


if __name__ == "__main__":
    main()
