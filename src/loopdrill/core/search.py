"""The card search language (Anki's where it fits), parsed into a small tree.

    aws "exact phrase" front:s3 deck:aws-prices tag:pricing id:aws-prices/s3 kind:numeric
    is:due -is:suspended flag:1 prop:ivl>=30 prop:r<0.9 rated:7:1 added:30 (a or b)

Terms side by side must all match; `or` joins alternatives; `-` negates; parentheses group.
`*` in text, a deck or a tag stands for any run of characters. Every string gives a Query or
one SearchError naming the 1-based position of the problem. Turning a Query into SQL is the
store's job (store.search).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from loopdrill.core.model import KINDS

STATES = ("new", "learning", "review", "due", "suspended", "buried", "leech", "stale",
          "flagged", "retired")
PROPS = {"due": int, "ivl": float, "s": float, "d": float, "r": float, "reps": int,
         "lapses": int}
OPS = ("<=", ">=", "!=", "<", ">", "=")
FILTERS = ("front", "back", "deck", "tag", "id", "kind", "is", "flag", "prop", "rated", "added")


class SearchError(ValueError):
    """A query that cannot be read; the message is one sentence naming the position."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"query: {message} at position {position}")
        self.position = position


@dataclass(frozen=True)
class Text:
    """Text in the card's fields (`field` None: any field); `*` is a wildcard."""

    text: str
    field: Literal["front", "back"] | None = None


@dataclass(frozen=True)
class Filter:
    """deck:, tag:, id:, kind:, is: or flag: with its value."""

    name: Literal["deck", "tag", "id", "kind", "is", "flag"]
    value: str


@dataclass(frozen=True)
class Prop:
    """prop:NAME OP VALUE, e.g. prop:ivl>=30."""

    name: str
    op: str
    value: float


@dataclass(frozen=True)
class Rated:
    """Answered within the last `days` study days (today counts as one), maybe with a rating."""

    days: int
    rating: int | None = None


@dataclass(frozen=True)
class Added:
    """Added within the last `days` study days."""

    days: int


@dataclass(frozen=True)
class Not:
    term: Query


@dataclass(frozen=True)
class And:
    terms: tuple[Query, ...]


@dataclass(frozen=True)
class Or:
    terms: tuple[Query, ...]


Query = Text | Filter | Prop | Rated | Added | Not | And | Or

EVERYTHING = And(())


@dataclass(frozen=True)
class _Token:
    kind: Literal["word", "phrase", "(", ")", "-", "or", "and"]
    text: str
    pos: int  # 1-based


_SPACE = re.compile(r"\s+")


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        space = _SPACE.match(query, i)
        if space:
            i = space.end()
            continue
        ch = query[i]
        if ch in "()":
            tokens.append(_Token(ch, ch, i + 1))  # type: ignore[arg-type]
            i += 1
        elif ch == "-" and (i + 1 == n or query[i + 1].isspace()):
            raise SearchError("'-' needs a term right after it", i + 1)
        elif ch == "-":
            tokens.append(_Token("-", ch, i + 1))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise SearchError('the quote is never closed', i + 1)
            tokens.append(_Token("phrase", query[i + 1:end], i + 1))
            i = end + 1
        else:
            start, text = i, []
            while i < n and not query[i].isspace() and query[i] not in "()":
                if query[i] == '"':
                    end = query.find('"', i + 1)
                    if end < 0:
                        raise SearchError("the quote is never closed", i + 1)
                    text.append(query[i + 1:end])
                    i = end + 1
                else:
                    text.append(query[i])
                    i += 1
            word = "".join(text)
            lowered = word.lower() if query[start:i] == word else ""
            kind: Literal["word", "or", "and"] = (
                "or" if lowered == "or" else "and" if lowered == "and" else "word")
            tokens.append(_Token(kind, word, start + 1))
    return tokens


def parse(query: str) -> Query:
    """The tree of a query; an empty query matches every card (EVERYTHING)."""
    parser = _Parser(_tokens(query), len(query))
    if not parser.tokens:
        return EVERYTHING
    tree = parser.any_of()
    if parser.at < len(parser.tokens):
        token = parser.tokens[parser.at]
        raise SearchError("')' has no '(' before it", token.pos)
    return tree


class _Parser:
    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.at = 0
        self.end = length + 1

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def any_of(self) -> Query:
        terms = [self.all_of()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.at += 1
            following = self.peek()
            if following is None or following.kind in (")", "or", "and"):
                raise SearchError("'or' needs a term after it", token.pos)
            terms.append(self.all_of())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def all_of(self) -> Query:
        terms: list[Query] = []
        while (token := self.peek()) is not None and token.kind not in (")", "or"):
            if token.kind == "and":
                if not terms:
                    raise SearchError("'and' needs a term before it", token.pos)
                self.at += 1
                following = self.peek()
                if following is None or following.kind in (")", "or", "and"):
                    raise SearchError("'and' needs a term after it", token.pos)
                continue
            terms.append(self.unary())
        if not terms:
            token = self.peek()
            if token is None:
                raise SearchError("a term is missing", self.end)
            if token.kind == "or":
                raise SearchError("'or' needs a term before it", token.pos)
            raise SearchError("'()' holds no term", token.pos)
        return terms[0] if len(terms) == 1 else And(tuple(terms))

    def unary(self) -> Query:
        token = self.tokens[self.at]
        self.at += 1
        if token.kind == "-":
            following = self.peek()
            if following is None or following.kind in (")", "or", "and"):
                raise SearchError("'-' needs a term right after it", token.pos)
            return Not(self.unary())
        if token.kind == "(":
            inner = self.any_of()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise SearchError("'(' is never closed", token.pos)
            self.at += 1
            return inner
        if token.kind == "phrase":
            return Text(token.text)
        return _term(token.text, token.pos)


_NAME = re.compile(r"^([A-Za-z]+):(.*)$", re.DOTALL)
_PROP = re.compile(r"^([a-z]+)(<=|>=|!=|<|>|=)(.*)$", re.DOTALL)


def _term(word: str, pos: int) -> Query:
    match = _NAME.match(word)
    if match is None:
        return Text(word)
    name, value = match.group(1).lower(), match.group(2)
    at = pos + len(match.group(1)) + 1
    if name not in FILTERS:
        raise SearchError(f"unknown filter '{match.group(1)}:' (known: "
                          f"{', '.join(f + ':' for f in FILTERS)}; quote text that has a colon)",
                          pos)
    if not value:
        raise SearchError(f"'{name}:' needs a value", pos)
    if name in ("front", "back"):
        return Text(value, name)  # type: ignore[arg-type]
    if name in ("deck", "tag", "id"):
        return Filter(name, value)  # type: ignore[arg-type]
    if name == "kind":
        if value.lower() not in KINDS:
            raise SearchError(f"unknown kind {value!r} (one of {', '.join(KINDS)})", at)
        return Filter("kind", value.lower())
    if name == "is":
        if value.lower() not in STATES:
            raise SearchError(f"unknown is:{value} (one of {', '.join(STATES)})", at)
        return Filter("is", value.lower())
    if name == "flag":
        if value not in tuple("01234567"):
            raise SearchError(f"flag:{value} is not a flag from 0 to 7", at)
        return Filter("flag", value)
    if name == "prop":
        return _prop(value, at)
    if name == "rated":
        days, _, rating = value.partition(":")
        number = _whole(days, at, "rated: days", 1, 36500)
        if not rating:
            if value.endswith(":"):
                raise SearchError("rated:N: needs a rating from 1 to 4", at + len(value))
            return Rated(number)
        return Rated(number, _whole(rating, at + len(days) + 1, "rated: rating", 1, 4))
    return Added(_whole(value, at, "added: days", 1, 36500))


def _prop(value: str, at: int) -> Prop:
    match = _PROP.match(value.lower())
    if match is None or match.group(1) not in PROPS:
        raise SearchError(f"prop:{value} is not like prop:ivl>=30 (properties: "
                          f"{', '.join(PROPS)}; operators: {' '.join(OPS)})", at)
    name, op, number = match.groups()
    number_at = at + len(name) + len(op)
    if PROPS[name] is int:
        return Prop(name, op, _whole(number, number_at, f"prop:{name}", -36500, 10**9))
    try:
        parsed = float(number)
    except ValueError:
        parsed = float("nan")
    if parsed != parsed or parsed in (float("inf"), float("-inf")):
        raise SearchError(f"prop:{name} needs a number, not {number!r}", number_at)
    return Prop(name, op, parsed)


def _whole(text: str, at: int, what: str, low: int, high: int) -> int:
    if not re.fullmatch(r"-?[0-9]{1,10}", text) or not low <= int(text) <= high:
        raise SearchError(f"{what} needs a whole number from {low} to {high}, not {text!r}", at)
    return int(text)


def parse_days(text: str) -> tuple[int, int]:
    """Set-due's DAYS: `0` (today), `3`, or a range `1-7` to spread over; (low, high)."""
    match = re.fullmatch(r"\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?", text)
    if match is None:
        raise ValueError(f"DAYS: {text!r} is not a number of days like 0, 3 or 1-7")
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    if high < low:
        raise ValueError(f"DAYS: {text!r} ends before it starts")
    return low, high
