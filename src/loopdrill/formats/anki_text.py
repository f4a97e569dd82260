"""Anki's text import format (.txt, .csv, .tsv) with every file header Anki's manual documents.

Headers are the `#key:value` lines at the top of the file. An unknown header is a warning, not
an error (Anki ignores it too); a bad value for a known header is an error. With `#columns:`
and no `#tags column:` (`#deck column:`, `#notetype column:`, `#guid column:`), a column
labelled Tags (Deck, Notetype or Note type, GUID) plays that part. Every other column is a
field, in order. Later lines starting with `#` are comments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loopdrill.core.cards import NOTE, cloze_numbers
from loopdrill.core.model import DeckError, DeckSpec, Item, Problem
from loopdrill.core.text import unbold
from loopdrill.formats.anki_notes import text_note
from loopdrill.formats.anki_text_file import (
    BASIC,
    CLOZE,
    LABELS,
    MAX_BYTES,
    NOTETYPES,
    OPTIONAL,
    OTHER,
    REVERSED,
    SUFFIXES,
    TYPED,
    Headers,
    detect_separator,
    notetype_kind,
    read_headers,
    records,
)
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
from loopdrill.formats.export import anki_note_fields, item_id_of_guid
from loopdrill.formats.html_text import html_to_text, looks_like_html, media_to_text
from loopdrill.formats.loopdrill_columns import (
    AS_OF,
    ITEM,
    LOOPDRILL_COLUMNS,
    SOURCE,
    read_as_of,
    read_item_cell,
)


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
    headers, first, problems, warnings = read_headers(lines, name)
    separator = headers.separator or detect_separator(lines, first)
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
        reader.read(records(lines, first, separator, name, reader.problems, '"' in text))
    return reader.batch(warnings)


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
        self.edited = 0  # rows whose fields differ from their item column's

    def read(self, records: Iterable[tuple[int, list[str]]]) -> None:
        """Every record: an item in its deck, or a problem at its line. One loop with the
        lookups hoisted: this runs 100,000 times for a big file."""
        column, html, name = self.h.column, self.html, self.name
        nt_at, tags_at = column.get("notetype column", -1), column.get("tags column", -1)
        guid_at, deck_at = column.get("guid column", -1), column.get("deck column", -1)
        own = any(key in column for key in LOOPDRILL_COLUMNS)  # a file loopdrill wrote
        default_kind, default_tags, default_deck = self.h.notetype, self.h.tags, \
            self.default_deck
        layouts, problems, check, sound = self.layouts, self.problems, self._fields, self.sound
        keep = self._keep
        for line, row in records:
            width = len(row)
            tags = default_tags
            if 0 <= tags_at < width and row[tags_at] and not row[tags_at].isspace():
                tags = tuple(dict.fromkeys(default_tags + tuple(row[tags_at].split())))
            guid = row[guid_at].strip() if 0 <= guid_at < width else ""
            deck_name = (row[deck_at].strip() if 0 <= deck_at < width else "") or default_deck
            layout = layouts.get(width)
            if layout is None:
                layout = layouts[width] = [i for i in range(width) if i not in self.meta]
            if own and self._own(row, line, guid, tags, deck_name, layout):
                continue
            kind = default_kind
            if nt_at >= 0 and nt_at < width and row[nt_at].strip():
                found = NOTETYPES.get(row[nt_at].strip().lower()) or notetype_kind(
                    row[nt_at].strip())
                if found is None:
                    self.skipped[row[nt_at].strip()] = self.skipped.get(row[nt_at].strip(),
                                                                        0) + 1
                    continue
                kind = found
            if html:
                fields = [html_to_text(row[i]) for i in layout]
            else:
                fields = [row[i].strip() for i in layout]
                if sound:
                    fields = [media_to_text(f) for f in fields]
            if kind == BASIC and len(fields) >= 2 and fields[0] and fields[1]:
                values: dict[str, Any] | None = {"front": fields[0], "back": fields[1]}
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
            if not guid:
                guid = derived_id(unbold(fields[0]) if html else fields[0])  # ids as before bold
                self.derived += 1
            item_kind = "cloze" if kind == CLOZE else "basic" if kind in (
                BASIC, REVERSED, OPTIONAL) else NOTE
            source, as_of = self._extras(row, line) if own else (None, None)
            keep(Item(guid, item_kind, values, tags, source, as_of, line), deck_name)

    def _keep(self, item: Item, deck_name: str, slug: str | None = None) -> None:
        """Put an item in its deck (named `deck_name`, the slug taken from it unless given)."""
        slug = self.override or slug or self.slugs.get(deck_name)
        if slug is None:
            slug = self.slugs[deck_name] = slugify(deck_name)
        items = self.decks.get(slug)
        if items is None:
            items = self.decks[slug] = {}
            self.titles[slug] = deck_name
        if item.id in items:
            self.warnings.append(Problem(self.name, item.line, "the same note as line "
                                         f"{items[item.id].line}; this later one is kept",
                                         item.id))
        items[item.id] = item

    def _extras(self, row: list[str], line: int) -> tuple[str | None, dt.date | None]:
        """The source and as-of date of a row of a file loopdrill wrote."""
        column, width = self.h.column, len(row)
        at = column.get(SOURCE, -1)
        source = (row[at].strip() or None) if 0 <= at < width else None
        at = column.get(AS_OF, -1)
        as_of = read_as_of(row[at]) if 0 <= at < width else None
        if isinstance(as_of, str):
            self.problems.append(Problem(self.name, line, as_of))
            as_of = None
        return source, as_of

    def _own(self, row: list[str], line: int, guid: str, tags: tuple[str, ...],
             deck_name: str, layout: list[int]) -> bool:
        """Rebuild a row's item from its `loopdrill item` column, when it has one: the same
        kind and fields as the item loopdrill exported. Fields edited since the export are
        counted (a warning says the item column was used)."""
        at = self.h.column.get(ITEM, -1)
        if not 0 <= at < len(row) or not row[at].strip():
            return False
        if not guid:
            self.problems.append(Problem(self.name, line, f"a row with a {ITEM} column needs "
                                         "its GUID (the item id)"))
            return True
        found = read_item_cell(row[at], guid)
        if isinstance(found, str):
            self.problems.append(Problem(self.name, line, found, guid))
            return True
        slug, item = found
        item = item._replace(id=item_id_of_guid(guid, item.kind, slug))  # a calc's draw seed
        source, as_of = self._extras(row, line)
        if _trimmed([row[i] for i in layout]) != _trimmed(anki_note_fields(item)[1]):
            self.edited += 1
        self._keep(item._replace(tags=tags, source=source, as_of=as_of, line=line), deck_name,
                   slug)
        return True

    def _fields(self, kind: str, fields: list[str], line: int) -> dict[str, Any] | None:
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
            values: dict[str, Any] = {"front": fields[0], "back": fields[1]}
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
        if self.edited:
            found.append(Problem(self.name, 0, f"{self.edited:,} note(s) whose fields differ "
                                 f"from their {ITEM} column: each item was taken from that "
                                 "column, its kind and fields as exported (empty the column "
                                 "to take the edited fields)"))
        decks = tuple(DeckSpec(slug, self.titles[slug], tuple(items.values()), origin=self.name)
                      for slug, items in self.decks.items())
        return ImportBatch(decks, (), tuple(found))


def _trimmed(fields: list[str]) -> list[str]:
    """Fields without the empty ones at the end (the padding of a row)."""
    end = len(fields)
    while end and not fields[end - 1]:
        end -= 1
    return fields[:end]
