"""Typing answers in the TUI: the proposed grade, overrides, and what the revlog keeps."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from loopdrill.formats.native import read_deck
from loopdrill.services.session import DrillSession
from loopdrill.store.decks import sync_deck
from loopdrill.store.queries import Scope
from loopdrill.store.tx import transaction
from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.drill import DrillScreen
from tests.conftest import NOW, FakeClock

KINDS = """\
deck: kinds
title: Every graded kind
items:
  - id: wru
    kind: numeric
    front: DynamoDB on-demand, USD per million write request units?
    answer: 0.625
    unit: USD
    tolerance: 5%
    source: https://aws.amazon.com/dynamodb/pricing/on-demand/
    as_of: 2026-07-30
  - id: down
    kind: calc
    front: Downtime per 30 days at {slo}% availability, in minutes?
    vars:
      slo: [99.9]
    answer: (100 - slo) / 100 * 30 * 24 * 60
    unit: min
    tolerance: 2%
  - id: stream
    kind: text
    front: Which AWS service is a sharded, replayable ordered log?
    answer: [Kinesis Data Streams, Kinesis]
"""


def graded_db(db: Database, write_deck: Callable[..., Path]) -> Database:
    with transaction(db):
        sync_deck(db, read_deck(write_deck(KINDS, "kinds.yaml")), NOW)
    return db


def revlog(db: Database) -> list[tuple[str, int, str, int, dict[str, object]]]:
    return [(c, r, a, p, json.loads(v)) for c, r, a, p, v in db.conn.execute(
        "SELECT card_id, rating, answer, proposed, verdict FROM reviews ORDER BY id")]


async def test_typed_answers_are_graded_and_stored(db: Database, clock: FakeClock,
                                                   write_deck: Callable[..., Path]) -> None:
    graded_db(db, write_deck)
    session = DrillSession(db, clock, Scope(("kinds",)), fuzz=False, rng=random.Random(1))
    app = LoopdrillApp(db, clock, session=session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        await pilot.press(*"$0.61", "enter")  # within 5%: Good proposed
        assert screen.revealed and screen.shown is not None
        assert screen.shown.verdict is not None
        assert screen.shown.verdict.proposed == 3
        await pilot.press("enter")  # accept
        await pilot.press(*"45", "enter")  # 45 vs 43.2 (4%): within 3x 2% -> Hard
        await pilot.press("1")  # override with Again
        await pilot.press("enter")  # empty answer: don't know -> Again proposed
        await pilot.press("enter")
    rows = revlog(db)
    assert [(c, r, a, p) for c, r, a, p, _ in rows] == [
        ("kinds/wru", 3, "$0.61", 3), ("kinds/down", 1, "45", 2), ("kinds/stream", 1, "", 1)]
    assert rows[1][4]["values"] == {"slo": 99.9}
    assert rows[1][4]["expected"] == "43.2 min"


async def test_hostile_typing_never_crashes(db: Database, clock: FakeClock,
                                            write_deck: Callable[..., Path]) -> None:
    graded_db(db, write_deck)
    session = DrillSession(db, clock, Scope(("kinds",)), fuzz=False, rng=random.Random(1))
    app = LoopdrillApp(db, clock, session=session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        answer = screen.query_one("#answer")
        answer.value = "\x00\x1b[31m🙂" + "9" * 10_000  # type: ignore[attr-defined]
        await pilot.press("enter")  # unreadable: said so, asked again, nothing recorded
        assert screen.shown is not None and not screen.revealed
        assert revlog(db) == []
        answer.value = ""  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert screen.revealed and screen.shown.verdict is not None
        assert screen.shown.verdict.proposed == 1
