"""A review history matched to cards before it is written: read as it streams in, kept in
compact arrays (a million reviews in about 30 MB), ids resolved in one query per kind, sorted
by card and time and repeats dropped against what is stored, with numpy (services.history
writes the plan)."""

from __future__ import annotations

import datetime as dt
import itertools
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlite_utils import Database

from loopdrill.core.model import DeckError, Problem
from loopdrill.core.text import shown
from loopdrill.core.timeutil import from_ms, to_ms
from loopdrill.formats.review_csv import csv_stamp, listed
from loopdrill.formats.review_fields import Block, RawReview, ReviewBlock, row_blocks
from loopdrill.store.history import cards_by_id, cards_by_item, stored_times

CHUNK_CARDS = 500  # cards whose stored rows services.history reads at a time
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class HistoryReport:
    """What importing a review history did (or would do)."""

    cards: int
    added: int
    duplicates: int
    dry_run: bool = False


class Staged:
    """The reviews as read, in file order: the code of each one's id (`ids` maps an id to its
    code, in the order first read), its time (ms), rating + 8 * cram, duration (ms), line."""

    __slots__ = ("at", "code", "ids", "line", "ms", "rc")

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.code = array("i")
        self.at = array("q")
        self.rc = bytearray()
        self.ms = array("q")
        self.line = array("i")


@dataclass(frozen=True)
class HistoryPlan:
    """A history matched to cards, ready to replay and write: its new reviews as columns, each
    card's oldest first (in file order at one time), the cards one after the other; per card
    with new reviews, where they are."""

    report: HistoryReport
    replaced: tuple[int, ...]  # card numbers whose stored revlog rows are written again
    cards: list[tuple[str, str, int, int, int]]  # (card id, deck, number, start, stop)
    reviews: int  # revlog rows to write (new ones and those written again)
    at: Ints  # time (ms)
    rating: npt.NDArray[np.uint8]
    ms: Ints  # duration (ms)
    cram: npt.NDArray[np.uint8]  # 0 or 1


def resolve_ids(db: Database, wanted: Iterable[str]) -> tuple[dict[str, tuple[str, str, int]],
                                                             list[str]]:
    """Map each id (a card id, or an item id unique across decks) to (card id, deck, number).
    Each kind is looked up in one query."""
    wanted = set(wanted)
    found = {card_id: (card_id, deck, num) for card_id, deck, num in
             cards_by_id(db, [i for i in wanted if "/" in i])}  # a card id is deck/item
    by_item: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for card_id, item, deck, num in cards_by_item(db, sorted(wanted - found.keys())):
        by_item[item].append((card_id, deck, num))
    found.update((item, cards[0]) for item, cards in by_item.items() if len(cards) == 1)
    return found, sorted(wanted - found.keys())


CLOCK_SKEW = dt.timedelta(minutes=10)  # how far ahead of this machine's clock a review may be


def stage(blocks: Iterable[Block], now: dt.datetime, source: str
          ) -> tuple[Staged, list[Problem]]:
    """The reviews, and a problem for each review more than CLOCK_SKEW after `now`."""
    latest, clock = to_ms(now + CLOCK_SKEW), csv_stamp(now.replace(microsecond=0))
    staged = Staged()
    late: list[Problem] = []
    codes = staged.ids
    for block in blocks:
        if isinstance(block, ReviewBlock) and not (block.at > latest).any():
            local = np.array([codes.setdefault(i, len(codes)) for i in block.ids], np.int32)
            staged.code.frombytes(local[block.which].tobytes())
            staged.at.frombytes(block.at.tobytes())
            staged.rc.extend((block.rating | block.cram << 3).astype(np.uint8).tobytes())
            staged.ms.frombytes(block.ms.tobytes())
            staged.line.frombytes(block.line.astype(np.int32).tobytes())
            continue
        last_id: str | None = None
        code = -1
        code_to, at_to, rc_to = staged.code.append, staged.at.append, staged.rc.append
        ms_to, line_to = staged.ms.append, staged.line.append
        for card_id, at, rating, ms, cram, line in block if isinstance(block, list) \
                else block.rows():
            if at > latest:
                late.append(Problem(source, line, f"reviewed_at {csv_stamp(from_ms(at))} is in "
                                    f"the future (this machine's clock says {clock})"))
                continue
            if card_id != last_id:  # a file's reviews of one card often come together
                code = codes.setdefault(card_id, len(codes))
                last_id = card_id
            code_to(code)
            at_to(at)
            rc_to(rating | cram << 3)
            ms_to(ms)
            line_to(line)
    return staged, late


def plan_rows(db: Database, rows: Iterable[RawReview], now: dt.datetime, *,
              source: str = "reviews") -> HistoryPlan:
    """plan_blocks for rows."""
    return plan_blocks(db, row_blocks(rows), now, source=source)


def plan_blocks(db: Database, blocks: Iterable[Block], now: dt.datetime, *,
                source: str = "reviews") -> HistoryPlan:
    """Match reviews to cards and drop those already stored (reads only); DeckError when a
    card is unknown or a review in the future, naming every such row. Reviews up to
    CLOCK_SKEW ahead of `now` are taken: the clocks of the machine that exported them and of
    this one may differ by that much."""
    staged, late = stage(blocks, now, source)
    ids, unknown = resolve_ids(db, staged.ids)
    code = np.frombuffer(staged.code, np.int32)
    if unknown or late:
        names = list(staged.ids)
        bad = np.isin(code, [staged.ids[i] for i in unknown])
        problems = [Problem(source, line, f"no card with id {shown(names[c], 80)}") for line, c in
                    zip(np.frombuffer(staged.line, np.int32)[bad].tolist(), code[bad].tolist(),
                        strict=True)]
        raise DeckError(listed(problems + late, source))
    staged.line = array("i")  # read for problems only: its memory goes now
    rank: dict[int, int] = {}  # card number -> its place (its first id's first review)
    cards: list[tuple[str, str, int]] = []
    for wanted in staged.ids:
        card_id, deck, num = ids[wanted]
        if num not in rank:
            rank[num] = len(cards)
            cards.append((card_id, deck, num))
    rank_of = np.array([rank[ids[wanted][2]] for wanted in staged.ids], np.int32)
    card, at = rank_of[code], np.frombuffer(staged.at, np.int64)
    order: Ints | None = None  # None: the file is in order already (an export usually is)
    if not _in_order(card, at, code):
        order = np.lexsort((code, at, card))  # by card, time, id, then as read
        card, at = card[order], at[order]
        staged.at = array("q")  # read in order now: the memory of both goes
    del code
    staged.code = array("i")
    repeat = np.zeros(len(at), bool)  # at a time taken by a review before it
    repeat[1:] = (card[1:] == card[:-1]) & (at[1:] == at[:-1])
    stored_card, stored_at = _stored(db, np.array([num for _, _, num in cards], np.int64))
    if len(stored_card):
        repeat |= taken(card, at, stored_card, stored_at)
    fresh = np.bincount(card[~repeat], minlength=len(cards)).tolist()
    counts = np.bincount(stored_card, minlength=len(cards)).tolist()  # stored rows per card
    planned, replaced, reviews, start = [], [], 0, 0
    for (card_id, deck, num), new, count in zip(cards, fresh, counts, strict=True):
        if new:  # else nothing new: its stored rows and state stay as they are
            planned.append((card_id, deck, num, start, start + new))
            start += new
            reviews += new + count
            if count:
                replaced.append(num)
    kept: Any = slice(None)  # which reviews, in the order to write them
    if order is not None or repeat.any():
        kept = np.flatnonzero(~repeat) if order is None else order[~repeat]
        at = at[~repeat]
    rc, ms = np.frombuffer(staged.rc, np.uint8)[kept], np.frombuffer(staged.ms, np.int64)[kept]
    report = HistoryReport(len(cards), start, len(repeat) - start)
    return HistoryPlan(report, tuple(replaced), planned, reviews, at, rc & 7, ms, rc >> 3)


def _in_order(card: npt.NDArray[np.int32], at: Ints, code: npt.NDArray[np.int32]) -> bool:
    """Whether the reviews are by card, then time, then id already."""
    step, tick = np.diff(card), np.diff(at)
    return bool(((step > 0) | ((step == 0) & ((tick > 0) | ((tick == 0)
                                                              & (np.diff(code) >= 0))))).all())


def _stored(db: Database, nums: Ints) -> tuple[Ints, Ints]:
    """Each stored revlog row of these cards: its card's place in `nums`, and its time."""
    pairs = np.fromiter(itertools.chain.from_iterable(stored_times(db, nums.tolist())),
                        np.int64).reshape(-1, 2)
    sorter = np.argsort(nums)
    return sorter[np.searchsorted(nums, pairs[:, 0], sorter=sorter)], pairs[:, 1]


def taken(card: npt.NDArray[np.integer[Any]], at: Ints, stored_card: Ints, stored_at: Ints
          ) -> npt.NDArray[np.bool_]:
    """Whether each review's (card, time) is a stored one's: each pair packed into one number
    (card * span + time), the stored ones sorted and searched. Times too far apart for that
    to fit in 64 bits are replaced by their places among all the times first."""
    low = min(int(at.min()), int(stored_at.min()))
    span = max(int(at.max()), int(stored_at.max())) - low + 1
    if (max(int(card.max()), int(stored_card.max())) + 1) * span >= 1 << 62:
        times, place = np.unique(np.concatenate((stored_at, at)), return_inverse=True)
        stored_at, at, low, span = place[:len(stored_at)], place[len(stored_at):], 0, len(times)
    stored = stored_card * span + (stored_at - low)
    stored.sort()
    key = card.astype(np.int64) * span + (at - low)
    found: npt.NDArray[np.bool_] = stored[np.minimum(np.searchsorted(stored, key),
                                                     len(stored) - 1)] == key
    return found
