"""loopdrill's own columns in the Anki text files it writes: source, as-of date and the item.

Anki has no file header for them and ignores every column beyond a note type's fields, so
they come after the widest note's fields and are named in the `#columns:` header, where
loopdrill's reader finds them. The item column holds the item as the native format writes it
(kind and fields, and its deck slug) as one line of JSON: importing the file back rebuilds the
very item, of the same kind, where the fields Anki shows (a choice's options on the front, one
drawn calc instance) could not.
"""

from __future__ import annotations

import datetime as dt
import json

from loopdrill.core.cards import DECK_SLUG
from loopdrill.core.model import Item
from loopdrill.formats.native import KIND_KEYS, check_fields

SOURCE, AS_OF, ITEM = "loopdrill source", "loopdrill as_of", "loopdrill item"
LOOPDRILL_COLUMNS = (SOURCE, AS_OF, ITEM)
COMMON = ("id", "tags", "source", "as_of")


def item_cell(mapping: dict[str, object], slug: str) -> str:
    """The item column of an item written as `mapping` (formats.export.item_mapping)."""
    kept = {k: v for k, v in mapping.items() if k not in COMMON}
    return json.dumps({"deck": slug, **kept}, ensure_ascii=False, default=str)


def read_item_cell(cell: str, item_id: str) -> tuple[str, Item] | str:
    """(deck slug, item without tags, source or as-of) from an item column, or what is wrong
    with it, in one sentence."""
    try:
        data = json.loads(cell)
    except json.JSONDecodeError as exc:
        return f"the {ITEM} column is not JSON ({exc.msg}, character {exc.pos + 1})"
    if not isinstance(data, dict):
        return f"the {ITEM} column is not a JSON object"
    slug, kind = data.pop("deck", None), data.pop("kind", "basic")
    if not isinstance(slug, str) or not DECK_SLUG.match(slug):
        return f"the {ITEM} column has no valid `deck` (a deck slug such as languages::verbs)"
    if not isinstance(kind, str) or kind not in KIND_KEYS:
        return f"the {ITEM} column has an unknown kind {str(kind)[:40]!r}"
    unknown = sorted(str(k) for k in data if k not in KIND_KEYS[kind])
    if unknown:
        return f"the {ITEM} column has key(s) a {kind} item does not take: {', '.join(unknown)}"
    item = Item(item_id, kind, data)
    problems = check_fields(item)
    if problems:
        return f"the {ITEM} column: " + "; ".join(problems)
    return slug, item


def read_as_of(cell: str) -> dt.date | str | None:
    """The as-of date of an as-of column (None when empty), or what is wrong with it."""
    text = cell.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return f"the {AS_OF} column holds {text[:40]!r}, not a date (YYYY-MM-DD)"
