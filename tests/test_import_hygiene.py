"""Importing the headless layers must not load the UI (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["loopdrill.core", "loopdrill.engine.answer",
                                    "loopdrill.core.cards", "loopdrill.formats.native",
                                    "loopdrill.store.db", "loopdrill.services.session"])
def test_headless_modules_do_not_load_textual(module: str) -> None:
    code = (f"import sys, {module}; "
            "bad = [m for m in ('textual', 'rich') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("command", [["decks"], ["stats"], ["drill", "--plain"], ["export"]])
def test_commands_that_write_no_history_do_not_load_numpy(command: list[str], tmp_path
                                                          ) -> None:
    """numpy (0.1 s, 17 MB) is for the history import: the drill, the TUI's start and the
    other commands leave it unloaded, sqlite-utils' optional numpy types included."""
    code = ("import sys\n"
            f"sys.argv = ['loopdrill', '--db', {str(tmp_path / 'x.db')!r}, *{command!r}]\n"
            "from loopdrill.entry import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "import loopdrill.tui.app\n"
            "print('numpy' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         input="q\n", check=True)
    assert out.stderr.strip().splitlines()[-1] == "False", out.stderr


def test_the_import_screen_loads_numpy_only_to_import_a_review_history() -> None:
    """Opening the import screen (or importing a deck from it) leaves numpy unloaded: the
    screen imports the history reader and writer when a review history is imported."""
    code = ("import sys\n"
            "from loopdrill.entry import load_sqlite_utils_without_numpy\n"
            "load_sqlite_utils_without_numpy()\n"
            "import loopdrill.tui.importer\n"
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
