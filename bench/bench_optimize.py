"""Optimizer benchmark: the FSRS fit end to end and rescheduling every studied card.

Usage: python bench/bench_optimize.py [--cards 100000] [--history-cards K] [--reviews-per-card R]

Generates the workload with shared/bench/make_workload.py (--end 2026-11-23, so the files are
the same on any day) into bench/work/, loads its cards.tsv and reviews.csv into a fresh
database (as `loopdrill import` and `loopdrill import-reviews` do), then times, each in a fresh
process: the fit (subprocess included, budget 1 s), applying it (backup, parameters,
rescheduling; budget 3 s for rescheduling), rescheduling after an option change and the
retention simulation. Peak memory is reported for each (and for the fit's worker process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKLOAD = Path("/work/shared/bench/make_workload.py")
END = "2026-11-23"
NOW = "2026-11-23T09:00:00+00:00"

RUN = r"""
import json, resource, sys, time, datetime as dt
from pathlib import Path
from loopdrill.store.db import open_db
from loopdrill.services import optimize as opt
db = open_db(sys.argv[1]); now = dt.datetime.fromisoformat(sys.argv[2]); what = sys.argv[3]
t = time.perf_counter()
if what == "fit":
    r = opt.fit(db, now)
    Path(sys.argv[4]).write_text(json.dumps(opt.report_to_json(r)))
    out = (f"{r.reviews} reviews used, log loss {r.before['log_loss']:.4f} -> "
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
took = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
extra = f" (fit worker {worker:.0f} MB)" if what == "fit" else ""
print(f"{took:.2f} s, peak {peak:.0f} MB{extra}: {out}")
"""


def load(db_path: Path, workload: Path) -> None:
    """A fresh database holding the workload's cards and reviews, imported as `loopdrill
    import` and `loopdrill import-reviews` do (the replay gives every revlog row its states)."""
    sys.path.insert(0, str(ROOT / "src"))
    from loopdrill.formats.review_csv import read_review_csv
    from loopdrill.services.history import import_reviews
    from loopdrill.services.imports import read_files, run_import
    from loopdrill.store.db import open_db

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = open_db(db_path)
    now = dt.datetime.fromisoformat(NOW)
    run_import(db, read_files([workload / "cards.tsv"]), now)
    import_reviews(db, read_review_csv(workload / "reviews.csv"), now)
    db.conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--history-cards", type=int, default=None)
    parser.add_argument("--reviews-per-card", type=int, default=10)
    parser.add_argument("--load", nargs=2, metavar=("DB", "WORKLOAD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:  # in its own process, so the timed runs do not inherit its memory peak
        load(Path(args.load[0]), Path(args.load[1]))
        return
    name = f"wl-{args.cards}" + (f"-h{args.history_cards}-r{args.reviews_per_card}"
                                 if args.history_cards else "")
    work = HERE / "work"
    workload = work / name
    if not (workload / "manifest.json").exists():
        extra = ["--history-cards", str(args.history_cards)] if args.history_cards else []
        subprocess.run([sys.executable, str(WORKLOAD), "--cards", str(args.cards), "--end", END,
                        "--reviews-per-card", str(args.reviews_per_card), "--out",
                        str(workload), *extra], check=True, capture_output=True)
    db = work / f"optimize-{name}.db"
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--load", str(db), str(workload)], check=True)
    print(f"loaded {workload.name} in {time.perf_counter() - started:.1f} s")
    fit_json = work / f"optimize-{name}-fit.json"
    for what, extra in (("fit", [str(fit_json)]), ("fit", [str(fit_json)]),
                        ("apply", [str(fit_json), str(work / "optimize-backups")]),
                        ("reschedule_all", []), ("simulate", [])):
        out = subprocess.run([sys.executable, "-c", RUN, str(db), NOW, what, *extra],
                             capture_output=True, text=True, check=False, cwd=ROOT)
        print(f"{what}: {out.stdout.strip() or out.stderr.strip()[-400:]}")
    print("budgets: fit 1 s end to end, rescheduling 3 s")


if __name__ == "__main__":
    main()
