"""Snapshots of a typed card before and after answering, the session summary, and the Import
and Optimize screens, at 80x24 with fixed data and a fixed clock (issue 13)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from loopdrill.services.session import DrillSession
from loopdrill.store.queries import Scope
from loopdrill.tui.app import LoopdrillApp
from tests.conftest import FakeClock
from tests.tui.test_graded_pilot import graded_db


def typed_app(db: Database, clock: FakeClock, write_deck: Callable[..., Path]) -> LoopdrillApp:
    graded_db(db, write_deck)
    session = DrillSession(db, clock, Scope(("kinds",)), fuzz=False, rng=random.Random(1))
    return LoopdrillApp(db, clock, session=session)


def test_typed_card_before_answering(snap_compare: Any, db: Database, clock: FakeClock,
                                     write_deck: Callable[..., Path]) -> None:
    assert snap_compare(typed_app(db, clock, write_deck), terminal_size=(80, 24))


def test_typed_card_after_answering(snap_compare: Any, db: Database, clock: FakeClock,
                                    write_deck: Callable[..., Path]) -> None:
    assert snap_compare(typed_app(db, clock, write_deck), terminal_size=(80, 24),
                        press=[*"$0.61", "enter"])


def test_summary_after_one_answer(snap_compare: Any, db: Database, clock: FakeClock,
                                  write_deck: Callable[..., Path]) -> None:
    assert snap_compare(typed_app(db, clock, write_deck), terminal_size=(80, 24),
                        press=[*"$0.61", "enter", "enter", *"45", "enter", "escape"])


def test_import_screen(snap_compare: Any, demo_db: Database, clock: FakeClock) -> None:
    assert snap_compare(LoopdrillApp(demo_db, clock, fuzz=False), terminal_size=(80, 24),
                        press=["i"])


def test_optimize_screen(snap_compare: Any, demo_db: Database, clock: FakeClock) -> None:
    assert snap_compare(LoopdrillApp(demo_db, clock, fuzz=False), terminal_size=(80, 24),
                        press=["o"])
