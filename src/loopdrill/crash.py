"""An unexpected error: its traceback goes to a log file and the user gets one sentence."""

from __future__ import annotations

import datetime as dt
import traceback

from loopdrill import __version__, paths
from loopdrill.core.text import clean

MAX_REASON = 200


class Crashed(Exception):
    """The TUI stopped on an error it printed as `trace` (Textual catches its own errors)."""

    def __init__(self, trace: str) -> None:
        last = next((line for line in reversed(trace.splitlines()) if line.strip()), "")
        super().__init__(last.strip() or "the full-screen drill stopped")
        self.trace = trace


def reason(exc: BaseException) -> str:
    """What went wrong, in a few words: the error's type and its first line, cut short."""
    if isinstance(exc, Crashed):
        text = str(exc)
    else:
        message = str(exc).strip().splitlines()
        text = f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
    text = clean(text)
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def report(exc: BaseException) -> str:
    """Write `exc`'s traceback to the error log; the sentence to print instead of it."""
    trace = exc.trace if isinstance(exc, Crashed) else "".join(traceback.format_exception(exc))
    log = paths.error_log()
    what = f"loopdrill stopped on an unexpected error ({reason(exc)})"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(f"loopdrill {__version__} at {dt.datetime.now(dt.UTC).isoformat()}\n"
                       f"{trace}", encoding="utf-8", errors="replace")
    except OSError:
        return f"{what}; run it again with --debug to see where"
    return f"{what}; the details are in {log} (or run it again with --debug)"
