"""Hard < Good < Easy on review cards, at least a day apart (engine.answer.in_order)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.core.model import CardState, Rating
from loopdrill.core.options import Options
from loopdrill.engine.answer import Memory, answer_in_order, in_order, make_scheduler, preview

NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
FUZZED = make_scheduler(Options(), fuzz=True)


def days(memory: Memory, rating: Rating) -> int:
    outcome = answer_in_order(FUZZED, memory, rating, NOW, seed="deck/card")[rating]
    return round(outcome.interval.total_seconds() / 86400)


def review(stability: float, difficulty: float, elapsed: float, reps: int) -> Memory:
    last = NOW - dt.timedelta(days=elapsed)
    return Memory(CardState.REVIEW, None, stability, difficulty,
                  last + dt.timedelta(days=max(1.0, stability)), last, reps, 0)


@settings(max_examples=150, deadline=None)
@given(st.floats(0.1, 400), st.floats(1, 10), st.floats(0.5, 400), st.integers(2, 50))
def test_hard_good_easy_at_least_a_day_apart(stability: float, difficulty: float,
                                             elapsed: float, reps: int) -> None:
    memory = review(stability, difficulty, elapsed, reps)
    hard, good, easy = (days(memory, r) for r in (Rating.HARD, Rating.GOOD, Rating.EASY))
    assert hard < good < easy, (hard, good, easy)


def test_only_the_due_date_moves_and_only_when_needed() -> None:
    memory = review(0.5, 9.5, 0.6, 3)  # tiny stability: FSRS gives Hard and Good one day each
    raw = preview(FUZZED, memory, NOW, "deck/card")
    fixed = in_order(memory, raw)
    for rating in Rating:
        assert fixed[rating].after.stability == raw[rating].after.stability
    assert fixed[Rating.AGAIN] == raw[Rating.AGAIN]
    learning = memory._replace(state=CardState.LEARNING, step=0)
    assert in_order(learning, preview(FUZZED, learning, NOW)) == preview(FUZZED, learning, NOW)


def test_equal_buttons_were_common_before() -> None:
    # The reason for in_order: without it, about one review card in seven shows two equal
    # buttons (issue 13 saw 14% of built-in review cards).
    equal = 0
    total = 0
    for stability in (0.3, 0.8, 1.5, 3, 6, 12, 40, 120):
        for elapsed in (0.5, 1, 2, 5, 20):
            memory = review(stability, 7.0, elapsed, 4)
            raw = preview(FUZZED, memory, NOW, f"card{stability}{elapsed}")
            got = [round(raw[r].interval.total_seconds() / 86400)
                   for r in (Rating.HARD, Rating.GOOD, Rating.EASY)]
            total += 1
            equal += got[0] >= got[1] or got[1] >= got[2]
    assert equal > 0 and total == 40


@settings(max_examples=100, deadline=None)
@given(st.floats(0.1, 400), st.floats(1, 10), st.floats(0.5, 400), st.integers(2, 50))
def test_an_answer_computes_what_its_button_showed(stability: float, difficulty: float,
                                                   elapsed: float, reps: int) -> None:
    """An answer computes only the passing ratings up to its own; the buttons all three:
    both give each rating the same outcome."""
    memory = review(stability, difficulty, elapsed, reps)
    shown = answer_in_order(FUZZED, memory, Rating.HARD, NOW, seed="deck/card",
                            all_passing=True)
    assert set(shown) == {Rating.HARD, Rating.GOOD, Rating.EASY}
    for rating in (Rating.HARD, Rating.GOOD, Rating.EASY):
        alone = answer_in_order(FUZZED, memory, rating, NOW, seed="deck/card")
        assert len(alone) == int(rating) - 1  # Hard: 1, Good: 2, Easy: 3 computed
        assert alone[rating] == shown[rating]
