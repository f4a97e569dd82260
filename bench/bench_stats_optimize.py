"""Stats benchmark on the imported workload (run bench_import.py first; the optimizer has
bench/bench_optimize.py).

Usage: python bench/bench_stats_optimize.py [--cards 100000]
Times the full stats report (best of 5), the stats screen drawn headless, the FSRS fit end to
end (subprocess included) and rescheduling every studied card, each reporting peak memory.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOW = "2026-11-23T09:00:00+00:00"

STATS = r"""
import resource, sys, time, datetime as dt
from pathlib import Path
from loopdrill.services.library import open_library
from loopdrill.services.report import build_report
now = dt.datetime.fromisoformat(sys.argv[2])
lib = open_library(Path(sys.argv[1]), now, builtins=False, daily_backup=False)
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    build_report(lib.db, now, exam=dt.date(2026, 12, 20))
    best = min(best, time.perf_counter() - t)
print(f"report {best:.3f} s, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f} MB")
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
    def on_mount(self) -> None:
        self.push_screen(StatsScreen(lib.db, lambda: now))
async def main() -> None:
    app = A()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        t = time.perf_counter()
        app.screen.action_reload()
        await pilot.pause()
        print(f"screen {time.perf_counter() - t:.3f} s, peak "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f} MB")
asyncio.run(main())
"""

def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    args = parser.parse_args()
    source = HERE / "work" / f"import-{args.cards}.db"
    if not source.exists():
        sys.exit("run bench/bench_import.py first")
    db = HERE / "work" / f"stats-{args.cards}.db"
    shutil.copy(source, db)
    for label, script in (("stats report", STATS), ("stats screen", SCREEN)):
        out = subprocess.run([sys.executable, "-c", script, str(db), NOW], capture_output=True,
                             text=True, check=False)
        print(f"{label}: {out.stdout.strip() or out.stderr.strip()[-300:]}")
    print("budgets: report 0.15 s, screen 0.5 s, fit 1 s, reschedule 3 s, memory 150 MB")


if __name__ == "__main__":
    main()
