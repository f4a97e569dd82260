"""Reviews at impossible times (year 1, year 9999) that an older loopdrill accepted (issue 15
item 4): `doctor` finds them, `doctor --repair` removes them saying so, and the card's later
imports work again; until then a command that trips on one says to run the repair."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from loopdrill.cli import cli

CARD = "demo/s3-standard"
YEAR_1, YEAR_9999 = -62135596800000, 253402300799000


def run(db: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=input)


@pytest.fixture
def stored(tmp_path: Path, write_deck: object, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.conftest import DEMO_DECK

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("LOOPDRILL_NOW", "2026-12-05T09:00:00+00:00")
    db = tmp_path / "old.db"
    deck = tmp_path / "demo.yaml"
    deck.write_text(DEMO_DECK, encoding="utf-8")
    assert run(db, "import", str(deck)).exit_code == 0
    assert run(db, "drill", "--plain", "--deck", "demo", "--limit", "1",
               input=" \n3\n").exit_code == 0
    conn = sqlite3.connect(db)
    for at in (YEAR_1, YEAR_9999):  # as an older loopdrill stored them
        conn.execute("INSERT INTO revlog (card, at, day, hour, rating, ms, state, reps, lapses, "
                     "ivl, elapsed, r, cram) SELECT card, ?, ? / 86400000, 0, rating, ms, "
                     "state, reps, lapses, ivl, elapsed, r, cram FROM revlog LIMIT 1",
                     (at, at))
    conn.commit()
    conn.close()
    return db


def test_doctor_repair_removes_reviews_at_impossible_times(stored: Path, tmp_path: Path
                                                          ) -> None:
    reviews = tmp_path / "later.csv"
    reviews.write_text("card_id,reviewed_at,rating,duration_ms\n"
                       f"{CARD},2026-12-04T10:00:00+00:00,3,1000\n", encoding="utf-8")
    tripped = run(stored, "import-reviews", str(reviews))
    assert tripped.exit_code == 1 and tripped.stderr.count("\n") == 1
    assert "holds a time out of range" in tripped.stderr
    assert "`loopdrill doctor --repair` removes reviews at impossible times" in tripped.stderr
    found = run(stored, "doctor")
    assert found.exit_code == 1 and "Traceback" not in found.output
    assert "found: 2 reviews at impossible times (before 1970 or after 8999) on " \
        f"{CARD}" in found.stdout
    repaired = run(stored, "doctor", "--repair")
    assert repaired.exit_code == 0
    assert "repaired: removed 2 reviews at impossible times" in repaired.stdout
    assert run(stored, "doctor").stdout.endswith("ok\n")
    again = run(stored, "import-reviews", str(reviews))
    assert again.exit_code == 0 and "imported 1 review" in again.stdout
    conn = sqlite3.connect(stored)
    assert conn.execute("SELECT COUNT(*) FROM revlog WHERE at < 0 OR at > ?",
                        (YEAR_9999 - 1,)).fetchone()[0] == 0
    conn.close()
