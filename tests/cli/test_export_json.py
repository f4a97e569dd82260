"""Issue 17 item 10: the JSON export is the full-fidelity format. Export a database that
has been drilled, crammed, suspended, flagged, buried, reset, re-dated, configured, edited
and pruned, import the file into a fresh database: every card's state, every review, the
options, parameters, overrides, hidden decks and manual log are the same, and doctor finds
nothing in either."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from loopdrill.cli import cli
from tests.cli.test_edit_cli import FAKE_EDITOR
from tests.conftest import DEMO_DECK

HISTORY = """card_id,reviewed_at,rating,duration_ms,cram
demo/s3-standard,2026-11-01T10:00:00Z,3,5000,0
demo/s3-standard,2026-11-04T09:00:00Z,4,3000,0
demo/s3-standard,2026-11-05T09:00:00Z,2,3000,1
demo/slo-shape:c2,2026-11-02T10:00:00Z,1,3000,0
demo/slo-shape:c2,2026-11-02T10:11:00Z,3,3000,0
demo/efs-standard,2026-11-02T10:00:00Z,3,3000,0
demo/sqs-standard,2026-11-02T10:00:00Z,3,3000,0
"""

TABLES = {
    "cards": "SELECT id, deck, item, variant, kind, content, tags, source, as_of, position, "
             "suspended, buried_until, flag, retired, state, step, stability, difficulty, due, "
             "last_review, reps, lapses, added FROM cards",
    "revlog": "SELECT c.id, r.at, r.day, r.hour, r.rating, r.ms, r.state, r.reps, r.lapses, "
              "r.ivl, r.elapsed, r.r, r.cram, t.answer, t.verdict FROM revlog r JOIN cards c "
              "ON c.num = r.card LEFT JOIN revlog_typed t ON t.id = r.id",
    "options": "SELECT scope, key, value FROM options",
    "meta": "SELECT key, value FROM meta WHERE key LIKE 'parameters%' OR key = 'exam_date'",
    "decks": "SELECT slug, title, description, options, builtin, hidden FROM decks",
    "overrides": "SELECT deck, item, fields, shipped FROM overrides",
    "manual_log": "SELECT card_id, at, action, before, due FROM manual_log",
}


def run(*args: str, input: str | None = None, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def state(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {name: sorted(conn.execute(sql).fetchall(), key=repr)
                for name, sql in TABLES.items()}
    finally:
        conn.close()


@pytest.fixture
def lived_in(db_path: Path, tmp_path: Path, write_deck: Callable[..., Path],
             monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with a bit of everything."""
    deck = write_deck(DEMO_DECK + "  - id: 'N/qbuaE/q%'\n    front: guid?\n    back: yes\n",
                      "demo.yaml")
    run("import", str(deck))
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO meta (key, value) VALUES ('parameters:demo', ?)",
                 (json.dumps([0.2, 1.2, 3.0, 16.0, 7.1, 0.5, 1.5, 0.01, 1.5, 0.1, 1.0, 1.9,
                              0.1, 0.3, 2.3, 0.2, 3.0, 0.5, 0.6, 0.1, 0.2]),))
    conn.commit()
    conn.close()
    history = tmp_path / "history.csv"
    history.write_text(HISTORY)
    run("import-reviews", str(history))
    run("drill", "--plain", "--deck", "demo", "--limit", "2", input=" \n3\n \n1\n")
    run("drill", "--plain", "--deck", "aws-prices", "--limit", "1", input="0.023\n \n")
    run("suspend", "deck:demo s3", "--yes")
    run("flag", "4", "id:demo/sqs-standard")
    run("bury", "deck:red-flags", "--yes")
    run("forget", "id:demo/efs-standard", "--yes")
    run("set-due", "id:demo/slo-shape:c2", "3", "--yes")
    run("config", "new_per_day", "12")
    run("config", "--deck", "demo", "desired_retention", "0.85")
    run("deck", "delete", "aws-trivia", "--yes")
    script = tmp_path / "editor.py"
    script.write_text(FAKE_EDITOR.format(edits=[("front: ", "front: edited ")]))
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    run("edit", "aws-prices/s3-put-per-million")
    deck.write_text(DEMO_DECK.replace("  - id: efs-standard", "  - id: efs-gone"))
    run("import", str(deck))  # efs-standard and the guid item retired, their reviews kept
    return db_path


def test_json_export_import_is_identical(lived_in: Path, tmp_path: Path) -> None:
    before = state(lived_in)
    assert any(r[12] for r in before["revlog"]), "a cram review"
    assert any(r[13] for r in before["revlog"]), "a typed answer"
    assert sum(r[13] for r in before["cards"]) >= 2, "retired cards"
    assert before["overrides"] and before["manual_log"] and any(d[5] for d in before["decks"])
    out = tmp_path / "all.json"
    run("export", "--format", "json", "--with-history", "-o", str(out))
    doc = json.loads(out.read_text())
    assert doc["format"] == "loopdrill" and len(doc["reviews"]) == len(before["revlog"])
    fresh = tmp_path / "fresh.db"
    result = run("--db", str(fresh), "import", str(out))
    assert f"imported review history: {len(before['revlog'])} reviews" in result.output
    assert state(fresh) == before
    assert run("--db", str(fresh), "doctor").output == run("doctor").output
    assert "found" not in run("--db", str(fresh), "doctor").output
    again = tmp_path / "again.json"
    run("--db", str(fresh), "export", "--format", "json", "--with-history", "-o", str(again))
    assert again.read_text() == out.read_text()
    # importing it again changes nothing
    run("--db", str(fresh), "import", str(out))
    assert state(fresh) == before


def test_json_without_history_keeps_states(lived_in: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.json"
    run("export", "--format", "json", "--deck", "demo", "-o", str(out))
    assert "reviews" not in json.loads(out.read_text())
    fresh = tmp_path / "fresh.db"
    run("--db", str(fresh), "import", str(out))
    before, after = state(lived_in), state(fresh)
    assert [c for c in after["cards"] if c[1] == "demo"] == \
        [c for c in before["cards"] if c[1] == "demo"]
    assert after["revlog"] == []


def test_bad_json_is_one_sentence(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    for text, message in [("{", "not valid JSON"), ("[]", "not a loopdrill JSON export"),
                          ('{"format": "loopdrill", "version": 9}', "version 9")]:
        bad.write_text(text)
        result = CliRunner().invoke(cli, ["import", str(bad)])
        assert result.exit_code == 1 and message in result.output, result.output
    result = CliRunner().invoke(cli, ["export", "--format", "yaml", "--with-history"])
    assert result.exit_code != 0 and "only --format json" in result.output
