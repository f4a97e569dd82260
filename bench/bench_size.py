"""Database size benchmark (issue 14): the file after the cards and the 1M-review history, at
most 108 MB (Anki 26.9.3's collection for the same cards and history), with where it goes.

Usage: python bench/bench_size.py DB                 (measure a database as it is)
       python bench/bench_size.py --workload DIR [--cards-db CARDS.db]
The second form makes the database as a user does, in a temporary folder: `loopdrill import
DIR/cards.tsv` (or a copy of CARDS.db, a cards-only database made by any earlier loopdrill,
which migrates when opened), then `loopdrill import-reviews DIR/reviews.csv`; the workload is
make_workload.py's (--cards 100000 --reviews-per-card 50 --seed 7 --end 2026-12-01 for 1M).
Sizes are bytes as `ls -l` gives them (MB = 10^6 bytes; MiB beside them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

BUDGET = 108_000_000
NOW = "2026-12-01T09:00:00+00:00"
GROUPS = {"revlog": ("revlog", "revlog_card", "revlog_typed", "revlog_undo"),
          "totals": ("review_days", "review_clock", "review_cards", "review_calibration")}


def run(db: Path, *args: str) -> None:
    env = {**os.environ, "LOOPDRILL_NOW": NOW}
    done = subprocess.run([sys.executable, "-m", "loopdrill", "--db", str(db), *args], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr)


def report(db: Path) -> None:
    size = db.stat().st_size
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        reviews = conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]
        cards = conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
        rows = conn.execute("SELECT name, SUM(pgsize), SUM(unused) FROM dbstat GROUP BY name "
                            "ORDER BY 2 DESC").fetchall()
        free = conn.execute("PRAGMA freelist_count").fetchone()[0] * conn.execute(
            "PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    print(f"{db.name}: {size:,} bytes = {size / 1e6:.1f} MB = {size / 2**20:.2f} MiB "
          f"(budget {BUDGET / 1e6:.0f} MB) for {cards:,} cards and {reviews:,} reviews")
    by_group: dict[str, int] = {}
    for name, pages, _ in rows:
        cards_tree = name == "cards" or name.startswith(("cards_", "sqlite_autoindex_cards"))
        group = next((g for g, names in GROUPS.items() if name in names),
                     "cards" if cards_tree else "other")
        by_group[group] = by_group.get(group, 0) + pages
    for group, pages in sorted(by_group.items(), key=lambda kv: -kv[1]):
        per = f", {pages / reviews:.0f} bytes a review" if group == "revlog" and reviews else ""
        per = f", {pages / cards:.0f} bytes a card" if group == "cards" and cards else per
        print(f"  {group:8} {pages / 1e6:6.1f} MB{per}")
    print(f"  free pages {free / 1e6:.1f} MB")
    for name, pages, unused in rows[:14]:
        print(f"    {name:30} {pages / 1e6:6.2f} MB ({unused / 1e6:.2f} unused)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("db", type=Path, nargs="?")
    parser.add_argument("--workload", type=Path)
    parser.add_argument("--cards-db", type=Path)
    args = parser.parse_args()
    if args.db is not None:
        report(args.db)
        return
    if args.workload is None:
        parser.error("give a database or --workload DIR")
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "size.db"
        if args.cards_db is not None:
            shutil.copy(args.cards_db, db)
        else:
            run(db, "import", str(args.workload / "cards.tsv"))
        run(db, "import-reviews", str(args.workload / "reviews.csv"))
        report(db)


if __name__ == "__main__":
    main()
