"""The fields of a review CSV's lines (formats.review_csv reads the file).

For the history import, a block of lines at a time with numpy: a block whose lines are all
plain (no quote, no carriage return, the header's number of fields, times written
`2026-01-02T03:04:05Z`, ratings 1-4, durations of 1-10 digits, cram 0, 1 or empty, card ids
with no space around them) becomes columns in a few array operations. Any other block is read
a line at a time (csv, then formats.review_csv's checks and those here), which says what is
wrong with a bad line. The two give the same reviews (tests/formats/test_review_blocks.py)."""

from __future__ import annotations

import codecs
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from loopdrill.core.model import DeckError, Problem, Rating, ReviewRecord
from loopdrill.core.text import shown
from loopdrill.core.timeutil import to_ms
from loopdrill.formats.batch import EARLIEST, LATEST, MAX_DURATION_MS

Ints = npt.NDArray[np.int64]
# a review as the history import takes it: card id, time in ms (core.timeutil.to_ms), rating,
# duration ms, cram (0 or 1), line
RawReview = tuple[str, int, int, int, int, int]
DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]  # of `2026-01-02T03:04:05Z`
MARKS = {4: ord("-"), 7: ord("-"), 10: ord("T"), 13: ord(":"), 16: ord(":"), 19: ord("Z")}
FIRST_YEAR, END_YEAR = EARLIEST.year, LATEST.year  # each on January 1, 00:00 UTC
RATINGS = {str(int(r)): r for r in Rating}
LONG_ID = 64  # bytes: longer card ids are compared one by one
UTC = dt.UTC


@dataclass
class ReviewBlock:
    """Reviews read together, as columns: each one's card id is ids[which]."""

    ids: list[str]
    which: Ints
    at: Ints  # ms
    rating: Ints
    ms: Ints
    cram: Ints
    line: Ints

    @classmethod
    def of_rows(cls, rows: list[RawReview]) -> ReviewBlock:
        """Reviews read as rows, as columns (a block of columns holds a tenth of the memory)."""
        places: dict[str, int] = {}
        which = [places.setdefault(card_id, len(places)) for card_id, *_ in rows]
        columns = list(zip(*rows, strict=True))[1:] if rows else [()] * 5
        return cls(list(places), np.array(which, np.int64),
                   *(np.array(column, np.int64) for column in columns))

    def rows(self) -> Iterator[RawReview]:
        """The reviews as RawReview tuples."""
        return zip(map(self.ids.__getitem__, self.which.tolist()), self.at.tolist(),
                   self.rating.tolist(), self.ms.tolist(), self.cram.tolist(),
                   self.line.tolist(), strict=True)


Block = ReviewBlock | list[RawReview]  # reviews read together: as columns, or as rows
BLOCK_ROWS = 50_000  # reviews to a block of rows


def raw_reviews(records: Iterable[ReviewRecord]) -> Iterator[RawReview]:
    """Review records as RawReview tuples."""
    for r in records:
        yield r.card_id, to_ms(r.reviewed_at), int(r.rating), r.duration_ms, int(r.cram), r.line


def row_blocks(rows: Iterable[RawReview]) -> Iterator[list[RawReview]]:
    """Reviews as blocks of rows, BLOCK_ROWS to a block."""
    stream = iter(rows)
    while block := list(itertools.islice(stream, BLOCK_ROWS)):
        yield block


def parse_block(data: bytes, width: int, order: list[int] | None, line: int
                ) -> ReviewBlock | None:
    """The reviews of `data` (whole lines, the first being the file's line `line`, each ended
    by a newline; empty ones skipped), or None when a line is not plain (read it line by
    line)."""
    if b'"' in data or b"\r" in data:
        return None
    buf = np.frombuffer(data, np.uint8)
    ends = np.flatnonzero(buf == ord("\n"))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lines = np.arange(line, line + len(ends), dtype=np.int64)
    full = ends > starts
    starts, ends, lines = starts[full], ends[full], lines[full]
    commas = np.flatnonzero(buf == ord(","))
    if len(commas) != len(ends) * (width - 1) or (
            np.searchsorted(commas, ends) - np.searchsorted(commas, starts) != width - 1).any():
        return None
    cut = commas.reshape(len(ends), width - 1)
    first = [starts, *(cut[:, k] + 1 for k in range(width - 1))]
    last = [*(cut[:, k] for k in range(width - 1)), ends]
    fields = [(first[i], last[i]) for i in (order or range(width))]
    at = _times(buf, *fields[1])
    rating = _number(buf, *fields[2], 1)
    ms = _number(buf, *fields[3], 10)
    cram = np.zeros(len(ends), np.int64) if width == 4 else _cram(buf, *fields[4])
    if at is None or rating is None or ms is None or cram is None or \
            ((rating < 1) | (rating > 4)).any():
        return None
    named = _ids(data, buf, *fields[0])
    if named is None:
        return None
    ids, which = named
    return ReviewBlock(ids, which, at, rating, ms, cram, lines)


def _times(buf: npt.NDArray[np.uint8], start: Ints, end: Ints) -> Ints | None:
    """Times in ms of stamps all written `2026-01-02T03:04:05Z` (None when one is not, or is
    not a time that formats.review_csv takes)."""
    if not len(start):
        return np.zeros(0, np.int64)
    if ((end - start) != 20).any():
        return None
    if any((buf[start + at] != mark).any() for at, mark in MARKS.items()):
        return None
    digits = [buf[start + at].astype(np.int32) - ord("0") for at in DIGITS]
    if any(((digit < 0) | (digit > 9)).any() for digit in digits):
        return None
    year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
    month, day, hour, minute, second = (digits[n] * 10 + digits[n + 1] for n in range(4, 14, 2))
    if ((year < FIRST_YEAR) | (year >= END_YEAR) | (month < 1) | (month > 12) | (day < 1)
            | (hour > 23) | (minute > 59) | (second > 59)).any():
        return None
    months = ((year - 1970) * 12 + month - 1).astype(np.int64)
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    after = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    if (day > after - first).any():
        return None
    at: Ints = (((first + day - 1) * 24 + hour) * 60 + minute) * 60_000 + second * 1000
    return at


def _number(buf: npt.NDArray[np.uint8], start: Ints, end: Ints, longest: int) -> Ints | None:
    """Whole numbers of 1 to `longest` ASCII digits (None when one is not)."""
    size = end - start
    if ((size < 1) | (size > longest)).any():
        return None
    value = np.zeros(len(start), np.int64)
    for at in range(int(size.max()) if len(size) else 0):
        inside = at < size
        digit = buf[np.where(inside, start + at, 0)].astype(np.int64) - ord("0")
        if (inside & ((digit < 0) | (digit > 9))).any():
            return None
        value = np.where(inside, value * 10 + digit, value)
    return value


def _cram(buf: npt.NDArray[np.uint8], start: Ints, end: Ints) -> Ints | None:
    """Cram fields `0`, `1` or empty as 0 or 1 (None when one is something else)."""
    size = end - start
    char = buf[np.minimum(start, len(buf) - 1)]
    plain = (size == 0) | ((size == 1) & ((char == ord("0")) | (char == ord("1"))))
    if not plain.all():
        return None
    cram: Ints = ((size == 1) & (char == ord("1"))).astype(np.int64)
    return cram


def _ids(data: bytes, buf: npt.NDArray[np.uint8], start: Ints, end: Ints
         ) -> tuple[list[str], Ints] | None:
    """The distinct card ids and each line's place among them (None when one is empty or has
    space around it: formats.review_csv trims or refuses it). A line whose id is the line
    before's makes no Python object (a million bytes objects would pin their memory)."""
    size = end - start
    if not len(size) or (size < 1).any():
        return (None if len(size) else ([], np.zeros(0, np.int64)))
    heads = np.ones(len(size), bool)  # lines whose id differs from the line before's
    if int(size.max()) <= LONG_ID:
        heads[1:] = size[1:] != size[:-1]
        for at in range(int(size.max())):
            char = np.where(at < size, buf[np.minimum(start + at, len(buf) - 1)], 0)
            heads[1:] |= char[1:] != char[:-1]
    first = np.flatnonzero(heads)
    places: dict[bytes, int] = {}
    ids: list[str] = []
    of_run: list[int] = []
    for a, b in zip(start[first].tolist(), end[first].tolist(), strict=True):
        key = data[a:b]
        if key not in places:
            text = key.decode("utf-8")
            if text.strip() != text:
                return None
            places[key] = len(ids)
            ids.append(text)
        of_run.append(places[key])
    return ids, np.array(of_run, np.int64)[np.cumsum(heads) - 1]


def utc(stamp: str) -> dt.datetime | None:
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


class StampsMs:
    """utc's time in ms (core.timeutil.to_ms). A stamp written as `2026-01-02T03:04:05Z` is
    read from two small caches, of its hour (`2026-01-02T03`) and of its minute and second
    (`04:05`), each filled from a stamp in that form that utc read."""

    def __init__(self) -> None:
        self.hours: dict[str, int] = {}
        self.seconds: dict[str, int] = {}

    def __call__(self, stamp: str) -> int | None:
        usual = len(stamp) == 20 and stamp[19] == "Z" and stamp[13] == ":"
        if usual:
            hour, second = self.hours.get(stamp[:13]), self.seconds.get(stamp[14:19])
            if hour is not None and second is not None:
                return hour + second
        when = utc(stamp)
        if when is None:
            return None
        at = to_ms(when)
        if usual and not when.microsecond and when.isoformat()[:19] == stamp[:19]:
            second = (when.minute * 60 + when.second) * 1000
            self.hours[stamp[:13]] = at - second
            self.seconds[stamp[14:19]] = second
        return at


def checked_row(name: str, line: int, row: list[str]
          ) -> Problem | tuple[str, dt.datetime, Rating, str]:
    """A row that failed formats.review_csv's quick checks, read again with its spaces
    trimmed: its values, or the first thing wrong with it."""
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


def check_encoding(stream: BinaryIO, name: str) -> bool:
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
