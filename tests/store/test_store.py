"""The store on temporary databases: migrations, sync, answer and undo, bad files."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlite_utils import Database

from loopdrill.core.model import CardState, Rating
from loopdrill.formats.native import parse_deck, read_deck
from loopdrill.services.session import DrillSession
from loopdrill.store import db as store_db
from loopdrill.store import queries
from loopdrill.store.db import PAGE_SIZE, StoreError, open_db
from loopdrill.store.decks import sync_deck
from loopdrill.store.schema import migrations
from loopdrill.store.tx import transaction
from tests.conftest import DEMO_DECK, NOW, FakeClock


def card_row(db: Database, card_id: str) -> tuple[object, ...]:
    return tuple(db.conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone())


def test_migrations_applied_twice_change_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    first = open_db(path)
    applied = [m.name for m in migrations.applied(first)]
    first.conn.close()
    second = open_db(path)
    assert [m.name for m in migrations.applied(second)] == applied == [
        "m001_initial", "m002_review_aggregates", "m003_study_day_aggregates",
        "m004_covering_card_index", "m005_i16_browser", "m006_i16_manual_log",
        "m_i19_review_clock", "m007_i14_compact_revlog", "m_i19_studied_index",
        "m_size14_studied_in_queue", "m_size14_added_ms", "m_size14_new_queue_partial"]
    assert second.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert second.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert second.conn.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 2048
    second.conn.close()


def test_a_file_made_with_other_pages_keeps_them(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """2 KB pages are a new file's (an answer rewrites ~10 pages whole, into the log and then
    the file); a file made with 4 KB pages, as before, keeps them and works as it did."""
    path = tmp_path / "old.db"
    with monkeypatch.context() as patch:
        patch.setattr(store_db, "PAGE_SIZE", 4096)
        open_db(path).conn.close()
    db = open_db(path)
    assert db.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    with transaction(db):
        db.conn.execute("INSERT INTO decks (slug, title) VALUES ('a', 'A')")
    db.conn.close()
    again = open_db(path)
    assert again.conn.execute("SELECT title FROM decks").fetchall() == [("A",)]
    again.conn.close()


def test_answer_then_undo_restores_the_exact_state(demo_db: Database, clock: FakeClock) -> None:
    session = DrillSession(demo_db, clock, fuzz=False)
    shown = session.next_card()
    assert shown is not None
    before = card_row(demo_db, shown.card.id)
    siblings_before = [card_row(demo_db, s) for s in
                       queries.siblings(demo_db, shown.card.id, shown.card.deck, shown.card.item)]
    clock.advance(seconds=5)
    session.answer(Rating.GOOD)
    assert card_row(demo_db, shown.card.id) != before
    assert demo_db.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1
    assert session.undo()
    assert card_row(demo_db, shown.card.id) == before
    assert [card_row(demo_db, s) for s in queries.siblings(
        demo_db, shown.card.id, shown.card.deck, shown.card.item)] == siblings_before
    assert demo_db.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0
    assert not session.undo()


def test_revlog_keeps_the_state_before_and_undo_the_copy(demo_db: Database,
                                                        clock: FakeClock) -> None:
    session = DrillSession(demo_db, clock, fuzz=False)
    shown = session.next_card()
    assert shown is not None
    session.answer(Rating.EASY)
    row = demo_db.conn.execute("SELECT state, rating, at, day FROM revlog").fetchone()
    assert row[:2] == (CardState.NEW, 4)
    assert row[2] == int(NOW.timestamp() * 1000)
    assert row[3] == (NOW.date() - dt.date(1970, 1, 1)).days  # 4 am rollover: the same day
    before, undo_session = demo_db.conn.execute(
        "SELECT before, session FROM revlog_undo").fetchone()
    assert before.startswith("[0,") and undo_session == session.id


def test_resync_keeps_progress_and_retires_removed_items(
        demo_db: Database, clock: FakeClock) -> None:
    session = DrillSession(demo_db, clock, fuzz=False)
    shown = session.next_card()
    assert shown is not None and shown.card.id == "demo/s3-standard"
    session.answer(Rating.EASY)
    answered = card_row(demo_db, "demo/s3-standard")
    edited = DEMO_DECK.replace("S3 Standard storage", "Amazon S3 Standard storage").replace(
        "  - id: efs-standard\n    front: EFS Standard storage, USD per GB-month?\n"
        "    back: $0.30\n", "")
    with transaction(demo_db):
        report = sync_deck(demo_db, parse_deck(edited, "demo.yaml"), NOW)
    assert (report.updated, report.retired) == (2, 1)  # the card and its reverse
    row = card_row(demo_db, "demo/s3-standard")
    assert row[5] != answered[5]  # content changed
    assert row[14:] == answered[14:]  # FSRS state kept
    assert demo_db.conn.execute(
        "SELECT retired FROM cards WHERE id = 'demo/efs-standard'").fetchone()[0] == 1
    assert demo_db.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1


def test_corrupt_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a loopdrill database or is corrupt"):
        open_db(path)
    assert path.read_bytes() == b"this is not sqlite at all" * 100


def test_database_from_a_newer_loopdrill_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_db(path).conn.close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('loopdrill', 'm999_future', '2030-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer loopdrill"):
        open_db(path)


def test_other_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a loopdrill database"):
        open_db(path)


def test_failed_sync_changes_nothing(demo_db: Database, write_deck: Callable[..., Path]) -> None:
    before = demo_db.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    deck = read_deck(write_deck(DEMO_DECK.replace("deck: demo", "deck: other"), "other.yaml"))
    with pytest.raises(RuntimeError), transaction(demo_db):
        sync_deck(demo_db, deck, NOW)
        raise RuntimeError("boom")
    assert demo_db.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == before


def test_leech_after_eight_lapses_is_tagged_and_suspended(
        demo_db: Database, clock: FakeClock) -> None:
    demo_db.conn.execute(
        "UPDATE cards SET state = 2, stability = 5, difficulty = 5, due = ?, last_review = ?, "
        "reps = 10, lapses = 7 WHERE id = 'demo/sqs-standard'",
        ("2026-11-23T08:00:00.000000+00:00", "2026-11-18T08:00:00.000000+00:00"))
    session = DrillSession(demo_db, clock, fuzz=False)
    shown = session.next_card()
    assert shown is not None and shown.card.id == "demo/sqs-standard"
    session.answer(Rating.AGAIN)
    tags, suspended, lapses = demo_db.conn.execute(
        "SELECT tags, suspended, lapses FROM cards WHERE id = 'demo/sqs-standard'").fetchone()
    assert "leech" in tags.split() and suspended == 1 and lapses == 8
    session.undo()
    tags, suspended = demo_db.conn.execute(
        "SELECT tags, suspended FROM cards WHERE id = 'demo/sqs-standard'").fetchone()
    assert "leech" not in tags.split() and suspended == 0


def test_daily_new_limit_per_deck(demo_db: Database, clock: FakeClock) -> None:
    demo_db.conn.execute("INSERT INTO options VALUES ('demo', 'new_per_day', '2')")
    session = DrillSession(demo_db, clock, fuzz=False)
    assert len(session.queue) == 2
    clock.advance(days=1)
    assert len(DrillSession(demo_db, clock, fuzz=False).queue) == 2


def test_learning_cards_come_back_early_rather_than_ending(
        demo_db: Database, clock: FakeClock) -> None:
    demo_db.conn.execute("INSERT INTO options VALUES ('', 'new_per_day', '1')")
    session = DrillSession(demo_db, clock, fuzz=False)
    first = session.next_card()
    assert first is not None
    session.answer(Rating.GOOD)  # due in 10 minutes
    again = session.next_card()
    assert again is not None and again.card.id == first.card.id
    session.answer(Rating.GOOD)  # graduates to days
    assert session.next_card() is None


def test_siblings_are_buried_until_the_next_study_day(
        demo_db: Database, clock: FakeClock) -> None:
    session = DrillSession(demo_db, clock, fuzz=False)
    shown = session.next_card()
    assert shown is not None and shown.card.id == "demo/s3-standard"
    session.answer(Rating.EASY)
    until = demo_db.conn.execute(
        "SELECT buried_until FROM cards WHERE id = 'demo/s3-standard:r'").fetchone()[0]
    assert until == "2026-11-24T04:00:00.000000+00:00"
    ids = []
    while (card := session.next_card()) is not None:
        ids.append(card.card.id)
        session.answer(Rating.EASY)
    assert "demo/s3-standard:r" not in ids
    clock.moment = dt.datetime(2026, 11, 24, 4, 0, tzinfo=dt.UTC)
    assert "demo/s3-standard:r" in DrillSession(demo_db, clock, fuzz=False).queue


def test_builtin_deck_no_longer_shipped_is_retired_and_hidden(
        db: Database, tmp_path: Path) -> None:
    from loopdrill.services.library import sync_builtins
    from loopdrill.store.queries import deck_counts

    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "demo.yaml").write_text(DEMO_DECK)
    assert sync_builtins(db, NOW, folder) == ["demo"]
    assert sync_builtins(db, NOW, folder) == []  # unchanged files are not read again
    (folder / "demo.yaml").unlink()
    sync_builtins(db, NOW, folder)
    assert db.conn.execute("SELECT COUNT(*) FROM cards WHERE retired = 0").fetchone()[0] == 0
    assert deck_counts(db, NOW, NOW) == []


def aggregates(db: Database) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    for table in ("review_days", "review_cards", "review_calibration", "review_clock"):
        rows = db.conn.execute(f"SELECT * FROM {table} WHERE n > 0 ORDER BY 1, 2, 3").fetchall()
        out[table] = [tuple(round(v, 9) if isinstance(v, float) else v for v in r)
                      for r in rows]
    return out


def test_running_totals_follow_answers_undo_and_bulk_imports(
        demo_db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    from loopdrill.core.model import ReviewRecord
    from loopdrill.services.history import import_reviews
    from loopdrill.store import bulk
    from loopdrill.store.aggregates import TOTALS_REBUILD, script_statements

    session = DrillSession(demo_db, clock, fuzz=False)
    for rating in (Rating.GOOD, Rating.AGAIN, Rating.EASY):
        assert session.next_card() is not None
        clock.advance(minutes=1)
        session.answer(rating)
    session.undo()
    records = [ReviewRecord("demo/efs-standard", NOW - dt.timedelta(days=d), Rating(1 + d % 4))
               for d in range(30, 0, -3)]
    import_reviews(demo_db, records, NOW)
    kept = aggregates(demo_db)
    assert kept["review_days"] and kept["review_cards"] and kept["review_calibration"]
    with transaction(demo_db):
        for statement in script_statements(TOTALS_REBUILD):
            demo_db.conn.execute(statement)
    assert aggregates(demo_db) == kept
    monkeypatch.setattr(bulk, "BULK_ROWS", 0)  # the bulk path: totals summed in Python
    import_reviews(demo_db, [ReviewRecord("demo/sqs-standard", NOW - dt.timedelta(days=2),
                                          Rating.GOOD),
                             ReviewRecord("demo/efs-standard", NOW - dt.timedelta(days=1),
                                          Rating.AGAIN)], NOW)  # efs: 10 rows replaced
    after = aggregates(demo_db)
    with transaction(demo_db):
        for statement in script_statements(TOTALS_REBUILD):
            demo_db.conn.execute(statement)
    assert aggregates(demo_db) == after
    assert demo_db.conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"
                                ).fetchone()[0] == 7  # revlog 2, options 3, cards 1, view 1


def test_a_database_made_by_c4337b1_keeps_everything(tmp_path: Path) -> None:
    """tests/fixtures/c4337b1.db was written by the first release (make_c4337b1_db.py)."""
    import shutil

    from loopdrill.store.aggregates import TOTALS_REBUILD, script_statements

    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent.parent / "fixtures" / "c4337b1.db", path)
    old = sqlite3.connect(path)
    cards = old.execute("SELECT * FROM cards ORDER BY id").fetchall()
    reviews = old.execute(
        "SELECT id, card_id, substr(reviewed_at, 1, 23), rating, duration_ms, state_before, "
        "reps_before, lapses_before, CAST(interval_before AS INTEGER), "
        "CAST(elapsed_days AS INTEGER), round(retrievability, 6), cram, answer, proposed, "
        "verdict, session FROM reviews ORDER BY id").fetchall()
    options = old.execute("SELECT * FROM options ORDER BY 1, 2").fetchall()
    meta = old.execute("SELECT * FROM meta ORDER BY 1").fetchall()
    old.close()
    assert len(reviews) == 20 and any(r[12] for r in reviews) and any(r[15] for r in reviews)
    db = open_db(path, backup_dir=tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir())  # a backup before the migration
    width = len(cards[0])
    assert [r[:width] for r in db.conn.execute("SELECT * FROM cards ORDER BY id")] == cards
    assert db.conn.execute(
        "SELECT id, card_id, substr(reviewed_at, 1, 23), rating, duration_ms, state_before, "
        "reps_before, lapses_before, interval_before, elapsed_days, round(retrievability, 6), "
        "cram, answer, proposed, verdict, session FROM reviews ORDER BY id").fetchall() == reviews
    assert db.conn.execute("SELECT * FROM options ORDER BY 1, 2").fetchall() == options
    assert db.conn.execute("SELECT * FROM meta WHERE key != 'replay_pending' ORDER BY 1"
                           ).fetchall() == meta
    assert "reviews" not in db.table_names()
    migrated = aggregates(db)
    assert migrated["review_days"]
    with transaction(db):
        for statement in script_statements(TOTALS_REBUILD):
            db.conn.execute(statement)
    assert aggregates(db) == migrated


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata",
                                  "Australia/Lord_Howe"])
def test_study_days_in_python_equal_sqlites_local_dates(zone: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import random
    import sqlite3
    import time

    from loopdrill.store.aggregates import StudyDays, study_day_sql

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        rng = random.Random(zone)
        start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        moments = [start + dt.timedelta(seconds=rng.randrange(3 * 365 * 86400))
                   for _ in range(3000)]
        moments += [start + dt.timedelta(days=d, minutes=m) for d in range(0, 1000, 7)
                    for m in range(0, 1440, 15)]
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE options (scope TEXT, key TEXT, value TEXT)")
        for rollover in (4, 0):
            conn.execute("DELETE FROM options")
            conn.execute("INSERT INTO options VALUES ('', 'rollover_hour', ?)", (str(rollover),))
            days = StudyDays(rollover)
            for moment in moments:
                ms = int(moment.timestamp() * 1000)
                expected = conn.execute(f"SELECT {study_day_sql('?')}", (ms,)).fetchone()[0]
                assert days(ms) == expected, (zone, moment, rollover)
    finally:
        monkeypatch.undo()
        time.tzset()
