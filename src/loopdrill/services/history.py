"""Review history brought in from elsewhere: matched to cards, replayed through FSRS."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from loopdrill.core.model import DeckError, Problem, Rating, ReviewRecord
from loopdrill.core.replay import replay
from loopdrill.core.timeutil import from_stamp, to_stamp
from loopdrill.services.params import ReplaySchedulers
from loopdrill.store.bulk import aggregates_deferred, insert_many, set_memories
from loopdrill.store.rows import memory_columns, memory_to_json
from loopdrill.store.tx import transaction


@dataclass(frozen=True)
class HistoryReport:
    """What importing a review history did (or would do)."""

    cards: int
    added: int
    duplicates: int
    dry_run: bool = False


def resolve_ids(db: Database, wanted: Iterable[str]) -> tuple[dict[str, tuple[str, str]],
                                                             list[str]]:
    """Map each id (a card id, or an item id unique across decks) to (card id, deck)."""
    found: dict[str, tuple[str, str]] = {}
    wanted = set(wanted)
    for card_id, deck in db.conn.execute("SELECT id, deck FROM cards"):
        if card_id in wanted:
            found[card_id] = (card_id, deck)
    rest = wanted - found.keys()
    if rest:
        by_item: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for card_id, deck, item in db.conn.execute(
                "SELECT id, deck, item FROM cards WHERE variant IN ('', 'c1')"):
            if item in rest:
                by_item[item].append((card_id, deck))
        for item, cards in by_item.items():
            if len(cards) == 1:
                found[item] = cards[0]
    return found, sorted(wanted - found.keys())


RATINGS = (Rating.AGAIN, Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY)


@dataclass(frozen=True)
class HistoryPlan:
    """Revlog rows and card states computed from a history, ready to write."""

    report: HistoryReport
    replaced: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    states: list[dict[str, Any]]


def import_reviews(db: Database, records: Sequence[ReviewRecord], now: dt.datetime, *,
                   source: str = "reviews", dry_run: bool = False) -> HistoryReport:
    """Add reviews to the revlog and rebuild each touched card's state by replaying its whole
    history. One transaction; unknown cards or reviews in the future refuse the whole file."""
    plan = plan_history(db, records, now, source=source)
    if not dry_run:
        with transaction(db):
            write_history(db, plan)
    return HistoryReport(plan.report.cards, plan.report.added, plan.report.duplicates, dry_run)


def write_history(db: Database, plan: HistoryPlan) -> None:
    """Write a planned history (the caller holds the transaction)."""
    with aggregates_deferred(db, len(plan.rows) + len(plan.replaced)):
        db.conn.executemany("DELETE FROM reviews WHERE card_id = ?",
                            ((c,) for c in plan.replaced))
        insert_many(
            db, "reviews",
            "INSERT INTO reviews (card_id, deck, reviewed_at, rating, duration_ms, answer, "
            "proposed, verdict, state_before, state_after, reps_before, lapses_before, "
            "interval_before, retrievability, elapsed_days, scheduled_days, before, after, "
            "cram, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            plan.rows)
    set_memories(db, plan.states)


def plan_history(db: Database, records: Sequence[ReviewRecord], now: dt.datetime, *,
                 source: str = "reviews") -> HistoryPlan:
    """Match reviews to cards and replay each touched card's whole history (reads only)."""
    ids, unknown = resolve_ids(db, {r.card_id for r in records})
    problems = [Problem(source, r.line, f"no card with id {r.card_id!r}")
                for r in records if r.card_id in unknown]
    problems += [Problem(source, r.line, f"review time {to_stamp(r.reviewed_at)} is in the future")
                 for r in records if r.reviewed_at > now]
    if problems:
        raise DeckError(problems[:50] + ([Problem(source, 0, f"... and {len(problems) - 50} more")]
                                         if len(problems) > 50 else []))
    incoming: dict[str, list[ReviewRecord]] = defaultdict(list)
    for record in records:
        incoming[ids[record.card_id][0]].append(record)
    existing = _existing(db, incoming.keys())
    added = duplicates = 0
    rows: list[tuple[Any, ...]] = []
    states: list[dict[str, Any]] = []
    deck_of = {cid: deck for cid, deck in ids.values()}
    schedulers = ReplaySchedulers(db)
    for card_id, new in incoming.items():
        old = existing.get(card_id, [])
        seen = {row["reviewed_at"] for row in old}
        merged = list(old)
        for record in new:
            stamp = to_stamp(record.reviewed_at)
            if stamp in seen:
                duplicates += 1
                continue
            seen.add(stamp)
            added += 1
            merged.append({"reviewed_at": stamp, "at": record.reviewed_at,
                           "rating": int(record.rating),
                           "duration_ms": record.duration_ms, "cram": int(record.cram),
                           "answer": None, "proposed": None, "verdict": None, "session": None})
        merged.sort(key=lambda row: row["reviewed_at"])
        deck = deck_of[card_id]
        plain, fuzzed = schedulers(deck)
        steps = replay(plain, fuzzed, [(r.get("at") or from_stamp(r["reviewed_at"]),
                                        RATINGS[r["rating"]], bool(r["cram"])) for r in merged],
                       seed=card_id)
        before_json = memory_to_json(steps[0].before) if steps else ""
        for row, step in zip(merged, steps, strict=True):
            after_json = before_json if step.cram else memory_to_json(step.after)
            rows.append((
                card_id, deck, row["reviewed_at"], row["rating"], row["duration_ms"],
                row["answer"], row["proposed"], row["verdict"], int(step.before.state),
                int(step.after.state), step.before.reps, step.before.lapses,
                step.before.interval_days, step.retrievability,
                _elapsed(step), step.after.interval_days, before_json, after_json, row["cram"],
                row["session"]))
            before_json = after_json
        if steps:
            states.append({**memory_columns(steps[-1].after), "id": card_id})
    report = HistoryReport(len(incoming), added, duplicates)
    return HistoryPlan(report, tuple(existing), rows, states)


def _elapsed(step: Any) -> float:
    if step.before.last_review is None:
        return 0.0
    return float((step.reviewed_at - step.before.last_review).total_seconds() / 86400)


def _existing(db: Database, card_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The revlog rows already stored for these cards."""
    out: dict[str, list[dict[str, Any]]] = {}
    ids = list(card_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor = db.conn.execute(
            "SELECT card_id, reviewed_at, rating, duration_ms, cram, answer, proposed, verdict, "
            f"session FROM reviews WHERE card_id IN ({', '.join('?' * len(chunk))}) ORDER BY id",
            chunk)
        for card_id, stamp, rating, ms, cram, typed, proposed, verdict, session in cursor:
            out.setdefault(card_id, []).append(
                {"reviewed_at": stamp, "rating": rating, "duration_ms": ms, "cram": cram,
                 "answer": typed, "proposed": proposed, "verdict": verdict, "session": session})
    return out


def export_reviews(db: Database) -> list[ReviewRecord]:
    """Every review, oldest first, as the review-history CSV holds them."""
    rows = db.conn.execute(
        "SELECT card_id, reviewed_at, rating, duration_ms, cram FROM reviews "
        "ORDER BY reviewed_at, id")
    return [ReviewRecord(card_id, from_stamp(stamp), Rating(rating), ms, bool(cram))
            for card_id, stamp, rating, ms, cram in rows]

