"""Shared fixtures: a fixed clock, a temporary database, deck files written by the test."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

os.environ["TZ"] = "UTC"
time.tzset()

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)

DEMO_DECK = """\
deck: demo
title: Demo deck
description: Facts for the tests
defaults:
  tags: [pricing]
  as_of: 2026-07-28
items:
  - id: s3-standard
    front: S3 Standard storage, first 50 TB, USD per GB-month?
    back: $0.023
    source: https://aws.amazon.com/s3/pricing/
    reversible: true
  - id: slo-shape
    kind: cloze
    text: "{{c1::99.9%}} of requests over a rolling {{c2::28-day}} window"
  - id: sqs-standard
    front: SQS Standard, USD per million requests?
    back: $0.40
  - id: efs-standard
    front: EFS Standard storage, USD per GB-month?
    back: $0.30
"""


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime = NOW) -> None:
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **kwargs: float) -> None:
        self.moment += dt.timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def write_deck(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(text: str, name: str = "deck.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def db() -> Iterator[Database]:
    from loopdrill.store.db import open_db

    database = open_db(":memory:")
    yield database
    database.conn.close()


@pytest.fixture
def demo_db(db: Database, write_deck: Callable[[str, str], Path]) -> Database:
    from loopdrill.formats.native import read_deck
    from loopdrill.store.decks import sync_deck
    from loopdrill.store.tx import transaction

    deck = read_deck(write_deck(DEMO_DECK, "demo.yaml"))
    with transaction(db):
        sync_deck(db, deck, NOW)
    return db


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "loopdrill.db"
    monkeypatch.setenv("LOOPDRILL_DB", str(path))
    monkeypatch.setenv("LOOPDRILL_NOW", NOW.isoformat())
    return path
