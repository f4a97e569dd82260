"""Work in a forked child: results in order, failures reported, no fork beside threads."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from loopdrill.engine import forked as forked_module
from loopdrill.engine.forked import ForkedError, ForkedItems, can_fork, forked


def test_items_come_back_in_order_from_another_process() -> None:
    assert can_fork()
    parent = os.getpid()

    def work() -> list[tuple[int, str, float, None]]:
        return [(os.getpid(), "x" * i, i / 3, None) for i in range(1, 2000)]

    items = list(ForkedItems(work).rest())
    assert [i[1:] for i in items] == [("x" * i, i / 3, None) for i in range(1, 2000)]
    assert {i[0] for i in items} != {parent}
    assert forked(lambda: {"pid": os.getpid(), "values": [1.5, None]})()["values"] == [1.5, None]


def test_a_failing_child_is_an_error() -> None:
    def work() -> list[int]:
        raise ValueError("boom")

    with pytest.raises(ForkedError, match="second process failed"):
        list(ForkedItems(work).rest())


def test_beside_another_thread_the_work_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
        monkeypatch.setattr(forked_module.os, "fork", lambda: pytest.fail("forked"))
        assert forked(os.getpid)() == os.getpid()
    finally:
        stop.set()
        thread.join()


def test_items_are_read_while_the_child_still_works(tmp_path: Path) -> None:
    flag = tmp_path / "go-on"

    def work() -> Iterator[str]:
        yield "first"
        deadline = time.monotonic() + 10
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        yield "second"

    items = ForkedItems(work)
    early: list[str] = []
    deadline = time.monotonic() + 10
    while not early and time.monotonic() < deadline:
        early += items.ready()
        time.sleep(0.01)
    assert early == ["first"]
    flag.touch()
    assert list(items.rest()) == ["second"]
