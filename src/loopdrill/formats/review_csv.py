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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from loopdrill.core.model import DeckError, Problem, Rating, ReviewRecord
from loopdrill.core.text import shown
from loopdrill.core.timeutil import to_ms
from loopdrill.formats.batch import (
    EARLIEST,
    LATEST,
    MAX_DURATION_MS,
    decode_text,
    gc_paused,
    read_bytes,
    readable,
)

COLUMNS = ("card_id", "reviewed_at", "rating", "duration_ms")
CRAM = "cram"  # the optional fifth column
CRAM_VALUES = {"0": False, "1": True, "": False}
CRAM_INTS = {"0": 0, "1": 1, "": 0}
MAX_BYTES = 1024 * 1024 * 1024
RATINGS = {str(int(r)): r for r in Rating}
INT_RATINGS = {key: int(r) for key, r in RATINGS.items()}
UTC = dt.UTC


def read_review_csv(path: Path) -> tuple[ReviewRecord, ...]:
    """Every row as a ReviewRecord (with its line); DeckError lists every bad row."""
    name = str(path)
    text = decode_text(read_bytes(path, MAX_BYTES, "a review CSV"), name)
    new = tuple.__new__
    with gc_paused():
        return tuple(new(ReviewRecord, row) for row in _checked(_rows(text), name, ms=False))


# a review as the history import takes it: card id, time in ms (core.timeutil.to_ms), rating,
# duration ms, cram (0 or 1), line
RawReview = tuple[str, int, int, int, int, int]


def review_rows(path: Path) -> Iterator[RawReview]:
    """The rows of a review CSV read as the file is read (a million rows are never held at
    once), times in ms; after the last row, DeckError lists every bad one, as read_review_csv
    does. The file's encoding is checked first, in blocks."""
    name = str(path)
    if _utf16(path):  # rare: read whole
        for card_id, when, grade, ms, cram, line in read_review_csv(path):
            yield card_id, to_ms(when), int(grade), ms, int(cram), line
        return
    with readable(path, MAX_BYTES, "a review CSV"), \
            path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream, strict=True)
        yield from _checked(_csv_records(reader), name, ms=True)


def _utf16(path: Path) -> bool:
    """Whether the file is UTF-16 (with its byte-order mark); DeckError for a file that is
    missing, too big, binary or not UTF-8, read in blocks."""
    with readable(path, MAX_BYTES, "a review CSV"), path.open("rb") as stream:
        return _check_blocks(stream, str(path))


def _check_blocks(stream: BinaryIO, name: str) -> bool:
    """decode_text's checks a block at a time (a NUL byte anywhere first, then the first
    byte that is not UTF-8): True for UTF-16 (not checked further)."""
    head = stream.read(2)
    if head in (b"\xff\xfe", b"\xfe\xff"):
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, block = 1, head
    bad: int | None = None  # the line of the first byte that is not UTF-8
    while block:
        if b"\x00" in block:
            lines += block[:block.index(b"\x00")].count(b"\n")
            raise DeckError([Problem(name, lines, "binary data (a NUL byte), not a text file")])
        if bad is None:
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad = lines + block[:max(exc.start, 0)].count(b"\n")
        lines += block.count(b"\n")
        block = stream.read(1 << 20)
    if bad is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad = lines
    if bad is not None:
        raise DeckError([Problem(name, bad, "not UTF-8 text (save the file as UTF-8)")])
    return False


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
        raise DeckError(problems)


def _read_rows(rows: Iterator[tuple[int, list[str], str]], order: list[int] | None,
               width: int, name: str, problems: list[Problem], ms: bool) -> Iterator[Any]:
    """Each good row (as _checked says); a bad one goes to `problems`."""
    to_time: Callable[[str], Any] = _StampsMs() if ms else _utc
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
            found = _slow(name, line, [v.strip() for v in (card_id, stamp, rating, duration)])
            if isinstance(found, Problem):
                problems.append(found)
                continue
            card_id, when, grade, duration = found
            if ms:
                when, grade = to_ms(when), int(grade)
        yield ids.setdefault(card_id, card_id), when, grade, int(duration), cram, line


def _utc(stamp: str) -> dt.datetime | None:
    """An ISO-8601 time with a timezone, in UTC, in the years taken; else None."""
    try:
        when = dt.datetime.fromisoformat(stamp)
        if when.tzinfo is None:
            return None
        if when.tzinfo is not UTC:
            when = when.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return when if EARLIEST <= when < LATEST else None


class _StampsMs:
    """_utc's time in ms (core.timeutil.to_ms). A stamp written as `2026-01-02T03:04:05Z` is
    read from two small caches, of its hour (`2026-01-02T03`) and of its minute and second
    (`04:05`), each filled from a stamp in that form that _utc read."""

    def __init__(self) -> None:
        self.hours: dict[str, int] = {}
        self.seconds: dict[str, int] = {}

    def __call__(self, stamp: str) -> int | None:
        usual = len(stamp) == 20 and stamp[19] == "Z" and stamp[13] == ":"
        if usual:
            hour, second = self.hours.get(stamp[:13]), self.seconds.get(stamp[14:19])
            if hour is not None and second is not None:
                return hour + second
        when = _utc(stamp)
        if when is None:
            return None
        at = to_ms(when)
        if usual and not when.microsecond and when.isoformat()[:19] == stamp[:19]:
            second = (when.minute * 60 + when.second) * 1000
            self.hours[stamp[:13]] = at - second
            self.seconds[stamp[14:19]] = second
        return at


def write_review_csv(records: Iterable[ReviewRecord], stream: TextIO) -> None:
    """The records as CSV (header first), the exact inverse of read_review_csv."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow((*COLUMNS, CRAM))
    for r in records:
        if r.reviewed_at.tzinfo is None:
            raise ValueError(f"review of {r.card_id} has a naive reviewed_at")
        stamp = r.reviewed_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        writer.writerow((r.card_id, stamp, int(r.rating), r.duration_ms, int(r.cram)))


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


def _csv_records(reader: Any) -> Iterator[tuple[int, list[str], str]]:
    """_rows' records from a csv.reader (which reads on after a malformed record)."""
    start = 1
    while True:
        try:
            for row in reader:
                if row and (len(row) > 1 or row[0].strip()):
                    yield start, row, ""
                start = reader.line_num + 1
            return
        except csv.Error as exc:
            yield start, [], f"malformed CSV ({exc})"
            start = reader.line_num + 1


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


def _slow(name: str, line: int, row: list[str]
          ) -> Problem | tuple[str, dt.datetime, Rating, str]:
    """A row that failed the fast checks, read again with its spaces trimmed: its values, or
    the first thing wrong with it."""
    card_id, stamp, rating, duration = row
    if not card_id:
        return Problem(name, line, "card_id is empty")
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return Problem(name, line, f"reviewed_at {shown(stamp, 60)} is not an ISO-8601 time like "
                       "2026-01-02T03:04:05Z")
    if when.tzinfo is None:
        return Problem(name, line, f"reviewed_at {stamp!r} has no timezone (write UTC, e.g. "
                       "2026-01-02T03:04:05Z)")
    try:
        when = when.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is in year 0
        when = EARLIEST - dt.timedelta(days=1)
    if not EARLIEST <= when < LATEST:
        return Problem(name, line, f"reviewed_at {stamp!r} is outside the years "
                       f"{EARLIEST.year}-{LATEST.year - 1}")
    if rating not in RATINGS:
        return Problem(name, line, f"rating {shown(rating, 20)} is not 1, 2, 3 or 4")
    if not duration.isascii() or not duration.isdigit():
        return Problem(name, line, f"duration_ms {shown(duration, 40)} is not a whole number "
                       "of milliseconds (0 or more)")
    if len(duration) > 10 or int(duration) > MAX_DURATION_MS:
        return Problem(name, line, f"duration_ms {shown(duration, 40)} is more than "
                       f"{MAX_DURATION_MS:,} ms (24 days)")
    return card_id, when, RATINGS[rating], duration
