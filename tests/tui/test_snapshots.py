"""Snapshots of home and drill at 80x24, with fixed data and a fixed clock."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from loopdrill.tui.app import LoopdrillApp
from tests.conftest import FakeClock


def test_home_80x24(snap_compare: Any, demo_db: Database, clock: FakeClock) -> None:
    assert snap_compare(LoopdrillApp(demo_db, clock, fuzz=False), terminal_size=(80, 24))


def test_drill_front_80x24(snap_compare: Any, demo_db: Database, clock: FakeClock) -> None:
    assert snap_compare(LoopdrillApp(demo_db, clock, fuzz=False), terminal_size=(80, 24),
                        press=["a"])


def test_drill_revealed_80x24(snap_compare: Any, demo_db: Database, clock: FakeClock) -> None:
    assert snap_compare(LoopdrillApp(demo_db, clock, fuzz=False), terminal_size=(80, 24),
                        press=["a", "space"])


def test_drill_revealed_160x48(snap_compare: Any, demo_db: Database, clock: FakeClock) -> None:
    assert snap_compare(LoopdrillApp(demo_db, clock, fuzz=False), terminal_size=(160, 48),
                        press=["a", "space"])
