"""The lean replay scheduler agrees with py-fsrs bit for bit on random histories."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.core.model import Rating
from loopdrill.core.options import Options
from loopdrill.engine.answer import Memory, answer, make_scheduler
from loopdrill.engine.fastfsrs import LeanScheduler

T0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)

histories = st.lists(
    st.tuples(st.sampled_from([1, 2, 3, 4]),
              st.one_of(st.integers(0, 3600), st.integers(3600, 86400 * 400))),
    min_size=1, max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(histories, st.sampled_from([Options(), Options(learning_steps=(), relearning_steps=()),
                                   Options(learning_steps=(1.0,), desired_retention=0.8),
                                   Options(relearning_steps=(5.0, 30.0))]))
def test_lean_replay_equals_py_fsrs(history: list[tuple[int, int]], options: Options) -> None:
    scheduler = make_scheduler(options, fuzz=False)
    lean = LeanScheduler(scheduler)
    reference = mine = Memory()
    now = T0
    for rating, gap in history:
        now += dt.timedelta(seconds=gap)
        reference = answer(scheduler, reference, Rating(rating), now).after
        mine = lean.review(mine, rating, now)
        assert mine == reference
