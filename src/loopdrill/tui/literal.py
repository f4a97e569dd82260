"""User text for Rich and Textual: always literal (never markup) and free of control
characters, whatever a deck or an old database holds."""

from __future__ import annotations

from rich.text import Text

from loopdrill.core.text import clean


def literal(value: object, style: str = "") -> Text:
    """`value` as text shown exactly as written: `[/]` is two brackets and a slash."""
    return Text(clean(str(value)), style=style)
