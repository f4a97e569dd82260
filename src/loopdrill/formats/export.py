"""Decks out: native YAML, Anki-importable TSV with file headers, and JSON for scripts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from collections.abc import Sequence
from typing import Any

import yaml

from loopdrill.core.graded_kinds import prepare
from loopdrill.core.model import DeckSpec, Item

ANKI_NOTETYPES = {"basic": "Basic", "reversed": "Basic (and reversed card)", "cloze": "Cloze"}


def item_mapping(item: Item) -> dict[str, Any]:
    """An item as the native format writes it."""
    out: dict[str, Any] = {"id": item.id}
    if item.kind != "basic":
        out["kind"] = item.kind
    out.update(item.fields)
    if item.tags:
        out["tags"] = list(item.tags)
    if item.source:
        out["source"] = item.source
    if item.as_of:
        out["as_of"] = item.as_of
    return out


def deck_to_yaml(deck: DeckSpec) -> str:
    """A deck in the native format; importing it gives back the same cards."""
    doc: dict[str, Any] = {"deck": deck.slug, "title": deck.title}
    if deck.description:
        doc["description"] = deck.description
    if deck.options:
        doc["options"] = dict(deck.options)
    doc["items"] = [item_mapping(item) for item in deck.items]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def item_document(slug: str, title: str, item: Item) -> str:
    """One item as a deck file of its own (what `loopdrill edit` opens)."""
    mapping = item_mapping(item)
    first = [k for k in ("id", "kind", "front", "back", "text") if k in mapping]
    ordered = {k: mapping[k] for k in first} | {k: mapping[k] for k in mapping if k not in first}
    doc = {"deck": slug, "title": title, "items": [ordered]}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10_000)


def item_digest(item: Item) -> str:
    """A digest of what an item says (not where it stands in its file)."""
    text = json.dumps(item_mapping(item), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _anki_row(item: Item, deck: str) -> list[str]:
    """Front/Text, Back/Extra, tags, deck, note type, guid for one item."""
    tags = " ".join(item.tags)
    if item.kind == "cloze":
        return [str(item.fields["text"]), str(item.fields.get("extra", "")), tags, deck,
                ANKI_NOTETYPES["cloze"], item.id]
    if item.kind == "basic":
        notetype = ANKI_NOTETYPES["reversed" if item.fields.get("reversible") else "basic"]
        return [str(item.fields["front"]), str(item.fields["back"]), tags, deck, notetype,
                item.id]
    content = dict(item.fields)
    front = str(content.get("front", item.id))
    answer = content.get("answer")
    back = ", ".join(map(str, answer)) if isinstance(answer, list) else str(answer)
    if item.kind == "choice":  # the options on the front, lettered as the drill letters them
        front += "\n" + "\n".join(f"{chr(97 + n)}) {c}"
                                  for n, c in enumerate(content.get("choices", ())))
    elif item.kind == "calc":  # one drawn instance: Anki cannot draw numbers each review
        prompt = prepare("calc", content, random.Random(item.id))
        front, back = prompt.front, f"{prompt.expected:.6g}"
    if content.get("unit") and item.kind in ("numeric", "calc"):
        back = f"{back} {content['unit']}"
    return [front, back, tags, deck, ANKI_NOTETYPES["basic"], item.id]


def decks_to_tsv(decks: Sequence[DeckSpec]) -> str:
    """Anki's text format with file headers, so Anki itself (and loopdrill) imports it.

    Auto-graded kinds become Basic notes whose back is the expected answer.
    """
    out = io.StringIO()
    out.write("#separator:tab\n#html:false\n#columns:Front\tBack\tTags\tDeck\tNotetype\tGUID\n"
              "#tags column:3\n#deck column:4\n#notetype column:5\n#guid column:6\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for deck in decks:
        for item in deck.items:
            writer.writerow(_anki_row(item, deck.slug))
    return out.getvalue()
