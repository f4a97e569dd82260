"""Several terminals drilling one database at once: answers lost, answers computed from a stale
state, and a long write (a history import) in a third process meanwhile.

Usage: python bench/bench_concurrency.py [--terminals 2 4] [--answers 3300 2600]
Each run starts that many drill processes together (tests/multiprocess_drill.py: random
grades, one undo in ten, a clock 600 times faster so learning steps come due) on a fresh
database of one card per answer, and checks the revlog afterwards: every answer stored (none
lost) and each card's answers one chain, a row's state before being the state after the card's
previous row (a break is an answer computed from a stale state). With --import N a process
imports a review history of N reviews while the terminals drill.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.multiprocess_drill import NOW, check_chain, prepare, run_terminals  # noqa: E402

IMPORT = """
import sys, time, datetime as dt
from pathlib import Path
from loopdrill.services.library import open_library
from loopdrill.services.history import import_reviews
from loopdrill.formats.review_csv import read_review_csv
lib = open_library(Path(sys.argv[1]), dt.datetime.fromisoformat(sys.argv[3]), builtins=False,
                   daily_backup=False)
records = read_review_csv(Path(sys.argv[2]))
time.sleep(max(0.0, float(sys.argv[4]) - time.time()))
started = time.perf_counter()
import_reviews(lib.db, records, dt.datetime.fromisoformat(sys.argv[3]) + dt.timedelta(days=3650))
print(round(time.perf_counter() - started, 2))
"""


def history_csv(path: Path, reviews: int, cards: int) -> Path:
    """A review history over the deck's cards (ids c0…), a review a day each."""
    out = path.with_name("history.csv")
    start = NOW - dt.timedelta(days=reviews // cards + 2)
    with out.open("w", encoding="utf-8") as f:
        f.write("card_id,reviewed_at,rating,duration_ms\n")
        for n in range(reviews):
            moment = start + dt.timedelta(days=n // cards, seconds=n % cards)
            f.write(f"multi/c{n % cards},{moment.isoformat()},3,5000\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--terminals", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--answers", type=int, nargs="+", default=[3300, 2600],
                        help="answers per terminal, one figure per --terminals figure")
    parser.add_argument("--import", dest="reviews", type=int, default=0,
                        help="also import a history of this many reviews meanwhile")
    args = parser.parse_args()
    for terminals, answers in zip(args.terminals, args.answers, strict=True):
        path = Path(tempfile.mkdtemp()) / "bench.db"
        cards = terminals * answers // 2
        prepare(path, cards)
        importer = None
        if args.reviews:
            csv = history_csv(path, args.reviews, cards)
            importer = subprocess.Popen(
                [sys.executable, "-c", IMPORT, str(path), str(csv), NOW.isoformat(),
                 repr(time.time() + 3.0)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
        started = time.perf_counter()
        done, undone = run_terminals(path, terminals, answers)
        seconds = time.perf_counter() - started
        chain = check_chain(path)
        line = (f"{terminals} terminals: {done} answers ({undone} undone) in {seconds:.1f} s; "
                f"stored {chain.rows - (args.reviews if importer else 0)}, lost "
                f"{done - undone - chain.rows + (args.reviews if importer else 0)}, "
                f"stale {chain.stale}, cards off their chain {chain.cards_off}")
        if importer is not None:
            out, _ = importer.communicate()
            line += f"; import of {args.reviews} reviews took {out.strip()} s"
        print(line, flush=True)


if __name__ == "__main__":
    main()
