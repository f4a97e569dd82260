"""A parsed search (core.search) as one SQL WHERE clause with its parameters, and the
queries that use it. User text only ever travels as a parameter, never inside the SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from loopdrill.core.search import Added, And, Filter, Not, Or, Prop, Query, Rated, Text
from loopdrill.core.timeutil import from_ms, to_ms, to_stamp
from loopdrill.store.curve import retrievability_sql
from loopdrill.store.rows import CARD_COLUMNS, StoredCard, card_from_row


@dataclass(frozen=True)
class SearchContext:
    """What a query's relative terms are measured from: the moment, the study days (day(0)
    is the start of today's, day(1) of tomorrow's...), the forgetting curve's decay and the
    date before which a fact is stale."""

    now: dt.datetime
    day: Callable[[int], dt.datetime]
    decay: float
    stale_before: dt.date


Sql = tuple[str, list[Any]]

# the text fields of a card's content JSON that free text looks in
_FIELDS = {None: ("front", "back", "text", "extra", "answer", "choices"),
           "front": ("front", "text"), "back": ("back", "answer", "extra", "choices")}


def like_pattern(text: str, *, anywhere: bool = True) -> str:
    """A LIKE pattern (ESCAPE '\\') for user text in which `*` stands for any run."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    escaped = escaped.replace("*", "%")
    return f"%{escaped}%" if anywhere else escaped


def where(query: Query, ctx: SearchContext) -> Sql:
    """The WHERE clause (over `cards`) for a query. Retired cards and cards of hidden decks
    are left out unless the query asks for them with is:retired or deck:."""
    sql, params = _sql(query, ctx)
    if not _mentions(query, lambda t: t == Filter("is", "retired")):
        sql = f"retired = 0 AND ({sql})"
    if not _mentions(query, lambda t: isinstance(t, Filter) and t.name == "deck"):
        sql = f"deck NOT IN (SELECT slug FROM decks WHERE hidden = 1) AND {sql}"
    return sql, params


def _mentions(query: Query, test: Callable[[Query], bool]) -> bool:
    if test(query):
        return True
    if isinstance(query, And | Or):
        return any(_mentions(t, test) for t in query.terms)
    return isinstance(query, Not) and _mentions(query.term, test)


def _sql(query: Query, ctx: SearchContext) -> Sql:
    if isinstance(query, And | Or):
        if not query.terms:
            return "1", []
        parts = [_sql(t, ctx) for t in query.terms]
        joiner = " AND " if isinstance(query, And) else " OR "
        return (joiner.join(f"({s})" for s, _ in parts), [p for _, ps in parts for p in ps])
    if isinstance(query, Not):
        inner, params = _sql(query.term, ctx)
        return f"NOT coalesce(({inner}), 0)", params  # a NULL (new card, no due) counts false
    if isinstance(query, Text):
        pattern = like_pattern(query.text)
        fields = _FIELDS[query.field]
        sql = " OR ".join(f"json_extract(content, '$.{f}') LIKE ? ESCAPE '\\'" for f in fields)
        if _stored_as_is(query.text):  # the raw JSON must hold it too: a cheap first test
            return f"content LIKE ? ESCAPE '\\' AND ({sql})", [pattern] * (len(fields) + 1)
        return sql, [pattern] * len(fields)
    if isinstance(query, Filter):
        return _filter(query, ctx)
    if isinstance(query, Prop):
        return _prop(query, ctx)
    if isinstance(query, Rated):
        return rated_sql(query.days, query.rating, ctx)
    assert isinstance(query, Added)
    return "added >= ?", [to_ms(ctx.day(1 - query.days))]


def _stored_as_is(text: str) -> bool:
    """Whether text appears unchanged inside the content's JSON: printable ASCII without the
    two characters JSON escapes (other writers may escape non-ASCII as \\uXXXX)."""
    return all(" " <= ch <= "~" for ch in text) and '"' not in text and "\\" not in text


def _tree(column: str, value: str, separator: str) -> Sql:
    """`column` is `value` or below it (value + separator + anything): by index ranges."""
    if "*" in value:
        pattern = like_pattern(value, anywhere=False)
        return (f"({column} LIKE ? ESCAPE '\\' OR {column} LIKE ? ESCAPE '\\')",
                [pattern, pattern + like_pattern(separator, anywhere=False) + "%"])
    low = value + separator
    high = low[:-1] + chr(ord(low[-1]) + 1)
    return f"({column} = ? OR ({column} > ? AND {column} < ?))", [value, low, high]


_STATES = {
    "new": ("state = 0", 0),
    "learning": ("state IN (1, 3)", 0),
    "review": ("state IN (2, 3)", 0),
    "suspended": ("suspended = 1", 0),
    "flagged": ("flag > 0", 0),  # literal conditions: the partial indexes of m005 match them
    "retired": ("retired = 1", 0),
    "leech": ("tags LIKE '% leech %'", 0),
    "buried": ("buried_until > ?", 1),
    "stale": ("as_of < ?", 1),
    "due": ("state IN (1, 2, 3) AND due < ? AND suspended = 0 "
            "AND (buried_until IS NULL OR buried_until <= ?)", 2),
}


def _filter(query: Filter, ctx: SearchContext) -> Sql:
    value = query.value
    if query.name == "deck":
        return _tree("deck", value.lower(), "::")
    if query.name == "tag":
        pattern = like_pattern(value, anywhere=False)
        return ("(tags LIKE ? ESCAPE '\\' OR tags LIKE ? ESCAPE '\\')",
                [f"% {pattern} %", f"% {pattern}::%"])
    if query.name == "id":
        return _tree("id", value, ":")
    if query.name == "kind":
        return "kind = ?", [value]
    if query.name == "flag":
        return ("flag = ?", [0]) if value == "0" else ("flag > 0 AND flag = ?", [int(value)])
    sql, count = _STATES[value]
    params: list[Any] = {
        0: [], 1: [to_stamp(ctx.now) if value == "buried" else ctx.stale_before.isoformat()],
        2: [to_stamp(ctx.day(1)), to_stamp(ctx.now)]}[count]
    return sql, params


_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=", "!=": "!="}
_COLUMNS = {
    "s": "stability", "d": "difficulty", "reps": "reps", "lapses": "lapses",
    "ivl": "CAST(round(julianday(due) - julianday(last_review)) AS INTEGER)",
}


def _prop(query: Prop, ctx: SearchContext) -> Sql:
    op = _OPS[query.op]
    if query.name == "due":
        days = int(query.value)
        start, end = to_stamp(ctx.day(days)), to_stamp(ctx.day(days + 1))
        bounds = {"<": ("due < ?", [start]), "<=": ("due < ?", [end]),
                  ">": ("due >= ?", [end]), ">=": ("due >= ?", [start]),
                  "=": ("due >= ? AND due < ?", [start, end]),
                  "!=": ("(due < ? OR due >= ?)", [start, end])}
        sql, params = bounds[op]
        return f"state IN (1, 2, 3) AND {sql}", params
    if query.name == "r":
        curve = retrievability_sql("julianday(?) - julianday(last_review)", "stability",
                                   ctx.decay)
        return (f"last_review IS NOT NULL AND {curve} {op} ?", [to_stamp(ctx.now), query.value])
    column = _COLUMNS[query.name]
    guard = "last_review IS NOT NULL AND " if query.name == "ivl" else ""
    return f"{guard}{column} {op} ?", [query.value]


def rated_sql(days: int, rating: int | None, ctx: SearchContext) -> Sql:
    """Cards answered since the start of the study day `days - 1` days ago (with `rating`)."""
    sql = "num IN (SELECT card FROM revlog WHERE at >= ?"
    params: list[Any] = [to_ms(ctx.day(1 - days))]
    if rating is not None:
        sql += " AND rating = ?"
        params.append(rating)
    return sql + ")", params


@dataclass(frozen=True)
class FoundCard:
    """A card a search found, with the browser's columns beside the stored card."""

    card: StoredCard
    flag: int
    added: dt.datetime | None


SORTS = {
    "due": "due IS NULL, due, id",
    "ivl": "julianday(due) - julianday(last_review) DESC, id",
    "r": "last_review IS NULL, (julianday(?) - julianday(last_review)) / stability DESC, id",
    "lapses": "lapses DESC, id",
    "added": "added DESC, id",
    "": "rowid",
}


def find(db: Database, clause: Sql, ctx: SearchContext, *, sort: str = "",
         limit: int | None = None, common: bool | None = None) -> Iterator[FoundCard]:
    """Matching cards in the order `sort` names (the order they were added when empty,
    lowest retrievability first for `r`), at most `limit`.

    `common` says whether many cards match (the caller counted them): then the first page
    in added order comes fastest from walking the table until it is full; otherwise from
    the matches the indexes give, sorted (SQLite alone would walk the table for both)."""
    sql, params = clause
    order = SORTS[sort]
    order_params = [to_stamp(ctx.now)] if "?" in order else []
    if common is None or sort or limit is None:
        source = f"cards WHERE {sql}"
    elif common:
        source = f"cards NOT INDEXED WHERE {sql}"
    else:
        source = f"cards WHERE rowid IN (SELECT rowid FROM cards WHERE {sql})"
    text = (f"SELECT {CARD_COLUMNS}, flag, added FROM {source} ORDER BY {order}"
            + (" LIMIT ?" if limit is not None else ""))
    args = [*params, *order_params, *([limit] if limit is not None else [])]
    for row in db.conn.execute(text, args):
        yield FoundCard(card_from_row(row[:-2]), row[-2],
                        from_ms(row[-1]) if row[-1] is not None else None)


def count(db: Database, clause: Sql) -> int:
    """How many cards match."""
    sql, params = clause
    return int(db.conn.execute(f"SELECT COUNT(*) FROM cards WHERE {sql}", params).fetchone()[0])


def ids(db: Database, clause: Sql) -> list[str]:
    """The ids of the matching cards."""
    sql, params = clause
    return [r[0] for r in db.conn.execute(f"SELECT id FROM cards WHERE {sql}", params)]
