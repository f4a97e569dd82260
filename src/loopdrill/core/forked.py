"""Work on a second core: a forked child computes while this process goes on.

Used where pure-Python work splits in two (the optimizer's evaluation, a big import's
replay). The child only computes and writes what it yields, with `marshal` (plain values:
numbers, strings, tuples, lists, dicts), to an unnamed temporary file, one item after the
other, so neither process holds all of it at once; it touches nothing else it inherited and
leaves with os._exit. Forking is only done where it is safe: the platform has fork and this
process runs no other thread (a Textual worker thread, for instance); elsewhere the work runs
when its results are asked for.
"""

from __future__ import annotations

import marshal
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any


class ForkedError(RuntimeError):
    """The child failed or was killed; its work is lost."""


def can_fork() -> bool:
    """Whether forking is safe here."""
    return hasattr(os, "fork") and threading.active_count() == 1


def forked_items(work: Callable[[], Iterable[Any]]) -> Callable[[], Iterator[Any]]:
    """Start `work` in a forked child when safe. The returned function waits for the child
    and yields what `work` yielded, in order (ForkedError when the child failed); call it
    once and read it to the end. Where forking is not safe, it runs `work` itself."""
    if not can_fork():
        return lambda: iter(work())
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the items are read)
    pid = os.fork()
    if pid == 0:  # the child: compute, write, leave without the parent's cleanup
        code = 1
        try:
            with open(spool.fileno(), "wb", closefd=False) as out:
                for item in work():
                    data = marshal.dumps(item)
                    out.write(len(data).to_bytes(8, "little"))
                    out.write(data)
            code = 0
        finally:
            os._exit(code)

    def items() -> Iterator[Any]:
        try:
            _, status = os.waitpid(pid, 0)
            if status != 0:
                raise ForkedError(f"the second process failed (wait status {status})")
            spool.seek(0)
            while size := int.from_bytes(spool.read(8), "little"):
                yield marshal.loads(spool.read(size))
        finally:
            spool.close()

    return items


def forked(work: Callable[[], Any]) -> Callable[[], Any]:
    """forked_items for a single result: the returned function waits for and returns it."""
    items = forked_items(lambda: [work()])
    return lambda: next(iter(list(items())))
