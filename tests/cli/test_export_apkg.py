"""`export --format apkg`: loopdrill -> .apkg -> loopdrill gives back the same items (every
kind, through the item each note carries), the same schedules (due on the same study day,
FSRS memory state, suspended, flag) and, with --with-history, the same reviews."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from tests.cli.test_export_json import lived_in, run  # noqa: F401  (lived_in: a fixture)

ITEMS = ("SELECT id, kind, content, tags, source, as_of FROM cards WHERE retired = 0 "
         "AND deck = ?")
STATES = ("SELECT id, state, step, stability, difficulty, due, reps, lapses, suspended, flag "
          "FROM cards WHERE retired = 0 AND deck = ?")
REVIEWS = ("SELECT c.id, r.at / 1000, r.rating, r.ms, r.cram FROM revlog r JOIN cards c ON "
           "c.num = r.card WHERE c.retired = 0 AND c.deck = ? ORDER BY c.id, r.at, r.id")


def rows(db: Path, sql: str, deck: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        out = []
        for row in conn.execute(sql, (deck,)).fetchall():
            if sql is STATES:  # Anki keeps a review's due day, not its hour
                due = row[5] and (dt.datetime.fromisoformat(row[5]) - dt.timedelta(hours=4)).date()
                row = (*row[:3], round(row[3] or 0, 3), round(row[4] or 0, 2), due, *row[6:])
            out.append(row)
        return sorted(out, key=repr)
    finally:
        conn.close()


def test_apkg_round_trip(lived_in: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "demo.apkg"
    decks = ("demo", "red-flags", "aws-limits", "leadership-principles")  # every kind
    result = run("export", "--format", "apkg", *(f"--deck={d}" for d in decks),
                 "--with-history", "-o", str(out))
    assert "wrote" in result.output and "reviews" in result.output
    fresh = tmp_path / "fresh.db"
    run("--db", str(fresh), "import", str(out))
    kinds = {r[1] for d in decks for r in rows(lived_in, ITEMS, d)}
    assert kinds == {"basic", "cloze", "numeric", "choice", "calc", "text"}
    for deck in decks:
        for sql in (ITEMS, STATES, REVIEWS):
            assert rows(fresh, sql, deck) == rows(lived_in, sql, deck), (deck, sql)
    assert len(rows(lived_in, REVIEWS, "demo")) >= 7
    assert any(r[8] for r in rows(lived_in, STATES, "demo")), "a suspended card"
    assert any(r[9] for r in rows(lived_in, STATES, "demo")), "a flagged card"
    again = tmp_path / "again.apkg"  # and a second import changes nothing
    assert "0 added, 0 updated" in run("--db", str(fresh), "import", str(out)).output
    run("--db", str(fresh), "export", "--format", "apkg", "--deck", "demo", "-o", str(again))


def test_apkg_needs_a_file(lived_in: Path, tmp_path: Path) -> None:  # noqa: F811
    result = run("export", "--format", "apkg", code=1)
    assert "-o: --format apkg writes a file (an .apkg), not to stdout" in result.output
    result = run("export", "--format", "apkg", "-o", str(tmp_path), code=1)
    assert "not to a directory" in result.output
    result = run("export", "--format", "apkg", "-o", str(tmp_path / "no" / "x.apkg"), code=1)
    assert "cannot write" in result.output
