"""A review history matched to cards before it is written: read as it streams in, each card's
reviews kept in compact arrays (a million reviews in about 30 MB), ids resolved in one query
per kind, repeats dropped against what is stored (services.history writes the plan)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlite_utils import Database

from loopdrill.core.model import DeckError, Problem
from loopdrill.core.timeutil import from_ms, to_ms, to_stamp
from loopdrill.formats.review_csv import RawReview
from loopdrill.store.history import cards_by_id, cards_by_item, stored_times

CHUNK_CARDS = 500  # cards whose stored times are read at a time


@dataclass(frozen=True)
class HistoryReport:
    """What importing a review history did (or would do)."""

    cards: int
    added: int
    duplicates: int
    dry_run: bool = False


class Staged:
    """One card's reviews as read: times (ms), rating + 8 * cram, durations (ms), lines; and,
    once planned, the order to write the new ones in (`kept`: oldest first, repeats left
    out)."""

    __slots__ = ("at", "code", "kept", "line", "ms")

    def __init__(self) -> None:
        self.at = array("q")
        self.code = bytearray()
        self.ms = array("q")
        self.line = array("q")
        self.kept = array("q")

    def extend(self, other: Staged) -> None:
        self.at += other.at
        self.code += other.code
        self.ms += other.ms
        self.line += other.line


@dataclass(frozen=True)
class HistoryPlan:
    """A history matched to cards, ready to replay and write: per card with new reviews,
    what was staged for it (its new reviews in `kept` order)."""

    report: HistoryReport
    replaced: tuple[int, ...]  # card numbers whose stored revlog rows are written again
    cards: list[tuple[str, str, int, Staged]]  # (card id, deck, number, new reviews)
    reviews: int  # revlog rows to write (new ones and those written again)


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


def stage(rows: Iterable[RawReview], latest: int, source: str
          ) -> tuple[dict[str, Staged], list[Problem]]:
    """Each id's reviews, and a problem for each review later than `latest` (ms)."""
    by_id: dict[str, Staged] = {}
    late: list[Problem] = []
    last_id: str | None = None
    at_to = code_to = ms_to = line_to = Staged().at.append
    for card_id, at, rating, ms, cram, line in rows:
        if at > latest:
            late.append(Problem(source, line, f"review time {to_stamp(from_ms(at))} is in the "
                                "future"))
            continue
        if card_id != last_id:  # a file's reviews of one card often come together
            staged = by_id.get(card_id) or by_id.setdefault(card_id, Staged())
            at_to, code_to = staged.at.append, staged.code.append
            ms_to, line_to = staged.ms.append, staged.line.append
            last_id = card_id
        at_to(at)
        code_to(rating | cram << 3)
        ms_to(ms)
        line_to(line)
    return by_id, late


CLOCK_SKEW = dt.timedelta(minutes=10)


def plan_rows(db: Database, rows: Iterable[RawReview], now: dt.datetime, *,
              source: str = "reviews") -> HistoryPlan:
    """Match reviews to cards and drop those already stored (reads only); DeckError when a
    card is unknown or a review in the future, naming every such row. Reviews up to
    CLOCK_SKEW ahead of `now` are taken: the clocks of the machine that exported them and of
    this one may differ by that much."""
    by_id, late = stage(rows, to_ms(now + CLOCK_SKEW), source)
    ids, unknown = resolve_ids(db, by_id)
    if unknown or late:
        problems = sorted((Problem(source, line, f"no card with id {card_id!r}")
                           for card_id in unknown for line in by_id[card_id].line),
                          key=lambda p: p.line)
        raise DeckError(_listed(problems + late, source))
    cards: dict[int, tuple[str, str, int, Staged]] = {}
    for wanted, staged in by_id.items():
        card_id, deck, num = ids[wanted]
        if num in cards:
            cards[num][3].extend(staged)
        else:
            cards[num] = (card_id, deck, num, staged)
    added = reviews = 0
    replaced: list[int] = []
    planned: list[tuple[str, str, int, Staged]] = []
    nums = list(cards)
    for start in range(0, len(nums), CHUNK_CARDS):
        chunk = nums[start:start + CHUNK_CARDS]
        stored: dict[int, set[int]] = defaultdict(set)
        counts: dict[int, int] = defaultdict(int)
        for num, at in stored_times(db, chunk):
            stored[num].add(at)
            counts[num] += 1
        for num in chunk:
            staged = cards[num][3]
            fresh = _keep(staged, stored.get(num, set()))
            if not fresh:
                continue  # nothing new: its stored rows and state stay as they are
            added += fresh
            reviews += fresh + counts.get(num, 0)
            if num in counts:
                replaced.append(num)
            planned.append(cards[num])
    report = HistoryReport(len(cards), added, sum(len(c[3].at) for c in cards.values()) - added)
    return HistoryPlan(report, tuple(replaced), planned, reviews)


def _keep(staged: Staged, stored: set[int]) -> int:
    """Put in `staged.kept` its reviews oldest first (in file order at one time) without
    those at a time already taken by a stored review or one before it; how many."""
    at = staged.at
    seen = set(stored)
    kept = staged.kept
    for index in sorted(range(len(at)), key=at.__getitem__):
        moment = at[index]
        if moment not in seen:
            seen.add(moment)
            kept.append(index)
    return len(kept)


def new_rows(staged: Staged) -> Iterator[tuple[int, None, int, int, int]]:
    """A card's new reviews to write, oldest first: (time ms, None, rating, duration, cram)."""
    at, code, ms = staged.at, staged.code, staged.ms
    for index in staged.kept:
        value = code[index]
        yield at[index], None, value & 7, ms[index], value >> 3


SHOWN_PROBLEMS = 50


def _listed(problems: list[Problem], source: str) -> list[Problem]:
    """The first problems, and when there are more, every one of them written to a file the
    last line names (a history with 100,000 unknown ids would flood the terminal)."""
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
