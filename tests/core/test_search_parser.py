"""The search language parser: examples, and any string gives a query or one error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.core.search import (
    EVERYTHING,
    Added,
    And,
    Filter,
    Not,
    Or,
    Prop,
    Rated,
    SearchError,
    Text,
    parse,
)


@pytest.mark.parametrize(("query", "tree"), [
    ("", EVERYTHING),
    ("  ", EVERYTHING),
    ("s3", Text("s3")),
    ('"per GB month"', Text("per GB month")),
    ("front:s3", Text("s3", "front")),
    ('back:"0.023 usd"', Text("0.023 usd", "back")),
    ("deck:aws-prices", Filter("deck", "aws-prices")),
    ("tag:pricing", Filter("tag", "pricing")),
    ("id:demo/s3-standard", Filter("id", "demo/s3-standard")),
    ("kind:Numeric", Filter("kind", "numeric")),
    ("is:DUE", Filter("is", "due")),
    ("flag:3", Filter("flag", "3")),
    ("prop:ivl>=30", Prop("ivl", ">=", 30)),
    ("prop:r<0.9", Prop("r", "<", 0.9)),
    ("prop:due=-1", Prop("due", "=", -1)),
    ("rated:7", Rated(7)),
    ("rated:7:1", Rated(7, 1)),
    ("added:30", Added(30)),
    ("a b", And((Text("a"), Text("b")))),
    ("a and b", And((Text("a"), Text("b")))),
    ("a or b c", Or((Text("a"), And((Text("b"), Text("c")))))),
    ("-is:new", Not(Filter("is", "new"))),
    ("-(a OR b)", Not(Or((Text("a"), Text("b"))))),
    ("us-east-1", Text("us-east-1")),
    ('"or"', Text("or")),
    ("12:00", Text("12:00")),
])
def test_queries_parse(query: str, tree: object) -> None:
    assert parse(query) == tree


@pytest.mark.parametrize(("query", "position", "words"), [
    ("(a", 1, "never closed"),
    ("a)", 2, "no '('"),
    ('"abc', 1, "never closed"),
    ("a or", 3, "needs a term after"),
    ("or a", 1, "before"),
    ("a -", 3, "'-' needs"),
    ("()", 2, "holds no term"),
    ("foo:bar", 1, "unknown filter 'foo:'"),
    ("deck:", 1, "needs a value"),
    ("is:nope", 4, "unknown is:nope"),
    ("kind:essay", 6, "unknown kind"),
    ("flag:9", 6, "flag from 0 to 7"),
    ("x prop:ivl~3", 8, "not like prop:ivl>=30"),
    ("prop:s>abc", 8, "needs a number"),
    ("prop:reps>1.5", 11, "whole number"),
    ("rated:0", 7, "whole number"),
    ("rated:7:5", 9, "from 1 to 4"),
    ("added:x", 7, "whole number"),
])
def test_bad_queries_name_the_position(query: str, position: int, words: str) -> None:
    with pytest.raises(SearchError) as caught:
        parse(query)
    assert caught.value.position == position
    assert words in str(caught.value)
    assert str(caught.value).endswith(f"at position {position}")
    assert "\n" not in str(caught.value)


ALPHABET = st.sampled_from([*'ab :-()"*<>=!1279', "or", "and", "is:", "deck:", "prop:",
                             "rated:", "flag:", "tag:", "due", "s", "new", "é", "\t"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(ALPHABET, max_size=14).map("".join)))
def test_any_string_gives_a_query_or_one_error(query: str) -> None:
    try:
        parse(query)
    except SearchError as exc:
        assert 1 <= exc.position <= len(query) + 1
        assert str(exc).startswith("query: ") and "\n" not in str(exc)


WORDS = st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True).filter(
    lambda w: w not in ("or", "and"))


def _render(tree: object) -> str:
    if isinstance(tree, Text):
        return f'"{tree.text}"' if tree.field is None else f'{tree.field}:"{tree.text}"'
    if isinstance(tree, Filter):
        return f"{tree.name}:{tree.value}"
    if isinstance(tree, Not):
        return f"-({_render(tree.term)})"
    if isinstance(tree, And):
        return "(" + " ".join(_render(t) for t in tree.terms) + ")"
    assert isinstance(tree, Or)
    return "(" + " or ".join(_render(t) for t in tree.terms) + ")"


TREES = st.recursive(
    st.one_of(WORDS.map(Text), WORDS.map(lambda w: Filter("tag", w)),
              st.sampled_from(["new", "due", "suspended"]).map(lambda s: Filter("is", s))),
    lambda inner: st.one_of(inner.map(Not), st.lists(inner, min_size=2, max_size=3).map(
        lambda ts: And(tuple(ts))), st.lists(inner, min_size=2, max_size=3).map(
        lambda ts: Or(tuple(ts)))),
    max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(TREES)
def test_a_rendered_tree_reads_back_the_same(tree: object) -> None:
    assert parse(_render(tree)) == tree
