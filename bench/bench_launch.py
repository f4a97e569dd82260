"""Launch benchmark: from process start to the first card on screen, as a user runs it.

Usage: python bench/bench_launch.py DB [--runs 5] [--now 2026-12-01T09:00:00+00:00]

Runs `loopdrill --db COPY drill` in a fresh interpreter (the real command: click, the
library with its daily backup and built-in decks, the session, the TUI), the TUI driven
headless by Textual's Pilot at 80x24; and `loopdrill --db COPY drill --plain`. The clock
starts when the process is spawned and stops when the child says the first card is shown
(the TUI) or prints its first question (plain). The first run of each takes the day's
backup and writes the .pyc files (as an installation has them), and is left out; the
figure is the best and the median of the rest. Budget: 0.6 s. DB is copied first (say the
1M-review database).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOW = "2026-12-01T09:00:00+00:00"

# The real CLI, with its run_app replaced by one that drives the same app headless through
# Pilot and says when the drill screen shows its first card.
TUI = r"""
import asyncio, sys, time
from loopdrill.entry import load_sqlite_utils_without_numpy
load_sqlite_utils_without_numpy()  # as the loopdrill script starts (loopdrill.entry.main)
from loopdrill.cli import main, study

def run_app(app, *, headless=False):
    from loopdrill.tui.drill import DrillScreen

    async def drive():
        async with app.run_test(size=(80, 24)) as pilot:
            while not (isinstance(app.screen, DrillScreen) and app.screen.shown is not None):
                await pilot.pause(0.002)
            print("first-card", time.process_time(), flush=True)

    asyncio.run(drive())

study.run_app = run_app
sys.argv = ["loopdrill", "--db", sys.argv[1], "drill"]
main()
"""


def first_line(args: list[str], marker: str, env: dict[str, str]) -> tuple[float, str]:
    """Seconds from spawning `args` to the first stdout line starting with `marker`, and
    that line."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(marker):
            elapsed = time.perf_counter() - started
            break
    else:
        sys.exit(f"{' '.join(args)}: no {marker!r} line\n{proc.communicate()[1][-2000:]}")
    proc.kill()
    proc.communicate()
    return elapsed, line


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--now", default=NOW)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "launch.db"
        shutil.copy(args.db, db)
        env = {**os.environ, "LOOPDRILL_NOW": args.now}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed loopdrill has its .pyc files
        runs = {
            "TUI (Pilot, 80x24)": ([sys.executable, "-c", TUI, str(db)], "first-card"),
            "--plain": ([sys.executable, "-m", "loopdrill", "--db", str(db), "drill",
                         "--plain"], "Q: "),
        }
        for label, (command, marker) in runs.items():
            runs_ = [first_line(command, marker, env) for _ in range(args.runs + 1)][1:]
            times = [t for t, _ in runs_]
            cpu = [float(line.split()[1]) for _, line in runs_ if line.startswith("first-card")]
            print(f"launch to first card, {label:20} best {min(times):.3f} s, median "
                  f"{statistics.median(times):.3f} s of {len(times)}"
                  + (f" (CPU best {min(cpu):.3f} s)" if cpu else "") + " (budget 0.6 s)")


if __name__ == "__main__":
    main()
