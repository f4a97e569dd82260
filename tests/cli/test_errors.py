"""Unexpected errors end in one sentence and a non-zero exit; --db goes before or after the
command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.app import App

from loopdrill import crash
from loopdrill.cli import cli


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LOOPDRILL_DEBUG", raising=False)
    return tmp_path / "state"


def test_db_before_or_after_the_command(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    before = CliRunner().invoke(cli, ["--db", db, "decks", "--json"])
    after = CliRunner().invoke(cli, ["decks", "--json", "--db", db])
    joined = CliRunner().invoke(cli, [f"--db={db}", "--debug", "decks", "--json"])
    assert before.exit_code == after.exit_code == joined.exit_code == 0, before.output
    assert json.loads(before.output) == json.loads(after.output) == json.loads(joined.output)
    assert Path(db).exists()


def test_db_alone_opens_the_tui_on_that_file(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("loopdrill.cli.study.run_app",
                        lambda app, **_: opened.append(str(app.db.conn.execute(
                            "PRAGMA database_list").fetchone()[2])))
    db = tmp_path / "y.db"
    result = CliRunner().invoke(cli, ["--db", str(db)])
    assert result.exit_code == 0, result.output
    assert opened == [str(db)]


def test_an_unexpected_error_is_one_sentence_and_exit_1(
        tmp_path: Path, state_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object, **__: object) -> None:
        raise ZeroDivisionError("deep \x1b[2J inside")

    monkeypatch.setattr("loopdrill.services.decks.deck_list", boom)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "z.db"), "decks"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ZeroDivisionError: deep [2J inside" in lines[0]
    assert "\x1b" not in result.stderr and "Traceback" not in result.stderr
    log = state_home / "loopdrill" / "log" / "last-error.log"
    assert str(log) in lines[0]
    assert "Traceback" in log.read_text() and "def boom" not in lines[0]
    debug = CliRunner().invoke(cli, ["--db", str(tmp_path / "z.db"), "decks", "--debug"])
    assert debug.exit_code == 1 and isinstance(debug.exception, ZeroDivisionError)


class Crashing(App[None]):
    def on_mount(self) -> None:
        raise RuntimeError("the screen broke")


def test_a_crashed_tui_raises_with_its_traceback() -> None:
    from loopdrill.cli.study import run_app

    with pytest.raises(crash.Crashed) as caught:
        run_app(Crashing(), headless=True)
    assert "RuntimeError" in str(caught.value) and "the screen broke" in caught.value.trace


def test_a_crashed_tui_exits_1_with_one_sentence(
        tmp_path: Path, state_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from loopdrill.tui.app import LoopdrillApp
    from loopdrill.tui.home import HomeScreen

    def broken(self: HomeScreen) -> None:
        raise RuntimeError("home broke")

    monkeypatch.setattr(HomeScreen, "refresh_decks", broken)
    monkeypatch.setattr(LoopdrillApp, "run", lambda self, **_: App.run(self, headless=True))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db")])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "home broke" in result.stderr
    assert "home broke" in (state_home / "loopdrill" / "log" / "last-error.log").read_text()
    debug = CliRunner().invoke(cli, ["--debug", "--db", str(tmp_path / "t.db")])
    assert debug.exit_code == 1 and "Traceback" in debug.stderr


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
                                    "9999-12-31T20:00:00+00:00"])
def test_loopdrill_now_far_away_is_one_sentence(tmp_path: Path, moment: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOPDRILL_NOW", moment)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "n.db"), "decks"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: LOOPDRILL_NOW=") and "outside the years" in \
        result.stderr


@pytest.mark.parametrize("message,words", [
    ("attempt to write a readonly database", "read-only"),
    ("database or disk is full", "is full, so nothing was saved"),
    ("database disk image is malformed", "is damaged (database disk image is malformed)"),
    ("no such table: cards", "is missing part of its schema (no such table: cards)"),
])
def test_storage_errors_are_one_sentence(tmp_path: Path, state_home: Path, message: str,
                                         words: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    def fail(*_: object, **__: object) -> None:
        raise sqlite3.OperationalError(message)

    monkeypatch.setattr("loopdrill.services.decks.deck_list", fail)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "s.db"), "decks"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and words in result.stderr
    assert "Traceback" not in result.stderr


def test_a_reader_that_closes_the_pipe_ends_the_command_quietly(tmp_path: Path,
                                                                state_home: Path) -> None:
    """`loopdrill cards | head -1`: the closed pipe is not an 'unexpected error'."""
    env = {**os.environ, "XDG_STATE_HOME": str(state_home), "XDG_DATA_HOME": str(tmp_path)}
    code = "from loopdrill.cli import main; main()"
    cmd = [sys.executable, "-c", code, "--db", str(tmp_path / "x.db"), "cards"]
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=60).returncode == 0
    reader, writer = os.pipe()
    os.close(reader)  # nobody reads: the first write fails with EPIPE
    done = subprocess.run(cmd, env=env, stdout=writer, stderr=subprocess.PIPE, text=True,
                          timeout=60)
    os.close(writer)
    assert "unexpected" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
