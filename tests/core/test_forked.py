"""Work in a forked child: results in order, failures reported, no fork beside threads."""

from __future__ import annotations

import os
import threading

import pytest

from loopdrill.core import forked as forked_module
from loopdrill.core.forked import ForkedError, can_fork, forked, forked_items


def test_items_come_back_in_order_from_another_process() -> None:
    assert can_fork()
    parent = os.getpid()

    def work() -> list[tuple[int, str, float, None]]:
        return [(os.getpid(), "x" * i, i / 3, None) for i in range(1, 2000)]

    items = list(forked_items(work)())
    assert [i[1:] for i in items] == [("x" * i, i / 3, None) for i in range(1, 2000)]
    assert {i[0] for i in items} != {parent}
    assert forked(lambda: {"pid": os.getpid(), "values": [1.5, None]})()["values"] == [1.5, None]


def test_a_failing_child_is_an_error() -> None:
    def work() -> list[int]:
        raise ValueError("boom")

    with pytest.raises(ForkedError, match="second process failed"):
        list(forked_items(work)())


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
