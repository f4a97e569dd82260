"""Items to cards, card faces, the queue policy and the study day."""

from __future__ import annotations

import datetime as dt

import pytest

from loopdrill.core.cards import back_spans, expand, front_spans, plain
from loopdrill.core.model import Item
from loopdrill.core.timeutil import day_start, from_stamp, next_day_start, study_day, to_stamp
from loopdrill.engine.curve import retrievability
from loopdrill.engine.queue import interleave, order_reviews

UTC = dt.UTC


def test_reversible_basic_gives_two_cards_with_swapped_sides() -> None:
    item = Item("s3", "basic", {"front": "Q", "back": "A", "reversible": True})
    cards = list(expand(item, "aws"))
    assert [c.id for c in cards] == ["aws/s3", "aws/s3:r"]
    assert cards[1].content == {"front": "A", "back": "Q"}


def test_cloze_gives_one_card_per_number_with_hint_and_answer() -> None:
    item = Item("slo", "cloze", {"text": "{{c1::99.9%::target}} over {{c2::28 days}}"})
    cards = list(expand(item, "slo"))
    assert [c.variant for c in cards] == ["c1", "c2"]
    assert plain(front_spans("cloze", cards[0].content)) == "[target] over 28 days"
    assert plain(back_spans("cloze", cards[0].content)) == "[99.9%] over 28 days"
    assert plain(front_spans("cloze", cards[1].content)) == "99.9% over [...]"


def test_reviews_ordered_most_at_risk_first_within_limits() -> None:
    now = dt.datetime(2026, 11, 23, 9, tzinfo=UTC)
    rows = [
        ("a", "d1", 10.0, to_stamp(now - dt.timedelta(days=10))),
        ("b", "d1", 2.0, to_stamp(now - dt.timedelta(days=10))),
        ("c", "d2", 50.0, to_stamp(now - dt.timedelta(days=10))),
    ]
    assert order_reviews(rows, now, {"d1": 5, "d2": 5}, 10) == ["b", "a", "c"]
    assert order_reviews(rows, now, {"d1": 1, "d2": 5}, 10) == ["b", "c"]
    assert order_reviews(rows, now, {"d1": 5, "d2": 5}, 1) == ["b"]
    assert retrievability(10.0, now - dt.timedelta(days=10), now) == pytest.approx(0.9)


def test_interleave_spreads_new_cards() -> None:
    out = interleave(["r1", "r2", "r3", "r4"], ["n1", "n2"])
    assert sorted(out) == ["n1", "n2", "r1", "r2", "r3", "r4"]
    assert out[0].startswith("r") and out.index("n2") - out.index("n1") >= 2
    assert interleave([], ["n1"]) == ["n1"]


def test_study_day_rolls_over_at_4am_and_the_boundary_belongs_to_the_new_day() -> None:
    assert study_day(dt.datetime(2026, 11, 23, 3, 59, 59, tzinfo=UTC), 4, UTC) == dt.date(
        2026, 11, 22)
    assert study_day(dt.datetime(2026, 11, 23, 4, 0, tzinfo=UTC), 4, UTC) == dt.date(2026, 11, 23)
    assert day_start(dt.date(2026, 11, 23), 4, UTC) == dt.datetime(2026, 11, 23, 4, tzinfo=UTC)
    assert next_day_start(dt.datetime(2026, 11, 23, 3, tzinfo=UTC), 4, UTC) == dt.datetime(
        2026, 11, 23, 4, tzinfo=UTC)


def test_stamps_round_trip_and_sort() -> None:
    a = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    b = a + dt.timedelta(microseconds=1)
    assert from_stamp(to_stamp(a)) == a
    assert to_stamp(a) < to_stamp(b)
