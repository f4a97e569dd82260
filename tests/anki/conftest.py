"""The collection Anki's own library built (tests/fixtures/anki/make_collection.py), imported
once per test that needs it, at the moment the simulation ended."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "anki"
EXPECTED: dict[str, Any] = json.loads((FIXTURES / "expected.json").read_text("utf-8"))
START = dt.datetime.fromisoformat(EXPECTED["start"]).replace(tzinfo=dt.UTC)
# Anki's "today" when the files were written: the simulation's last day, same hour
ANKI_NOW = START + dt.timedelta(days=EXPECTED["days"])


def variant(card: dict[str, Any]) -> str:
    if card["notetype"] == "Cloze":
        return f"c{card['ord'] + 1}"
    return "" if card["ord"] == 0 else "r" if card["ord"] == 1 else f"t{card['ord'] + 1}"


@pytest.fixture
def imported(db: Database) -> Database:
    from loopdrill.services.imports import read_files, run_import

    run_import(db, read_files([FIXTURES / "full.apkg"]), ANKI_NOW)
    return db
