"""`edit` through a fake $EDITOR (a Python script that rewrites the file), overrides of
built-in cards that survive an update of the built-in deck file, `deck delete` and `show`."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from loopdrill import paths
from loopdrill.cli import cli
from tests.conftest import DEMO_DECK

FAKE_EDITOR = """\
import pathlib, sys
path = pathlib.Path(sys.argv[1])
count = pathlib.Path(sys.argv[1] + ".n")
n = int(count.read_text()) if count.exists() else 0
count.write_text(str(n + 1))
edits = {edits!r}
old, new = edits[min(n, len(edits) - 1)]
path.write_text(path.read_text().replace(old, new))
"""


def run(*args: str, input: str | None = None) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Set $EDITOR to a script making these (old, new) replacements, one per opening."""

    def use(*edits: tuple[str, str]) -> None:
        script = tmp_path / "fake_editor.py"
        script.write_text(FAKE_EDITOR.format(edits=list(edits)))
        monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
        monkeypatch.delenv("VISUAL", raising=False)

    return use


@pytest.fixture
def demo(db_path: Path, write_deck: Callable[..., Path]) -> Path:
    assert run("import", str(write_deck(DEMO_DECK, "demo.yaml"))).exit_code == 0
    assert run("drill", "--plain", "--deck", "demo", "--limit", "1",
               input=" \n4\n").exit_code == 0
    return db_path


def card_json(card_id: str) -> dict[str, object]:
    return dict(json.loads(run("card", card_id, "--json").stdout))


def test_valid_edit_keeps_progress(demo: Path, editor: Callable[..., None]) -> None:
    before = card_json("demo/s3-standard")
    assert before["state"] == "review"
    editor(("back: $0.023", "back: $0.025"))
    result = run("edit", "demo/s3-standard")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "saved demo/s3-standard; progress kept"
    after = card_json("demo/s3-standard")
    assert after["back"] == "$0.025"
    assert {k: after[k] for k in ("state", "due", "stability", "reps")} == \
        {k: before[k] for k in ("state", "due", "stability", "reps")}
    assert len(after["reviews"]) == 1  # type: ignore[arg-type]
    assert card_json("demo/s3-standard:r")["front"] == "$0.025"


def test_invalid_edit_then_abandon(demo: Path, editor: Callable[..., None]) -> None:
    editor(("back: $0.023", "back: ''"))
    result = run("edit", "demo/s3-standard")
    assert result.exit_code == 1
    assert "`back` is required" in result.stderr
    assert "edit abandoned: it had errors; nothing changed" in result.stderr
    assert card_json("demo/s3-standard")["back"] == "$0.023"


def test_invalid_edit_then_edit_again(demo: Path, editor: Callable[..., None],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("loopdrill.cli.edit.interactive", lambda: True)
    editor(("back: $0.023", "back: ''"), ("back: ''", "back: $0.026"))
    result = run("edit", "demo/s3-standard", input="y\n")
    assert result.exit_code == 0, result.output
    assert "Edit again?" in result.stderr and "saved demo/s3-standard" in result.stdout
    assert card_json("demo/s3-standard")["back"] == "$0.026"


def test_changing_the_id_or_deck_is_refused(demo: Path, editor: Callable[..., None]) -> None:
    editor(("id: sqs-standard", "id: sqs-other"))
    result = run("edit", "demo/sqs-standard")
    assert result.exit_code == 1 and "keep `id: sqs-standard`" in result.stderr
    editor(("deck: demo", "deck: other"))
    assert "keep `deck: demo`" in run("edit", "demo/sqs-standard").stderr


def test_empty_file_and_unchanged(demo: Path, editor: Callable[..., None]) -> None:
    editor(("$0.40", "$0.40"))
    assert run("edit", "demo/sqs-standard").stdout.strip() == "no change"
    bad = run("edit", "demo/none")
    assert bad.exit_code == 1 and "no card 'demo/none'" in bad.stderr


def test_builtin_override_survives_an_update_and_reverts(
        db_path: Path, tmp_path: Path, editor: Callable[..., None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = tmp_path / "decks"
    shutil.copytree(paths.builtin_decks(), shipped)
    monkeypatch.setattr(paths, "builtin_decks", lambda: shipped)
    first = json.loads(run("cards", "deck:aws-prices", "kind:basic", "--json",
                           "--limit", "1").stdout)[0]
    card_id = first["id"]
    start = str(card_json(card_id)["back"])[:30]
    editor((start, "my own answer - "))
    result = run("edit", card_id)
    assert "as a local override of the built-in deck" in result.stdout, result.stderr
    assert str(card_json(card_id)["back"]).startswith("my own answer - ")
    # the built-in deck file is updated: this card's text changes, and the deck's title
    deck_file = shipped / "aws-prices.yaml"
    text = deck_file.read_text()
    assert text.count(start) == 1
    deck_file.write_text(text.replace(start, "the new shipped answer - ")
                         .replace("title: AWS", "title: Updated AWS", 1))
    assert run("decks").exit_code == 0  # opening the library reloads the built-in decks
    assert str(card_json(card_id)["back"]).startswith("my own answer - ")
    check = run("check")
    assert f"override: {card_id.split(':')[0]}: the built-in card changed" in check.stdout
    assert run("edit", card_id, "--revert").exit_code == 0
    assert str(card_json(card_id)["back"]).startswith("the new shipped answer - ")
    assert "override:" not in run("check").stdout
    assert run("edit", card_id, "--revert").exit_code == 1


def test_deck_delete_user_deck_and_hide_builtin(demo: Path) -> None:
    refused = run("deck", "delete", "demo")
    assert refused.exit_code == 1 and "add --yes" in refused.stderr
    result = run("deck", "delete", "demo", "--yes")
    assert result.exit_code == 0
    assert result.stdout.startswith("deleted deck demo: 6 cards and 1 reviews (backup: ")
    assert run("card", "demo/s3-standard").exit_code == 1
    assert run("deck", "delete", "demo", "--yes").exit_code == 1
    hidden = run("deck", "delete", "aws-prices")
    assert "hid the built-in deck aws-prices" in hidden.stdout
    slugs = [d["slug"] for d in json.loads(run("decks", "--json").stdout)]
    assert "aws-prices" not in slugs
    assert run("cards", "kind:numeric", "--json").stdout.count('"aws-prices"') == 0
    assert run("cards", "deck:aws-prices", "--limit", "1").stdout != ""
    assert "shown again" in run("deck", "show", "aws-prices").stdout
    assert "aws-prices" in [d["slug"] for d in json.loads(run("decks", "--json").stdout)]
