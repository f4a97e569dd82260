"""Anki's card rows: where each card lives (its home deck, also for a card in a filtered deck)
and the schedule Anki left it with (state, due day or time, FSRS memory state from the card's
`data`, suspended, buried, flag), turned into loopdrill card states.

Anki counts due days from the collection's creation day (`crt`, with its rollover hour);
loopdrill stores the moment that study day starts, so the card is due on the same day."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol

from loopdrill.core.model import CardState, ImportedState, Problem
from loopdrill.core.timeutil import day_start, study_day
from loopdrill.engine.answer import from_sm2

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
COLUMNS = ("id", "nid", "did", "ord", "odid", "type", "queue", "due", "odue", "ivl", "reps",
           "lapses", "left", "flags", "data", "factor")
SECONDS = 1_000_000_000  # a learning card's due above this is a time, below it a day number


class AnkiCard(NamedTuple):
    id: int
    nid: int
    home: int  # the card's own deck (the original one while it sits in a filtered deck)
    ord: int
    type: int | None
    queue: int
    due: int
    ivl: int
    reps: int
    lapses: int
    left: int
    flags: int
    data: str
    factor: int = 0  # SM-2's ease factor in permille (2500 for 250%)


class DeckPreset(NamedTuple):
    """What a card's schedule takes from its deck's preset: how many learning and relearning
    steps (the step a card is at), and the FSRS parameters and historical retention that give
    the memory state of a card SM-2 scheduled."""

    learning_steps: int = 2
    relearning_steps: int = 1
    parameters: tuple[float, ...] = ()
    retention: float = 0.9  # the preset's historical retention


class _Placed(Protocol):
    def card_id(self, ord_: int) -> str: ...


def read_cards(conn: sqlite3.Connection) -> dict[int, AnkiCard]:
    """Every card row, in note and template order; columns an old or odd package lacks read
    as zero (and then no schedule is taken)."""
    have = {r[1] for r in conn.execute("PRAGMA table_info(cards)")}
    select = ", ".join(c if c in have else ("''" if c == "data" else "NULL" if c == "type"
                                             else "0") for c in COLUMNS)
    out: dict[int, AnkiCard] = {}
    for (cid, nid, did, ord_, odid, type_, queue, due, odue, ivl, reps, lapses, left, flags,
         data, factor) in conn.execute(f"SELECT {select} FROM cards ORDER BY nid, ord, id"):
        filtered = bool(odid)
        out[cid] = AnkiCard(cid, nid, odid if filtered else did, int(ord_ or 0), type_,
                            int(queue or 0), int((odue if filtered and odue else due) or 0),
                            int(ivl or 0), int(reps or 0), int(lapses or 0), int(left or 0),
                            int(flags or 0), str(data or ""), int(factor or 0))
    return out


def _config(conn: sqlite3.Connection, key: str) -> Any:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "config" in tables:
        row = conn.execute("SELECT val FROM config WHERE KEY = ?", (key,)).fetchone()
        if row:
            return json.loads(bytes(row[0]).decode("utf-8", "replace") or "null")
        return None
    columns = {r[1] for r in conn.execute("PRAGMA table_info(col)")}
    if "conf" in columns:
        (conf,) = conn.execute("SELECT conf FROM col").fetchone()
        parsed = json.loads(conf or "{}") if isinstance(conf, str) else {}
        return parsed.get(key) if isinstance(parsed, dict) else None
    return None


def states(conn: sqlite3.Connection, cards: Mapping[int, AnkiCard],
           placed: Mapping[int, _Placed], warnings: list[Problem], name: str,
           presets: Mapping[int, DeckPreset] | None = None) -> dict[str, ImportedState]:
    """Each imported card's schedule as Anki has it, by loopdrill card id; empty when the
    package has no scheduling (no card types, or no creation time). A review or relearning
    card with no FSRS memory state in its data (SM-2 scheduled it) and no answer in the
    revlog gets the one Anki gives it when FSRS is switched on: from its ease factor and
    interval, with its deck preset's parameters and historical retention (`presets`, by deck
    id); one that has answers gets the replay of its log."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(col)")}
    have = {r[1] for r in conn.execute("PRAGMA table_info(cards)")}
    if "crt" not in columns or "type" not in have:
        return {}
    (crt,) = conn.execute("SELECT crt FROM col").fetchone()
    rollover = _config(conn, "rollover")
    rollover = rollover if isinstance(rollover, int) and 0 <= rollover <= 23 else 4
    first_day = study_day(EPOCH + dt.timedelta(seconds=int(crt or 0)), rollover)
    last = dict(conn.execute("SELECT cid, max(id) FROM revlog WHERE ease BETWEEN 1 AND 4 "
                             "GROUP BY cid").fetchall())
    out: dict[str, ImportedState] = {}
    odd = 0
    for card in cards.values():
        where = placed.get(card.nid)
        if where is None or card.type is None:
            continue
        try:
            out[where.card_id(card.ord)] = _state(card, first_day, rollover, last.get(card.id),
                                                  (presets or {}).get(card.home, DeckPreset()))
        except (ValueError, OverflowError, TypeError):
            odd += 1
    if odd:
        warnings.append(Problem(name, 0, f"{odd:,} card(s) with an impossible schedule start "
                                "from their review history instead"))
    return out


def _state(card: AnkiCard, first_day: dt.date, rollover: int, last_ms: int | None,
           preset: DeckPreset) -> ImportedState:
    memory: dict[str, Any] = {}
    if card.data.startswith("{"):
        try:
            parsed = json.loads(card.data)
            memory = parsed if isinstance(parsed, dict) else {}
        except ValueError:
            memory = {}
    kind = card.type
    suspended, buried, flag = card.queue == -1, card.queue in (-2, -3), card.flags & 7
    if kind == 0 or kind not in (1, 2, 3):
        return ImportedState(CardState.NEW, None, None, None, None, None, card.reps, card.lapses,
                             suspended, buried, flag)
    if kind == 2:
        due = day_start(first_day + dt.timedelta(days=card.due), rollover)
    elif card.due > SECONDS:
        due = EPOCH + dt.timedelta(seconds=card.due)
    else:
        due = day_start(first_day + dt.timedelta(days=card.due), rollover)
    lrt = memory.get("lrt")
    last = (EPOCH + dt.timedelta(seconds=int(lrt)) if isinstance(lrt, int | float) and lrt > 0
            else EPOCH + dt.timedelta(milliseconds=last_ms) if last_ms else None)
    s, d = memory.get("s"), memory.get("d")
    stability = float(s) if isinstance(s, int | float) and s > 0 else None
    difficulty = float(d) if isinstance(d, int | float) and stability is not None else None
    if stability is None and last_ms is None and kind in (2, 3):  # SM-2's, never answered
        stability, difficulty = from_sm2(card.factor / 1000, card.ivl, preset.retention,
                                         preset.parameters)
        if last is None:  # Anki's last review of such a card: its interval before its due
            last = due - dt.timedelta(days=max(1, card.ivl)) if kind == 2 else due
    state = {1: CardState.LEARNING, 2: CardState.REVIEW, 3: CardState.RELEARNING}[kind]
    step = None
    if state != CardState.REVIEW:
        total = preset.learning_steps if state == CardState.LEARNING \
            else preset.relearning_steps
        step = max(0, total - card.left % 1000)
    return ImportedState(state, step, stability, difficulty, due, last, card.reps, card.lapses,
                         suspended, buried, flag)
