"""loopdrill's card states and reviews as the rows of an Anki collection (legacy schema 11):
`cards` (type, queue, due, ivl, left, flags, FSRS memory state in `data`) and `revlog`.

Anki counts review due days from the collection's creation day (`crt`); the writer makes
`crt` the start of a study day (at the rollover hour), so day n of loopdrill is due n of
Anki's, and Anki's importer shifts them to its own collection's days."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any, NamedTuple

from loopdrill.core.cards import valid_item_id
from loopdrill.core.model import CardState, Item
from loopdrill.core.timeutil import from_stamp, next_day_start, study_day, to_ms
from loopdrill.formats.export import item_mapping
from loopdrill.formats.loopdrill_columns import (
    AS_OF,
    ITEM,
    SOURCE,
    item_cell,
    read_as_of,
    read_item_cell,
)

DEFAULT_DECAY = 0.1542  # FSRS-6's w[20], when the deck has no fitted parameters
# revlog type by the card's state before the answer: learn, review, relearn (3: cram)
REVLOG_TYPE = {CardState.NEW: 0, CardState.LEARNING: 0, CardState.REVIEW: 1,
               CardState.RELEARNING: 2}


@dataclass(frozen=True)
class Clock:
    """The package's time frame: now, the rollover hour, and Anki's day 0."""

    now: dt.datetime
    rollover: int
    first_day: dt.date

    def day(self, moment: dt.datetime) -> int:
        return (study_day(moment, self.rollover) - self.first_day).days


@dataclass(frozen=True)
class Schedule:
    """What a card row needs from its deck: learning step counts, retention, decay."""

    learning_steps: int
    relearning_steps: int
    desired_retention: float
    decay: float


def _moment(value: object) -> dt.datetime | None:
    return from_stamp(value) if isinstance(value, str) and value else None


class CardRow(NamedTuple):
    """One row of Anki's `cards` table, in schema 11's column order."""
    id: int
    nid: int
    did: int
    ord: int
    mod: int
    usn: int
    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int
    odue: int
    odid: int
    flags: int
    data: str

    def interval(self, now: int) -> int:
        """The interval as the revlog writes it: days, or minus the seconds to a learning
        step's due (`now` in seconds)."""
        if self.ivl or self.queue != 1:
            return self.ivl
        return -max(60, self.due - now)


def card_row(cid: int, nid: int, did: int, ord_: int, position: int,
             state: Mapping[str, Any] | None, clock: Clock, schedule: Schedule) -> CardRow:
    """One `cards` row."""
    mod = int(clock.now.timestamp())
    st = dict(state or {})
    kind = CardState(int(st.get("state") or 0))
    due_at, last = _moment(st.get("due")), _moment(st.get("last_review"))
    buried_until = _moment(st.get("buried_until"))
    reps, lapses, flag = int(st.get("reps") or 0), int(st.get("lapses") or 0), \
        int(st.get("flag") or 0)
    data: dict[str, Any] = {}
    if kind == CardState.NEW or due_at is None:
        type_, queue, due, ivl, factor, left = 0, 0, position, 0, 0, 0
        kind = CardState.NEW
    else:
        type_ = int(kind)
        factor = 2500
        ivl = max(1, clock.day(due_at) - clock.day(last)) if last else 1
        left = 0
        if kind == CardState.REVIEW:
            queue, due = 2, clock.day(due_at)
        else:
            steps = schedule.learning_steps if kind == CardState.LEARNING \
                else schedule.relearning_steps
            left = max(1, steps - int(st.get("step") or 0))
            if kind == CardState.LEARNING:
                ivl = 0
            if due_at < next_day_start(clock.now, clock.rollover):
                queue, due = 1, int(due_at.timestamp())
            else:  # a step of a day or more: Anki's day-learning queue counts in days
                queue, due = 3, clock.day(due_at)
        s, d = st.get("stability"), st.get("difficulty")
        if isinstance(s, int | float) and isinstance(d, int | float) and s > 0:
            data = {"s": round(float(s), 4), "d": round(float(d), 3),
                    "dr": schedule.desired_retention, "decay": schedule.decay}
            if last:
                data["lrt"] = int(last.timestamp())
    if buried_until is not None and buried_until > clock.now:
        queue = -3
    if st.get("suspended"):
        queue = -1
    return CardRow(cid, nid, did, ord_, mod, -1, type_, queue, due, ivl, factor, reps, lapses,
                   left, 0, 0, flag, json.dumps(data, separators=(",", ":")) if data else "")


def revlog_rows(reviews: Iterable[tuple[Any, ...]], card_ids: Mapping[str, int],
                current: Mapping[str, int]) -> Iterator[tuple[Any, ...]]:
    """`revlog` rows of the exported cards' reviews ((card id, at, rating, ms, cram, state
    before, interval before), a card's together and in order): the interval after each answer
    is the next answer's interval before (the card's current one after its last), negative
    seconds while learning; ids are the answer times in ms, made unique."""
    ids = Ids()
    for card, group in groupby(reviews, key=lambda r: r[0]):
        if card not in card_ids:
            continue
        answers = list(group)
        for n, (_, at, rating, ms, cram, state, last_ivl) in enumerate(answers):
            if n + 1 < len(answers):
                after = answers[n + 1][6] or -max(1, (answers[n + 1][1] - at) // 1000)
            else:
                after = current.get(card, 0)
            kind = 3 if cram else REVLOG_TYPE.get(CardState(int(state)), 1)
            yield (ids.take(int(at)), card_ids[card], -1, int(rating), int(after),
                   int(last_ivl), 0 if kind == 0 else 2500, int(ms), kind)


def first_day(states: Mapping[str, Mapping[str, Any]], now: dt.datetime,
              rollover: int) -> dt.date:
    """Anki's day 0: the earliest study day a card was added, answered or is due on (so no
    due day is negative), else today."""
    moments = [now] + [m for s in states.values() for key in ("added", "last_review", "due")
                       if (m := _moment(s.get(key)))]
    return study_day(min(moments), rollover)


class Ids:
    """Unique ids (Anki's are times in ms): the one wanted, or the next one free. Many rows
    wanting one time (a deck imported at once) cost one step each, not one per earlier row."""

    def __init__(self) -> None:
        self.taken: set[int] = set()
        self.after: dict[int, int] = {}  # a wanted id -> where to look next time

    def take(self, wanted: int) -> int:
        if wanted not in self.taken:  # most are free: no hint kept for them
            self.taken.add(wanted)
            return wanted
        got = self.after.get(wanted, wanted)
        while got in self.taken:
            got += 1
        self.taken.add(got)
        self.after[wanted] = got + 1
        return got


def added_ms(state: Mapping[str, Any] | None, now: dt.datetime) -> int:
    moment = _moment((state or {}).get("added"))
    return to_ms(moment if moment else now)


def note_data(item: Item, slug: str) -> str:
    """A loopdrill item as the `data` of the note it became (Anki leaves `data` alone): its
    id, and the item, source and as-of as the TSV export's own columns hold them."""
    return json.dumps({"id": item.id, ITEM: item_cell(item_mapping(item), slug),
                       SOURCE: item.source or "",
                       AS_OF: item.as_of.isoformat() if item.as_of else ""},
                      ensure_ascii=False)


def read_note_data(data: str) -> tuple[str, Item] | str | None:
    """(deck slug, item) from a note's `data` that `note_data` wrote, None when the note has
    none (Anki's own notes), or what is wrong with it in one sentence."""
    if not data.startswith("{") or ITEM not in data:
        return None
    try:
        parsed = json.loads(data)
    except ValueError:
        return "its loopdrill data is not JSON"
    if not isinstance(parsed, dict) or not valid_item_id(parsed.get("id")) \
            or not isinstance(parsed.get(ITEM), str):
        return "its loopdrill data has no item id or item"
    found = read_item_cell(parsed[ITEM], parsed["id"])
    if isinstance(found, str):
        return found
    as_of = read_as_of(str(parsed.get(AS_OF) or ""))
    if isinstance(as_of, str):
        return as_of
    slug, item = found
    return slug, item._replace(source=str(parsed.get(SOURCE) or "") or None, as_of=as_of)
