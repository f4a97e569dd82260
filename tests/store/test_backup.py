"""Backups are real: complete or absent, named after their database, pruned per database; a
failed daily backup never stops a command."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from loopdrill.cli import cli
from loopdrill.services.library import open_library
from loopdrill.store.backup import backed_up_today, backup, copies, prune
from tests.conftest import NOW


def make_db(path: Path, rows: int = 10) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", (("x" * 500,) for _ in range(rows)))
    conn.commit()
    return conn


def test_two_databases_in_one_folder_keep_their_own_seven(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    work, home = make_db(tmp_path / "work.db"), make_db(tmp_path / "home.db")
    for day in range(10):
        moment = NOW + dt.timedelta(days=day)
        backup(work, folder, now=moment)
        if day < 3:
            backup(home, folder, now=moment)
    assert copies(folder, "work")[0].name == "work-20261126-090000-daily.db"
    assert len(copies(folder, "work")) == 7
    assert len(copies(folder, "home")) == 3  # the other database's pruning left these alone
    assert backed_up_today(folder, NOW.date(), "home")
    assert not backed_up_today(folder, NOW.date(), "work")  # pruned: older than the newest 7
    copy = sqlite3.connect(copies(folder, "home")[0])
    assert copy.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 10


KILLED_MID_BACKUP = """
import sqlite3, sys, time, datetime as dt
from pathlib import Path
from loopdrill.store.backup import backup

class Slow:
    '''The live connection, copying a few pages at a time and pausing between them.'''
    def __init__(self, conn):
        self.conn = conn
    def execute(self, *args):
        return self.conn.execute(*args)
    def backup(self, dest):
        def paused(status, remaining, total):
            print("copying", flush=True)
            time.sleep(30)
        self.conn.backup(dest, pages=2, progress=paused)

conn = sqlite3.connect(sys.argv[1])
backup(Slow(conn), Path(sys.argv[2]), now=dt.datetime.fromisoformat(sys.argv[3]))
"""


def test_a_kill_during_the_backup_leaves_nothing_that_counts(tmp_path: Path) -> None:
    make_db(tmp_path / "live.db", rows=200).close()
    folder = tmp_path / "backups"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_MID_BACKUP, str(tmp_path / "live.db"),
                             str(folder), NOW.isoformat()], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "copying"  # half-way through the pages
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = list(folder.iterdir())
    assert left and all(".part" in p.name for p in left)  # only the temporary copy
    assert copies(folder, "live") == []
    assert not backed_up_today(folder, NOW.date(), "live")
    prune(folder, "live")
    assert len(list(folder.iterdir())) == len(left)  # a fresh one may still be growing: kept
    old = NOW.timestamp() - 3600
    for path in left:
        os.utime(path, (old, old))
    prune(folder, "live")
    assert list(folder.iterdir()) == []  # abandoned: deleted
    conn = sqlite3.connect(tmp_path / "live.db")
    done = backup(conn, folder, now=NOW)
    assert copies(folder, "live") == [done] and backed_up_today(folder, NOW.date(), "live")


def test_a_copy_an_older_loopdrill_left_half_written_is_not_a_backup(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    cut = folder / "loopdrill-20261123-090000-daily.db"
    cut.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    (folder / (cut.name + "-journal")).write_bytes(b"\x00" * 512)  # the copy's hot journal
    assert not backed_up_today(folder, NOW.date())
    prune(folder)
    assert list(folder.iterdir()) == []


def test_a_failed_daily_backup_never_stops_a_command(tmp_path: Path) -> None:
    db = tmp_path / "full.db"
    (tmp_path / "backups").write_text("a file where the backups folder goes")
    lib = open_library(db, NOW, builtins=False)
    assert lib.warnings and "today's backup" in lib.warnings[0]
    lib.close()
    result = CliRunner().invoke(cli, ["decks", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    assert "warning: today's backup of" in result.output  # on stderr, one sentence
    assert "Traceback" not in result.output


def test_a_backup_cut_short_by_sqlite_leaves_no_file(tmp_path: Path) -> None:
    conn = make_db(tmp_path / "live.db")
    folder = tmp_path / "backups"

    class Failing:
        def execute(self, *args: object) -> sqlite3.Cursor:
            return conn.execute(*args)  # type: ignore[arg-type]

        def backup(self, dest: sqlite3.Connection) -> None:
            conn.backup(dest, pages=1)
            raise sqlite3.OperationalError("database or disk is full")

    try:
        backup(Failing(), folder, now=NOW)  # type: ignore[arg-type]
    except OSError as exc:
        assert "disk is full" in str(exc.strerror)
    else:
        raise AssertionError("the failed backup was not reported")
    assert list(folder.iterdir()) == []
