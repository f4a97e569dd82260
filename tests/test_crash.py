"""A drill killed with SIGKILL keeps every answer it acknowledged; the file stays intact."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import DEMO_DECK, NOW

DRIVER = """
import sys
from loopdrill.services.library import open_library
from loopdrill.services.session import DrillSession
from loopdrill.core.model import Rating
import datetime as dt
now = dt.datetime.fromisoformat(sys.argv[2])
lib = open_library(__import__('pathlib').Path(sys.argv[1]), now, builtins=False)
session = DrillSession(lib.db, lambda: now, fuzz=False)
n = 0
while True:
    shown = session.next_card()
    if shown is None:
        session = DrillSession(lib.db, lambda: now, fuzz=False, cram=True)
        continue
    session.answer(Rating.GOOD)
    n += 1
    print(n, flush=True)
"""


def test_sigkill_after_n_answers_loses_none(tmp_path: Path,
                                            write_deck: Callable[..., Path]) -> None:
    db = tmp_path / "crash.db"
    from loopdrill.formats.native import read_deck
    from loopdrill.services.library import open_library
    from loopdrill.store.decks import sync_deck
    from loopdrill.store.tx import transaction

    lib = open_library(db, NOW, builtins=False)
    with transaction(lib.db):
        sync_deck(lib.db, read_deck(write_deck(DEMO_DECK)), NOW)
    lib.close()
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(db), NOW.isoformat()],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    acknowledged = 0
    for line in proc.stdout:
        acknowledged = int(line)
        if acknowledged >= 40:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    assert stored >= acknowledged >= 40


TWO_TERMINALS = """
import sys, datetime as dt
from pathlib import Path
from loopdrill.core.model import Rating
from loopdrill.services.library import open_library
from loopdrill.services.session import DrillSession
now = dt.datetime.fromisoformat(sys.argv[2])
lib = open_library(Path(sys.argv[1]), now, builtins=False)
done = 0
while done < 60:
    session = DrillSession(lib.db, lambda: now, fuzz=False, cram=True)
    while done < 60 and session.next_card() is not None:
        session.answer(Rating(1 + done % 4))
        done += 1
print(done)
"""


def test_two_terminals_on_one_database_lose_nothing(tmp_path: Path,
                                                    write_deck: Callable[..., Path]) -> None:
    from loopdrill.core.model import Rating
    from loopdrill.formats.native import read_deck
    from loopdrill.services.library import open_library
    from loopdrill.services.session import DrillSession
    from loopdrill.store.decks import sync_deck
    from loopdrill.store.tx import transaction

    db = tmp_path / "shared.db"
    lib = open_library(db, NOW, builtins=False)
    with transaction(lib.db):
        sync_deck(lib.db, read_deck(write_deck(DEMO_DECK)), NOW)
    session = DrillSession(lib.db, lambda: NOW, fuzz=False)
    while session.next_card() is not None:
        session.answer(Rating.EASY)
    before = lib.db.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    lib.close()
    procs = [subprocess.Popen([sys.executable, "-c", TWO_TERMINALS, str(db), NOW.isoformat()],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == before + 120
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
