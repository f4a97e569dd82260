"""Anki card templates rendered as Anki renders them, to HTML: fields, `{{FrontSide}}`,
conditionals `{{#F}}...{{/F}}` and `{{^F}}...{{/F}}`, and the filters `cloze:`, `cloze-only:`,
`type:` (also `type:cloze:`), `hint:`, `text:`, `furigana:`, `kana:`, `kanji:` (`tts` and
unknown filters pass the field through). The result is HTML; the formats layer makes it text.

A `{{type:F}}` on the question marks the card as typed: `Rendered.typed` is the expected answer
(the field's text, or the hidden cloze text for `type:cloze:`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from loopdrill.core import cloze

# no `{{` inside a tag: each search stops at the next `{{`, so a template of 50,000 unclosed
# `{{` takes milliseconds, not minutes (`.*?` rescanned to the end from every one)
TAG = re.compile(r"\{\{((?:[^{}]|\{(?!\{)|\}(?!\}))*)\}\}")
HTML_TAG = re.compile(r"<[^<>]*>")  # [^<>]: linear on `<a <a <a` with no `>`
EMPTY_HTML = re.compile(r"^(?:\s|&nbsp;|<br\s*/?>|<div>\s*</div>)*$", re.IGNORECASE)
ANSWER_RULE = re.compile(r"<hr[^>]*id\s*=\s*['\"]?answer['\"]?[^>]*>", re.IGNORECASE)
FRONT_MARK = "\x00front\x00"


@dataclass(frozen=True)
class Context:
    """What a template sees: the note's fields and the card's number, deck and name."""

    fields: Mapping[str, str]
    ord: int  # 0-based template ordinal, or cloze number - 1
    tags: str = ""
    deck: str = ""
    card: str = ""
    notetype: str = ""


@dataclass(frozen=True)
class Rendered:
    """One card: question and answer HTML (the answer without the question part when the
    template repeats it through {{FrontSide}}), and the typed answer if the card has one."""

    question: str
    answer: str
    typed: str | None = None


def field_empty(value: str) -> bool:
    """Whether a field counts as empty for a conditional (whitespace and empty markup)."""
    return EMPTY_HTML.match(value) is not None


def render_card(qfmt: str, afmt: str, ctx: Context, *, is_cloze: bool = False) -> Rendered:
    """Question and answer of one card."""
    typed: list[str] = []
    question = _render(_parse(qfmt), ctx, front=None, answer=False, typed=typed)
    back = _render(_parse(afmt), ctx, front=FRONT_MARK, answer=True, typed=[])
    rule = ANSWER_RULE.search(back)
    if rule:  # what comes before Anki's answer rule repeats the question
        back = back[rule.end():]
    back = back.replace(FRONT_MARK, "")
    return Rendered(question, back, typed[0] if typed else None)


def is_empty_card(qfmt: str, ctx: Context) -> bool:
    """Whether Anki would make no card: the question shows no field with content."""
    names = [f for f in _field_refs(qfmt)]
    return not any(not field_empty(ctx.fields.get(name, "")) for name in names) and bool(names)


def _field_refs(template: str) -> list[str]:
    out = []
    for match in TAG.finditer(template):
        inner = match.group(1).strip()
        if inner[:1] in "#^/!":
            continue
        out.append(inner.split(":")[-1].strip())
    return out


@dataclass
class Section:
    """`{{#F}}...{{/F}}` (shown when F has content) or `{{^F}}...{{/F}}` (when it is empty)."""

    positive: bool
    name: str
    children: list[Node]


@dataclass(frozen=True)
class FieldRef:
    """`{{filters:Name}}`."""

    spec: str


Node = str | Section | FieldRef


def _parse(template: str) -> list[Node]:
    """The template's runs, field references and sections, nested."""
    root: list[Node] = []
    stack: list[Section] = []
    last = 0

    def sink() -> list[Node]:
        return stack[-1].children if stack else root

    for match in TAG.finditer(template):
        if match.start() > last:
            sink().append(template[last:match.start()])
        last = match.end()
        inner = match.group(1).strip()
        if inner.startswith(("#", "^")):
            section = Section(inner[0] == "#", inner[1:].strip(), [])
            sink().append(section)
            stack.append(section)
        elif inner.startswith("/"):
            if stack and stack[-1].name == inner[1:].strip():
                stack.pop()
            else:
                sink().append(match.group(0))
        elif not inner.startswith("!"):
            sink().append(FieldRef(inner))
    if last < len(template):
        sink().append(template[last:])
    return root


def _render(tree: list[Node], ctx: Context, *, front: str | None, answer: bool,
            typed: list[str]) -> str:
    out: list[str] = []
    for node in tree:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Section):
            present = not field_empty(_special(node.name, ctx, front))
            if present == node.positive:
                out.append(_render(node.children, ctx, front=front, answer=answer,
                                   typed=typed))
        else:
            out.append(_field(node.spec, ctx, front=front, answer=answer, typed=typed))
    return "".join(out)


def _special(name: str, ctx: Context, front: str | None) -> str:
    if name == "FrontSide":
        return front or ""
    if name == "Tags":
        return ctx.tags
    if name == "Deck":
        return ctx.deck
    if name == "Subdeck":
        return ctx.deck.split("::")[-1]
    if name == "Card":
        return ctx.card
    if name == "Type":
        return ctx.notetype
    if name == "CardFlag":
        return ""
    return ctx.fields.get(name, "")


def _field(spec: str, ctx: Context, *, front: str | None, answer: bool,
           typed: list[str]) -> str:
    *filters, name = [part.strip() for part in spec.split(":")]
    if filters and filters[0].startswith("tts"):
        return ""
    value = _special(name, ctx, front)
    chain = [f.lower() for f in reversed(filters)]
    if chain[:1] == ["cloze"] and "type" in chain:  # type:cloze:F
        expected = ", ".join(cloze.answers(value, ctx.ord + 1))
        if not answer:
            typed.append(_strip(expected))
            return ""
        return expected
    for name_ in chain:
        if name_ == "type":
            if not answer:
                typed.append(_strip(value))
                return ""
            return value
        value = _filter(name_, value, ctx, answer)
    return value


def _filter(name: str, value: str, ctx: Context, answer: bool) -> str:
    if name == "cloze":
        runs = cloze.render(value, ctx.ord + 1, reveal=answer)
        return "".join(f"[{r.text}]" if r.gap else r.text for r in runs)
    if name == "cloze-only":
        return ", ".join(cloze.answers(value, ctx.ord + 1))
    if name == "hint":
        return f"Hint: {value}" if not field_empty(value) else ""
    if name == "text":
        return _strip(value)
    if name == "furigana":
        return ruby(value, lambda base, reading: f"{base}({reading})")
    if name == "kana":
        return ruby(value, lambda base, reading: reading)
    if name == "kanji":
        return ruby(value, lambda base, reading: base)
    return value


def ruby(value: str, join: Callable[[str, str], str]) -> str:
    """Each ` base[reading]` replaced by `join(base, reading)`: what Anki's furigana regex
    ` ?([^ >]+?)\\[(.+?)\\]` (with `[` kept out of the base) substitutes, found by a linear scan
    (the regex rescanned to the end from every `a[` of `a[a[a[…`, quadratic on 100 KB). The
    base runs back from a `[` to a space, `>`, `[` or the previous match; the reading is one
    character then up to the first `]`, on one line; a space before the base goes with it."""
    out: list[str] = []
    done = 0  # value[:done] is in `out`
    close = newline = -1  # the next `]` and line end found so far (each scan moves forward)
    floor = 0  # a base starts at or after this (past the previous match or `[`)
    bracket = value.find("[")
    while bracket != -1:
        base = max(floor, value.rfind(" ", floor, bracket) + 1,
                   value.rfind(">", floor, bracket) + 1)
        if close < bracket + 2:
            close = value.find("]", bracket + 2)
            if close == -1:
                break  # no `]` left: no later `[` can close either
        if newline < bracket + 1:
            newline = value.find("\n", bracket + 1)
            newline = len(value) if newline == -1 else newline
        if base == bracket or newline < close:
            floor = bracket + 1
            bracket = value.find("[", floor)
            continue
        start = base - 1 if base > floor and value[base - 1] == " " else base
        out += (value[done:start], join(value[base:bracket], value[bracket + 1:close]))
        done = floor = close + 1
        bracket = value.find("[", floor)
    out.append(value[done:])
    return "".join(out)


def _strip(html: str) -> str:
    text = HTML_TAG.sub("", html)
    return (text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&amp;", "&").strip())
