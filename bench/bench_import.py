"""Import benchmark: the workload's cards.tsv (Anki text) and its reviews.csv with the FSRS
replay, each in a fresh process through the same code `loopdrill import` runs; then the same
two imports as a user runs them (`loopdrill import`, `loopdrill import-reviews`), timed from
the interpreter's start to its exit.

Usage: python bench/bench_import.py [--cards 100000] [--reviews-per-card 10]
       python bench/bench_import.py --workload DIR --now 2026-12-01T09:00:00+00:00
(issue 14's workload: --reviews-per-card 50, a million reviews: budget 6 s and 150 MB; DIR
holds a workload made already, cards.tsv and reviews.csv, e.g. /work/wt/W/W1M)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
WORKLOAD = HERE.parent.parent / "shared" / "bench" / "make_workload.py"
NOW = "2026-11-23T09:00:00+00:00"

STEP = r"""
import resource, sys, time, datetime as dt
t0 = time.perf_counter()
from pathlib import Path
from loopdrill.services.library import open_library
now = dt.datetime.fromisoformat(sys.argv[3])
lib = open_library(Path(sys.argv[1]), now, builtins=False, daily_backup=False)
kind, path = sys.argv[2].split("=", 1)
if kind == "cards":
    from loopdrill.services.imports import read_files, run_import
    run_import(lib.db, read_files([Path(path)]), now)
else:
    from loopdrill.formats.review_csv import review_blocks
    from loopdrill.services.history import import_review_blocks
    import_review_blocks(lib.db, review_blocks(Path(path)), now)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{time.perf_counter() - t0:.3f} {rss:.0f}")
"""


def step(db: Path, what: str) -> tuple[float, float]:
    """Run one import in a fresh interpreter: (seconds inside it, its peak RSS in MB)."""
    done = subprocess.run([sys.executable, "-c", STEP, str(db), what, os.environ["LOOPDRILL_NOW"]],
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr)
    seconds, rss = done.stdout.split()
    return float(seconds), float(rss)


def command(db: Path, *args: str) -> float:
    """Wall time of one `loopdrill` command on the database (output piped, as a script
    would run it)."""
    env = {**os.environ, "LOOPDRILL_DB": str(db)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "loopdrill", *args], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews-per-card", type=int, default=10)
    parser.add_argument("--workload", type=Path, help="a workload made already")
    parser.add_argument("--now", default=NOW, help="the clock the imports run at")
    args = parser.parse_args()
    os.environ["LOOPDRILL_NOW"] = args.now
    out = args.workload or WORK / f"wl-{args.cards}-{args.reviews_per_card}"
    if not (out / "cards.tsv").exists():
        subprocess.run([sys.executable, str(WORKLOAD), "--cards", str(args.cards),
                        "--reviews-per-card", str(args.reviews_per_card), "--end",
                        "2026-11-23", "--out", str(out)], check=True, capture_output=True)
    WORK.mkdir(exist_ok=True)
    db = WORK / f"import-{out.name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    cards, cards_rss = step(db, f"cards={out / 'cards.tsv'}")
    reviews, reviews_memory = step(db, f"reviews={out / 'reviews.csv'}")
    wall = time.perf_counter() - start
    print(f"import cards.tsv ({args.cards:,} cards):  {cards:.2f} s (budget 1.6 s), "
          f"peak {cards_rss:.0f} MB")
    print(f"import reviews.csv with FSRS replay:   {reviews:.2f} s, peak {reviews_memory:.0f} MB "
          "(budget at a million reviews: 6 s, 150 MB)")
    print(f"wall, both: {wall:.1f} s")
    cli_db = WORK / f"import-cli-{out.name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{cli_db}{suffix}").unlink(missing_ok=True)
    command(cli_db, "decks")  # the first run: creates the database, loads the built-in decks
    cards_cli = command(cli_db, "import", str(out / "cards.tsv"))
    reviews_cli = command(cli_db, "import-reviews", str(out / "reviews.csv"))
    print(f"as commands (interpreter start to exit): loopdrill import cards.tsv {cards_cli:.2f} s, "
          f"loopdrill import-reviews reviews.csv {reviews_cli:.2f} s")


if __name__ == "__main__":
    main()
