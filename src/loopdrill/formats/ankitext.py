"""Anki's text import format (.txt, .csv, .tsv) with every file header Anki documents."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from loopdrill.core.model import DeckError, DeckSpec, Item, Problem
from loopdrill.formats.files import decode, read_input
from loopdrill.formats.htmltext import html_to_text, looks_like_html

SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|",
              "colon": ":"}
HEADERS = {"separator", "html", "tags", "columns", "notetype", "deck", "notetype column",
           "deck column", "tags column", "guid column"}
NOTETYPES = {"basic": "basic", "basic (and reversed card)": "reversed",
             "basic (optional reversed card)": "optional", "cloze": "cloze"}
MAX_BYTES = 200 * 1024 * 1024
csv.field_size_limit(MAX_BYTES)


@dataclass
class Headers:
    """The file headers that shape how rows are read."""

    separator: str | None = None
    html: bool | None = None
    tags: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    notetype: str = "basic"
    deck: str | None = None
    notetype_column: int | None = None
    deck_column: int | None = None
    tags_column: int | None = None
    guid_column: int | None = None


@functools.lru_cache(maxsize=1024)
def slugify(name: str) -> str:
    """A deck slug from an Anki deck name: `AWS::Prices` becomes `aws-prices`."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower().replace("::", "-")).strip("-")
    return slug or "imported"


def read_anki_text(path: Path, *, deck: str | None = None) -> tuple[list[DeckSpec],
                                                                      list[Problem]]:
    """Decks (one per deck named in the file) and warnings; DeckError lists every problem."""
    name = str(path)
    raw = read_input(path, MAX_BYTES)
    if b"\x00" in raw[:65536]:
        raise DeckError([Problem(name, 0, "binary data, not an Anki text file")])
    text = decode(raw, name)
    if not text.strip():
        raise DeckError([Problem(name, 0, "the file is empty")])
    lines = text.splitlines(keepends=True)
    headers, first, problems = _headers(lines, name)
    body = "".join(lines[first:])
    if headers.separator is None:
        headers.separator = _detect(body)
        if headers.separator is None:
            problems.append(Problem(name, first + 1, "cannot tell the separator; add a "
                                    "#separator:Tab (or Comma, Semicolon...) header"))
    if problems:
        raise DeckError(problems)
    assert headers.separator is not None
    return _rows(body, first, headers, name, deck or None, path.stem)


def _headers(lines: list[str], name: str) -> tuple[Headers, int, list[Problem]]:
    headers, problems = Headers(), []
    index = 0
    for index, line in enumerate(lines):
        if not line.startswith("#") or ":" not in line:
            break
        key, _, value = line[1:].rstrip("\r\n").partition(":")
        key, value = key.strip().lower(), value.strip()
        number = index + 1
        if key not in HEADERS:
            problems.append(Problem(name, number, f"unknown header #{key}: (known: "
                                    + ", ".join(sorted(HEADERS)) + ")"))
        elif key == "separator":
            sep = SEPARATORS.get(value.lower(), value if len(value) == 1 else None)
            if sep is None:
                problems.append(Problem(name, number, f"unknown separator {value!r}"))
            headers.separator = sep
        elif key == "html":
            headers.html = value.lower() == "true"
        elif key == "tags":
            headers.tags = value.split()
        elif key == "columns":
            headers.columns = [value]  # split once the separator is known
        elif key == "notetype":
            headers.notetype = value
        elif key == "deck":
            headers.deck = value
        else:
            try:
                column = int(value)
                if column < 1:
                    raise ValueError
            except ValueError:
                problems.append(Problem(name, number, f"#{key}: {value!r} is not a column "
                                        "number (1 is the first)"))
                continue
            setattr(headers, key.replace(" ", "_"), column - 1)
    else:
        index = len(lines)
    if headers.columns and headers.separator:
        headers.columns = headers.columns[0].split(headers.separator)
    return headers, index, problems


def _detect(body: str) -> str | None:
    first = next((line for line in body.splitlines() if line.strip()), "")
    for sep in ("\t", "|", ";", ","):
        if sep in first:
            return sep
    return None


def _rows(body: str, first: int, h: Headers, name: str, deck_override: str | None,
          stem: str) -> tuple[list[DeckSpec], list[Problem]]:
    meta = {c for c in (h.notetype_column, h.deck_column, h.tags_column, h.guid_column)
            if c is not None}
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=h.separator or ",",
                        quotechar='"', skipinitialspace=False)
    decks: dict[str, dict[str, Item]] = {}
    titles: dict[str, str] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    derived = 0
    line = first + 1
    try:
        for row in reader:
            start, line = line, first + reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip()) or row[0].startswith("#"):
                continue
            item = _item(row, start, h, meta, name, problems)
            if item is None:
                continue
            if item.id.startswith("t-"):
                derived += 1
            deck_name = deck_override or (row[h.deck_column].strip() if h.deck_column is not None
                                          and h.deck_column < len(row) else None) or h.deck \
                or stem
            slug = deck_override or slugify(deck_name)
            titles.setdefault(slug, deck_name)
            items = decks.setdefault(slug, {})
            if item.id in items:
                warnings.append(Problem(name, start, "same note as an earlier line; the later "
                                        "one is kept", item.id))
            items[item.id] = item
    except csv.Error as exc:
        problems.append(Problem(name, line, f"malformed CSV ({exc})"))
    if problems:
        raise DeckError(problems)
    if not decks:
        raise DeckError([Problem(name, 0, "no notes found")])
    if derived:
        warnings.append(Problem(name, 0, f"{derived} notes have no guid column: their ids come "
                                "from the front, so editing a front resets that card's "
                                "progress"))
    return [DeckSpec(slug, titles[slug], tuple(items.values()), origin=name)
            for slug, items in decks.items()], warnings


def _item(row: list[str], line: int, h: Headers, meta: set[int], name: str,
          problems: list[Problem]) -> Item | None:
    notetype = h.notetype
    if h.notetype_column is not None and h.notetype_column < len(row):
        notetype = row[h.notetype_column].strip() or notetype
    kind = NOTETYPES.get(notetype.strip().lower())
    if kind is None:
        problems.append(Problem(name, line, f"unknown note type {notetype!r} (expected Basic, "
                                "Basic (and reversed card), Basic (optional reversed card) "
                                "or Cloze)"))
        return None
    fields = [_clean(v, h.html) for i, v in enumerate(row) if i not in meta]
    tags = list(h.tags)
    if h.tags_column is not None and h.tags_column < len(row):
        tags += row[h.tags_column].split()
    guid = row[h.guid_column].strip() if h.guid_column is not None and \
        h.guid_column < len(row) else ""
    if not fields or not fields[0]:
        problems.append(Problem(name, line, "the first field (front or cloze text) is empty"))
        return None
    item_id = guid or "t-" + hashlib.sha1(
        " ".join(fields[0].casefold().split()).encode()).hexdigest()[:12]
    if kind == "cloze":
        if "{{c" not in fields[0]:
            problems.append(Problem(name, line, "a Cloze note needs {{c1::...}} in its text"))
            return None
        values: dict[str, object] = {"text": fields[0]}
        if len(fields) > 1 and fields[1]:
            values["extra"] = fields[1]
        return Item(item_id, "cloze", values, tuple(dict.fromkeys(tags)), line=line)
    if len(fields) < 2 or not fields[1]:
        problems.append(Problem(name, line, f"expected a front and a back, found "
                                f"{len([f for f in fields if f])} field(s)"))
        return None
    values = {"front": fields[0], "back": fields[1]}
    if kind == "reversed" or (kind == "optional" and len(fields) > 2 and fields[2]):
        values["reversible"] = True
    return Item(item_id, "basic", values, tuple(dict.fromkeys(tags)), line=line)


def _clean(value: str, html: bool | None) -> str:
    if html or (html is None and looks_like_html(value)):
        return html_to_text(value)
    return value.strip()
