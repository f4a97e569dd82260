"""Work on a second core: a forked child computes while this process goes on.

Used where pure-Python work splits in two (the optimizer's evaluation, a big import's
replay). The child only computes and appends what it yields, with `marshal` (plain values:
numbers, strings, tuples, lists, dicts) and a length in front, to an unnamed temporary file;
this process reads each item as soon as it is complete (with pread, so the shared file
offset stays the child's), so neither holds all of it at once. The child touches nothing
else it inherited and leaves with os._exit. Forking is only done where it is safe: the
platform has fork and this process runs no other thread (a Textual worker thread, for
instance); elsewhere the work runs when its results are asked for.
"""

from __future__ import annotations

import marshal
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from loopdrill.processes import die_with_parent

HEADER = 8  # bytes of length before each item


class ForkedError(RuntimeError):
    """The child failed or was killed; its work is lost."""


def can_fork() -> bool:
    """Whether forking is safe here."""
    return hasattr(os, "fork") and threading.active_count() == 1


class ForkedItems:
    """What a child yields, read while it works (`ready`) and after it ends (`rest`)."""

    def __init__(self, work: Callable[[], Iterable[Any]]) -> None:
        self.work = work
        self.pid = 0
        self.position = 0
        self.spool: Any = None
        if can_fork():
            self._start()

    def _start(self) -> None:
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by rest)
        self.pid = os.fork()
        if self.pid == 0:  # the child: compute, append, leave without the parent's cleanup
            code = 1
            try:
                die_with_parent()  # a killed parent leaves no child computing
                fd = self.spool.fileno()
                for item in self.work():
                    data = marshal.dumps(item)
                    view = memoryview(len(data).to_bytes(HEADER, "little") + data)
                    while view:
                        view = view[os.write(fd, view):]
                code = 0
            finally:
                os._exit(code)

    def ready(self) -> Iterator[Any]:
        """The items the child has finished writing so far (none where it runs here)."""
        if self.spool is None:
            return
        fd = self.spool.fileno()
        size = os.fstat(fd).st_size
        while self.position + HEADER <= size:
            length = int.from_bytes(os.pread(fd, HEADER, self.position), "little")
            if self.position + HEADER + length > size:
                return
            data = os.pread(fd, length, self.position + HEADER)
            self.position += HEADER + length
            yield marshal.loads(data)

    def rest(self) -> Iterator[Any]:
        """Wait for the child and yield the items not read yet (ForkedError when it failed);
        where no child was started, do the work here."""
        if self.spool is None:
            yield from self.work()
            return
        try:
            _, status = os.waitpid(self.pid, 0)
            if status != 0:
                raise ForkedError(f"the second process failed (wait status {status})")
            yield from self.ready()
        finally:
            self.spool.close()


def forked(work: Callable[[], Any]) -> Callable[[], Any]:
    """Start `work` in a child when safe; the returned function waits for and returns its
    result."""
    items = ForkedItems(lambda: [work()])
    return lambda: next(iter(list(items.rest())))
