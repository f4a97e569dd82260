"""Text from strangers made safe to keep and to show: no control characters.

A deck, a package or a database may hold escape sequences (`\\x1b]2;title\\x07` renames the
terminal, `\\x1b[2J` clears it). `clean` removes every C0 and C1 control character and DEL but
keeps tab and newline; readers call it on the way in and every screen, table and line of
output calls it on the way out (a database written before this existed may hold them)."""

from __future__ import annotations

CONTROLS = frozenset(range(0x20)) - {0x09, 0x0A} | {0x7F} | frozenset(range(0x80, 0xA0))
_DROP = dict.fromkeys(CONTROLS)
MAX_SHOWN = 200


def clean(text: str) -> str:
    """`text` without control characters (tab and newline stay)."""
    return text.translate(_DROP)


def has_controls(text: str) -> bool:
    """Whether `text` holds a character `clean` would remove."""
    return any(ord(ch) in CONTROLS for ch in text)


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """A value as a message may quote it: repr'd, cleaned and cut to `limit` characters, so a
    huge or hostile value never makes a huge or hostile message."""
    if isinstance(value, str):
        text = repr(value[: limit + 1])
    elif isinstance(value, int | float | bool) or value is None:
        text = repr(value) if not isinstance(value, int) or abs(value) < 10**limit \
            else "a very long number"
    else:
        text = f"a {type(value).__name__}"
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
