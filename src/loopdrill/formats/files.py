"""Reading an input file, with one clear problem for each way it can fail."""

from __future__ import annotations

from pathlib import Path

from loopdrill.core.model import DeckError, Problem


def read_input(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; DeckError naming the file when it is missing, a directory,
    unreadable or larger than `max_bytes` (checked before reading it)."""
    name = str(path)
    try:
        if path.stat().st_size > max_bytes:
            raise DeckError([Problem(name, 0, f"larger than {max_bytes // 2**20} MB")])
        return path.read_bytes()
    except FileNotFoundError:
        raise DeckError([Problem(name, 0, "no such file")]) from None
    except IsADirectoryError:
        raise DeckError([Problem(name, 0, "is a directory, not a file")]) from None
    except OSError as exc:
        raise DeckError([Problem(name, 0, f"cannot read it ({exc.strerror})")]) from None


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark is dropped); DeckError with the line of the first bad
    byte otherwise."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DeckError([Problem(name, line, "not UTF-8 text")]) from None
