"""`drill --plain` through stdin, and `check` on deck files of every kind."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from loopdrill.cli import cli
from tests.tui.test_graded_pilot import KINDS


def test_plain_session_records_what_the_tui_records(
        db_path: Path, write_deck: Callable[..., Path]) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["import", str(write_deck(KINDS, "kinds.yaml"))])
    stdin = "0.625\n\n45\n3\nkinesis data stream\n\n"
    result = runner.invoke(cli, ["drill", "--plain", "--deck", "kinds"], input=stdin)
    assert result.exit_code == 0, result.output
    assert "Right" in result.output and "Expected: $0.625" in result.output
    assert "Close: you said 45 min" in result.output
    assert "Close: one letter off" in result.output
    assert "Session over: 3 cards, 3 answers" in result.output
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT card_id, rating, answer, proposed, verdict FROM reviews "
                        "ORDER BY id").fetchall()
    assert [r[:4] for r in rows] == [("kinds/wru", 3, "0.625", 3), ("kinds/down", 3, "45", 2),
                                     ("kinds/stream", 2, "kinesis data stream", 2)]
    assert json.loads(rows[1][4])["values"] == {"slo": 99.9}


def test_end_of_input_ends_cleanly(db_path: Path, write_deck: Callable[..., Path]) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["import", str(write_deck(KINDS, "kinds.yaml"))])
    result = runner.invoke(cli, ["drill", "--plain", "--deck", "kinds"], input="0.6")
    assert result.exit_code == 0
    assert "Session over: 0 cards" in result.output


def test_a_session_that_runs_out_says_which_limit(db_path: Path,
                                                 write_deck: Callable[..., Path]) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["import", str(write_deck(KINDS, "kinds.yaml"))])
    assert runner.invoke(cli, ["config", "new_per_day", "0"]).exit_code == 0
    result = runner.invoke(cli, ["drill", "--plain", "--deck", "kinds"], input="")
    assert result.exit_code == 0
    assert "Today's new-card limit is reached (0 a day); 3 new cards waiting." in result.output


def test_a_deck_of_its_own_limit_names_that_limit(db_path: Path,
                                                  write_deck: Callable[..., Path]) -> None:
    """A deck's own new-card limit (below the overall one) is the one the ending names."""
    runner = CliRunner()
    runner.invoke(cli, ["import", str(write_deck(KINDS, "kinds.yaml"))])
    assert runner.invoke(cli, ["config", "--deck", "kinds", "new_per_day", "0"]).exit_code == 0
    result = runner.invoke(cli, ["drill", "--plain", "--deck", "kinds"], input="")
    assert result.exit_code == 0
    assert ("Today's new-card limit for kinds is reached (0 a day); 3 new cards waiting."
            in result.output)


def test_check_lists_every_problem_as_file_line_item(
        db_path: Path, write_deck: Callable[..., Path]) -> None:
    bad = write_deck(
        "deck: x\ntitle: y\nitems:\n  - id: c\n    kind: calc\n    front: \"{a}\"\n"
        "    vars: {a: [0, 1]}\n    answer: 1/a\n  - id: h\n    kind: calc\n    front: q\n"
        "    vars: {a: [1]}\n    answer: \"__import__('os').system('x')\"\n"
        "  - id: r\n    kind: calc\n    front: q\n    vars: {a: {min: 3, max: 1}}\n"
        "    answer: a\n", "bad.yaml")
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert lines == [
        f"{bad}:4: c: `answer`: the answer formula divides by zero for a=0",
        f"{bad}:9: h: `answer`: only min, max, round, ceil, floor, log, log10, sqrt "
        "may be called",
        f"{bad}:14: r: `vars`: var a: min 3 is above max 1",
    ]


def test_check_passes_on_the_builtin_decks_and_lists_stale_facts(
        db_path: Path, write_deck: Callable[..., Path]) -> None:
    assert CliRunner().invoke(cli, ["check"]).exit_code == 0
    result = CliRunner().invoke(cli, ["check", str(write_deck(KINDS, "kinds.yaml")),
                                      "--stale-days", "30"])
    assert result.exit_code == 0
    assert "stale: " in result.stdout and "wru: fact checked 2026-07-30, 116 days ago" in \
        result.stdout


def test_unreadable_answer_is_asked_again(db_path: Path,
                                         write_deck: Callable[..., Path]) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["import", str(write_deck(KINDS, "kinds.yaml"))])
    result = runner.invoke(cli, ["drill", "--plain", "--deck", "kinds", "--limit", "1"],
                           input="0,625\n0.625\n\n")
    assert "Cannot read that: " in result.output and "Right" in result.output
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT answer, rating FROM reviews").fetchall() == [("0.625", 3)]
