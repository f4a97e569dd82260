"""The SQL behind the stats report: aggregates over the revlog and the cards, per scope.

Every query reads a covering index of migration m003 and walks only the rows it counts:
per-day figures are index ranges between study-day bounds computed in Python (exact across
daylight-saving changes), and grouped figures follow the index order, so nothing sorts the
revlog. Times are compared as stored stamps (fixed-width UTC text)."""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from loopdrill.core.timeutil import to_stamp

Row = tuple[Any, ...]

# days between json_each bounds: (index, start, end) with the end exclusive
_DAYS = ("WITH d(i, lo, hi) AS (SELECT key, value, lead(value) OVER (ORDER BY key) "
         "FROM json_each(?)) ")


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _tag(tag: str) -> str:
    return f" {tag} "


def review_filter(decks: Sequence[str], tag: str | None, alias: str = "r"
                  ) -> tuple[str, list[Any]]:
    """Conditions on revlog rows for a scope: their deck, and their card's tag."""
    sql, params = "", list[Any]()
    if decks:
        sql += f" AND {alias}.deck IN ({_marks(decks)})"
        params += decks
    if tag:
        sql += (f" AND {alias}.card_id IN (SELECT id FROM cards "
                "WHERE instr(tags, ?) > 0)")
        params.append(_tag(tag))
    return sql, params


def card_filter(decks: Sequence[str], tag: str | None, alias: str = "c"
                ) -> tuple[str, list[Any]]:
    """Conditions on cards for a scope."""
    sql, params = "", list[Any]()
    if decks:
        sql += f" AND {alias}.deck IN ({_marks(decks)})"
        params += decks
    if tag:
        sql += f" AND instr({alias}.tags, ?) > 0"
        params.append(_tag(tag))
    return sql, params


def _bounds(bounds: Sequence[dt.datetime]) -> str:
    return json.dumps([to_stamp(b) for b in bounds])


def answers_per_day(db: Database, decks: Sequence[str], tag: str | None,
                    bounds: Sequence[dt.datetime]) -> list[int]:
    """Answers (cram included) in each study day between consecutive bounds."""
    where, params = review_filter(decks, tag)
    sql = (f"{_DAYS}SELECT (SELECT COUNT(*) FROM reviews r INDEXED BY reviews_stats_time "
           f"WHERE r.reviewed_at >= d.lo AND r.reviewed_at < d.hi{where}) "
           "FROM d WHERE d.hi IS NOT NULL ORDER BY d.i")
    return [int(n) for (n,) in db.conn.execute(sql, (_bounds(bounds), *params))]


def time_per_day(db: Database, decks: Sequence[str], tag: str | None,
                 bounds: Sequence[dt.datetime]) -> list[int]:
    """Milliseconds spent answering (cram included) in each study day between bounds."""
    where, params = review_filter(decks, tag)
    sql = (f"{_DAYS}SELECT (SELECT TOTAL(r.duration_ms) FROM reviews r "
           "INDEXED BY reviews_stats_time "
           f"WHERE r.reviewed_at >= d.lo AND r.reviewed_at < d.hi{where}) "
           "FROM d WHERE d.hi IS NOT NULL ORDER BY d.i")
    return [int(ms) for (ms,) in db.conn.execute(sql, (_bounds(bounds), *params))]


def first_answer(db: Database, decks: Sequence[str], tag: str | None) -> dt.datetime | None:
    """When the first answer in scope was given."""
    where, params = review_filter(decks, tag)
    sql = (f"SELECT r.reviewed_at FROM reviews r INDEXED BY reviews_stats_time WHERE 1 = 1"
           f"{where} ORDER BY r.reviewed_at LIMIT 1")
    row = db.conn.execute(sql, params).fetchone()
    return dt.datetime.fromisoformat(row[0]) if row else None


def day_summary(db: Database, decks: Sequence[str], tag: str | None, start: dt.datetime,
                end: dt.datetime) -> tuple[int, int, int, int]:
    """(answers, distinct cards, milliseconds, Again answers) between two moments."""
    where, params = review_filter(decks, tag)
    sql = ("SELECT COUNT(*), COUNT(DISTINCT r.card_id), TOTAL(r.duration_ms), "
           "TOTAL(r.rating = 1) FROM reviews r INDEXED BY reviews_stats_time "
           f"WHERE r.reviewed_at >= ? AND r.reviewed_at < ?{where}")
    n, cards, ms, again = db.conn.execute(sql, (to_stamp(start), to_stamp(end),
                                                *params)).fetchone()
    return int(n), int(cards), int(ms), int(again)


def review_state_answers(db: Database, decks: Sequence[str], tag: str | None,
                         periods: Sequence[tuple[dt.datetime, dt.datetime]]) -> list[Row]:
    """Non-cram answers to cards in review state, per period, deck and rating:
    (period index, deck, rating, answers, answers while the interval was under 21 days).
    `decks` must list every deck in scope: each (deck, rating) is one index range."""
    if not decks or not periods:
        return []
    _, params = review_filter((), tag)
    tag_sql = review_filter((), tag)[0]
    parts, args = [], list[Any]()
    for i, (start, end) in enumerate(periods):
        parts.append(
            f"SELECT {i}, r.deck, r.rating, COUNT(*), TOTAL(r.interval_before < 21) "
            "FROM reviews r INDEXED BY reviews_stats_state WHERE r.state_before = 2 "
            f"AND r.cram = 0 AND r.deck IN ({_marks(decks)}) AND r.rating IN (1, 2, 3, 4) "
            f"AND r.reviewed_at >= ? AND r.reviewed_at < ?{tag_sql} GROUP BY r.deck, r.rating")
        args += [*decks, to_stamp(start), to_stamp(end), *params]
    return list(db.conn.execute(" UNION ALL ".join(parts), args))


def answer_buttons(db: Database, decks: Sequence[str], tag: str | None, start: dt.datetime,
                   end: dt.datetime) -> list[Row]:
    """Non-cram answers between two moments by state before, deck and rating:
    (state_before, deck, rating, answers)."""
    if not decks:
        return []
    tag_sql, params = review_filter((), tag)
    sql = ("SELECT r.state_before, r.deck, r.rating, COUNT(*) FROM reviews r "
           "INDEXED BY reviews_stats_state WHERE r.state_before IN (0, 1, 2, 3) "
           f"AND r.cram = 0 AND r.deck IN ({_marks(decks)}) AND r.rating IN (1, 2, 3, 4) "
           f"AND r.reviewed_at >= ? AND r.reviewed_at < ?{tag_sql} "
           "GROUP BY r.state_before, r.deck, r.rating")
    return list(db.conn.execute(sql, (*decks, to_stamp(start), to_stamp(end), *params)))


def review_state_by_card_group(db: Database, decks: Sequence[str], tag: str | None,
                               start: dt.datetime, end: dt.datetime) -> list[Row]:
    """Non-cram review-state answers between two moments, per card first and then by the
    card's deck and tag string: (deck, tags, answers, passed)."""
    where, params = review_filter(decks, tag)
    sql = ("SELECT c.deck, c.tags, SUM(x.n), SUM(x.passed) FROM (SELECT r.card_id, "
           "COUNT(*) AS n, TOTAL(r.rating > 1) AS passed FROM reviews r "
           "INDEXED BY reviews_stats_time WHERE r.reviewed_at >= ? AND r.reviewed_at < ? "
           f"AND r.state_before = 2 AND r.cram = 0{where} GROUP BY r.card_id) x "
           "JOIN cards c ON c.id = x.card_id GROUP BY c.deck, c.tags")
    return list(db.conn.execute(sql, (to_stamp(start), to_stamp(end), *params)))


def calibration(db: Database, decks: Sequence[str], tag: str | None,
                edges: Sequence[float]) -> list[tuple[int, float, int, float]]:
    """Long-term, non-cram answers with a predicted R, per bin of predicted R (lower edges
    given; the last bin runs to 1): (answers, sum of R, passed, sum of ln(clipped p of the
    outcome)). Long-term: the card was in review state or a day or more had passed, as the
    FSRS benchmark evaluates no same-day reviews."""
    where, params = review_filter(decks, tag)
    p = "min(max(iif(r.rating > 1, r.retrievability, 1 - r.retrievability), 1e-6), 1 - 1e-6)"
    sql = ("WITH b(i, lo, hi) AS (SELECT key, value, lead(value, 1, 2.0) OVER (ORDER BY key) "
           "FROM json_each(?)) SELECT (SELECT json_array(COUNT(*), TOTAL(r.retrievability), "
           f"TOTAL(r.rating > 1), TOTAL(ln({p}))) FROM reviews r "
           "INDEXED BY reviews_stats_recall WHERE r.cram = 0 AND r.retrievability >= b.lo "
           "AND r.retrievability < b.hi AND (r.state_before = 2 OR r.elapsed_days >= 1)"
           f"{where}) FROM b ORDER BY b.i")
    out = []
    for (text,) in db.conn.execute(sql, (json.dumps(list(edges)), *params)):
        n, r_sum, passed, ln_sum = json.loads(text)
        out.append((int(n), float(r_sum), int(passed), float(ln_sum)))
    return out


def card_groups(db: Database, decks: Sequence[str], tag: str | None,
                now: dt.datetime) -> list[Row]:
    """Cards by deck, state, retired and suspended: (deck, state, retired, suspended,
    cards, buried now)."""
    where, params = card_filter(decks, tag)
    sql = ("SELECT c.deck, c.state, c.retired, c.suspended, COUNT(*), "
           f"TOTAL(c.buried_until > ?) FROM cards c INDEXED BY cards_stats WHERE 1 = 1{where} "
           "GROUP BY c.deck, c.state, c.retired, c.suspended")
    return list(db.conn.execute(sql, (to_stamp(now), *params)))


def studied_cards(db: Database, decks: Sequence[str], tag: str | None, now: dt.datetime,
                  factor: float, decay: float, exam: dt.datetime | None) -> list[Row]:
    """Studied cards (a stability and a last review; not retired) of some decks, by deck,
    on one forgetting curve: (deck, cards, sum of R now, sum of R at the exam, cards under
    0.8 at the exam, young review cards neither suspended nor buried)."""
    if not decks:
        return []
    where, params = card_filter((), tag)
    r_now = "pow(1 + ? * max(? - julianday(c.last_review), 0) / c.stability, ?)"
    r_exam = r_now if exam is not None else "NULL"
    sql = (f"SELECT c.deck, COUNT(*), TOTAL({r_now}), TOTAL({r_exam}), TOTAL({r_exam} < 0.8), "
           "TOTAL(c.state = 2 AND c.suspended = 0 AND NOT ifnull(c.buried_until > ?, 0) "
           "AND julianday(c.due) - julianday(c.last_review) < 21) "
           "FROM cards c INDEXED BY cards_review_queue WHERE c.state IN (1, 2, 3) "
           f"AND c.deck IN ({_marks(decks)}) AND c.stability IS NOT NULL "
           f"AND c.last_review IS NOT NULL AND c.retired = 0{where} GROUP BY c.deck")
    curve = [factor, _julian(now), -decay]
    exam_args = [factor, _julian(exam), -decay] * 2 if exam is not None else []
    args = [*curve, *exam_args, to_stamp(now), *decks, *params]
    return list(db.conn.execute(sql, args))


def lapses_by_card_group(db: Database, decks: Sequence[str], tag: str | None) -> list[Row]:
    """Lapses of studied cards that lapsed, by deck and tag string: (deck, tags, lapses).
    `decks` must list every deck in scope."""
    if not decks:
        return []
    tag_sql, params = card_filter((), tag)
    sql = ("SELECT c.deck, c.tags, TOTAL(c.lapses) FROM cards c INDEXED BY cards_stats "
           f"WHERE c.deck IN ({_marks(decks)}) AND c.state IN (1, 2, 3) AND c.retired = 0 "
           f"AND c.lapses > 0{tag_sql} GROUP BY c.deck, c.tags")
    return list(db.conn.execute(sql, (*decks, *params)))


def leeches(db: Database, decks: Sequence[str], tag: str | None, limit: int) -> list[Row]:
    """Cards tagged leech (not retired), most lapses first: (id, deck, lapses, kind, content,
    how many leeches there are in all)."""
    where, params = card_filter(decks, tag)
    sql = ("SELECT c.id, c.deck, c.lapses, c.kind, c.content, COUNT(*) OVER () "
           "FROM cards c INDEXED BY cards_leech WHERE instr(c.tags, ' leech ') > 0 "
           f"AND c.retired = 0{where} ORDER BY c.lapses DESC, c.id LIMIT ?")
    return list(db.conn.execute(sql, (*params, limit)))


def due_per_day(db: Database, decks: Sequence[str], tag: str | None,
                bounds: Sequence[dt.datetime]) -> list[int]:
    """Learning, relearning and review cards (not suspended or retired) due in each study
    day between bounds; the first day also counts everything overdue."""
    where, params = card_filter(decks, tag)
    stamps = [to_stamp(b) for b in bounds]
    stamps[0] = ""
    sql = (f"{_DAYS}SELECT (SELECT COUNT(*) FROM cards c INDEXED BY cards_review_queue "
           "WHERE c.state IN (1, 2, 3) AND c.due >= d.lo AND c.due < d.hi "
           f"AND c.suspended = 0 AND c.retired = 0{where}) "
           "FROM d WHERE d.hi IS NOT NULL ORDER BY d.i")
    return [int(n) for (n,) in db.conn.execute(sql, (json.dumps(stamps), *params))]


def deck_slugs_in(db: Database) -> list[str]:
    """Every deck's slug."""
    return [slug for (slug,) in db.conn.execute("SELECT slug FROM decks ORDER BY slug")]


def tag_exists(db: Database, tag: str) -> bool:
    """Whether any card carries a tag."""
    row = db.conn.execute("SELECT 1 FROM cards WHERE instr(tags, ?) > 0 LIMIT 1", (_tag(tag),))
    return row.fetchone() is not None


def _julian(moment: dt.datetime) -> float:
    """The Julian day number of a moment, as SQLite's julianday() gives it."""
    return moment.astimezone(dt.UTC).timestamp() / 86400 + 2440587.5


def second_reader(db: Database) -> Database | None:
    """Another connection to the same database file, for running queries in parallel (the
    sqlite3 module lets go of the GIL while SQLite works); None for an in-memory database."""
    row = db.conn.execute("PRAGMA database_list").fetchone()
    path = row[2] if row else ""
    if not path:
        return None
    conn = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("SELECT ln(2)").fetchone()
    except sqlite3.OperationalError:  # an SQLite built without its math functions
        conn.create_function("ln", 1, math.log, deterministic=True)
    return Database(conn, recursive_triggers=False, execute_plugins=False)
