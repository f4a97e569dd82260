"""The `loopdrill` script. `loopdrill status` is answered here without loading the command
line (click, sqlite-utils and the services take 0.25 s to import), so that a shell prompt
or a tmux status bar can run it on every redraw; anything else goes to loopdrill.cli."""

from __future__ import annotations

import os
import sys


def _status_args(args: list[str]) -> dict[str, str] | None:
    """--db, --format and --quiet of a plain `status` call, or None for anything else
    (--help, a mistake: click explains those)."""
    found: dict[str, str] = {}
    seen_command = False
    at = 0
    while at < len(args):
        arg = args[at]
        name, eq, value = arg.partition("=")
        if arg == "status" and not seen_command:
            seen_command = True
        elif name in ("--db", "--format") and (eq or at + 1 < len(args)):
            if not eq:
                at += 1
                value = args[at]
            if name == "--format" and not seen_command:
                return None
            found[name[2:]] = value
        elif arg in ("--quiet", "-q") and seen_command:
            found["quiet"] = "1"
        else:
            return None
        at += 1
    return found if seen_command else None


def _database(given: str | None) -> str:
    """paths.database without loading pathlib and platformdirs (35 ms) on Linux, where the
    user data directory is $XDG_DATA_HOME or ~/.local/share."""
    chosen = given or os.environ.get("LOOPDRILL_DB")
    if chosen:
        return os.path.expanduser(chosen)
    if sys.platform != "linux":
        from loopdrill.paths import database

        return str(database())
    base = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
    return os.path.join(base, "loopdrill", "loopdrill.db")


def status(args: dict[str, str]) -> int:
    """Print the status line; the exit code."""
    from loopdrill.clock import ClockError, now
    from loopdrill.services.status import DEFAULT_FORMAT, FormatError, status_line

    try:
        line = status_line(_database(args.get("db")), now(),
                           args.get("format", DEFAULT_FORMAT), bool(args.get("quiet")))
    except (ClockError, FormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if line is not None:
        print(line)
    return 0


def main() -> None:
    """Entry point of the `loopdrill` script and `python -m loopdrill`."""
    fast = _status_args(sys.argv[1:])
    if fast is not None:
        sys.exit(status(fast))
    load_sqlite_utils_without_numpy()
    from loopdrill.cli import main as cli_main

    cli_main()


def load_sqlite_utils_without_numpy() -> None:
    """Load sqlite-utils without its optional numpy column types: it imports numpy whenever
    numpy is installed (about 0.1 s and 17 MB in every process), and loopdrill never hands
    numpy values to sqlite-utils; the history import loads numpy itself when it runs."""
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]  # import numpy -> ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]
