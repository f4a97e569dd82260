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
    """Answers since a moment by UTC hour, deck, review state, young, rating and cram:
    (hour 'YYYY-MM-DDTHH', deck, review, young, rating, cram, count, duration_ms).

    Read from the running totals the revlog's triggers keep; a tag scope has to look at the
    revlog itself (the totals do not know tags)."""
    hour = to_stamp(since)[:13]
    if scope.tag is None:
        where, params = _scope(scope, "h")
        sql = ("SELECT hour, deck, review, young, rating, cram, n, ms FROM review_hours h "
               f"WHERE hour >= ? AND n > 0{where}")
        return list(db.conn.execute(sql, (hour, *params)))
    where, params = _scope(scope, "r")
    sql = ("SELECT substr(r.reviewed_at, 1, 13), r.deck, r.state_before = 2, "
           "r.interval_before < 21, r.rating, r.cram, COUNT(*), SUM(r.duration_ms) "
           f"FROM reviews r WHERE +r.reviewed_at >= ?{where} GROUP BY 1, 2, 3, 4, 5, 6")
    return list(db.conn.execute(sql, (hour, *params)))


def cards_today(db: Database, scope: Scope, since: dt.datetime) -> int:
    """Distinct cards answered since a moment."""
    where, params = _scope(scope, "r")
    sql = f"SELECT COUNT(DISTINCT r.card_id) FROM reviews r WHERE r.reviewed_at >= ?{where}"
    return int(db.conn.execute(sql, (to_stamp(since), *params)).fetchone()[0])


def tag_groups(db: Database, scope: Scope, since: dt.datetime) -> list[Row]:
    """Review-state answers since a moment (not cram) by the card's tag string:
    (tags, count, passed). Grouped per card first (in the revlog's card index order)."""
    where, params = _scope(scope, "r")
    sql = ("SELECT c.tags, SUM(x.n), SUM(x.passed) FROM (SELECT r.card_id, COUNT(*) AS n, "
           "SUM(r.rating > 1) AS passed FROM reviews r WHERE +r.reviewed_at >= ? "
           f"AND r.state_before = 2 AND r.cram = 0{where} GROUP BY r.card_id) x "
           "JOIN cards c ON c.id = x.card_id WHERE c.tags != '' GROUP BY c.tags")
    return list(db.conn.execute(sql, (to_stamp(since), *params)))


def card_groups(db: Database, scope: Scope, now: dt.datetime, factor: float, decay: float,
                exam: dt.datetime | None) -> list[Row]:
    """Cards by deck and state: (deck, retired, suspended, buried, state, young, count,
    studied, sum R now, sum R at exam, below 0.8 at exam). Only indexed columns are read.

    New cards with no flag (most of a big collection) are only counted, per deck, from the
    new-card index; the grouping with its arithmetic runs over the rest."""
    rows = _card_groups(db, scope, now, factor, decay, exam, rest_only=scope.tag is None)
    if scope.tag is not None:
        return rows
    where, params = _scope(scope, "c")
    flagged_new: dict[str, int] = {}
    for row in rows:
        if row[4] == 0:
            flagged_new[row[0]] = flagged_new.get(row[0], 0) + row[6]
    sql = ("SELECT c.deck, COUNT(*) FROM cards c INDEXED BY cards_new_queue "
           f"WHERE c.state = 0{where} GROUP BY c.deck")
    for deck, count in db.conn.execute(sql, params):
        plain = count - flagged_new.get(deck, 0)
        if plain:
            rows.append((deck, 0, 0, 0, 0, 0, plain, 0, None, None, None))
    return rows


def _card_groups(db: Database, scope: Scope, now: dt.datetime, factor: float, decay: float,
                 exam: dt.datetime | None, *, rest_only: bool) -> list[Row]:
    where, params = _scope(scope, "c")
    if rest_only:
        where += (" AND (c.state > 0 OR c.retired = 1 OR c.suspended = 1 "
                  "OR c.buried_until IS NOT NULL)")
    stamp = to_stamp(now)
    r_now = "pow(1 + ? * max(julianday(?) - julianday(c.last_review), 0) / c.stability, ?)"
    r_exam = r_now if exam is not None else "NULL"
    sql = f"""
        SELECT c.deck, c.retired, c.suspended,
               c.buried_until IS NOT NULL AND c.buried_until > ?, c.state,
               c.state = 2 AND julianday(c.due) - julianday(c.last_review) < 21,
               COUNT(*), SUM(c.stability IS NOT NULL),
               SUM(CASE WHEN c.stability IS NOT NULL THEN {r_now} END),
               SUM(CASE WHEN c.stability IS NOT NULL THEN {r_exam} END),
               SUM(CASE WHEN c.stability IS NOT NULL THEN {r_exam} < 0.8 END)
        FROM cards c INDEXED BY cards_review_queue WHERE c.state >= 0{where}
        GROUP BY 1, 2, 3, 4, 5, 6
    """
    exam_args: list[Any] = []
    if exam is not None:
        exam_args = [factor, to_stamp(exam), -decay] * 2
    args = [stamp, factor, stamp, -decay, *exam_args, *params]
    return list(db.conn.execute(sql, args))


def lapsed(db: Database, scope: Scope) -> list[Row]:
    """Cards that lapsed, by deck and tag string: (deck, tags, lapses, leeches)."""
    where, params = _scope(scope, "c")
    sql = ("SELECT c.deck, c.tags, SUM(c.lapses), SUM(c.tags LIKE '% leech %') FROM cards c "
           f"INDEXED BY cards_lapsed WHERE c.lapses > 0 AND c.retired = 0{where} "
           "GROUP BY 1, 2")
    return list(db.conn.execute(sql, params))


def forecast(db: Database, scope: Scope, start: dt.datetime, until: dt.datetime) -> list[Row]:
    """Cards due per day from the start of today's study day (overdue as day 0; days are
    24 h from the rollover): (day offset, count)."""
    where, params = _scope(scope, "c")
    sql = ("SELECT MAX(0, CAST(julianday(c.due) - julianday(?) AS INTEGER)), COUNT(*) "
           "FROM cards c WHERE c.state IN (1, 2, 3) AND c.retired = 0 AND c.suspended = 0 "
           f"AND c.due < ?{where} GROUP BY 1")
    return list(db.conn.execute(sql, (to_stamp(start), to_stamp(until), *params)))


def calibration(db: Database, scope: Scope) -> list[Row]:
    """Long-term answers grouped by whole days since the previous review, reviews and lapses
    before, and predicted R in tenths: (days, reps before, lapses before, R tenth, n,
    sum predicted, passed, sum log loss). The FSRS benchmark's bins are made from these."""
    if scope.tag is None:
        where, params = _scope(scope, "k")
        sql = ("SELECT days, reps, lapses, tenth, SUM(n), SUM(r_sum), SUM(passed), SUM(loss) "
               f"FROM review_calibration k WHERE n > 0{where} GROUP BY 1, 2, 3, 4")
        return list(db.conn.execute(sql, params))
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
