"""Review history as CSV: `card_id,reviewed_at,rating,duration_ms[,cram]`.

The header is required (its four columns in any order, and `cram` (0 or 1) if the file says
which reviews were cram answers, nothing else). `card_id` is a card's id exactly as loopdrill
shows it: `deck/item`, plus `:variant` for an item's other cards (`r` for the reverse, `c2` for
cloze 2); the deck is what comes before the first `/`, and an item id may itself hold `/` or
`:` (Anki guids do), which is unambiguous because the id is matched whole against the
database's cards (then as an item id, when it names no card). `reviewed_at` is an
ISO-8601 time with a timezone (`2026-01-02T03:04:05Z`, `...+00:00`; other offsets are
converted to UTC); `rating` is 1-4; `duration_ms` a whole number of milliseconds. Card ids that
hold a comma or a quote are quoted, as CSV does. `write_review_csv` writes what
`read_review_csv` reads back unchanged.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from loopdrill.core.model import DeckError, Problem, ReviewRecord
from loopdrill.core.timeutil import to_ms
from loopdrill.formats.batch import (
    decode_text,
    gc_paused,
    read_bytes,
    readable,
)
from loopdrill.formats.review_fields import (
    RATINGS,
    UTC,
    Block,
    RawReview,
    ReviewBlock,
    StampsMs,
    check_encoding,
    checked_row,
    parse_block,
    raw_reviews,
    row_blocks,
    utc,
)

COLUMNS = ("card_id", "reviewed_at", "rating", "duration_ms")
CRAM = "cram"  # the optional fifth column
CRAM_VALUES = {"0": False, "1": True, "": False}
CRAM_INTS = {"0": 0, "1": 1, "": 0}
MAX_BYTES = 1024 * 1024 * 1024
INT_RATINGS = {key: int(r) for key, r in RATINGS.items()}


def read_review_csv(path: Path) -> tuple[ReviewRecord, ...]:
    """Every row as a ReviewRecord (with its line); DeckError lists every bad row."""
    name = str(path)
    text = decode_text(read_bytes(path, MAX_BYTES, "a review CSV"), name)
    new = tuple.__new__
    with gc_paused():
        return tuple(new(ReviewRecord, row) for row in _checked(_rows(text), name, ms=False))


def review_rows(path: Path) -> Iterator[RawReview]:
    """The rows of a review CSV read as the file is read (a million rows are never held at
    once), times in ms; after the last row, DeckError lists every bad one, as read_review_csv
    does. The file's encoding is checked first, in blocks."""
    for block in review_blocks(path):
        yield from block if isinstance(block, list) else block.rows()


BLOCK_BYTES = 1 << 20


def review_blocks(path: Path) -> Iterator[Block]:
    """review_rows a block at a time: plain lines as columns (formats.review_fields), the
    others as rows."""
    name = str(path)
    with readable(path, MAX_BYTES, "a review CSV"), path.open("rb") as stream:
        utf16 = check_encoding(stream, name)
    if utf16:  # rare: read whole
        yield list(raw_reviews(read_review_csv(path)))
        return
    with readable(path, MAX_BYTES, "a review CSV"), path.open("rb") as stream:
        data = stream.read(BLOCK_BYTES)
        while b"\n" not in data and (more := stream.read(BLOCK_BYTES)):
            data += more  # the whole first line
        skip = len(codecs.BOM_UTF8) * data.startswith(codecs.BOM_UTF8)
        head, newline, _ = data[skip:].partition(b"\n")
        start = skip + len(head) + 1  # the second line's first byte
        head = head.removesuffix(b"\r")  # a CRLF line end
        header = head.decode("utf-8").split(",")
        if newline and b'"' not in head and b"\r" not in head and (
                len(header) > 1 or header[0].strip()):
            order = _order(header, name, 1)
            yield from _blocks(stream, data, start, len(header), order, name)
            return
        stream.seek(0)  # a header alone, quoted or after blank lines: csv reads it all
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        yield from row_blocks(_checked(_csv_records(csv.reader(text, strict=True)), name, ms=True))


def _blocks(stream: BinaryIO, data: bytes, offset: int, width: int, order: list[int] | None,
            name: str) -> Iterator[Block]:
    """The lines after the header (from byte `offset` of `data`, the file's first block), a
    block at a time: plain ones as columns, others through csv a block at a time; csv reads
    the rest of the file when a block holds a carriage return other than a CRLF line end's,
    or ends inside a quoted field (which may hold a newline)."""
    problems: list[Problem] = []
    line = 2
    data = data[offset:]
    stamps = StampsMs()
    while True:
        more = stream.read(BLOCK_BYTES)
        data += more
        cut = data.rfind(b"\n") + 1 if more else len(data)
        lines = data[:cut]
        block: Block | None = None
        if lines and (b"\r" not in lines or lines.count(b"\r") == lines.count(b"\r\n")):
            lines += b"\n" * (not lines.endswith(b"\n"))
            if b'"' not in lines:  # no quoted field: a CR ends a line (Excel's, Python csv's)
                block = parse_block(lines.replace(b"\r\n", b"\n"), width, order, line)
            if block is None:  # csv reads CRLF itself, and keeps one in a quoted field
                block = _block_rows(lines, line, order, width, name, problems, stamps)
        if lines and block is None:
            stream.seek(offset)
            text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
            yield from row_blocks(_read_rows(_csv_records(csv.reader(text, strict=True), line),
                                             order, width, name, problems, True, stamps))
            break
        if block is not None:
            yield block
            offset, line, data = offset + cut, line + lines.count(b"\n"), data[cut:]
        if not more:
            break
    if problems:
        raise DeckError(listed(problems, name))


def _block_rows(lines: bytes, line: int, order: list[int] | None, width: int, name: str,
                problems: list[Problem], stamps: StampsMs) -> ReviewBlock | None:
    """A block's lines (the first being the file's line `line`) read by csv, their problems
    added to `problems`; None (and no problem added) when the block ends inside a quoted
    field, which goes on after it: csv's strict reader says so at the end of the text."""
    said = len(problems)
    records = _csv_records(csv.reader(io.StringIO(lines.decode("utf-8"), newline=""),
                                      strict=True), line)
    last = [""]  # the last record's error

    def watched() -> Iterator[tuple[int, list[str], str]]:
        for record in records:
            last[0] = record[2]
            yield record

    rows = list(_read_rows(watched(), order, width, name, problems, True, stamps))
    if last[0].endswith("(unexpected end of data)"):
        del problems[said:]
        return None
    return ReviewBlock.of_rows(rows)


def _checked(rows: Iterator[tuple[int, list[str], str]], name: str, *, ms: bool
             ) -> Iterator[Any]:
    """The header read, then each good row as (card id, time, rating, duration ms, cram,
    line), with `ms` as a RawReview; DeckError after the last row when any was bad."""
    header_line, header, error = next(rows, (0, [], "the file is empty"))
    if error:
        raise DeckError([Problem(name, header_line, f"{error}; the first line must be the "
                                 "header " + ",".join(COLUMNS))])
    order = _order(header, name, header_line)
    problems: list[Problem] = []
    yield from _read_rows(rows, order, len(header), name, problems, ms)
    if problems:
        raise DeckError(listed(problems, name))


def _read_rows(rows: Iterator[tuple[int, list[str], str]], order: list[int] | None,
               width: int, name: str, problems: list[Problem], ms: bool,
               stamps: StampsMs | None = None) -> Iterator[Any]:
    """Each good row (as _checked says); a bad one goes to `problems`. With `ms`, times are
    read by `stamps` (its caches kept from block to block), or a new StampsMs."""
    to_time: Callable[[str], Any] = (stamps or StampsMs()) if ms else utc
    ratings: dict[str, Any] = INT_RATINGS if ms else RATINGS
    crams: dict[str, Any] = CRAM_INTS if ms else CRAM_VALUES
    ids: dict[str, str] = {}  # one string per card id, not one per row
    cram: Any
    for line, row, error in rows:
        if error or len(row) != width:
            problems.append(Problem(name, line, error or f"expected {width} fields, found "
                                    f"{len(row)}"))
            continue
        if order:
            row = [row[i] for i in order]
        if width == 4:
            card_id, stamp, rating, duration = row
            cram = crams[""]
        else:
            card_id, stamp, rating, duration, said = row
            cram = crams.get(said.strip())
            if cram is None:
                problems.append(Problem(name, line, f"cram {said!r} is not 0 or 1"))
                continue
        card_id = card_id.strip()
        when = to_time(stamp)
        grade = ratings.get(rating)
        if when is None or grade is None or not card_id or not duration.isdigit() \
                or not duration.isascii() or len(duration) > 10:
            found = checked_row(name, line, [v.strip() for v in (card_id, stamp, rating, duration)])
            if isinstance(found, Problem):
                problems.append(found)
                continue
            card_id, when, grade, duration = found
            if ms:
                when, grade = to_ms(when), int(grade)
        yield ids.setdefault(card_id, card_id), when, grade, int(duration), cram, line


def write_review_csv(records: Iterable[ReviewRecord], stream: TextIO) -> None:
    """The records as CSV (header first), the exact inverse of read_review_csv."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow((*COLUMNS, CRAM))
    for r in records:
        if r.reviewed_at.tzinfo is None:
            raise ValueError(f"review of {r.card_id} has a naive reviewed_at")
        writer.writerow((r.card_id, csv_stamp(r.reviewed_at), int(r.rating), r.duration_ms,
                         int(r.cram)))


def csv_stamp(moment: dt.datetime) -> str:
    """A time as a review CSV holds it: ISO 8601 in UTC, written with Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _rows(text: str) -> Iterator[tuple[int, list[str], str]]:
    """(physical line, fields, "" or what is wrong) per record; blank lines skipped. Without
    a quote anywhere a record is a line split at commas, five times faster than csv."""
    if '"' not in text:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        for number, line in enumerate(text.split("\n"), start=1):
            if line and not line.isspace():
                yield number, line.split(","), ""
        return
    yield from _csv_records(csv.reader(io.StringIO(text, newline=""), strict=True))


def _csv_records(reader: Any, first: int = 1) -> Iterator[tuple[int, list[str], str]]:
    """_rows' records from a csv.reader (which reads on after a malformed record), its first
    line being the file's line `first`."""
    start = first
    while True:
        try:
            for row in reader:
                if row and (len(row) > 1 or row[0].strip()):
                    yield start, row, ""
                start = first + reader.line_num
            return
        except csv.Error as exc:
            yield start, [], f"malformed CSV ({exc})"
            start = first + reader.line_num


def _order(header: list[str], name: str, line: int) -> list[int] | None:
    """Where each column is (None when in the usual order); DeckError for a bad header."""
    names = [h.strip().lower() for h in header]
    if names in (list(COLUMNS), [*COLUMNS, CRAM]):
        return None
    unknown = [h for h in names if h not in (*COLUMNS, CRAM)]
    missing = [c for c in COLUMNS if c not in names]
    if unknown or missing or len(set(names)) != len(names):
        what = "; ".join(filter(None, [
            f"unknown column(s) {', '.join(unknown)}" if unknown else "",
            f"missing {', '.join(missing)}" if missing else "",
            "a column named twice" if not unknown and not missing else ""]))
        raise DeckError([Problem(name, line, f"the first line must be the header "
                                 f"{','.join(COLUMNS)} ({what})")])
    return [names.index(c) for c in COLUMNS] + ([names.index(CRAM)] if CRAM in names else [])


SHOWN_PROBLEMS = 50


def listed(problems: list[Problem], source: str) -> list[Problem]:
    """The first problems, and when there are more, every one of them written to a file the
    last line names (a history with 100,000 bad lines or unknown ids would flood the
    terminal): what DeckError carries out of a review history's reader and its import."""
    if len(problems) <= SHOWN_PROBLEMS:
        return problems
    rest = len(problems) - SHOWN_PROBLEMS
    try:
        fd, name = tempfile.mkstemp(prefix="loopdrill-problems-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(f"{p}\n" for p in problems)
    except OSError:
        return [*problems[:SHOWN_PROBLEMS], Problem(source, 0, f"... and {rest} more")]
    return [*problems[:SHOWN_PROBLEMS],
            Problem(source, 0, f"... and {rest} more; all {len(problems)} are listed in {name}")]
