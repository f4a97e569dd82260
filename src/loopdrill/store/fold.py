"""What the revlog's insert trigger adds to the running totals (store.aggregates), summed with
numpy while a bulk write has the triggers paused: a batch of revlog rows as columns, each
total's key packed into one integer, the rows grouped by sorting and summed per group. A
million rows fold in a few tenths of a second (a loop in Python took two seconds)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from loopdrill.store.aggregates import MS_PER_DAY, StudyDays, day_date
from loopdrill.store.bulk import REVLOG_COLUMNS

Ints = npt.NDArray[np.int64]
DENSE_KEYS = 1 << 18  # keys packed below this are summed by their place, not sorted


class RevlogBatch:
    """Revlog rows as columns (store.bulk.REVLOG_COLUMNS order), r -1 where it is NULL;
    `values` may give some columns as Python values already (r None where NULL), which the
    insert takes as they are."""

    def __init__(self, columns: Sequence[Ints],
                 values: Mapping[int, Sequence[Any]] | None = None) -> None:
        self.columns = list(columns)
        self.values = dict(values or {})
        (self.card, self.at, self.day, self.hour, self.rating, self.ms, self.state, self.reps,
         self.lapses, self.ivl, self.elapsed, self.r, self.cram) = self.columns

    def __len__(self) -> int:
        return len(self.card)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """The rows as tuples for an insert (r None where NULL)."""
        columns = [self.values[n] if n in self.values else column.tolist()
                   for n, column in enumerate(self.columns)]
        if 11 not in self.values and (self.r < 0).any():
            columns[11] = [None if r < 0 else r for r in columns[11]]
        return zip(*columns, strict=True)

    @classmethod
    def of_rows(cls, rows: Iterable[Sequence[Any]]) -> RevlogBatch:
        """The columns of revlog tuples (r None where NULL)."""
        listed = [row[:len(REVLOG_COLUMNS)] for row in rows]
        if not listed:
            return cls([np.zeros(0, np.int64) for _ in REVLOG_COLUMNS])
        columns = list(zip(*listed, strict=True))
        columns[11] = tuple(-1 if r is None else r for r in columns[11])
        return cls([np.array(column, np.int64) for column in columns])


def days_hours(days: StudyDays, at: Ints) -> tuple[Ints, Ints]:
    """StudyDays.day_hour of each time (ms): its study day number and local hour."""
    blocks = at // 900_000  # quarter hours, each one's offset looked up once
    if not len(blocks):
        return blocks, blocks
    low = int(blocks.min())
    if int(blocks.max()) - low < DENSE_KEYS:  # a table of the quarter hours: no sort
        place = blocks - low
        seen = np.flatnonzero(np.bincount(place))
        table = np.zeros(int(seen[-1]) + 1, np.int64)
        table[seen] = [days.offset((block + low) * 900_000) for block in seen.tolist()]
        offset = table[place]
    else:
        distinct, inverse = np.unique(blocks, return_inverse=True)
        offset = np.array([days.offset(block * 900_000) for block in distinct.tolist()],
                          np.int64)[inverse]
    local = at + offset
    return (local - days.shift) // MS_PER_DAY, local // 3_600_000 % 24


Group = tuple[list[Ints], list[npt.NDArray[Any]]]  # (key columns, summed value columns)


def grouped(keys: list[Ints], values: list[npt.NDArray[Any]]) -> Group:
    """The distinct rows of the key columns (sorted) and each value column summed over them
    (integer columns exactly; float ones in row order, as np.bincount adds)."""
    if not len(keys[0]):
        return keys, values
    packed = np.zeros(len(keys[0]), np.int64)
    spans: list[tuple[int, int]] = []
    size = 1
    for key in keys:
        low, span = int(key.min()), int(key.max()) - int(key.min()) + 1
        size *= span
        spans.append((low, span))
    if size >= 1 << 62:  # too wide to pack: group the columns as rows (slower)
        distinct, inverse = np.unique(np.stack(keys, axis=1), axis=0, return_inverse=True)
        return [distinct[:, n] for n in range(len(keys))], _sums(inverse.ravel(),
                                                                 len(distinct), values)
    for key, (low, span) in zip(keys, spans, strict=True):
        packed *= span
        packed += key - low
    if size <= DENSE_KEYS:  # summed in a table of every possible key: no sort
        distinct = np.flatnonzero(np.bincount(packed, minlength=size))
        sums = [total[distinct] for total in _sums(packed, size, values)]
    else:
        distinct, inverse = np.unique(packed, return_inverse=True)
        sums = _sums(inverse, len(distinct), values)
    out: list[Ints] = []
    for low, span in reversed(spans):
        out.append(distinct % span + low)
        distinct = distinct // span
    return out[::-1], sums


def _sums(inverse: Ints, groups: int, values: list[npt.NDArray[Any]]) -> list[npt.NDArray[Any]]:
    out: list[npt.NDArray[Any]] = []
    for value in values:
        if value.dtype.kind == "f":
            out.append(np.bincount(inverse, weights=value, minlength=groups))
        else:
            total = np.zeros(groups, np.int64)
            np.add.at(total, inverse, value)
            out.append(total)
    return out


class _Total:
    """One running total's sums so far, merged a batch at a time."""

    def __init__(self) -> None:
        self.group: Group | None = None

    def add(self, keys: list[Ints], values: list[npt.NDArray[Any]]) -> None:
        if not len(keys[0]):
            return
        if self.group is not None:
            keys = [np.concatenate(pair) for pair in zip(self.group[0], keys, strict=True)]
            values = [np.concatenate(pair) for pair in zip(self.group[1], values, strict=True)]
        self.group = grouped(keys, values)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        if self.group is not None:
            yield from zip(*(c.tolist() for c in self.group[0]),
                           *(c.tolist() for c in self.group[1]), strict=True)


class TotalsFold:
    """What the revlog's triggers would add to the running totals for the rows written with
    the triggers paused; `cards` maps each card number to its (card id, deck)."""

    def __init__(self, cards: Mapping[int, tuple[str, str]]) -> None:
        self.cards_by_num = cards
        self.decks = sorted({deck for _, deck in cards.values()})
        nums = np.array(sorted(cards), np.int64)
        index = {deck: n for n, deck in enumerate(self.decks)}
        self.nums = nums
        self.deck_of = np.array([index[cards[num][1]] for num in nums.tolist()], np.int64)
        self.rows = 0  # counted so far
        self.days, self.clock, self.cards, self.calibration = (_Total() for _ in range(4))

    def add_rows(self, rows: Iterable[Sequence[Any]], sign: int = 1) -> None:
        """add() for revlog tuples (store.bulk.REVLOG_COLUMNS order, r None where NULL)."""
        self.add(RevlogBatch.of_rows(rows), sign)

    def add(self, batch: RevlogBatch, sign: int = 1) -> None:
        """Count a batch of revlog rows (sign -1: take rows about to be deleted away)."""
        if not len(batch):
            return
        self.rows += len(batch)
        deck = self.deck_of[np.searchsorted(self.nums, batch.card)]
        passed = (batch.rating > 1).astype(np.int64) * sign
        count = np.full(len(batch), sign, np.int64)
        young = (batch.ivl < 21).astype(np.int64)
        self.days.add([batch.day, deck, batch.state, young, batch.rating, batch.cram],
                      [count, batch.ms * sign])
        self.clock.add([batch.day, deck, batch.hour], [count, passed])
        answer = batch.cram == 0
        review = answer & (batch.state == 2)
        self.cards.add([batch.card[review]], [count[review], passed[review]])
        long_term = answer & (batch.r >= 0) & (batch.elapsed >= 1)
        r = batch.r[long_term]
        p = np.clip(r / 1e6, 1e-6, 1 - 1e-6)
        good = passed[long_term] != 0
        loss = np.where(good, -np.log(p), -np.log(1 - p))
        self.calibration.add(
            [deck[long_term], batch.elapsed[long_term], batch.reps[long_term],
             batch.lapses[long_term], np.minimum(r // 100000, 9)],
            [count[long_term], r / 1e6 * sign, passed[long_term], loss * sign])

    def write(self, conn: sqlite3.Connection) -> None:
        """Add the counts to the totals (the caller holds the transaction)."""
        decks, ids = self.decks, self.cards_by_num
        dates: dict[int, str] = {}

        def date(number: int) -> str:
            if number not in dates:
                dates[number] = day_date(number).isoformat()
            return dates[number]

        conn.executemany(
            "INSERT INTO review_days (day, deck, state, young, rating, cram, n, ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE "
            "SET n = n + excluded.n, ms = ms + excluded.ms",
            ((date(day), decks[deck], *rest) for day, deck, *rest in self.days.rows()))
        conn.executemany(
            "INSERT INTO review_cards VALUES (?, ?, ?) ON CONFLICT DO UPDATE "
            "SET n = n + excluded.n, passed = passed + excluded.passed",
            ((ids[num][0], n, passed) for num, n, passed in self.cards.rows()))
        conn.executemany(
            "INSERT INTO review_calibration VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO "
            "UPDATE SET n = n + excluded.n, r_sum = r_sum + excluded.r_sum, "
            "passed = passed + excluded.passed, loss = loss + excluded.loss",
            ((decks[deck], *rest) for deck, *rest in self.calibration.rows()))
        conn.executemany(
            "INSERT INTO review_clock VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE "
            "SET n = n + excluded.n, passed = passed + excluded.passed",
            ((date(day), decks[deck], *rest) for day, deck, *rest in self.clock.rows()))
