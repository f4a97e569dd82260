"""A read-only database file and a full disk (issue 15 item 6): commands that only read work
on a read-only file and never write to it; a write that fails says so in one sentence naming
the file, nothing saved is lost, and the drill keeps the answer for a retry.

A file nobody may write (chmod 444) is opened read-only even by root (store.readonly), so
these tests hold as root too. A full disk is SQLite's own SQLITE_FULL, forced with
`PRAGMA max_page_count`."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlite_utils import Database

from loopdrill.cli import cli
from loopdrill.core.model import Rating
from loopdrill.services.session import DrillSession
from loopdrill.store.db import is_read_only, open_db
from loopdrill.store.failures import FULL, READ_ONLY, CannotWrite
from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.drill import DrillScreen
from tests.conftest import DEMO_DECK, NOW, FakeClock

READ_COMMANDS = [["decks"], ["decks", "--json"], ["stats"], ["cards"],
                 ["card", "demo/s3-standard"], ["status"], ["where"], ["export", "--deck", "demo"],
                 ["export-reviews"], ["check"], ["doctor"]]


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def builtins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A built-in deck folder of one small deck (so that a refresh has something to do)."""
    folder = tmp_path / "builtin"
    folder.mkdir()
    (folder / "demo.yaml").write_text(DEMO_DECK, encoding="utf-8")
    monkeypatch.setattr("loopdrill.paths.builtin_decks", lambda: folder)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LOOPDRILL_DEBUG", raising=False)
    return folder


@pytest.fixture
def studied(db_path: Path, builtins: Path) -> Path:
    """A database with the demo deck and one answer, then made read-only (chmod 444), the
    built-in deck changed since (a refresh would write) and its backup folder unusable."""
    assert run("drill", "--plain", "--limit", "1", input=" \n3\n").exit_code == 0
    (builtins / "demo.yaml").write_text(DEMO_DECK.replace("$0.40", "$0.41"), encoding="utf-8")
    for leftover in db_path.parent.glob("*.db-*"):
        leftover.unlink()
    db_path.chmod(0o444)
    return db_path


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_read_only_commands_work_on_a_read_only_file_and_never_write(
        studied: Path, command: list[str]) -> None:
    before = digest(studied)
    result = run(*command)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "error" not in result.stderr
    assert digest(studied) == before
    assert not (studied.parent / f"{studied.name}-wal").exists() or \
        (studied.parent / f"{studied.name}-wal").stat().st_size == 0


def test_a_dry_run_and_a_fit_not_applied_work_on_a_read_only_file(studied: Path,
                                                                    tmp_path: Path) -> None:
    """`import-reviews --dry-run` and `optimize` without --apply only read: they work on a
    read-only file, and on a writable one they change nothing (no built-in deck refresh
    either); `optimize --apply` on a read-only file is refused in one sentence."""
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("card_id,reviewed_at,rating,duration_ms\n"
                       "demo/s3-standard,2026-11-20T09:00:00+00:00,3,4000\n", encoding="utf-8")
    before = digest(studied)
    result = run("import-reviews", "--dry-run", str(reviews))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("would import 1 review on 1 card")
    result = run("optimize")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "error" not in result.stderr
    assert digest(studied) == before
    result = run("optimize", "--apply")
    assert result.stderr.count("\n") <= 1 and "Traceback" not in result.output
    assert digest(studied) == before
    studied.chmod(0o644)
    for command in (["import-reviews", "--dry-run", str(reviews)], ["optimize"]):
        assert run(*command).exit_code == 0
        assert digest(studied) == before, command


def test_a_read_only_command_never_refreshes_the_built_in_decks(studied: Path) -> None:
    studied.chmod(0o644)  # even on a writable file
    before = digest(studied)
    assert run("decks").exit_code == 0 and run("stats").exit_code == 0
    assert digest(studied) == before
    assert run("drill", "--plain", "--limit", "1", input="q\n").exit_code == 0  # a writer does
    assert digest(studied) != before


def test_an_unwritable_backup_folder_is_a_warning_not_an_error(studied: Path) -> None:
    backups = studied.parent / "backups"
    for old in backups.glob("*"):
        old.unlink()
    backups.rmdir()
    backups.write_text("a file where the folder should be")  # mkdir fails, even for root
    result = run("--db", str(studied), "decks")
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: today's backup of") and \
        result.stderr.count("\n") == 1


@pytest.mark.parametrize("command,input", [
    (["drill", "--plain"], " \n3\n"), (["config", "new_per_day", "5"], None),
    (["doctor", "--repair"], None), (["suspend", "deck:demo", "--yes"], None)])
def test_a_write_to_a_read_only_file_is_one_sentence_and_nothing_changes(
        studied: Path, command: list[str], input: str | None) -> None:
    before = digest(studied)
    result = run(*command, input=input)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert f"{studied} is read-only" in result.stderr
    assert digest(studied) == before


def test_import_into_a_read_only_file_is_one_sentence(studied: Path, tmp_path: Path) -> None:
    deck = tmp_path / "other.yaml"
    deck.write_text(DEMO_DECK.replace("deck: demo", "deck: other"), encoding="utf-8")
    before = digest(studied)
    result = run("import", str(deck))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert f"{studied} is read-only, so nothing was saved" in result.stderr
    assert digest(studied) == before


def test_an_old_read_only_file_that_needs_upgrading_says_so(tmp_path: Path,
                                                            builtins: Path) -> None:
    old = tmp_path / "old.db"
    old.write_bytes((Path(__file__).parents[1] / "fixtures" / "c4337b1.db").read_bytes())
    old.chmod(0o444)
    result = run("--db", str(old), "decks")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "must be upgraded" in result.stderr and "read-only" in result.stderr


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write, not even root: a read-only bind mount (as root), or a
    folder without write permission (as anyone else)."""
    source, folder = tmp_path / "src", tmp_path / "ro"
    source.mkdir()
    folder.mkdir()
    if os.geteuid() != 0:
        yield source
        return
    try:
        subprocess.run(["mount", "--bind", str(source), str(folder)], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("cannot bind-mount here")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True,
                       capture_output=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def test_read_only_commands_work_in_a_read_only_folder(studied: Path, read_only_folder: Path
                                                       ) -> None:
    source = read_only_folder if os.geteuid() != 0 else read_only_folder.parent / "src"
    (source / "a.db").write_bytes(studied.read_bytes())
    db = read_only_folder / "a.db"
    if os.geteuid() != 0:
        read_only_folder.chmod(0o555)
    try:
        for command in (["decks", "--json"], ["stats"], ["status"], ["doctor"]):
            result = run("--db", str(db), *command)
            assert result.exit_code == 0, result.output
            assert "Traceback" not in result.output
        assert '"demo"' in run("--db", str(db), "decks", "--json").stdout
        assert run("--db", str(db), "status").stdout.strip() != "0 due · 0 new"
        drill = run("--db", str(db), "drill", "--plain", input=" \n3\n")
        assert drill.exit_code == 1 and f"{db} is read-only" in drill.stderr
    finally:
        if os.geteuid() != 0:
            read_only_folder.chmod(0o755)


# -- a full disk ---------------------------------------------------------------------------
def fill(db: Database) -> None:
    """No page more for this connection: the next write fails with SQLITE_FULL."""
    pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
    db.conn.execute(f"PRAGMA max_page_count = {pages}")


def free(db: Database) -> None:
    db.conn.execute("PRAGMA max_page_count = 1073741823")


@pytest.fixture
def demo_file(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> Database:
    """The demo deck in a file of 512-byte pages: an answer or two fills a page, so a
    session soon needs a new one, which `fill` refuses."""
    from loopdrill.formats.native import read_deck
    from loopdrill.store.decks import sync_deck
    from loopdrill.store.tx import transaction

    path = tmp_path / "full.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA page_size = 512")
        conn.execute("VACUUM")
    conn.close()
    db = open_db(path)
    with transaction(db):
        sync_deck(db, read_deck(write_deck(DEMO_DECK, "demo.yaml")), NOW)
    return db


def reviews(db: Database) -> int:
    return int(db.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0])


def test_a_full_disk_loses_no_answer_and_says_so(demo_file: Database, clock: FakeClock) -> None:
    session = DrillSession(demo_file, clock=clock, fuzz=False)
    fill(demo_file)
    for answered in range(40):  # answers until the file needs a page more
        clock.advance(minutes=11)  # the learning cards come back
        shown = session.next_card()
        assert shown is not None
        try:
            session.answer(Rating.GOOD)
        except CannotWrite as exc:
            assert exc.kind == FULL
            assert str(exc).startswith(f"the disk holding {tmp_file(demo_file)} is full, "
                                       "so nothing was saved")
            break
        assert reviews(demo_file) == answered + 1
    else:
        pytest.fail("the disk never filled")
    assert reviews(demo_file) == answered  # every answer before it is kept
    assert session.current is shown  # still on screen: the answer can be given again
    free(demo_file)
    session.answer(Rating.GOOD)
    assert reviews(demo_file) == answered + 1


def tmp_file(db: Database) -> str:
    return str(db.conn.execute("PRAGMA database_list").fetchone()[2])


def test_an_import_on_a_full_disk_saves_nothing_and_says_so(
        demo_file: Database, clock: FakeClock, write_deck: Callable[[str, str], Path]) -> None:
    from loopdrill.services.imports import read_files, run_import

    def import_files(db: Database, files: list[Path], now: object) -> None:
        run_import(db, read_files(files), clock())

    cards = demo_file.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    items = "".join(f"  - id: q{i}\n    front: question {i} {'x' * 300}\n    back: a\n"
                    for i in range(300))
    big = write_deck(f"deck: big\ntitle: Big\nitems:\n{items}", "big.yaml")
    fill(demo_file)
    with pytest.raises(CannotWrite, match="is full, so nothing was saved"):
        import_files(demo_file, [big], clock())
    assert demo_file.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == cards
    free(demo_file)
    import_files(demo_file, [big], clock())
    assert demo_file.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == cards + 300


async def test_the_drill_keeps_an_answer_the_full_disk_refused(demo_file: Database,
                                                               clock: FakeClock) -> None:
    app = LoopdrillApp(demo_file, clock, fuzz=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        fill(demo_file)
        for _ in range(40):  # answers until the file needs a page more
            assert screen.shown is not None
            shown = screen.shown.card.id
            await pilot.press("space", "3")
            await pilot.pause()
            if screen.unsaved is not None:
                break
            clock.advance(minutes=11)  # the learning cards come back
        else:
            pytest.fail("the disk never filled")
        before = reviews(demo_file)
        status = str(screen.query_one("#status").render())
        assert "Not saved (disk full); your answer (Good) is kept: r retries" in status
        assert screen.shown.card.id == shown and screen.unsaved == Rating.GOOD
        assert any("the disk holding" in str(n.message) and "press r to retry" in
                   str(n.message) for n in app._notifications)
        await pilot.press("r")  # still full: still kept
        assert reviews(demo_file) == before and screen.unsaved == Rating.GOOD
        free(demo_file)
        await pilot.press("r")
        await pilot.pause()
        assert reviews(demo_file) == before + 1 and screen.unsaved is None
        assert demo_file.conn.execute(
            "SELECT card_id, rating FROM reviews ORDER BY id DESC LIMIT 1").fetchone() == \
            (shown, 3)


async def test_the_drill_on_a_read_only_file_says_so_and_keeps_the_answer(
        demo_file: Database, clock: FakeClock, tmp_path: Path) -> None:
    demo_file.conn.close()
    path = tmp_path / "full.db"
    path.chmod(0o444)
    db = open_db(path)
    assert is_read_only(db)
    app = LoopdrillApp(db, clock, fuzz=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a", "space", "4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        assert "Not saved (read-only file)" in str(screen.query_one("#status").render())
        assert screen.unsaved == Rating.EASY
        await pilot.press("r")  # still read-only: still kept
        assert screen.unsaved == Rating.EASY
        path.chmod(0o644)
        await pilot.press("r")  # made writable: saved on a new connection
        await pilot.pause()
        assert screen.unsaved is None
        await pilot.press("q")
    assert sqlite3.connect(path).execute("SELECT rating FROM revlog").fetchall() == [(4,)]
    with pytest.raises(sqlite3.OperationalError):
        db.conn.execute("CREATE TABLE x(y)")
    assert READ_ONLY == "read-only"
