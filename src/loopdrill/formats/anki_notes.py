"""One Anki note made a loopdrill item of kind `anki`: each card the package holds rendered
from its own template into readable text (core.anki_template), so any note type can be
drilled. A card whose question types an answer (`{{type:F}}`) becomes a `text` card graded
by loopdrill; a card of a note type with `{{cloze:F}}` on the question (the stock Cloze) stays
a cloze card; every other card is a basic card."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from loopdrill.core.anki_template import Context, render_card
from loopdrill.core.cards import NOTE
from loopdrill.core.model import Item
from loopdrill.core.text import unbold
from loopdrill.formats.anki_collection import NoteType
from loopdrill.formats.html_text import html_to_text

EMPTY = "(empty)"
CLOZE_FIELD = re.compile(r"\{\{\s*cloze\s*:\s*([^}]+?)\s*\}\}")


def variant(note_type: NoteType, ord_: int) -> str:
    """The card id suffix of card `ord_` (0-based): `c3` for cloze 3, '' for the first
    template, `r` for the second (the reverse, as before), `t3` and on for the others."""
    if note_type.cloze:
        return f"c{ord_ + 1}"
    return "" if ord_ == 0 else "r" if ord_ == 1 else f"t{ord_ + 1}"


def note_item(item_id: str, note_type: NoteType, values: list[str], ords: Iterable[int],
              tags: tuple[str, ...], deck: str, mod: int = 0) -> Item:
    """The item of one note with the cards `ords` (its cards in the package); `mod`, Anki's
    modification time of the note, is kept with a digest of its fields (`fields_digest`), so
    an export whose fields are unchanged gives Anki the same time and Anki keeps a note edited
    there since instead of overwriting it."""
    names = list(note_type.fields) + [f"Field {n + 1}" for n in
                                      range(len(note_type.fields), len(values))]
    fields = dict(zip(names, values, strict=False))
    for name in names[len(values):]:
        fields[name] = ""
    cards = [_card(note_type, fields, ord_, tags, deck) for ord_ in sorted(set(ords))]
    note: dict[str, object] = {"notetype": note_type.name, "fields": fields, "cards": cards}
    if note_type.templates:  # the note type itself, so an .apkg export gives it back whole
        note["model"] = model_of(note_type)
    if mod > 0:
        note["mod"] = [mod, fields_digest(fields.values())]
    return Item(item_id, NOTE, note, tags)


def fields_digest(values: Iterable[object]) -> str:
    """A short digest of a note's raw fields, in order."""
    return hashlib.sha1("\x1f".join(map(str, values)).encode()).hexdigest()[:12]


def model_of(note_type: NoteType) -> dict[str, object]:
    """What an export needs to write a note type back: its id, kind, sort field, css and
    templates (the field names are the note's `fields`, in order)."""
    return {"id": note_type.id, "cloze": note_type.cloze, "sortf": note_type.sortf,
            "css": note_type.css,
            "templates": [{"name": t.name, "qfmt": t.qfmt, "afmt": t.afmt}
                          for t in note_type.templates]}


def _card(note_type: NoteType, fields: dict[str, str], ord_: int, tags: tuple[str, ...],
          deck: str) -> dict[str, object]:
    templates = note_type.templates
    template = templates[0 if note_type.cloze else min(ord_, len(templates) - 1)] \
        if templates else None
    qfmt = template.qfmt if template and template.qfmt else _fallback_q(note_type, ord_)
    afmt = template.afmt if template and template.afmt else _fallback_a(note_type, qfmt, ord_)
    found = CLOZE_FIELD.search(qfmt)
    if note_type.cloze and (not found or found.group(1).split(":")[-1].strip() not in fields):
        # a cloze type must ask a cloze, from a field the note has
        qfmt = _fallback_q(note_type, ord_)
        afmt = _fallback_a(note_type, qfmt, ord_)
    ctx = Context(fields, ord_, " ".join(tags), deck, template.name if template else "",
                  note_type.name)
    out: dict[str, object] = {"variant": variant(note_type, ord_)}
    rendered = render_card(qfmt, afmt, ctx)
    cloze_field = CLOZE_FIELD.search(qfmt)
    if note_type.cloze and cloze_field and rendered.typed is None:
        name = cloze_field.group(1).split(":")[-1].strip()
        text = html_to_text(fields.get(name, ""))
        rest = dict(fields)
        rest[name] = ""
        extra = html_to_text(render_card(qfmt, afmt.replace("{{FrontSide}}", ""),
                                         Context(rest, ord_, ctx.tags, deck, ctx.card,
                                                 ctx.notetype)).answer)
        out.update(kind="cloze", text=text, ord=ord_ + 1)
        if extra:
            out["extra"] = extra
        return out
    front = html_to_text(rendered.question) or EMPTY
    back = html_to_text(rendered.answer) or EMPTY
    if rendered.typed is not None:
        out.update(kind="text", front=front, answer=[rendered.typed or EMPTY], back=back)
    else:
        out.update(kind="basic", front=front, back=back)
    return out


def _fallback_q(note_type: NoteType, ord_: int) -> str:
    """A package without template text: the first field asks (the second, on a reverse)."""
    names = note_type.fields or ("Field 1",)
    if note_type.cloze:
        return f"{{{{cloze:{names[0]}}}}}"
    return f"{{{{{names[1] if ord_ == 1 and len(names) > 1 else names[0]}}}}}"


def _fallback_a(note_type: NoteType, qfmt: str, ord_: int) -> str:
    names = note_type.fields or ("Field 1",)
    if note_type.cloze:
        return qfmt + "".join(f"<br>{{{{{name}}}}}" for name in names[1:])
    if ord_ == 1 and len(names) > 1:
        return f"{{{{FrontSide}}}}<hr id=answer>{{{{{names[0]}}}}}"
    return "{{FrontSide}}<hr id=answer>" + "<br>".join(f"{{{{{n}}}}}" for n in names[1:2])


def text_note(notetype: str | None, fields: list[str], raw: list[str]) -> dict[str, object]:
    """The fields of an item from a note in a text file, of a type loopdrill has no kind for
    (`notetype`), or a typed-answer Basic (None): the first field asks; the others (every one,
    none dropped) answer. Its raw fields are kept for export, named Field 1, Field 2... (a
    text file does not name them)."""
    rest = [f for f in fields[1:] if f]
    card: dict[str, object]
    if notetype is None:
        names = ["Front", "Back"] + [f"Field {n}" for n in range(3, len(raw) + 1)]
        answer = unbold(fields[1]) if len(fields) > 1 and fields[1] else EMPTY
        card = {"variant": "", "kind": "text", "front": fields[0], "answer": [answer],
                "back": fields[1] if len(fields) > 1 and fields[1] else EMPTY}
        notetype = "Basic (type in the answer)"
    else:
        names = [f"Field {n}" for n in range(1, len(raw) + 1)]
        card = {"variant": "", "kind": "basic", "front": fields[0],
                "back": "\n".join(rest) or EMPTY}
    return {"notetype": notetype, "fields": dict(zip(names, raw, strict=False)),
            "cards": [card]}
