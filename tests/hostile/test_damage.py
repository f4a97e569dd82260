"""A sampled damage campaign (issue 15 item 7; the whole one is `python -m
tests.hostile.damage`): each kind of damage against decks, stats, drill --plain, import and
doctor, in process. Never a traceback nor the generic "unexpected error" sentence: either
it works or one sentence names the file and what is wrong with it; a drill never writes
into a file SQLite finds damaged."""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from loopdrill.cli import cli
from tests.hostile import damage

SAYS = {  # what each kind of damage may say, when it says anything
    "drop_table": ("is missing part of its schema (no such table",),
    "rename_column": ("is missing part of its schema (no such column",
                      "is missing part of its schema (table"),
    "bad_card_json": ("holds a card whose content",),
    "bad_parameters": ("holds fitted FSRS parameters loopdrill cannot use",),
    "non_iso_time": ("holds a time that is not an ISO date", "holds a value loopdrill cannot"),
    "raising_trigger": ("a trigger in", "that loopdrill did not make refused the change"),
    "garbage_pages": ("is damaged (", "is not a loopdrill database or is corrupt"),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("damage")
    path = folder / "base.db"
    for day in range(1, 4):
        result = CliRunner().invoke(
            cli, ["--db", str(path), "drill", "--plain", "--limit", "8"], input=" \n3\n 1\n" * 8,
            env={"LOOPDRILL_NOW": f"2026-12-0{day}T09:00:00+00:00"})
        assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("kind", list(damage.DAMAGES))
def test_damage_is_one_sentence_or_nothing(kind: str, base: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("LOOPDRILL_NOW", damage.NOW)
    monkeypatch.delenv("LOOPDRILL_DEBUG", raising=False)
    rng = random.Random(kind)
    damaged = tmp_path / "damaged.db"
    shutil.copy(base, damaged)
    conn = sqlite3.connect(damaged, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    damage.DAMAGES[kind](conn, rng)
    conn.close()
    if kind == "garbage_pages":
        damage.overwrite_pages(damaged, rng, 3)
    deck = tmp_path / "extra.yaml"
    deck.write_text(damage.DECK, encoding="utf-8")
    for name, command in damage.COMMANDS.items():
        target = tmp_path / f"{name}.db"
        shutil.copy(damaged, target)
        before = hashlib.sha256(target.read_bytes()).hexdigest()
        result = CliRunner().invoke(
            cli, ["--db", str(target), *command, *([str(deck)] if name == "import" else [])],
            input=damage.DRILL_INPUT if name == "drill" else "")
        assert isinstance(result.exception, SystemExit | None), (name, result.exception)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert "Traceback" not in result.output and "unexpected error" not in result.stderr
        if errors:
            assert len(errors) == 1 and str(target) in errors[0], (name, errors)
            assert any(words in errors[0] for words in SAYS[kind]), (name, errors)
            assert result.exit_code == 1
        if name == "drill" and not damage.integrity(damaged):
            assert hashlib.sha256(target.read_bytes()).hexdigest() == before


def test_a_tui_stopped_by_a_damaged_file_is_one_sentence() -> None:
    from loopdrill.crash import Crashed
    from loopdrill.store.failures import explain

    trace = ("Traceback (most recent call last):\n  File \"x.py\", line 1, in next_card\n"
             "sqlite3.DatabaseError: database disk image is malformed\n")
    said = explain(Crashed(trace), "/data/l.db")
    assert said == ("/data/l.db is damaged (database disk image is malformed), so loopdrill "
                    "stops writing to it; a backup in /data/backups can replace it")
    assert explain(Crashed("Traceback:\nZeroDivisionError: x\n"), "/data/l.db") is None
