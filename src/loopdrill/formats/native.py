"""The native YAML deck format (DESIGN.md section 5): read a file into a checked DeckSpec."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import yaml

from loopdrill.core.cards import (
    DECK_SLUG,
    NOTE,
    NOTE_EXTRAS,
    check_self_graded,
    expand,
    valid_item_id,
)
from loopdrill.core.graded_kinds import validate_fields
from loopdrill.core.model import KINDS, DeckError, DeckSpec, Item, Problem
from loopdrill.core.options import OptionError, parse_option
from loopdrill.formats.batch import decode_text, read_bytes
from loopdrill.formats.yaml_load import load_yaml

TOP_KEYS = {"deck", "title", "description", "defaults", "options", "items"}
DEFAULT_KEYS = {"tags", "as_of", "source"}
COMMON_KEYS = {"id", "kind", "tags", "source", "as_of"}
KIND_KEYS: dict[str, set[str]] = {
    "basic": {"front", "back", "reversible"},
    "cloze": {"text", "extra"},
    "numeric": {"front", "answer", "unit", "tolerance"},
    "choice": {"front", "choices", "answer"},
    "text": {"front", "answer"},
    "calc": {"front", "vars", "answer", "unit", "tolerance"},
    NOTE: {"notetype", "fields", "cards", *NOTE_EXTRAS},  # an Anki note, its cards rendered
}
MAX_BYTES = 20 * 1024 * 1024


def read_deck(path: Path) -> DeckSpec:
    """Read and check one deck file; raise DeckError listing every problem found."""
    raw = read_bytes(path, MAX_BYTES, "a deck file")
    text = decode_text(raw, str(path))
    return parse_deck(text, str(path), content_hash=hashlib.sha256(raw).hexdigest())


def parse_deck(text: str, name: str = "<deck>", content_hash: str = "") -> DeckSpec:
    """Parse deck text; `name` is used in messages and as the deck's origin."""
    data, node = load_yaml(text, name)
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise DeckError([Problem(name, 1, "a deck file is a mapping with deck, title and items")])
    return _Checker(name, node).deck(data, content_hash)


def _key_lines(node: yaml.MappingNode) -> dict[str, int]:
    return {str(k.value): v.start_mark.line + 1 for k, v in node.value}


class _Checker:
    """Walks the parsed document, collecting every problem with its line."""

    def __init__(self, name: str, node: yaml.MappingNode) -> None:
        self.name = name
        self.node = node
        self.lines = _key_lines(node)
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def add(self, line: int, message: str, item: str | None = None) -> None:
        self.problems.append(Problem(self.name, line, message, item))

    def deck(self, data: dict[Any, Any], content_hash: str) -> DeckSpec:
        for key in data:
            if key not in TOP_KEYS:
                self.add(self.lines.get(str(key), 1), f"unknown key `{key}` (expected one of: "
                         + ", ".join(sorted(TOP_KEYS)) + ")")
        slug = data.get("deck")
        if not isinstance(slug, str) or not DECK_SLUG.match(slug):
            self.add(self.lines.get("deck", 1), "`deck` is required: a slug of a-z, 0-9 and -")
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            self.add(self.lines.get("title", 1), "`title` is required and must be text")
        description = data.get("description") or ""
        if not isinstance(description, str):
            self.add(self.lines.get("description", 1), "`description` must be text")
        defaults = self.defaults(data.get("defaults"))
        options = self.options(data.get("options"))
        items = self.items(data.get("items"), defaults)
        if self.problems:
            raise DeckError(self.problems)
        return DeckSpec(
            slug=str(slug), title=str(title).strip(), items=tuple(items),
            description=str(description).strip(), options=options,
            origin=self.name + (f"#{content_hash}" if content_hash else ""),
            warnings=tuple(self.warnings),
        )

    def defaults(self, raw: Any) -> dict[str, Any]:
        line = self.lines.get("defaults", 1)
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.add(line, "`defaults` must be a mapping")
            return {}
        for key in raw:
            if key not in DEFAULT_KEYS:
                self.add(line, f"unknown key `{key}` in defaults (expected tags, as_of or source)")
        return self.common(raw, line, None)

    def options(self, raw: Any) -> dict[str, Any]:
        line = self.lines.get("options", 1)
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.add(line, "`options` must be a mapping")
            return {}
        out = {}
        for key, value in raw.items():
            try:
                parse_option(str(key), value)
                out[str(key)] = value
            except OptionError as exc:
                self.add(line, str(exc))
        return out

    def common(self, raw: dict[Any, Any], line: int, item: str | None) -> dict[str, Any]:
        """Check tags, source and as_of, which items and defaults share."""
        out: dict[str, Any] = {}
        if "tags" in raw:
            tags = raw["tags"]
            if isinstance(tags, str):
                tags = tags.split()
            if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
                self.add(line, "`tags` must be a list of words", item)
            elif any(" " in t for t in tags):
                self.add(line, "a tag cannot contain spaces", item)
            else:
                out["tags"] = tuple(tags)
        if "source" in raw:
            source = raw["source"]
            if not isinstance(source, str) or not source.startswith(("http://", "https://")):
                self.add(line, "`source` must be an http(s) URL", item)
            else:
                out["source"] = source
        if "as_of" in raw:
            as_of = raw["as_of"]
            if isinstance(as_of, dt.datetime):
                as_of = as_of.date()
            if not isinstance(as_of, dt.date):
                self.add(line, "`as_of` must be a date like 2026-07-28", item)
            else:
                out["as_of"] = as_of
        return out

    def items(self, raw: Any, defaults: dict[str, Any]) -> list[Item]:
        line = self.lines.get("items", 1)
        if not isinstance(raw, list) or not raw:
            self.add(line, "`items` is required: a list of cards")
            return []
        # the last `items` wins, as in the constructed mapping (a key may be written twice)
        item_nodes = [v for k, v in self.node.value if k.value == "items"][-1].value
        seen: dict[str, int] = {}
        items: list[Item] = []
        for entry, node in zip(raw, item_nodes, strict=True):
            item = self.item(entry, node, defaults, seen)
            if item is not None:
                items.append(item)
        if not self.problems:
            self.unique_cards(items)
        return items

    def unique_cards(self, items: list[Item]) -> None:
        """Two items must not give one card id (`a` reversible and `a:r`)."""
        given: dict[str, Item] = {}
        for item in items:
            for card in expand(item, "deck"):
                first = given.setdefault(card.id, item)
                if first is not item:
                    self.add(item.line, f"gives the card id {card.id[5:]!r}, which item "
                             f"{first.id!r} (line {first.line}) gives too", item.id)

    def item(
        self, entry: Any, node: yaml.Node, defaults: dict[str, Any], seen: dict[str, int]
    ) -> Item | None:
        line = node.start_mark.line + 1
        if not isinstance(entry, dict) or not isinstance(node, yaml.MappingNode):
            self.add(line, "each item must be a mapping with an id")
            return None
        lines = _key_lines(node)
        item_id = entry.get("id")
        if not valid_item_id(item_id):
            self.add(line, "`id` is required: text without control characters")
            return None
        assert isinstance(item_id, str)
        if item_id in seen:
            self.add(line, f"duplicate id (first used on line {seen[item_id]})", item_id)
            return None
        seen[item_id] = line
        kind = entry.get("kind", "basic")
        if not isinstance(kind, str) or kind not in KIND_KEYS:
            shown = kind if isinstance(kind, str) else type(kind).__name__
            self.add(lines.get("kind", line), f"unknown kind {shown[:60]!r} (expected one of: "
                     + ", ".join(KINDS) + ")", item_id)
            return None
        allowed = COMMON_KEYS | KIND_KEYS[kind]
        for key in entry:
            if key not in allowed:
                self.add(lines.get(str(key), line), f"unknown key `{key}` for a {kind} item",
                         item_id)
        common = {**defaults, **self.common(entry, line, item_id)}
        fields = {k: v for k, v in entry.items() if k in KIND_KEYS[kind]}
        built = Item(
            id=item_id, kind=kind, fields=fields, tags=common.get("tags", ()),
            source=common.get("source"), as_of=common.get("as_of"), line=line,
        )
        for message in check_fields(built):
            self.add(line, message, item_id)
        return built


def check_fields(item: Item) -> list[str]:
    """Problems with an item's kind-specific fields."""
    if item.kind in ("basic", "cloze"):
        return check_self_graded(item)
    if item.kind == NOTE:
        return _check_note(item.fields)
    return validate_fields(item.kind, item.fields)


def _check_note(fields: dict[str, Any]) -> list[str]:
    """An Anki note (kind anki): its note type, its fields and its rendered cards."""
    problems = []
    if not isinstance(fields.get("notetype"), str):
        problems.append("`notetype` is required and must be text")
    values = fields.get("fields")
    if not isinstance(values, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                               for k, v in values.items()):
        problems.append("`fields` is required: a mapping of field names to text")
    if "model" in fields and not isinstance(fields["model"], dict):
        problems.append("`model` must be a mapping (the note type: id, css, templates)")
    mod = fields.get("mod")
    if mod is not None and not (isinstance(mod, list) and len(mod) == 2
                                and isinstance(mod[0], int) and isinstance(mod[1], str)):
        problems.append("`mod` must be [Anki's time of the note, a digest of its fields]")
    cards = fields.get("cards")
    if not isinstance(cards, list) or not cards:
        return [*problems, "`cards` is required: a list of cards, each with variant and kind"]
    variants: set[str] = set()
    for number, card in enumerate(cards, start=1):
        where = f"card {number}: "
        if not isinstance(card, dict) or not isinstance(card.get("variant"), str) \
                or card.get("kind") not in KINDS:
            problems.append(where + "needs `variant` (text) and `kind` (one of "
                            + ", ".join(KINDS) + ")")
            continue
        if card["variant"] in variants:
            problems.append(where + f"variant {card['variant']!r} is used twice")
        variants.add(card["variant"])
        content = {k: v for k, v in card.items() if k not in ("variant", "kind")}
        if card["kind"] == "cloze" and not isinstance(content.get("ord"), int):
            problems.append(where + "a cloze card needs `ord`, the cloze number")
        inner = Item("", card["kind"], content)
        problems += [where + p for p in (check_self_graded(inner) if card["kind"] in
                                         ("basic", "cloze") else
                                         validate_fields(card["kind"], content))]
    return problems
