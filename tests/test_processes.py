"""A killed loopdrill leaves nothing behind: no child process, no scratch folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from loopdrill.processes import scratch_dir, sweep

PARENT = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c",
    "from loopdrill.processes import die_with_parent; die_with_parent(); "
    "import time; print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
child.stdout.readline()
print(child.pid, flush=True)
child.wait()
"""


def gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for init counts as gone
            if stat.read().split(") ")[1].startswith("Z"):
                return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_dies_with_its_parent_even_on_sigkill() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert gone(child)


UNWINDING = """
import time
from loopdrill.processes import scratch_dir, unwind_on_termination
unwind_on_termination()
with scratch_dir("loopdrill-test-") as folder:
    print(folder, flush=True)
    time.sleep(60)
"""


def test_sigterm_unwinds_and_removes_the_scratch_folder() -> None:
    proc = subprocess.Popen([sys.executable, "-c", UNWINDING], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    folder = Path(proc.stdout.readline().strip())
    assert folder.is_dir() and folder.name.startswith(f"loopdrill-test-{proc.pid}-")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 128 + signal.SIGTERM
    assert not folder.exists()


def test_the_next_run_sweeps_the_folders_of_killed_runs() -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    base = Path(tempfile.gettempdir())
    orphan = base / f"loopdrill-sweep-{dead.pid}-abc"
    orphan.mkdir()
    (orphan / "collection.sqlite").write_bytes(b"x" * 100)
    live = base / f"loopdrill-sweep-{os.getppid()}-def"  # a process still running
    live.mkdir()
    try:
        with scratch_dir("loopdrill-sweep-") as mine:
            assert mine.is_dir()
            assert not orphan.exists() and live.exists()
            assert sweep("loopdrill-sweep-") == 0  # this run's own folder stays
        assert not mine.exists()
    finally:
        live.rmdir()
