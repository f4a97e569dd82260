"""Anki's text import format (.txt, .csv, .tsv) with every file header Anki's manual documents.

Headers are the `#key:value` lines at the top of the file. An unknown header is a warning, not
an error (Anki ignores it too); a bad value for a known header is an error. With `#columns:`
and no `#tags column:` (`#deck column:`, `#notetype column:`, `#guid column:`), a column
labelled Tags (Deck, Notetype or Note type, GUID) plays that part. Every other column is a
field, in order. Later lines starting with `#` are comments.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loopdrill.core.cards import NOTE, cloze_numbers
from loopdrill.core.model import DeckError, DeckSpec, Item, Problem
from loopdrill.formats.anki_notes import text_note
from loopdrill.formats.batch import (
    ImportBatch,
    check_slug,
    decode_text,
    derived_id,
    derived_warning,
    gc_paused,
    read_bytes,
    slugify,
)
from loopdrill.formats.html_text import html_to_text, looks_like_html, media_to_text

SUFFIXES = (".txt", ".csv", ".tsv")
MAX_BYTES = 256 * 1024 * 1024
SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|",
              "colon": ":"}
DETECT = ("\t", "|", ";", ",")
COLUMN_HEADERS = ("notetype column", "deck column", "tags column", "guid column")
HEADERS = frozenset({"separator", "html", "tags", "columns", "notetype", "deck",
                     *COLUMN_HEADERS})
LABELS = {"tags": "tags column", "deck": "deck column", "notetype": "notetype column",
          "note type": "notetype column", "guid": "guid column"}
BASIC, REVERSED, OPTIONAL, CLOZE = "basic", "reversed", "optional", "cloze"
TYPED, OTHER = "typed", "other:"  # OTHER is followed by the note type's name
NOTETYPES = {"basic": BASIC, "basic (and reversed card)": REVERSED,
             "basic (optional reversed card)": OPTIONAL, "cloze": CLOZE,
             "basic (type in the answer)": TYPED}


def notetype_kind(name: str) -> str | None:
    """What a note type's notes become: a stock type's kind, OTHER + name for any other
    type (first field on the front, the others on the back), None for Image Occlusion."""
    if "image occlusion" in name.lower():
        return None
    return NOTETYPES.get(name.lower(), OTHER + name)


@dataclass
class Headers:
    """The file headers; column numbers are 0-based here (1-based in the file)."""

    separator: str | None = None
    html: bool | None = None
    tags: tuple[str, ...] = ()
    columns: str | None = None
    notetype: str = BASIC
    deck: str | None = None
    column: dict[str, int] = field(default_factory=dict)


def read_anki_text(path: Path, *, deck: str | None = None) -> ImportBatch:
    """The decks (one per deck the file names) and warnings; DeckError lists every problem.

    `deck` replaces every deck slug the file would give."""
    name = str(path)
    check_slug(name, deck)
    if path.suffix.lower() not in SUFFIXES:
        raise DeckError([Problem(name, 0, f"not an Anki text file: expected {', '.join(SUFFIXES)}"
                                 f", not {path.suffix or 'no extension'}")])
    text = decode_text(read_bytes(path, MAX_BYTES, "an Anki text file"), name)
    if not text or text.isspace():
        raise DeckError([Problem(name, 0, "the file is empty")])
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    headers, first, problems, warnings = _headers(lines, name)
    separator = headers.separator or _detect(lines, first)
    if headers.columns is not None:
        labels = [c.strip().lower() for c in headers.columns.split(separator)]
        for index, label in enumerate(labels):
            key = LABELS.get(label)
            if key is not None:
                headers.column.setdefault(key, index)
    if problems:
        raise DeckError(problems)
    html = headers.html
    if html is None:
        html = looks_like_html("\n".join(lines[first:first + 200]))
    reader = _Rows(name, headers, html, deck, slugify(path.stem))
    reader.sound = "[sound:" in text
    with gc_paused():
        reader.read(_records(lines, first, separator, name, reader.problems, '"' in text))
    return reader.batch(warnings)


def _headers(lines: list[str], name: str) -> tuple[Headers, int, list[Problem], list[Problem]]:
    """The headers, the index of the first line after them, problems and warnings."""
    headers, problems, warnings = Headers(), [], []
    index = 0
    for index, line in enumerate(lines):
        if not line.startswith("#"):
            break
        key, colon, raw = line[1:].partition(":")
        key, value, number = " ".join(key.lower().split()), raw.strip(), index + 1
        if not colon:
            continue  # a comment
        if key not in HEADERS:
            warnings.append(Problem(name, number, f"unknown header #{key}: ignored (Anki reads "
                                    "#" + ", #".join(sorted(HEADERS)) + ")"))
        elif key == "separator":
            sep = SEPARATORS.get(value.lower()) or (raw if len(raw) == 1 else value)
            if len(sep) != 1 or sep in '"\n':
                problems.append(Problem(name, number, f"unknown separator {value!r}: use "
                                        "Comma, Semicolon, Tab, Space, Pipe, Colon or one "
                                        "character"))
            else:
                headers.separator = sep
        elif key == "html":
            if value.lower() not in ("true", "false"):
                problems.append(Problem(name, number, f"#html: is true or false, not {value!r}"))
            headers.html = value.lower() == "true"
        elif key == "tags":
            headers.tags = tuple(dict.fromkeys(value.split()))
        elif key == "columns":
            headers.columns = raw
        elif key == "notetype":
            found = notetype_kind(value)
            if found is None:
                problems.append(Problem(name, number, f"note type {value!r}: its image masks "
                                        "cannot be shown as text; nothing to import"))
            headers.notetype = found or BASIC
        elif key == "deck":
            headers.deck = value or None
        else:
            if not value.isascii() or not value.isdigit() or int(value) < 1:
                problems.append(Problem(name, number, f"#{key}: {value!r} is not a column "
                                        "number (1 is the first)"))
            else:
                headers.column[key] = int(value) - 1
    else:
        index = len(lines)
    return headers, index, problems, warnings


def _detect(lines: list[str], first: int) -> str:
    """The separator of a file without a #separator: header, guessed from its first row as
    Anki does: tab, then |, ;, and comma. A file with none has one field per line."""
    row = next((line for line in lines[first:] if line.strip() and line[0] != "#"), "")
    return next((sep for sep in DETECT if sep in row), "\t")


def _records(lines: list[str], first: int, sep: str, name: str, problems: list[Problem],
             quoted: bool) -> Iterable[tuple[int, list[str]]]:
    """(physical line where the record starts, its fields) for each record after the headers,
    skipping blank lines and comments. Quoted fields may hold separators, doubled quotes and
    line breaks; a file without a quote takes the fast path of one record per line."""
    if not quoted:
        return [(number, line.split(sep)) for number, line in enumerate(lines[first:], first + 1)
                if line and line[0] != "#" and not line.isspace()]
    return _quoted(lines, first, sep, name, problems)


def _quoted(lines: list[str], first: int, sep: str, name: str,
            problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    cursor = [first, first, 1]  # next line index, start of the current record, at a record start

    def feed() -> Iterator[str]:
        total = len(lines)
        while cursor[0] < total:
            line = lines[cursor[0]]
            cursor[0] += 1
            if cursor[2]:
                if not line or line[0] == "#" or line.isspace():
                    continue
                cursor[1], cursor[2] = cursor[0], 0
            yield line + "\n"

    reader = csv.reader(feed(), delimiter=sep, quotechar='"', doublequote=True, strict=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            what = str(exc)
            if "unexpected end of data" in what:
                what = "a quoted field is never closed (a \" missing?)"
            elif "field larger than field limit" in what:
                what = "a field longer than 131,072 characters (an unclosed quote?)"
            problems.append(Problem(name, cursor[1], f"malformed record: {what}"))
            cursor[2] = 1
            continue
        cursor[2] = 1
        yield cursor[1], row


class _Rows:
    """Turns records into items, deck by deck, collecting problems and warnings."""

    def __init__(self, name: str, headers: Headers, html: bool, deck: str | None,
                 stem: str) -> None:
        self.name, self.h, self.html, self.override = name, headers, html, deck
        self.default_deck = headers.deck or stem
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.decks: dict[str, dict[str, Item]] = {}
        self.titles: dict[str, str] = {}
        self.slugs: dict[str, str] = {}
        self.meta = frozenset(headers.column.values())
        self.layouts: dict[int, list[int]] = {}
        self.derived = 0
        self.skipped: dict[str, int] = {}  # note type -> notes skipped (Image Occlusion)
        self.sound = False  # whether any field may hold [sound:...]

    def read(self, records: Iterable[tuple[int, list[str]]]) -> None:
        """Every record: an item in its deck, or a problem at its line. One loop with the
        lookups hoisted: this runs 100,000 times for a big file."""
        column, html, name = self.h.column, self.html, self.name
        nt_at, tags_at = column.get("notetype column", -1), column.get("tags column", -1)
        guid_at, deck_at = column.get("guid column", -1), column.get("deck column", -1)
        default_kind, default_tags, default_deck = self.h.notetype, self.h.tags, \
            self.default_deck
        layouts, slugs, decks, titles = self.layouts, self.slugs, self.decks, self.titles
        new, problems, check, sound = tuple.__new__, self.problems, self._fields, self.sound
        for line, row in records:
            width = len(row)
            kind = default_kind
            if nt_at >= 0 and nt_at < width and row[nt_at].strip():
                found = NOTETYPES.get(row[nt_at].strip().lower()) or notetype_kind(
                    row[nt_at].strip())
                if found is None:
                    self.skipped[row[nt_at].strip()] = self.skipped.get(row[nt_at].strip(),
                                                                        0) + 1
                    continue
                kind = found
            layout = layouts.get(width)
            if layout is None:
                layout = layouts[width] = [i for i in range(width) if i not in self.meta]
            if html:
                fields = [html_to_text(row[i]) for i in layout]
            else:
                fields = [row[i].strip() for i in layout]
                if sound:
                    fields = [media_to_text(f) for f in fields]
            if kind == BASIC and len(fields) >= 2 and fields[0] and fields[1]:
                values: dict[str, object] | None = {"front": fields[0], "back": fields[1]}
            elif kind == TYPED or kind.startswith(OTHER):
                if not fields or not fields[0]:
                    problems.append(Problem(name, line, "the first field (the front) is empty"))
                    continue
                values = text_note(kind[len(OTHER):] if kind != TYPED else None, fields,
                                   [row[i] for i in layout])
            else:
                values = check(kind, fields, line)
                if values is None:
                    continue
            tags = default_tags
            if 0 <= tags_at < width and row[tags_at] and not row[tags_at].isspace():
                tags = tuple(dict.fromkeys(default_tags + tuple(row[tags_at].split())))
            guid = row[guid_at].strip() if 0 <= guid_at < width else ""
            if not guid:
                guid = derived_id(fields[0])
                self.derived += 1
            deck_name = (row[deck_at].strip() if 0 <= deck_at < width else "") or default_deck
            slug = self.override or slugs.get(deck_name)
            if slug is None:
                slug = slugs[deck_name] = slugify(deck_name)
            items = decks.get(slug)
            if items is None:
                items = decks[slug] = {}
                titles[slug] = deck_name
            if guid in items:
                self.warnings.append(Problem(name, line, "the same note as line "
                                             f"{items[guid].line}; this later one is kept", guid))
            item_kind = "cloze" if kind == CLOZE else "basic" if kind in (
                BASIC, REVERSED, OPTIONAL) else NOTE
            items[guid] = new(Item, (guid, item_kind, values, tags, None, None, line))

    def _fields(self, kind: str, fields: list[str], line: int) -> dict[str, object] | None:
        problem = None
        if not fields or not fields[0]:
            problem = "the first field (the front, or a cloze's text) is empty"
        elif kind == CLOZE:
            numbers = cloze_numbers(fields[0])
            if not numbers:
                problem = "a Cloze note needs a deletion like {{c1::answer}} in its text"
            elif numbers[0] == 0:
                problem = "cloze numbers start at c1, not c0"
            else:
                extra = fields[1] if len(fields) > 1 else ""
                return {"text": fields[0], "extra": extra} if extra else {"text": fields[0]}
        elif len(fields) < 2:
            problem = "a front but no back (is the separator right? add a #separator: header)"
        elif not fields[1]:
            problem = "the back is empty"
        else:
            values: dict[str, object] = {"front": fields[0], "back": fields[1]}
            if kind == REVERSED or (kind == OPTIONAL and len(fields) > 2 and fields[2]):
                values["reversible"] = True
            return values
        self.problems.append(Problem(self.name, line, problem))
        return None

    def batch(self, warnings: list[Problem]) -> ImportBatch:
        """The decks read, or DeckError with every problem."""
        if self.problems:
            raise DeckError(self.problems)
        if not self.decks:
            what = ("only notes loopdrill cannot show" if self.skipped
                    else "only headers, comments or blank lines")
            raise DeckError([Problem(self.name, 0, f"no notes found ({what})")])
        found = warnings + self.warnings
        for notetype, count in self.skipped.items():
            found.append(Problem(self.name, 0, f"{count:,} note(s) of {notetype} skipped "
                                 "(image masks cannot be shown as text)"))
        if self.derived:
            found.append(derived_warning(self.name, self.derived))
        decks = tuple(DeckSpec(slug, self.titles[slug], tuple(items.values()), origin=self.name)
                      for slug, items in self.decks.items())
        return ImportBatch(decks, (), tuple(found))
