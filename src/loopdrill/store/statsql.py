"""The SQL behind the stats report: aggregates over the revlog and the cards, per scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from loopdrill.core.timeutil import to_stamp
from loopdrill.store.queries import Scope

Row = tuple[Any, ...]


def _scope(scope: Scope, alias: str) -> tuple[str, list[Any]]:
    """Conditions on a table that has `deck` and (through cards) `tags`."""
    sql, params = "", list[Any]()
    if scope.decks:
        sql += f" AND {alias}.deck IN ({', '.join('?' * len(scope.decks))})"
        params += scope.decks
    if scope.tag:
        if alias == "c":
            sql += " AND c.tags LIKE ?"
        else:
            sql += (f" AND EXISTS (SELECT 1 FROM cards t WHERE t.id = {alias}.card_id "
                    "AND t.tags LIKE ?)")
        params.append(f"% {scope.tag} %")
    return sql, params


def review_groups(db: Database, scope: Scope, since: dt.datetime) -> list[Row]:
    """Reviews since the start of a study day, grouped by day (0 = that first day; days are
    24 h from its rollover), deck, state before, young, rating and cram:
    (day, deck, state_before, young, rating, cram, count, duration_ms).

    The range is scanned, not looked up through the time index: for most of a year of
    reviews a scan of the table is several times faster than an index range."""
    where, params = _scope(scope, "r")
    sql = ("SELECT CAST(julianday(r.reviewed_at) - julianday(?) AS INTEGER), r.deck, "
           "r.state_before, r.interval_before < 21, r.rating, r.cram, COUNT(*), "
           "SUM(r.duration_ms) FROM reviews r "
           f"WHERE +r.reviewed_at >= ?{where} GROUP BY 1, 2, 3, 4, 5, 6")
    stamp = to_stamp(since)
    return list(db.conn.execute(sql, (stamp, stamp, *params)))


def cards_today(db: Database, scope: Scope, since: dt.datetime) -> int:
    """Distinct cards answered since a moment."""
    where, params = _scope(scope, "r")
    sql = f"SELECT COUNT(DISTINCT r.card_id) FROM reviews r WHERE r.reviewed_at >= ?{where}"
    return int(db.conn.execute(sql, (to_stamp(since), *params)).fetchone()[0])


def tag_groups(db: Database, scope: Scope, since: dt.datetime) -> list[Row]:
    """Review-state answers since a moment by the card's tag string: (tags, count, passed)."""
    where, params = _scope(scope, "r")
    sql = ("SELECT c.tags, SUM(x.n), SUM(x.passed) FROM (SELECT r.card_id, COUNT(*) AS n, "
           "SUM(r.rating > 1) AS passed FROM reviews r WHERE +r.reviewed_at >= ? "
           f"AND r.state_before = 2 AND r.cram = 0{where} GROUP BY r.card_id) x "
           "JOIN cards c ON c.id = x.card_id GROUP BY c.tags")
    return list(db.conn.execute(sql, (to_stamp(since), *params)))


def card_groups(db: Database, scope: Scope, now: dt.datetime, factor: float, decay: float,
                exam: dt.datetime | None) -> list[Row]:
    """Cards by deck and state: (deck, leeches, retired, suspended, buried, state, young,
    count, lapses, studied, sum R now, sum R at exam, below 0.8 at exam)."""
    where, params = _scope(scope, "c")
    stamp = to_stamp(now)
    r_now = ("pow(1 + ? * max(julianday(?) - julianday(c.last_review), 0) / c.stability, ?)")
    r_exam = r_now if exam is not None else "NULL"
    sql = f"""
        SELECT c.deck, SUM(c.tags LIKE '% leech %'), c.retired, c.suspended,
               c.buried_until IS NOT NULL AND c.buried_until > ?, c.state,
               c.state = 2 AND julianday(c.due) - julianday(c.last_review) < 21,
               COUNT(*), SUM(c.lapses), SUM(c.stability IS NOT NULL),
               SUM(CASE WHEN c.stability IS NOT NULL THEN {r_now} END),
               SUM(CASE WHEN c.stability IS NOT NULL THEN {r_exam} END),
               SUM(CASE WHEN c.stability IS NOT NULL THEN {r_exam} < 0.8 END)
        FROM cards c WHERE 1 = 1{where} GROUP BY 1, 3, 4, 5, 6, 7
    """
    exam_args: list[Any] = []
    if exam is not None:
        exam_args = [factor, to_stamp(exam), -decay] * 2
    args = [stamp, factor, stamp, -decay, *exam_args, *params]
    return list(db.conn.execute(sql, args))


def forecast(db: Database, scope: Scope, start: dt.datetime, until: dt.datetime) -> list[Row]:
    """Cards due per day from the start of today's study day (overdue as day 0; days are
    24 h from the rollover): (day offset, count)."""
    where, params = _scope(scope, "c")
    sql = ("SELECT MAX(0, CAST(julianday(c.due) - julianday(?) AS INTEGER)), COUNT(*) "
           "FROM cards c WHERE c.state IN (1, 2, 3) AND c.retired = 0 AND c.suspended = 0 "
           f"AND c.due < ?{where} GROUP BY 1")
    return list(db.conn.execute(sql, (to_stamp(start), to_stamp(until), *params)))


def calibration(db: Database, scope: Scope) -> list[Row]:
    """Long-term reviews grouped by whole days since the previous review, reviews and lapses
    before, and predicted R in tenths: (days, reps before, lapses before, R tenth, n,
    sum predicted, passed, sum log loss). The FSRS benchmark's bins are made from these."""
    where, params = _scope(scope, "r")
    p = "min(max(r.retrievability, 1e-6), 1 - 1e-6)"
    sql = f"""
        SELECT CAST(r.elapsed_days AS INTEGER), r.reps_before, r.lapses_before,
               min(CAST(r.retrievability * 10 AS INTEGER), 9),
               COUNT(*), SUM(r.retrievability), SUM(r.rating > 1),
               SUM(CASE WHEN r.rating > 1 THEN -ln({p}) ELSE -ln(1 - {p}) END)
        FROM reviews r
        WHERE r.retrievability IS NOT NULL AND r.cram = 0 AND r.elapsed_days >= 1{where}
        GROUP BY 1, 2, 3, 4
    """
    return list(db.conn.execute(sql, params))


def tag_lapses(db: Database, scope: Scope) -> list[Row]:
    """Lapses by the cards' tag string, for cards that lapsed: (tags, lapses)."""
    where, params = _scope(scope, "c")
    sql = (f"SELECT c.tags, SUM(c.lapses) FROM cards c WHERE c.lapses > 0 AND c.retired = 0"
           f"{where} GROUP BY c.tags")
    return list(db.conn.execute(sql, params))


def leeches(db: Database, scope: Scope, limit: int = 20) -> list[Row]:
    """Leech cards, most lapses first: (id, deck, lapses, kind, content)."""
    where, params = _scope(scope, "c")
    sql = ("SELECT c.id, c.deck, c.lapses, c.kind, c.content FROM cards c "
           f"WHERE c.retired = 0 AND c.tags LIKE '% leech %'{where} "
           "ORDER BY c.lapses DESC, c.id LIMIT ?")
    return list(db.conn.execute(sql, (*params, limit)))


def known_tag(db: Database, tag: str) -> bool:
    """Whether any card carries a tag."""
    row = db.conn.execute("SELECT 1 FROM cards WHERE tags LIKE ? LIMIT 1", (f"% {tag} %",))
    return row.fetchone() is not None
