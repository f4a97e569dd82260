"""The command line through click's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from loopdrill import __version__
from loopdrill.cli import cli
from tests.conftest import DEMO_DECK


def run(*args: str, input: str | None = None) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def all_commands() -> list[str]:
    return sorted(cli.commands)


@pytest.mark.parametrize("name", all_commands())
def test_every_command_has_help(name: str) -> None:
    command = cli.commands[name]
    assert command.help and len(command.help) > 20, name
    result = run(name, "--help")
    assert result.exit_code == 0
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts}"


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_import_then_decks_json(db_path: Path, write_deck: Callable[..., Path]) -> None:
    deck = write_deck(DEMO_DECK, "demo.yaml")
    result = run("import", str(deck))
    assert result.exit_code == 0, result.output
    assert "imported demo: 6 added" in result.output
    data = json.loads(run("decks", "--json").output)
    demo = next(d for d in data if d["slug"] == "demo")
    assert demo == {"slug": "demo", "title": "Demo deck", "total": 6, "new": 6, "learning": 0,
                    "due": 0, "suspended": 0, "today": {"new": 6, "learning": 0, "review": 0}}
    again = run("import", str(deck), "--dry-run")
    assert "would import demo: 0 added, 0 updated, 6 unchanged, 0 retired" in again.output


def test_first_run_loads_the_builtin_decks(db_path: Path) -> None:
    data = json.loads(run("decks", "--json").output)
    assert data, "the built-in decks are loaded on first run"
    assert db_path.exists()


def test_malformed_deck_lists_every_problem_and_changes_nothing(
        db_path: Path, write_deck: Callable[..., Path]) -> None:
    run("decks")
    before = db_path.read_bytes()
    bad = write_deck("deck: Bad Slug\ntitle: x\nitems:\n  - id: a\n    front: q\n"
                     "  - id: a\n    front: q\n    back: b\n  - id: c\n    kind: essay\n",
                     "bad.yaml")
    result = run("import", str(bad))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any("bad.yaml:1:" in line and "`deck`" in line for line in lines)
    assert any("bad.yaml:4: a: `back` is required" in line for line in lines)
    assert any("bad.yaml:6: a: duplicate id" in line for line in lines)
    assert any("bad.yaml:10: c: unknown kind 'essay'" in line for line in lines)
    assert "Traceback" not in result.output
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "/nonexistent/deck.yaml"), "no such file"),
        (("config", "colour", "blue"), "unknown option 'colour'"),
        (("config", "desired_retention", "2"), "must be between 0.7 and 0.99"),
        (("config", "--deck", "nope", "new_per_day", "3"), "no deck named 'nope'"),
        (("drill", "--deck", "nope", "--plain"), "no deck named 'nope'"),
    ],
)
def test_bad_input_gives_one_line_and_exit_1(db_path: Path, args: tuple[str, ...],
                                              message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_corrupt_database_is_one_clear_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00junk" * 500)
    result = run("decks", "--db", str(bad))
    assert result.exit_code == 1
    assert "is not a loopdrill database or is corrupt" in result.output
    assert bad.read_bytes() == b"\x00junk" * 500


def test_unwritable_data_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("decks", "--db", str(blocker / "sub" / "x.db"))
    assert result.exit_code == 1
    assert "cannot create the data directory" in result.output


def test_config_per_deck_overrides_the_deck_file(db_path: Path,
                                                 write_deck: Callable[..., Path]) -> None:
    deck = write_deck(DEMO_DECK.replace("items:", "options:\n  new_per_day: 7\nitems:"))
    run("import", str(deck))
    assert "7 (deck file)" in run("config", "--deck", "demo", "new_per_day").output
    assert run("config", "--deck", "demo", "new_per_day", "3").exit_code == 0
    assert "3 (deck)" in run("config", "--deck", "demo", "new_per_day").output
    assert "20 (default)" in run("config", "new_per_day").output
    run("config", "learning_steps", "2m 15m")
    assert "2m 15m (global)" in run("config", "learning_steps").output
    result = run("config", "--deck", "demo", "rollover_hour", "5")
    assert result.exit_code == 1 and "global" in result.output


def test_where_prints_the_paths(db_path: Path) -> None:
    out = run("where").output
    assert str(db_path) in out and "backups" in out


def test_plain_drill_records_answers(db_path: Path, write_deck: Callable[..., Path]) -> None:
    run("import", str(write_deck(DEMO_DECK)))
    result = run("drill", "--plain", "--deck", "demo", input="\n3\n\n4\n")
    assert result.exit_code == 0, result.output
    assert "Q: S3 Standard storage" in result.output
    assert "Session over: 2 cards, 2 answers" in result.output
    data = json.loads(run("decks", "--json").output)
    demo = next(d for d in data if d["slug"] == "demo")
    assert demo["new"] == 4 and demo["learning"] == 1  # Good: learning; Easy: review
