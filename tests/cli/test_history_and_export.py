"""Review history in and out, and export round trips through the command line."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import fsrs
import pytest
import yaml
from click.testing import CliRunner, Result

from loopdrill.cli import cli
from loopdrill.core.options import Options
from loopdrill.engine.answer import make_scheduler
from loopdrill.engine.replay import STATE_TOLERANCE
from tests.conftest import DEMO_DECK
from tests.tui.test_graded_pilot import KINDS

HISTORY = """card_id,reviewed_at,rating,duration_ms
demo/s3-standard,2026-11-01T10:00:00Z,3,5000
demo/s3-standard,2026-11-01T10:12:00Z,3,4000
demo/s3-standard,2026-11-04T09:00:00Z,4,3000
sqs-standard,2026-11-02T10:00:00Z,1,3000
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def cards(db: Path) -> dict[str, tuple[object, ...]]:
    conn = sqlite3.connect(db)
    return {r[0]: r[1:] for r in conn.execute(
        "SELECT id, kind, content, tags, source, as_of, state, due, stability FROM cards "
        "WHERE retired = 0")}


def test_import_reviews_replays_fsrs_and_skips_duplicates(
        db_path: Path, tmp_path: Path, write_deck: Callable[..., Path]) -> None:
    run("import", str(write_deck(DEMO_DECK)))
    csv = tmp_path / "history.csv"
    csv.write_text(HISTORY)
    result = run("import-reviews", str(csv))
    assert result.exit_code == 0, result.output
    assert "imported 4 reviews on 2 cards" in result.output
    assert "0 reviews on 2 cards (4 already there)" in run("import-reviews", str(csv)).output
    # the stored state equals replaying the same reviews through fsrs.Scheduler
    scheduler = make_scheduler(Options(), fuzz=False)
    card = fsrs.Card(card_id=1)
    for stamp, rating in [("2026-11-01T10:00:00+00:00", 3), ("2026-11-01T10:12:00+00:00", 3),
                          ("2026-11-04T09:00:00+00:00", 4)]:
        from datetime import datetime
        card, _ = scheduler.review_card(card, fsrs.Rating(rating), datetime.fromisoformat(stamp))
    conn = sqlite3.connect(db_path)
    stability, difficulty = conn.execute(
        "SELECT stability, difficulty FROM cards WHERE id = 'demo/s3-standard'").fetchone()
    assert (stability, difficulty) == pytest.approx((card.stability, card.difficulty),
                                                    rel=STATE_TOLERANCE)  # fsrs-rs: float32
    state, reps = conn.execute(
        "SELECT state, reps FROM cards WHERE id = 'demo/s3-standard'").fetchone()
    assert (state, reps) == (2, 3)


def test_bad_review_rows_change_nothing(db_path: Path, tmp_path: Path,
                                        write_deck: Callable[..., Path]) -> None:
    run("import", str(write_deck(DEMO_DECK)))
    before = db_path.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("card_id,reviewed_at,rating,duration_ms\n"
                   "demo/s3-standard,2026-11-01T10:00:00Z,5,100\n"
                   "demo/s3-standard,yesterday,3,100\n"
                   "demo/s3-standard,2026-11-01T10:00:00,3,100\n")
    result = run("import-reviews", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:2: rating '5' is not 1, 2, 3 or 4" in result.output
    assert f"{bad}:3: reviewed_at 'yesterday' is not an ISO-8601 time" in result.output
    assert f"{bad}:4: reviewed_at '2026-11-01T10:00:00' has no timezone" in result.output
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("card_id,reviewed_at,rating,duration_ms\n"
                       "demo/nope,2026-11-01T10:00:00Z,3,100\n")
    result = run("import-reviews", str(unknown))
    assert result.exit_code == 1 and "no card with id 'demo/nope'" in result.output
    assert db_path.read_bytes() == before


def test_export_reviews_reads_back(db_path: Path, tmp_path: Path,
                                   write_deck: Callable[..., Path]) -> None:
    run("import", str(write_deck(DEMO_DECK)))
    csv = tmp_path / "history.csv"
    csv.write_text(HISTORY)
    run("import-reviews", str(csv))
    out = tmp_path / "out.csv"
    assert run("export-reviews", "-o", str(out)).exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "card_id,reviewed_at,rating,duration_ms,cram" and len(lines) == 5
    assert "demo/sqs-standard,2026-11-02T10:00:00Z,1,3000,0" in lines
    assert "0 reviews on 2 cards (4 already there)" in run("import-reviews", str(out)).output


def test_yaml_export_round_trip_is_lossless(db_path: Path, tmp_path: Path,
                                            write_deck: Callable[..., Path]) -> None:
    run("import", str(write_deck(DEMO_DECK)), str(write_deck(KINDS, "kinds.yaml")))
    original = {k: v for k, v in cards(db_path).items() if k.split("/")[0] in ("demo", "kinds")}
    assert run("export", "--deck", "demo", "--deck", "kinds", "-o", str(tmp_path)).exit_code == 0
    other = tmp_path / "other.db"
    result = run("import", "--db", str(other), str(tmp_path / "demo.yaml"),
                 str(tmp_path / "kinds.yaml"))
    assert result.exit_code == 0, result.output
    again = cards(other)
    assert {k: v for k, v in again.items() if k.split("/")[0] in ("demo", "kinds")} == original
    # re-importing the export into the first database changes nothing
    same = run("import", str(tmp_path / "demo.yaml"), "--dry-run").output
    assert "0 added, 0 updated, 6 unchanged, 0 retired" in same


def test_tsv_export_has_anki_headers(db_path: Path, write_deck: Callable[..., Path]) -> None:
    run("import", str(write_deck(DEMO_DECK)))
    out = run("export", "--deck", "demo", "--format", "tsv").output.splitlines()
    assert out[:7] == ["#separator:tab", "#html:true", "#guid column:1", "#notetype column:2",
                       "#deck column:3", "#tags column:4",
                       "#columns:GUID\tNotetype\tDeck\tTags\tField 1\tField 2"
                       "\tloopdrill source\tloopdrill as_of\tloopdrill item"]
    # GUID, note type, the deck's title (Anki's name for it), tags
    assert out[7].split("\t")[:3] == ["demo/s3-standard", "Basic (and reversed card)",
                                      "Demo deck"]


def test_json_export_and_bad_options(db_path: Path, write_deck: Callable[..., Path]) -> None:
    run("import", str(write_deck(DEMO_DECK)))
    data = json.loads(run("export", "--deck", "demo", "--format", "json").output)
    assert data["decks"][0]["deck"] == "demo"
    assert data["decks"][0]["cards"]["demo/s3-standard"]["state"] == 0
    result = run("export", "--deck", "nope")
    assert result.exit_code == 1 and "no deck named 'nope'" in result.output


def test_anki_tsv_import_reimport_and_round_trip(db_path: Path, tmp_path: Path,
                                                 write_deck: Callable[..., Path]) -> None:
    tsv = tmp_path / "anki.tsv"
    tsv.write_text("#separator:tab\n#html:false\n#columns:Front\tBack\tTags\tDeck\tGUID\n"
                   "#tags column:3\n#deck column:4\n#guid column:5\n"
                   "SQS max message?\t1 MiB\taws\tMy::Limits\tq1\n"
                   "Lambda max timeout?\t900 s\taws\tMy::Limits\tq2\n")
    assert "imported my::limits: 2 added" in run("import", str(tsv)).output
    assert "0 added, 0 updated, 2 unchanged" in run("import", str(tsv)).output
    out = tmp_path / "out.tsv"
    assert run("export", "--deck", "my::limits", "--format", "tsv", "-o", str(out)).exit_code == 0
    other = tmp_path / "other.db"
    assert "imported my::limits: 2 added" in run("import", "--db", str(other), str(out)).output
    assert {k: v for k, v in cards(other).items() if k.startswith("my::limits/")} == {
        k: v for k, v in cards(db_path).items() if k.startswith("my::limits/")}
    clash = run("import", str(tsv), "--deck", "aws-limits")
    assert clash.exit_code == 1 and "'aws-limits' is a built-in deck" in clash.output


def test_exported_builtin_decks_import_back_unchanged_and_edits_are_refused(
        db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "all"
    out.mkdir()
    assert run("export", "--format", "yaml", "-o", str(out)).exit_code == 0
    files = sorted(str(f) for f in out.glob("*.yaml"))
    before = cards(db_path)
    result = run("import", *files)
    assert result.exit_code == 0, result.output
    assert "imported red-flags: 0 added, 0 updated" in result.output
    assert cards(db_path) == before
    flags = out / "red-flags.yaml"
    deck = yaml.safe_load(flags.read_text())
    deck["items"][0]["back"] = "edited"
    flags.write_text(yaml.safe_dump(deck))
    refused = run("import", *files)
    assert refused.exit_code == 1
    assert "'red-flags' is a built-in deck and this file changes 1 of its cards" in refused.output
    assert cards(db_path) == before


def test_unsupported_extension(db_path: Path, tmp_path: Path) -> None:
    odd = tmp_path / "deck.docx"
    odd.write_bytes(b"PK\x03\x04")
    result = run("import", str(odd))
    assert result.exit_code == 1 and "cannot import .docx" in result.output
