"""Import benchmark: the workload's cards.tsv (Anki text) and its reviews.csv with the FSRS
replay, each in a fresh process through the same code `loopdrill import` runs; then the same
two imports as a user runs them (`loopdrill import`, `loopdrill import-reviews`), timed from
the interpreter's start to its exit.

Usage: python bench/bench_import.py [--cards 100000]
"""

from __future__ import annotations

import argparse
import os
import shutil
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


def step(db: Path, what: str, *, sample: bool = False) -> tuple[float, float]:
    """Run one import in a fresh interpreter: (seconds inside it, peak memory in MB).

    The peak is the process's peak RSS; with `sample`, it is instead the highest sum of
    proportional set sizes of the process and any process it forked (a big review import
    replays on two cores), read every 5 ms: the memory the import holds, counted once."""
    proc = subprocess.Popen([sys.executable, "-c", STEP, str(db), what, NOW],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while sample and proc.poll() is None:
        peak = max(peak, sum(_pss(pid) for pid in (proc.pid, *_children(proc.pid))))
        time.sleep(0.005)
    stdout, stderr = proc.communicate()
    if proc.returncode:
        sys.exit(stderr)
    seconds, rss = stdout.split()
    return float(seconds), peak / 1024 if sample else float(rss)


def command(db: Path, *args: str) -> float:
    """Wall time of one `loopdrill` command on the database (output piped, as a script
    would run it)."""
    env = {**os.environ, "LOOPDRILL_DB": str(db), "LOOPDRILL_NOW": NOW}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "loopdrill", *args], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr)
    return time.perf_counter() - start


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in
                Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _pss(pid: int) -> int:
    """Proportional set size of a process in kB, 0 once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    args = parser.parse_args()
    out = WORK / f"wl-{args.cards}"
    if not (out / "cards.tsv").exists():
        subprocess.run([sys.executable, str(WORKLOAD), "--cards", str(args.cards), "--end",
                        "2026-11-23", "--out", str(out)], check=True, capture_output=True)
    db = WORK / f"import-{args.cards}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    cards, cards_rss = step(db, f"cards={out / 'cards.tsv'}")
    snapshot = db.with_name(f"{db.stem}-cards.db")
    shutil.copy(db, snapshot)  # the cards alone, for the memory run of the review import
    reviews, _ = step(db, f"reviews={out / 'reviews.csv'}")
    wall = time.perf_counter() - start
    _, reviews_memory = step(snapshot, f"reviews={out / 'reviews.csv'}", sample=True)
    snapshot.unlink()
    print(f"import cards.tsv ({args.cards:,} cards):  {cards:.2f} s (budget 1.6 s), "
          f"peak {cards_rss:.0f} MB")
    print(f"import reviews.csv with FSRS replay:   {reviews:.2f} s (budget 3 s), "
          f"peak {reviews_memory:.0f} MB with its replay helper (budget 200 MB)")
    print(f"wall, both: {wall:.1f} s")
    cli_db = WORK / f"import-cli-{args.cards}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{cli_db}{suffix}").unlink(missing_ok=True)
    command(cli_db, "decks")  # the first run: creates the database, loads the built-in decks
    cards_cli = command(cli_db, "import", str(out / "cards.tsv"))
    reviews_cli = command(cli_db, "import-reviews", str(out / "reviews.csv"))
    print(f"as commands (interpreter start to exit): loopdrill import cards.tsv {cards_cli:.2f} s, "
          f"loopdrill import-reviews reviews.csv {reviews_cli:.2f} s")


if __name__ == "__main__":
    main()
