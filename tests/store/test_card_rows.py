"""store.decks.card_rows: its direct path for plain basic items writes exactly the rows the
general path (core.cards.expand, then the stored values) writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from loopdrill.core.cards import expand
from loopdrill.core.model import Item
from loopdrill.store.decks import _card_values, card_rows

text = st.text(max_size=20)
fields = st.one_of(
    st.fixed_dictionaries({"front": text, "back": text}),
    st.fixed_dictionaries({"front": st.one_of(text, st.integers()), "back": text,
                           "reversible": st.booleans()}),
    st.builds(lambda t: {"text": "{{c1::" + t + "}} and {{c2::x}}"}, text),
)
items = st.builds(
    lambda i, f, tags, source, as_of: Item(f"i{i}", "cloze" if "text" in f else "basic", f,
                                           tags, source, as_of),
    st.integers(0, 10**6), fields,
    st.lists(st.sampled_from(["aws", "slo", "lp::x", "z"]), max_size=3).map(tuple),
    st.one_of(st.none(), text), st.one_of(st.none(), st.just(dt.date(2026, 1, 2))))


@given(st.lists(items, max_size=8))
def test_rows_equal_the_general_path(deck_items: list[Item]) -> None:
    general: list[tuple[Any, ...]] = [
        (card.id, *_card_values(card))
        for position, item in enumerate(deck_items) for card in expand(item, "d", position)]
    assert list(card_rows(deck_items, "d")) == general
