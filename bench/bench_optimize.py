"""Optimizer benchmark (issue 14): the FSRS fit and evaluation end to end, then applying it,
rescheduling after an option change and the retention simulation, each in a fresh process.

Usage: python bench/bench_optimize.py [--db DB] [--workload DIR] [--now STAMP] [--fit-only]

The database is --db (copied first: applying changes it), or else the workload in DIR
(make_workload.py's cards.tsv and reviews.csv; the issue's is `--cards 100000
--reviews-per-card 50 --seed 7 --end 2026-12-01`: 100,000 cards, 1M reviews) imported once into
bench/work/ as `loopdrill import` and `loopdrill import-reviews` do. --now is the time the
steps run at (default 2026-12-01T09:00:00+00:00, the workloads' end). "fit" is `loopdrill
optimize` without applying: the history read from SQLite and streamed to the worker, the
training items, the evaluation of the current parameters, the fit and the evaluation of the
fitted ones. For each step: wall time, CPU time (this process and its worker), peak RSS of this
process and of the worker (they run at once, so their sum bounds the memory held). CPU time is
the fairer figure on a loaded machine.
Budget at 1M reviews: fit and evaluate at most 10 s and 300 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
NOW = "2026-12-01T09:00:00+00:00"

RUN = r"""
import json, resource, sys, time, datetime as dt
from pathlib import Path
from loopdrill.store.db import open_db
from loopdrill.services import optimize as opt
db = open_db(sys.argv[1]); now = dt.datetime.fromisoformat(sys.argv[2]); what = sys.argv[3]
t, c = time.perf_counter(), time.process_time()
if what == "fit":
    r = opt.fit(db, now)
    Path(sys.argv[4]).write_text(json.dumps(opt.report_to_json(r)))
    out = (f"{r.reviews:,} items on {r.cards:,} cards, log loss {r.before['log_loss']:.4f} -> "
           f"{r.after['log_loss']:.4f}, RMSE(bins) {r.before['rmse_bins']:.4f} -> "
           f"{r.after['rmse_bins']:.4f}")
elif what == "apply":
    r = opt.report_from_json(json.loads(Path(sys.argv[4]).read_text()))
    a = opt.apply(db, now, r, None, backup_dir=Path(sys.argv[5]))
    out = (f"{a.cards} cards, {a.moved} due dates moved, today {a.due_today_before} -> "
           f"{a.due_today_after}, 7 days {a.due_week_before} -> {a.due_week_after}; "
           f"reschedule alone {a.seconds:.2f} s")
elif what == "reschedule_all":
    a = opt.reschedule_all(db, now, None)
    out = f"{a.cards} cards, {a.moved} moved"
else:
    rows = opt.simulate_retention(db, now, None)
    out = "; ".join(f"{r.retention:.2f}: {r.reviews_per_day:.0f}/day"
                    f"{' (best)' if r.best else ''}" for r in rows)
wall = time.perf_counter() - t
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = time.process_time() - c + kids.ru_utime + kids.ru_stime
peak, worker = me.ru_maxrss / 1024, kids.ru_maxrss / 1024
memory = (f"peak {peak:.0f} MB + worker {worker:.0f} MB = {peak + worker:.0f} MB"
          if what == "fit" else f"peak {peak:.0f} MB")
print(f"{wall:.2f} s wall, {cpu:.2f} s CPU, {memory}: {out}")
"""


def load(db_path: Path, workload: Path, now: str) -> None:
    """A fresh database holding the workload's cards and reviews, imported as `loopdrill
    import` and `loopdrill import-reviews` do."""
    sys.path.insert(0, str(HERE.parent / "src"))
    from loopdrill.formats.review_csv import read_review_csv
    from loopdrill.services.history import import_reviews
    from loopdrill.services.imports import read_files, run_import
    from loopdrill.store.db import open_db

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = open_db(db_path)
    moment = dt.datetime.fromisoformat(now)
    run_import(db, read_files([workload / "cards.tsv"]), moment)
    import_reviews(db, read_review_csv(workload / "reviews.csv"), moment)
    db.conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, help="a database already holding the history")
    parser.add_argument("--workload", type=Path, help="make_workload.py's output folder")
    parser.add_argument("--now", default=NOW)
    parser.add_argument("--fit-only", action="store_true", help="time the fit alone")
    parser.add_argument("--load", nargs=2, metavar=("DB", "WORKLOAD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:  # in its own process, so the timed runs do not inherit its memory peak
        load(Path(args.load[0]), Path(args.load[1]), args.now)
        return
    if not args.db and not args.workload:
        parser.error("give --db DB (a database holding the history) or --workload DIR")
    WORK.mkdir(exist_ok=True)
    name = args.db.stem if args.db else args.workload.name
    db = WORK / f"optimize-{name}.db"
    if args.db:
        shutil.copy(args.db, db)
    elif not db.exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--now", args.now, "--load", str(db),
                        str(args.workload)], check=True)
        print(f"loaded {args.workload} in {time.perf_counter() - started:.1f} s")
    fit_json = WORK / f"optimize-{name}-fit.json"
    steps = [("fit", [str(fit_json)])]
    if not args.fit_only:
        steps += [("apply", [str(fit_json), str(WORK / "optimize-backups")]),
                  ("reschedule_all", []), ("simulate", [])]
    for what, extra in steps:
        out = subprocess.run([sys.executable, "-c", RUN, str(db), args.now, what, *extra],
                             capture_output=True, text=True, check=False, cwd=HERE.parent)
        print(f"{what}: {out.stdout.strip() or out.stderr.strip()[-400:]}")
    print("budget at 1M reviews: fit and evaluate 10 s, 300 MB")


if __name__ == "__main__":
    main()
