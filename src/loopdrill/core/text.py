"""Text from strangers made safe to keep and to show: no control characters.

A deck, a package or a database may hold escape sequences (`\\x1b]2;title\\x07` renames the
terminal, `\\x1b[2J` clears it). `clean` removes every C0 and C1 control character and DEL but
keeps tab and newline; the importer calls it on the way in (`clean_deck`) and every screen,
table and line of output calls it on the way out (a database written before this existed may
hold them)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from loopdrill.core.model import DeckSpec

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_SHOWN = 200
# bold, as Anki's HTML marks it (<b>, <strong>), kept in card text **like this**
# (formats.html_text); the drill shows it bold. Within a line, no space inside the marks, so
# `2 ** 10` stays as written.
BOLD = re.compile(r"\*\*(?=\S)([^\n]*?\S)\*\*")


def unbold(text: str) -> str:
    """`text` without its bold marks (`**x**` -> `x`)."""
    return BOLD.sub(r"\1", text) if "**" in text else text


def clean(text: str) -> str:
    """`text` without control characters (tab and newline stay)."""
    if CONTROL.search(text) is None:  # the usual case: no new string
        return text
    return CONTROL.sub("", text)


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """A value as a message may quote it: repr'd, cleaned and cut to `limit` characters, so a
    huge or hostile value never makes a huge or hostile message."""
    if isinstance(value, str):
        text = repr(value[: limit + 1])
    elif isinstance(value, bool | float) or value is None:
        text = repr(value)
    elif isinstance(value, int):
        text = repr(value) if abs(value) < 10**limit else "a number too long to show"
    else:
        text = f"a {type(value).__name__}"
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_value(value: Any) -> Any:
    """A value read from a deck with every string in it cleaned (lists and mappings too)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list | tuple):
        return type(value)(clean_value(v) for v in value)
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    return value


def _dirty(value: Any) -> bool:
    """Whether any string in `value` holds a control character."""
    if isinstance(value, str):
        return CONTROL.search(value) is not None
    if isinstance(value, list | tuple):
        return any(_dirty(v) for v in value)
    if isinstance(value, dict):
        return any(_dirty(k) or _dirty(v) for k, v in value.items())
    return False


def clean_deck(spec: DeckSpec) -> DeckSpec:
    """The deck with control characters removed from its title, description and every
    item's text, tags and source (ids are left alone: progress and history follow them)."""
    items = []
    for item in spec.items:
        if not _dirty((item.fields, item.tags, item.source)):
            items.append(item)
            continue
        tags = tuple(t for t in map(clean, item.tags) if t)
        items.append(item._replace(fields=clean_value(item.fields), tags=tags,
                                   source=None if item.source is None else clean(item.source)))
    return replace(spec, title=clean(spec.title), items=tuple(items),
                   description=clean(spec.description))
