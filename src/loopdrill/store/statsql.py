"""The SQL behind the stats report: aggregates over the revlog and the cards, per scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from loopdrill.core.timeutil import to_ms, to_stamp
from loopdrill.store.aggregates import day_number
from loopdrill.store.curve import retrievability_sql
from loopdrill.store.queries import Scope

Row = tuple[Any, ...]


def _scope(scope: Scope, alias: str) -> tuple[str, list[Any]]:
    """The scope's conditions on a table that has `deck` and (through cards) `tags`, hidden
    decks counted. The revlog is read for a tag (the running totals do not know tags) as
    `cards c CROSS JOIN revlog r`: the tag's cards first, then their answers through
    revlog_card, three times faster than every answer looking up its card."""
    return scope.where(alias, hidden=True, tags_of=None if alias == "c" else "card_id")


def day_groups(db: Database, scope: Scope, since: dt.date | None,
               start: dt.datetime | None) -> list[Row]:
    """Answers from a study day on (`start` is the moment it begins), by study day, deck,
    review state, young, rating and cram: (day 'YYYY-MM-DD', deck, review, young, rating,
    cram, count, duration_ms).

    Read from the running totals the revlog's triggers keep; a tag scope has to look at the
    revlog itself (the totals do not know tags). No `since` and `start`: every day."""
    if scope.tag is None:
        where, params = _scope(scope, "d")
        sql = ("SELECT day, deck, review, young, rating, cram, n, ms FROM review_days d "
               f"WHERE day >= ? AND n > 0{where}")
        return list(db.conn.execute(sql, (since.isoformat() if since else "", *params)))
    where, params = _scope(scope, "c")
    sql = ("SELECT date(r.day * 86400, 'unixepoch'), c.deck, r.state = 2, r.ivl < 21, "
           "r.rating, r.cram, COUNT(*), SUM(r.ms) FROM cards c CROSS JOIN revlog r "
           f"ON r.card = c.num WHERE r.day >= ?{where} GROUP BY 1, 2, 3, 4, 5, 6")
    return list(db.conn.execute(sql, (day_number(since) if since else -10**9, *params)))


def hour_groups(db: Database, scope: Scope, since: dt.date | None,
                start: dt.datetime | None) -> list[Row]:
    """Answers (cram included) from a study day on by local hour of the day: (hour, count,
    passed), from store.clock_totals' running totals (the revlog itself for a tag)."""
    if scope.tag is None:
        where, params = _scope(scope, "d")
        sql = ("SELECT hour, SUM(n), SUM(passed) FROM review_clock d "
               f"WHERE day >= ? AND n > 0{where} GROUP BY hour")
        return list(db.conn.execute(sql, (since.isoformat() if since else "", *params)))
    where, params = _scope(scope, "c")
    sql = ("SELECT r.hour, COUNT(*), SUM(r.rating > 1) FROM cards c CROSS JOIN revlog r "
           f"ON r.card = c.num WHERE r.day >= ?{where} GROUP BY 1")
    return list(db.conn.execute(sql, (day_number(since) if since else -10**9, *params)))


def cards_added(db: Database, scope: Scope, start: dt.datetime | None) -> int:
    """Cards added from a moment on (cards.added, ms), retired ones included."""
    where, params = _scope(scope, "c")
    sql = f"SELECT COUNT(*) FROM cards c WHERE c.added >= ?{where}"
    return int(db.conn.execute(sql, (to_ms(start) if start else -(2**63), *params)
                               ).fetchone()[0])


def distributions(db: Database, scope: Scope, now: dt.datetime, decay: float) -> list[Row]:
    """Studied cards (not retired) counted by whole days of interval ('interval'), whole days
    of stability ('stability'), whole difficulty ('difficulty', 1-10) and tenth of
    retrievability now ('retrievability'): (what, key, count)."""
    where, names = _named(*_scope(scope, "c"))
    r_now = retrievability_sql(":now_day - julianday(c.last_review)", "c.stability", decay)
    base = (f"FROM cards c INDEXED BY cards_review_queue WHERE c.state > 0 AND c.retired = 0 "
            f"AND c.stability IS NOT NULL{where} GROUP BY 2")
    sql = " UNION ALL ".join(
        f"SELECT '{what}', {key}, COUNT(*) {base}" for what, key in (
            ("interval", "CAST(max(julianday(c.due) - julianday(c.last_review), 0) AS INTEGER)"),
            ("stability", "CAST(c.stability AS INTEGER)"),
            ("difficulty", "CAST(c.difficulty AS INTEGER)"),
            ("retrievability", f"min(CAST({r_now} * 10 AS INTEGER), 9)")))
    args = {"now_day": _julian(now), **names}
    return list(db.conn.execute(sql, args))


def deck_retention(db: Database, scope: Scope) -> list[Row]:
    """Review-state answers (not cram) of all time by deck: (deck, count, passed)."""
    if scope.tag is None:
        where, params = _scope(scope, "d")
        sql = ("SELECT deck, SUM(n), SUM(CASE WHEN rating > 1 THEN n ELSE 0 END) "
               f"FROM review_days d WHERE review = 1 AND cram = 0 AND n > 0{where} "
               "GROUP BY deck")
        return list(db.conn.execute(sql, params))
    where, params = _scope(scope, "c")
    sql = ("SELECT c.deck, SUM(k.n), SUM(k.passed) FROM review_cards k JOIN cards c "
           f"ON c.id = k.card_id WHERE k.n > 0{where} GROUP BY c.deck")
    return list(db.conn.execute(sql, params))


def cards_today(db: Database, scope: Scope, since: dt.datetime) -> int:
    """Distinct cards answered since a moment (their last review is since then: a cram
    answer, which leaves the card alone, does not count), from the queue's covering index."""
    where, params = _scope(scope, "c")
    sql = ("SELECT COUNT(*) FROM cards c INDEXED BY cards_review_queue WHERE c.state > 0 "
           f"AND c.last_review >= ?{where}")
    return int(db.conn.execute(sql, (to_stamp(since), *params)).fetchone()[0])


def tag_groups(db: Database, scope: Scope) -> list[Row]:
    """Review-state answers (not cram) of all time by the card's tag string:
    (tags, count, passed), from the per-card running totals."""
    where, params = _scope(scope, "c")
    # answered cards first, each card looked up by id (SQLite would scan every card instead)
    sql = ("SELECT c.tags, SUM(k.n), SUM(k.passed) FROM review_cards k CROSS JOIN cards c "
           f"ON c.id = k.card_id WHERE k.n > 0 AND c.tags != ''{where} GROUP BY c.tags")
    return list(db.conn.execute(sql, params))


_CATEGORY = """CASE WHEN c.retired THEN 'retired' WHEN c.suspended THEN 'suspended'
    WHEN c.buried_until > :now THEN 'buried' WHEN c.state = 0 THEN 'new'
    WHEN c.state = 1 THEN 'learning' WHEN c.state = 3 THEN 'relearning'
    WHEN julianday(c.due) - julianday(c.last_review) < 21 THEN 'young' ELSE 'mature' END"""


def card_groups(db: Database, scope: Scope, now: dt.datetime, decay: float,
                exam: dt.datetime | None) -> list[Row]:
    """Cards by deck and category (retired, suspended, buried, new, learning, relearning,
    young, mature, the first that applies): (deck, category, count, studied, sum R now,
    sum R at exam, how many below 0.8 at exam). Only indexed columns are read.

    New cards with no flag (most of a big collection) are only counted, per deck, from the
    new-card index; the grouping with its arithmetic runs over the rest."""
    where, params = _scope(scope, "c")
    if scope.tag is not None:
        return _card_groups(db, f"c.state >= 0{where}", params, now, decay, exam)
    rows = _card_groups(db, f"c.state > 0{where}", params, now, decay, exam)
    flagged = ("c.state = 0 AND (c.retired = 1 OR c.suspended = 1 "
               f"OR c.buried_until IS NOT NULL){where}")
    flagged_rows = _card_groups(db, flagged, params, now, decay, None)
    flagged_new: dict[str, int] = {}
    for deck, _, count, *_ in flagged_rows:
        flagged_new[deck] = flagged_new.get(deck, 0) + count
    sql = ("SELECT c.deck, COUNT(*) FROM cards c INDEXED BY cards_new_queue "
           f"WHERE c.state = 0{where} GROUP BY c.deck")
    new_rows = [(deck, "new", count - flagged_new.get(deck, 0), 0, None, None, None)
                for deck, count in db.conn.execute(sql, params)]
    return rows + flagged_rows + [row for row in new_rows if row[2]]


def _card_groups(db: Database, where: str, params: list[Any], now: dt.datetime,
                 decay: float, exam: dt.datetime | None) -> list[Row]:
    r_now = retrievability_sql(":now_day - julianday(c.last_review)", "c.stability", decay)
    r_exam = r_now.replace(":now_day", ":exam_day") if exam is not None else "NULL"
    sql = f"""
        SELECT c.deck, {_CATEGORY}, COUNT(*), SUM(c.stability IS NOT NULL),
               SUM({r_now}), SUM({r_exam}), SUM({r_exam} < 0.8)
        FROM cards c INDEXED BY cards_review_queue WHERE {where} GROUP BY 1, 2
    """
    sql, names = _named(sql, params)
    args = {"now": to_stamp(now), "now_day": _julian(now),
            "exam_day": _julian(exam) if exam is not None else None, **names}
    return list(db.conn.execute(sql, args))


def _named(sql: str, params: list[Any]) -> tuple[str, dict[str, Any]]:
    """A statement whose only `?` placeholders are a scope's, with them named :p0, :p1..."""
    for i in range(len(params)):
        sql = sql.replace("?", f":p{i}", 1)
    return sql, {f"p{i}": value for i, value in enumerate(params)}


def _julian(moment: dt.datetime) -> float:
    """SQLite's julianday of a moment."""
    return moment.timestamp() / 86400 + 2440587.5


def lapsed(db: Database, scope: Scope) -> list[Row]:
    """Cards that lapsed, by deck and tag string: (deck, tags, lapses, leeches)."""
    where, params = _scope(scope, "c")
    sql = ("SELECT c.deck, c.tags, SUM(c.lapses), SUM(c.tags LIKE '% leech %') FROM cards c "
           f"INDEXED BY cards_lapsed_tags WHERE c.lapses > 0 AND c.retired = 0{where} "
           "GROUP BY 1, 2")
    return list(db.conn.execute(sql, params))


def forecast(db: Database, scope: Scope, start: dt.datetime, until: dt.datetime) -> list[Row]:
    """Cards due per day from the start of today's study day (days are 24 h from the
    rollover; due before today: day -1, the backlog): (day offset, count)."""
    where, params = _scope(scope, "c")
    sql = ("SELECT CASE WHEN c.due < :start THEN -1 ELSE "
           "CAST(julianday(c.due) - julianday(:start) AS INTEGER) END, COUNT(*) "
           "FROM cards c WHERE c.state IN (1, 2, 3) AND c.retired = 0 AND c.suspended = 0 "
           f"AND c.due < :until{where} GROUP BY 1")
    sql, names = _named(sql, params)
    return list(db.conn.execute(sql, {"start": to_stamp(start), "until": to_stamp(until),
                                      **names}))


def calibration(db: Database, scope: Scope) -> list[Row]:
    """Long-term answers (a day or more after the previous one) by the FSRS benchmark's bins
    and predicted R in tenths: (interval bin, count bin, lapse bin, R tenth, n, sum
    predicted, passed, sum log loss). A bin is the exponent of its power, the same grouping
    as core.retention's interval_bin, count_bin and lapse_bin: floor(log base 3.62 of the
    days), floor(log base 1.89 of the review's position), floor(log base 1.73 of the lapses
    before), or -1 for no lapse."""
    bins = ("floor(ln({days}) / ln(3.62)), floor(ln({reps} + 1) / ln(1.89)), "
            "CASE WHEN {lapses} = 0 THEN -1 ELSE floor(ln({lapses}) / ln(1.73)) END")
    if scope.tag is None:
        where, params = _scope(scope, "k")
        keys = bins.format(days="days", reps="reps", lapses="lapses")
        sql = (f"SELECT {keys}, tenth, SUM(n), SUM(r_sum), SUM(passed), SUM(loss) "
               f"FROM review_calibration k WHERE n > 0{where} GROUP BY 1, 2, 3, 4")
        return list(db.conn.execute(sql, params))
    where, params = _scope(scope, "c")
    p = "min(max(r.r / 1e6, 1e-6), 1 - 1e-6)"
    keys = bins.format(days="r.elapsed", reps="r.reps", lapses="r.lapses")
    sql = f"""
        SELECT {keys}, min(r.r / 100000, 9),
               COUNT(*), SUM(r.r / 1e6), SUM(r.rating > 1),
               SUM(CASE WHEN r.rating > 1 THEN -ln({p}) ELSE -ln(1 - {p}) END)
        FROM cards c CROSS JOIN revlog r ON r.card = c.num
        WHERE r.r IS NOT NULL AND r.cram = 0 AND r.elapsed >= 1{where}
        GROUP BY 1, 2, 3, 4
    """
    return list(db.conn.execute(sql, params))


def leeches(db: Database, scope: Scope, limit: int = 20) -> list[Row]:
    """Leech cards (tagged leech after lapsing), most lapses first: (id, deck, lapses, kind,
    content)."""
    where, params = _scope(scope, "c")
    sql = ("SELECT c.id, c.deck, c.lapses, c.kind, c.content FROM cards c INDEXED BY "
           f"cards_lapsed_tags WHERE c.lapses > 0 AND c.retired = 0 AND c.tags LIKE '% leech %'"
           f"{where} "
           "ORDER BY c.lapses DESC, c.id LIMIT ?")
    return list(db.conn.execute(sql, (*params, limit)))


def known_tag(db: Database, tag: str) -> bool:
    """Whether any card carries a tag (or one under it: `geo::europe` for `geo`)."""
    row = db.conn.execute("SELECT 1 FROM cards WHERE tags LIKE ? OR tags LIKE ? LIMIT 1",
                          (f"% {tag} %", f"% {tag}::%"))
    return row.fetchone() is not None


def tags(db: Database) -> list[str]:
    """Every tag on a card that is not retired, sorted."""
    found: set[str] = set()
    for (text,) in db.conn.execute("SELECT DISTINCT tags FROM cards WHERE retired = 0 "
                                   "AND tags != ''"):
        found.update(text.split())
    return sorted(found)
