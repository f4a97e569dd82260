"""Search benchmark: each filter of the browser's query language over the imported workload
(run bench_import.py first, or pass --db), timed as the browser answers it: the number of
matches and the first page of 100 cards (best of 5). Then `loopdrill status` from the
interpreter's start to its exit (best of 10), which must stay under 60 ms.

Usage: python bench/bench_search.py [--db bench/work/100000.db]
Budget: filters marked * (served by an index) at most 50 ms over 100,000 cards.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOW = "2026-12-02T09:00:00+00:00"

INDEXED = ["", "deck:bench", "deck:aws-prices", "id:bench/*", "is:new", "is:learning",
           "is:review", "is:due", "is:suspended", "is:buried", "is:flagged", "is:retired",
           "flag:1", "prop:due<3", "prop:due=1", "prop:due>=30", "rated:7", "rated:7:1",
           "rated:1", "-is:new", "is:due or is:new", "deck:bench is:new"]
SCANS = ["added:30", "kind:numeric", "tag:pricing", "is:leech", "is:stale", "prop:r<0.9",
         "prop:ivl>=30", "prop:s>30", "prop:d>7", "prop:reps>10", "prop:lapses>3", "aws",
         '"per GB"', "front:s3", "back:0.023"]

SEARCH = r"""
import sys, time, datetime as dt
from pathlib import Path
from loopdrill.services.library import open_library
from loopdrill.services.browse import search_page
now = dt.datetime.fromisoformat(sys.argv[2])
lib = open_library(Path(sys.argv[1]), now, builtins=False, daily_backup=False)
for query in sys.argv[3:]:
    best = cpu = 1e9
    for _ in range(5):
        t, c = time.perf_counter(), time.process_time()
        total, page = search_page(lib.db, query, now, limit=100)
        best = min(best, time.perf_counter() - t)
        cpu = min(cpu, time.process_time() - c)
    print(f"{best * 1000:.1f}\t{cpu * 1000:.1f}\t{total}\t{query}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, default=HERE / "work" / "100000.db")
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db} does not exist: run bench/bench_import.py first")
    out = subprocess.run([sys.executable, "-c", SEARCH, str(args.db), NOW, *INDEXED, *SCANS],
                         check=True, capture_output=True, text=True).stdout
    worst = 0.0
    print(f"  {'query':24} {'matches':>13} {'wall':>9} {'cpu':>9}")
    for row in out.splitlines():
        ms, cpu, total, query = row.split("\t")
        indexed = query in INDEXED
        if indexed:
            worst = max(worst, float(ms))
        print(f"{'*' if indexed else ' '} {query or '(everything)':24} {total:>7} cards "
              f"{float(ms):6.1f} ms {float(cpu):6.1f} ms")
    print(f"slowest indexed filter: {worst:.1f} ms wall (budget 50 ms); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    env = {**os.environ, "LOOPDRILL_NOW": NOW}
    best = cpu_best = 1e9
    for _ in range(20):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(["loopdrill", "status", "--db", str(args.db)], env=env, check=True,
                       capture_output=True)
        best = min(best, time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_best = min(cpu_best, after.ru_utime + after.ru_stime
                       - before.ru_utime - before.ru_stime)
    print(f"loopdrill status: {best * 1000:.0f} ms start to exit, {cpu_best * 1000:.0f} ms "
          "cpu (budget 60 ms)")


if __name__ == "__main__":
    main()
