"""Cloze deletions as Anki 25+ reads them: `{{c1::answer::hint}}`, several numbers on one
deletion (`{{c1,2::both cards}}`) and deletions inside deletions (`{{c1::a {{c2::b}}}}`).

The text is parsed once, left to right, into a tree of runs and deletions. A card with number
N hides every deletion that carries N (the whole of it, with what is nested inside) and shows
the others' text, whose own nested deletions are again hidden or shown by the same rule.
Unbalanced markup stays as literal text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TOKEN = re.compile(r"\{\{c(\d+(?:\s*,\s*\d+)*)::|::|\}\}")


@dataclass
class Deletion:
    """One `{{cN::...}}`: its numbers, its content (runs and deletions), and its hint."""

    numbers: frozenset[int]
    opener: str
    body: list[Node] = field(default_factory=list)
    hint: list[Node] | None = None


Node = str | Deletion


def parse(text: str) -> list[Node]:
    """The tree of a cloze text (linear in its length)."""
    root: list[Node] = []
    stack: list[Deletion] = []

    def sink() -> list[Node]:
        if not stack:
            return root
        top = stack[-1]
        return top.hint if top.hint is not None else top.body

    last = 0
    for match in TOKEN.finditer(text):
        if match.start() > last:
            sink().append(text[last:match.start()])
        last = match.end()
        token = match.group(0)
        if match.group(1) is not None:
            numbers = frozenset(int(n) for n in match.group(1).split(","))
            stack.append(Deletion(numbers, token))
        elif token == "::":
            if stack and stack[-1].hint is None:
                stack[-1].hint = []
            else:
                sink().append(token)
        elif stack:
            done = stack.pop()
            sink().append(done)
        else:
            sink().append(token)
    if last < len(text):
        sink().append(text[last:])
    while stack:  # never closed: its markup is plain text
        open_ = stack.pop()
        sink().extend(_literal(open_))
    return root


def _literal(deletion: Deletion) -> list[Node]:
    out: list[Node] = [deletion.opener, *deletion.body]
    if deletion.hint is not None:
        out += ["::", *deletion.hint]
    return out


def numbers(text: str) -> list[int]:
    """The distinct cloze numbers in a text, ascending."""
    found: set[int] = set()

    def walk(nodes: list[Node]) -> None:
        for node in nodes:
            if isinstance(node, Deletion):
                found.update(node.numbers)
                walk(node.body)

    walk(parse(text))
    return sorted(found)


@dataclass(frozen=True)
class Run:
    """A run of a rendered cloze card; `gap` marks the hidden (or revealed) deletion."""

    text: str
    gap: bool = False


def render(text: str, number: int, *, reveal: bool) -> list[Run]:
    """The card `number` of a cloze text: its deletions hidden (`...` or their hint) or, with
    `reveal`, shown and marked."""
    runs: list[Run] = []
    _render(parse(text), number, reveal, runs)
    return runs


def _render(nodes: list[Node], number: int, reveal: bool, runs: list[Run]) -> None:
    for node in nodes:
        if isinstance(node, str):
            runs.append(Run(node))
        elif number in node.numbers:
            if reveal:
                runs.append(Run(_plain(node.body), gap=True))
            else:
                runs.append(Run(_plain(node.hint) if node.hint else "...", gap=True))
        else:
            _render(node.body, number, reveal, runs)


def _plain(nodes: list[Node]) -> str:
    """A deletion's content with every nested deletion shown."""
    out: list[str] = []
    for node in nodes:
        out.append(node if isinstance(node, str) else _plain(node.body))
    return "".join(out)


def answers(text: str, number: int) -> list[str]:
    """The texts card `number` hides, in order (a typed cloze's expected answer)."""
    return [r.text for r in render(text, number, reveal=True) if r.gap]
