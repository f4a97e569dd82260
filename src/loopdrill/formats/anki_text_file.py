"""The syntax of Anki's text import files (.txt, .csv, .tsv): the `#key:value` file headers
Anki's manual documents, the separator (declared or guessed as Anki guesses it) and the
records, quoted fields with separators and line breaks included. formats.anki_text turns the
records into items."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from loopdrill.core.model import Problem
from loopdrill.formats.loopdrill_columns import LOOPDRILL_COLUMNS

SUFFIXES = (".txt", ".csv", ".tsv")
MAX_BYTES = 256 * 1024 * 1024
SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|",
              "colon": ":"}
DETECT = ("\t", "|", ";", ",")
COLUMN_HEADERS = ("notetype column", "deck column", "tags column", "guid column")
HEADERS = frozenset({"separator", "html", "tags", "columns", "notetype", "deck",
                     *COLUMN_HEADERS})
LABELS = {"tags": "tags column", "deck": "deck column", "notetype": "notetype column",
          "note type": "notetype column", "guid": "guid column",
          **{label: label for label in LOOPDRILL_COLUMNS}}
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


def read_headers(lines: list[str], name: str) -> tuple[Headers, int, list[Problem], list[Problem]]:
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


def detect_separator(lines: list[str], first: int) -> str:
    """The separator of a file without a #separator: header, guessed from its first row as
    Anki does: tab, then |, ;, and comma. A file with none has one field per line."""
    row = next((line for line in lines[first:] if line.strip() and line[0] != "#"), "")
    return next((sep for sep in DETECT if sep in row), "\t")


def records(lines: list[str], first: int, sep: str, name: str, problems: list[Problem],
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
