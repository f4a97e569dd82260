"""Items to cards: ids, expansion (reversible, cloze) and the faces of self-graded cards."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from loopdrill.core import cloze
from loopdrill.core.model import SELF_GRADED, CardSpec, Item

# an item id: any text without control characters that is not only spaces (Anki guids such
# as `J>5[0zxcsg` or `N/qbuaE/q%` included); the ids of the built-in decks keep to
# [A-Za-z0-9._-]
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# a deck slug: lowercase words of letters and digits (any script) joined by '-', and levels of
# a deck tree joined by '::' (`languages::spanish::verbs`, `languages::日本語`)
_WORD = r"(?:(?![A-Z_])\w)+"
_PART = rf"{_WORD}(?:-{_WORD})*"
DECK_SLUG = re.compile(rf"^{_PART}(?:::{_PART})*$")
NOTE = "anki"  # an item that is an Anki note: each of its cards rendered from its own template
# what a note from a package also keeps for export: its note type, and Anki's modification time
# of the note with a digest of the fields it had then (formats.anki_notes)
NOTE_EXTRAS = ("model", "mod")


def valid_item_id(value: object) -> bool:
    """Whether `value` can be an item id: text, not blank, no control characters."""
    return isinstance(value, str) and bool(value.strip()) and not CONTROL.search(value)


def card_id(deck: str, item: str, variant: str = "") -> str:
    """`deck/item` for an item's main card, `deck/item:variant` for the others."""
    return f"{deck}/{item}:{variant}" if variant else f"{deck}/{item}"


def cloze_numbers(text: str) -> list[int]:
    """The distinct cloze numbers in a cloze text, ascending (nested and multi-number
    deletions included, as Anki reads them)."""
    return cloze.numbers(text)


def check_self_graded(item: Item) -> list[str]:
    """Problems with a basic or cloze item's fields."""
    fields = item.fields
    problems: list[str] = []
    if item.kind == "basic":
        for key in ("front", "back"):
            value = fields.get(key)
            if not isinstance(value, str | int | float) or not str(value).strip():
                problems.append(f"`{key}` is required and must be text")
        if "reversible" in fields and not isinstance(fields["reversible"], bool):
            problems.append("`reversible` must be true or false")
    elif item.kind == "cloze":
        text = fields.get("text")
        if not isinstance(text, str) or not text.strip():
            problems.append("`text` is required and must be text")
        elif not cloze_numbers(text):
            problems.append("`text` has no cloze like {{c1::answer}}")
        elif any(n == 0 for n in cloze_numbers(text)):
            problems.append("cloze numbers start at c1")
    return problems


def expand(item: Item, deck: str, position: int = 0) -> Iterator[CardSpec]:
    """The cards an item yields: one, two for a reversible basic, one per cloze number."""

    def spec(variant: str, content: dict[str, Any]) -> CardSpec:
        # positional: a 100,000-card import builds one per card
        return CardSpec(card_id(deck, item.id, variant), deck, item.id, variant, item.kind,
                        content, item.tags, item.source, item.as_of, position)

    fields = item.fields
    if item.kind == "basic":
        front, back = str(fields["front"]), str(fields["back"])
        yield CardSpec(f"{deck}/{item.id}", deck, item.id, "", "basic",
                       {"front": front, "back": back}, item.tags, item.source, item.as_of,
                       position)
        if fields.get("reversible"):
            yield spec("r", {"front": back, "back": front})
    elif item.kind == "cloze":
        text = str(fields["text"])
        extra = fields.get("extra")
        for number in cloze_numbers(text):
            content: dict[str, Any] = {"text": text, "ord": number}
            if extra:
                content["extra"] = str(extra)
            yield spec(f"c{number}", content)
    elif item.kind == NOTE:
        yield from _note_cards(item, deck, position)
    else:
        yield spec("", dict(fields))


def _note_cards(item: Item, deck: str, position: int) -> Iterator[CardSpec]:
    """An Anki note's cards, already rendered: `cards` lists each one's variant, kind and
    content; the first card also carries the note (`anki`: note type, fields, the
    fields' order, which the stored JSON, its keys sorted, would lose, and from a package
    NOTE_EXTRAS) for export."""
    values = item.fields.get("fields", {})
    note = {"notetype": item.fields.get("notetype", ""), "fields": values,
            "order": list(values)}
    note.update({k: item.fields[k] for k in NOTE_EXTRAS if k in item.fields})
    for index, card in enumerate(item.fields.get("cards", ())):
        content = {k: v for k, v in card.items() if k not in ("variant", "kind")}
        if index == 0:
            content["anki"] = note
        variant = str(card.get("variant", ""))
        yield CardSpec(card_id(deck, item.id, variant), deck, item.id, variant,
                       str(card.get("kind", "basic")), content, item.tags, item.source,
                       item.as_of, position)


@dataclass(frozen=True)
class Span:
    """A run of text on a card face; `mark` is the part to emphasise (a cloze gap or its answer)."""

    text: str
    mark: bool = False


def front_spans(kind: str, content: dict[str, Any]) -> list[Span]:
    """The question side of a self-graded card."""
    if kind == "cloze":
        return _cloze(content, reveal=False)
    return [Span(str(content.get("front", "")))]


def back_spans(kind: str, content: dict[str, Any]) -> list[Span]:
    """The answer side of a self-graded card."""
    if kind == "cloze":
        spans = _cloze(content, reveal=True)
        if content.get("extra"):
            spans.append(Span("\n\n" + str(content["extra"])))
        return spans
    return [Span(str(content.get("back", "")))]


def plain(spans: list[Span], marker: tuple[str, str] = ("[", "]")) -> str:
    """Spans as plain text, emphasised runs wrapped in `marker`."""
    return "".join(f"{marker[0]}{s.text}{marker[1]}" if s.mark else s.text for s in spans)


def _cloze(content: dict[str, Any], *, reveal: bool) -> list[Span]:
    runs = cloze.render(str(content["text"]), int(content["ord"]), reveal=reveal)
    return [Span(r.text, mark=r.gap) for r in runs]


def is_self_graded(kind: str) -> bool:
    """Basic and cloze cards are graded by the learner; the other kinds by the drill."""
    return kind in SELF_GRADED


def items_from_cards(cards: list[CardSpec]) -> list[Item]:
    """Rebuild the items a deck's cards came from (the inverse of `expand`), in deck order."""
    grouped: dict[str, list[CardSpec]] = {}
    for card in sorted(cards, key=lambda c: (c.position, c.item, c.variant)):
        grouped.setdefault(card.item, []).append(card)
    items: list[Item] = []
    for item_id, group in grouped.items():
        first = group[0]
        fields: dict[str, Any]
        noted = [c for c in group if "anki" in c.content]
        if noted:
            note = noted[0].content["anki"]
            order = {c.variant: n for n, c in enumerate(noted + group)}
            values = note["fields"]
            names = [n for n in note.get("order", ()) if n in values]
            values = {n: values[n] for n in names + [n for n in values if n not in names]}
            fields = {"notetype": note["notetype"], "fields": values, "cards": [
                {"variant": c.variant, "kind": c.kind,
                 **{k: v for k, v in c.content.items() if k != "anki"}}
                for c in sorted(group, key=lambda c: order[c.variant])]}
            fields.update({k: note[k] for k in NOTE_EXTRAS if k in note})
            items.append(Item(item_id, NOTE, fields, first.tags, first.source, first.as_of))
            continue
        if first.kind == "basic":
            main = next((c for c in group if c.variant == ""), first)
            fields = {"front": main.content["front"], "back": main.content["back"]}
            if any(c.variant == "r" for c in group):
                fields["reversible"] = True
        elif first.kind == "cloze":
            fields = {"text": first.content["text"]}
            if first.content.get("extra"):
                fields["extra"] = first.content["extra"]
        else:
            fields = dict(first.content)
        items.append(Item(item_id, first.kind, fields, first.tags, first.source, first.as_of))
    return items
