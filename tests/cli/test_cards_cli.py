"""The browser's commands through CliRunner: cards, card, the actions, set-due, status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from loopdrill.cli import cli
from tests.conftest import DEMO_DECK, NOW


def run(*args: str, input: str | None = None) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def demo(db_path: Path, write_deck: Callable[..., Path]) -> Path:
    assert run("import", str(write_deck(DEMO_DECK, "demo.yaml"))).exit_code == 0
    return db_path


def test_cards_lists_and_json(demo: Path) -> None:
    result = run("cards", "deck:demo", "s3")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [ln.split("\t")[0] for ln in lines] == ["demo/s3-standard", "demo/s3-standard:r"]
    data = json.loads(run("cards", "deck:demo", "--json", "--limit", "2").stdout)
    assert len(data) == 2
    for key in ("id", "deck", "item", "kind", "front", "state", "due", "interval_days",
                "stability", "difficulty", "retrievability", "reps", "lapses", "suspended",
                "buried", "flag", "tags"):
        assert key in data[0]
    assert data[0]["state"] == "new" and data[0]["tags"] == ["pricing"]


def test_bad_query_is_one_sentence(demo: Path) -> None:
    result = run("cards", "deck:demo", "(s3")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: query: '(' is never closed at position 11"


def test_card_info_and_bad_id(demo: Path) -> None:
    result = run("card", "demo/sqs-standard")
    assert result.exit_code == 0
    assert "SQS Standard, USD per million requests?" in result.stdout
    assert "no reviews yet" in result.stdout
    info = json.loads(run("card", "demo/sqs-standard", "--json").stdout)
    assert info["back"] == "$0.40" and info["reviews"] == []
    bad = run("card", "demo/nope")
    assert bad.exit_code == 1 and "no card 'demo/nope'" in bad.stderr


def test_card_lists_every_review(demo: Path) -> None:
    assert run("drill", "--plain", "--deck", "demo", "--limit", "2",
               input=" \n1\n \n4\n").exit_code == 0
    first = json.loads(run("cards", "rated:1", "--json").stdout)
    assert len(first) == 2
    info = json.loads(run("card", first[0]["id"], "--json").stdout)
    assert len(info["reviews"]) == 1 and info["reviews"][0]["cram"] is False
    text = run("card", first[0]["id"]).stdout
    assert "time (UTC)" in text and ("Again" in text or "Easy" in text)


def test_actions_say_how_many(demo: Path) -> None:
    assert run("suspend", "id:demo/s3-standard").stdout.strip() == "2 cards suspended"
    assert len(json.loads(run("cards", "is:suspended", "--json").stdout)) == 2
    assert run("unsuspend", "is:suspended").stdout.strip() == "2 cards unsuspended"
    assert run("flag", "4", "deck:demo kind:cloze").stdout.strip() == "2 cards flagged 4"
    assert run("cards", "flag:4").stdout.count("\n") == 2
    assert run("unflag", "flag:4").stdout.strip() == "2 cards unflagged"
    assert run("bury", "demo/efs").stdout.strip() == "no card matches 'demo/efs'; nothing changed"
    assert run("bury", "id:demo/efs-standard").stdout.strip() == "1 card buried"
    assert run("unbury", "is:buried").stdout.strip() == "1 card unburied"
    bad = run("suspend", "prop:x")
    assert bad.exit_code == 1 and "at position 6" in bad.stderr
    assert run("flag", "9", "is:new").exit_code == 2


def test_more_than_twenty_need_yes(db_path: Path) -> None:
    result = run("suspend", "is:new")
    assert result.exit_code == 1
    assert "cards match; add --yes to suspend more than 20 cards" in result.stderr
    assert run("cards", "is:suspended").stdout == ""
    done = run("suspend", "is:new", "--yes")
    assert done.exit_code == 0 and "cards suspended" in done.stdout
    count = int(done.stdout.split()[0])
    assert count > 20
    assert len(json.loads(run("cards", "is:suspended", "--json").stdout)) == count


def test_forget_and_set_due_are_logged(demo: Path) -> None:
    assert run("drill", "--plain", "--deck", "demo", "--limit", "2",
               input=" \n4\n \n4\n").exit_code == 0
    studied = [c["id"] for c in json.loads(run("cards", "-is:new", "--json").stdout)]
    assert len(studied) == 2
    result = run("set-due", "deck:demo", "3")
    assert result.stdout.strip() == "2 cards given a new due date; 4 left alone: new cards " \
                                    "have no schedule to move"
    due = json.loads(run("cards", "prop:due=3", "--json").stdout)
    assert sorted(c["id"] for c in due) == sorted(studied)
    assert run("set-due", "deck:demo", "1-x").exit_code == 1
    assert studied[1] == "demo/slo-shape:c1"  # id:demo/s3-standard would match its :r too
    assert run("forget", f"id:{studied[1]}").stdout.strip() == "1 card reset to new (reviews kept)"
    info = json.loads(run("card", studied[1], "--json").stdout)
    assert info["state"] == "new" and len(info["reviews"]) == 1
    assert [m["action"] for m in info["manual"]] == ["set-due", "forget"]


def test_status_line(demo: Path) -> None:
    assert run("status").stdout == "0 due · 20 new\n"
    assert run("status", "--format", "{new}/{total}").stdout == "20/20\n"
    bad = run("status", "--format", "{nope}")
    assert bad.exit_code == 1 and "no field 'nope'" in bad.stderr
    run("suspend", "is:new", "--yes")
    assert run("status", "--quiet").stdout == ""


def test_status_never_writes_and_loads_no_ui(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    env = {**os.environ, "LOOPDRILL_NOW": NOW.isoformat()}
    code = ("import sys; from loopdrill.entry import main; sys.argv = ['loopdrill', 'status', "
            f"'--db', {str(missing)!r}]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('textual', 'rich', 'click', 'sqlite_utils', 'platformdirs')))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out == "0 due · 0 new\n[]\n"
    assert not missing.exists()


def test_forget_and_set_due_are_kept_by_replays(demo: Path) -> None:
    assert run("drill", "--plain", "--deck", "demo", "--limit", "2",
               input=" \n4\n \n4\n").exit_code == 0
    first, second = [c["id"] for c in json.loads(run("cards", "-is:new", "--json").stdout)]
    run("forget", f"id:{second}")
    run("set-due", f"id:{first}", "0")
    due = json.loads(run("card", first, "--json").stdout)["due"]
    assert run("config", "desired_retention", "0.85").exit_code == 0  # replays every card
    assert json.loads(run("card", second, "--json").stdout)["state"] == "new"
    assert json.loads(run("card", first, "--json").stdout)["due"] == due
    doctor = run("doctor")
    assert doctor.exit_code == 0, doctor.output
