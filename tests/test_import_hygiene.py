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
