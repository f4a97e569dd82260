"""The m_size14 migrations (store.compact_cards): a database from before them keeps every card
and answer, with cards.added in ms, and the stats read studied cards from the queue's index."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from loopdrill.core.model import Rating
from loopdrill.core.timeutil import from_stamp, to_ms, to_stamp
from loopdrill.services.doctor import run_doctor
from loopdrill.services.session import DrillSession
from loopdrill.store import statsql
from loopdrill.store.compact_cards import added_in_ms
from loopdrill.store.db import open_db
from loopdrill.store.decks import sync_deck
from loopdrill.store.queries import Scope
from loopdrill.store.schema import migrations
from loopdrill.store.tx import transaction
from tests.conftest import DEMO_DECK, NOW, FakeClock

ATTACHED = ("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'cards' "
            "AND type IN ('index', 'trigger') ORDER BY name")


def old_database(path: Path, tmp_path: Path) -> Database:
    """A database at the schema before the m_size14 migrations (added a text stamp, as m005
    made it), with the demo deck, one card of unknown added time and two answers."""
    from loopdrill.formats.native import read_deck

    db = Database(sqlite3.connect(path, isolation_level=None))
    db.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db, stop_before="m_size14_studied_in_queue")
    deck_file = tmp_path / "demo.yaml"
    deck_file.write_text(DEMO_DECK, encoding="utf-8")
    with transaction(db):
        sync_deck(db, read_deck(deck_file), NOW)
        for rowid, in db.execute("SELECT rowid FROM cards").fetchall():
            added = to_stamp(NOW - dt.timedelta(days=rowid, milliseconds=rowid * 7))
            db.execute("UPDATE cards SET added = ? WHERE rowid = ?", (added, rowid))
        db.execute("UPDATE cards SET added = NULL WHERE rowid = 2")
        for minutes, rating in ((0, 3), (10, 1)):  # as first-release code wrote answers
            db.execute("INSERT INTO reviews (card_id, reviewed_at, rating, duration_ms) "
                       "VALUES ('demo/s3-standard', ?, ?, 4000)",
                       (to_stamp(NOW + dt.timedelta(minutes=minutes)), rating))
    return db


def test_a_database_from_before_keeps_every_card_with_added_in_ms(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = old_database(path, tmp_path)
    assert old.execute("SELECT typeof(added) FROM cards WHERE rowid = 1").fetchone() == ("text",)
    columns = [c for c in old["cards"].columns_dict if c != "added"]
    cards = old.execute(f"SELECT rowid, {', '.join(columns)} FROM cards ORDER BY rowid").fetchall()
    added = old.execute("SELECT rowid, added FROM cards ORDER BY rowid").fetchall()
    revlog = old.execute("SELECT * FROM reviews ORDER BY id").fetchall()
    old.conn.close()

    db = open_db(path)
    assert {m.name for m in migrations.applied(db)} >= {"m_size14_studied_in_queue",
                                                        "m_size14_added_ms"}
    assert db.execute(f"SELECT rowid, {', '.join(columns)} FROM cards ORDER BY rowid"
                      ).fetchall() == cards
    assert db.execute("SELECT rowid, added FROM cards ORDER BY rowid").fetchall() == [
        (rowid, None if text is None else to_ms(from_stamp(text))) for rowid, text in added]
    assert db.execute("SELECT typeof(added) FROM cards WHERE rowid = 1").fetchone() == (
        "integer",)
    assert len(revlog) == 2 and db.execute("SELECT * FROM reviews ORDER BY id").fetchall() == revlog
    fresh = open_db(":memory:")
    assert db.execute(ATTACHED).fetchall() == fresh.execute(ATTACHED).fetchall()
    assert "cards_studied" not in {name for _, name, _ in db.execute(ATTACHED)}
    assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not db.execute("PRAGMA foreign_key_check").fetchall()
    assert run_doctor(db, repair=True).ok  # the card's state follows its two answers
    assert not run_doctor(db).found
    since = NOW - dt.timedelta(days=3, hours=1)  # rowids 1-3 were added 1-3 days ago; 2 unknown
    assert statsql.cards_added(db, Scope(), since) == 2
    assert statsql.cards_added(db, Scope(), None) == len(added) - 1

    added_in_ms(db)  # again: nothing to do
    assert db.execute("SELECT rowid, added FROM cards ORDER BY rowid").fetchall()[0][1] == (
        to_ms(from_stamp(added[0][1])))


def test_the_stats_read_studied_cards_from_the_queue_index_alone(demo_db: Database) -> None:
    session = DrillSession(demo_db, FakeClock(), fuzz=False)
    assert session.next_card() is not None
    session.answer(Rating.GOOD)
    plans = []
    trace: list[str] = []
    demo_db.conn.set_trace_callback(trace.append)
    try:
        statsql.distributions(demo_db, Scope(), NOW, 0.5)
        assert statsql.cards_today(demo_db, Scope(), NOW - dt.timedelta(hours=1)) == 1
    finally:
        demo_db.conn.set_trace_callback(None)
    for sql in trace:
        plans += [row[3] for row in demo_db.execute(f"EXPLAIN QUERY PLAN {sql}")]
    reads = [p for p in plans if " c " in f" {p} "]
    assert reads and all("COVERING INDEX cards_review_queue (state>?)" in p for p in reads), plans


def test_new_cards_are_counted_from_the_new_card_index_alone(demo_db: Database) -> None:
    session = DrillSession(demo_db, FakeClock(), fuzz=False)
    assert session.next_card() is not None
    session.answer(Rating.GOOD)  # one card leaves cards_new_queue (WHERE state = 0)
    indexed = demo_db.execute("SELECT COUNT(*) FROM cards INDEXED BY cards_new_queue "
                              "WHERE state = 0").fetchone()[0]
    assert indexed == demo_db.execute("SELECT COUNT(*) FROM cards WHERE state = 0"
                                      ).fetchone()[0] > 0
    trace: list[str] = []
    demo_db.conn.set_trace_callback(trace.append)
    try:
        statsql.card_groups(demo_db, Scope(), NOW, 0.5, None)
    finally:
        demo_db.conn.set_trace_callback(None)
    plans = [row[3] for sql in trace if "cards_new_queue" in sql
             for row in demo_db.execute(f"EXPLAIN QUERY PLAN {sql}")]
    assert plans == ["SCAN c USING COVERING INDEX cards_new_queue"], plans
