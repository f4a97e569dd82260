"""Several terminals drilling one database at once: a driver process and the log checks.

`python -m tests.multiprocess_drill DB ANSWERS SEED START SPEED` is one terminal: it waits
until the Unix time START (so all start together), then answers ANSWERS cards with random
grades, taking back about one answer in ten (unless another terminal answered that card
since), on a clock that runs SPEED times faster than the wall clock (so learning steps come
due and the terminals meet on the same cards). It prints its answers and undos.
Used by tests/test_concurrency.py and bench/bench_concurrency.py.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[1]


def deck_yaml(cards: int) -> str:
    """A deck of `cards` basic cards."""
    items = "".join(f"  - id: c{n}\n    front: question {n}\n    back: answer {n}\n"
                    for n in range(cards))
    return f"deck: multi\ntitle: Many terminals\nitems:\n{items}"


def prepare(path: Path, cards: int) -> None:
    """A database with one deck and no daily new-card or review limit in the way."""
    from loopdrill.formats.native import read_deck
    from loopdrill.services.config import set_value
    from loopdrill.services.library import open_library
    from loopdrill.store.decks import sync_deck
    from loopdrill.store.tx import transaction

    source = path.with_suffix(".yaml")
    source.write_text(deck_yaml(cards), encoding="utf-8")
    lib = open_library(path, NOW, builtins=False, daily_backup=False)
    with transaction(lib.db):
        sync_deck(lib.db, read_deck(source), NOW)
    set_value(lib.db, "new_per_day", "9999", None)
    set_value(lib.db, "reviews_per_day", "9999", None)
    lib.close()


def drive(path: Path, answers: int, seed: int, start: float, speed: float) -> tuple[int, int]:
    """One terminal's drill; returns (answers committed, answers undone)."""
    from loopdrill.core.model import Rating
    from loopdrill.services.library import open_library
    from loopdrill.services.session import DrillSession

    try:
        from loopdrill.services.session import AnsweredSince
    except ImportError:  # the bench run against a loopdrill from before concurrent drilling
        AnsweredSince = RuntimeError  # type: ignore[misc,assignment]

    def clock() -> dt.datetime:
        return NOW + dt.timedelta(seconds=max(0.0, time.time() - start) * speed)

    lib = open_library(path, NOW, builtins=False, daily_backup=False)
    rng = random.Random(seed)
    time.sleep(max(0.0, start - time.time()))
    done = undone = 0
    while done < answers:
        session = DrillSession(lib.db, clock, fuzz=True)
        while done < answers and session.next_card() is not None:
            session.answer(Rating(rng.choice((1, 2, 3, 3, 3, 4))))
            done += 1
            try:
                if rng.random() < 0.1 and session.undo():
                    undone += 1
            except AnsweredSince:  # answered since in another terminal: the answers stay
                pass
        if session.current is None and done < answers:
            time.sleep(0.005)  # nothing due right now: the clock moves on
    lib.close()
    return done, undone


@dataclass(frozen=True)
class Chain:
    """What the revlog says after the terminals are done."""

    rows: int  # scheduled (non-cram) answers in the log
    stale: int  # answers whose card state before is not what the card's earlier answers left
    cards_off: int  # cards whose state is not the replay of their log (`loopdrill doctor`)
    doctor_ok: bool  # `loopdrill doctor` finds nothing wrong


def check_chain(path: Path) -> Chain:
    """Each card's answers, in the order they were committed, must form a chain: the row
    stores the reviews before it, which must be the number of the card's earlier answers (an
    answer computed from a stale copy repeats a count); and each card's state must be the
    replay of its log, which is what `loopdrill doctor` checks."""
    from loopdrill.services.doctor import run_doctor, states_off
    from loopdrill.store.db import open_db

    db = open_db(path)
    stale = rows = 0
    seen: dict[int, int] = {}
    for card, reps in db.conn.execute(
            "SELECT card, reps FROM revlog WHERE cram = 0 ORDER BY id"):
        rows += 1
        stale += reps != seen.get(card, 0)
        seen[card] = seen.get(card, 0) + 1
    off = len(states_off(db)[2])
    ok = run_doctor(db).ok
    db.conn.close()
    return Chain(rows, stale, off, ok)


def run_terminals(path: Path, terminals: int, answers: int, speed: float = 600.0
                  ) -> tuple[int, int]:
    """Start the terminals together and wait for them; (answers committed, undone) summed."""
    start = time.time() + 1.5  # after every interpreter has started and opened the database
    procs = [subprocess.Popen([sys.executable, "-m", "tests.multiprocess_drill", str(path),
                               str(answers), str(seed), repr(start), repr(speed)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for seed in range(terminals)]
    done = undone = 0
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        a, u = map(int, out.split())
        done, undone = done + a, undone + u
    return done, undone


if __name__ == "__main__":
    db, n, seed_, start_, speed_ = sys.argv[1:6]
    print(*drive(Path(db), int(n), int(seed_), float(start_), float(speed_)))
