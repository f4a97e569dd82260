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

from loopdrill.core.cards import NOTE
from loopdrill.core.graded_kinds import prepare
from loopdrill.core.model import DeckSpec, Item
from loopdrill.formats.html_text import media_to_html
from loopdrill.formats.loopdrill_columns import LOOPDRILL_COLUMNS, item_cell

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


def anki_faces(item: Item) -> tuple[str, str]:
    """The front and back (plain text) Anki can show for a loopdrill item of any kind but
    `anki`: a cloze's text and extra, a choice's options lettered on the front as the drill
    letters them, one drawn instance of a calc card (values drawn with the item id as seed:
    Anki cannot draw numbers at each review), the expected answer (and unit) on the back."""
    content = item.fields
    if item.kind == "cloze":
        return str(content["text"]), str(content.get("extra", ""))
    front = str(content.get("front", item.id))
    if item.kind == "basic":
        return front, str(content["back"])
    answer = content.get("answer")
    back = ", ".join(map(str, answer)) if isinstance(answer, list) else str(answer)
    if item.kind == "choice":
        front += "\n" + "\n".join(f"{chr(97 + n)}) {c}"
                                   for n, c in enumerate(content.get("choices", ())))
    elif item.kind == "calc":
        prompt = prepare("calc", content, random.Random(item.id))
        front, back = prompt.front, f"{prompt.expected:.6g}"
    if content.get("unit") and item.kind in ("numeric", "calc"):
        back = f"{back} {content['unit']}"
    return front, back


def anki_guid(item: Item, slug: str) -> str:
    """The guid of an item's note in Anki, the same in a text file and in a package: a note
    that came from Anki keeps its own; loopdrill's items are named by deck and id, as their
    cards are (an id is unique in its deck only, and Anki matches notes by guid across the
    whole collection). item_id_of_guid reads it back."""
    return item.id if item.kind == NOTE else f"{slug}/{item.id}"


def item_id_of_guid(guid: str, kind: str, slug: str) -> str:
    """The item id in the guid anki_guid gave an item of deck `slug`: the guid itself for a
    note that came from Anki, and for a file written before guids named the deck."""
    return guid if kind == NOTE else guid.removeprefix(f"{slug}/") or guid


def anki_deck_names(decks: Sequence[DeckSpec]) -> dict[str, str]:
    """Each deck's name as Anki shows it: its title path (`Languages::Spanish::Verbs`). A
    title that is already a path is kept; a child deck's title goes under its parent's name
    (the parent's slug level when the parent is not among `decks`)."""
    titles = {d.slug: d.title for d in decks}
    names: dict[str, str] = {}

    def name(slug: str) -> str:
        if slug not in names:
            title = titles.get(slug) or slug.rsplit("::", 1)[-1]
            parent = slug.rpartition("::")[0]
            names[slug] = title if "::" in title or not parent else f"{name(parent)}::{title}"
        return names[slug]

    return {d.slug: name(d.slug) for d in decks}


def _html(text: str) -> str:
    """Plain text as an HTML field (the file says #html:true, for Anki's own notes), its
    media named as Anki names them."""
    return media_to_html(text).replace("\n", "<br>")


def anki_note_fields(item: Item) -> tuple[str, list[str]]:
    """The note type and HTML fields Anki gets for an item: a note that came from Anki gets
    its own note type and raw fields back, unchanged, so Anki finds nothing to update."""
    if item.kind == NOTE:
        note = item.fields
        return str(note.get("notetype", "")), [str(v) for v in note.get("fields", {}).values()]
    notetype = "cloze" if item.kind == "cloze" else "reversed" if item.kind == "basic" and \
        item.fields.get("reversible") else "basic"
    return ANKI_NOTETYPES[notetype], [_html(face) for face in anki_faces(item)]


def decks_to_tsv(decks: Sequence[DeckSpec]) -> str:
    """Anki's text format with file headers, so Anki itself (and loopdrill) imports it.

    Columns: GUID, note type, deck (Anki's name for it), tags, the note's fields, then
    loopdrill's own: source, as-of date and the item (formats.loopdrill_columns). Notes that came
    from Anki keep their guid, note type and raw fields; loopdrill's kinds become Basic,
    Basic (and reversed card) or Cloze notes showing `anki_faces`.
    """
    names = anki_deck_names(decks)
    rows = []
    for deck in decks:
        for item in deck.items:
            notetype, fields = anki_note_fields(item)
            rows.append(([anki_guid(item, deck.slug), notetype, names[deck.slug],
                          " ".join(item.tags)], fields,
                         [item.source or "", item.as_of.isoformat() if item.as_of else "",
                          item_cell(item_mapping(item), deck.slug)]))
    width = max([2, *(len(fields) for _, fields, _ in rows)])
    labels = ["GUID", "Notetype", "Deck", "Tags",
              *(f"Field {n}" for n in range(1, width + 1)), *LOOPDRILL_COLUMNS]
    out = io.StringIO()
    out.write("#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n"
              "#deck column:3\n#tags column:4\n#columns:" + "\t".join(labels) + "\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for meta, fields, ours in rows:
        line = meta + fields + [""] * (width - len(fields)) + ours
        if line[0].startswith("#"):  # Anki reads a line starting with # as a comment
            out.write('"' + line[0].replace('"', '""') + '"\t')
            writer.writerow(line[1:])
        else:
            writer.writerow(line)
    return out.getvalue()
