"""Nothing left behind by a killed loopdrill: child processes that die with their parent,
scratch folders that the next run sweeps when their owner was killed, and termination
signals that unwind (so `finally` blocks stop children and remove scratch folders)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType


def die_with_parent() -> None:
    """In a child process: be killed when the parent dies, even by SIGKILL (Linux; elsewhere
    the parent's own cleanup stops it). Exits at once if the parent is already gone."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent or parent == 1:
        os._exit(1)


def unwind_on_termination() -> None:
    """SIGTERM and SIGHUP raise SystemExit in the main thread instead of ending the process on
    the spot, so context managers run: a subprocess is stopped, a scratch folder removed, a
    transaction rolled back."""

    def leave(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            with contextlib.suppress(ValueError, OSError):  # not the main thread
                signal.signal(getattr(signal, name), leave)


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A temporary folder, removed after; named after this process so that a later run can
    remove those whose process was killed before it could (`prefix` like 'loopdrill-apkg-')."""
    sweep(prefix)
    with tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-") as folder:
        yield Path(folder)


def sweep(prefix: str) -> int:
    """Remove the scratch folders of `prefix` whose process is gone; how many."""
    removed = 0
    if os.name == "nt":  # os.kill(pid, 0) would end the process there
        return removed
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*-*"):
        pid = folder.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True
