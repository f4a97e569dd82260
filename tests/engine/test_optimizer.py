"""Optimizer helpers: items by study day, the fit on a known model, the interval and fuzz
equal to py-fsrs', and the retention simulation (the replay: tests/engine/test_replay.py)."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections.abc import Iterable, Sequence

import fsrs
import fsrs.scheduler
import fsrs_rs_python as rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.core.options import Options
from loopdrill.engine.answer import make_scheduler
from loopdrill.engine.curve import next_interval, retrievability_after
from loopdrill.engine.fit import (
    History,
    HistoryEncoder,
    TrainingItems,
    fit_histories,
    parse_histories,
    safe_parameters,
)
from loopdrill.engine.fuzz import fuzz_draw, fuzzed_days
from loopdrill.engine.simulate import SimCard, SimSetup, simulate

T0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
TRUE = [0.5, 1.5, 3.5, 12.0, 6.0, 0.6, 2.5, 0.01, 1.6, 0.2, 0.9, 1.6, 0.08, 0.3, 1.6, 0.5,
        2.0, 0.6, 0.1, 0.05, 0.2]
DEFAULTS = [float(w) for w in fsrs.Scheduler().parameters]
BOUNDS = (fsrs.scheduler.LOWER_BOUNDS_PARAMETERS, fsrs.scheduler.UPPER_BOUNDS_PARAMETERS)


# The rules for histories and training items (py-fsrs' elapsed days), written plainly: the
# reference the worker's packed path (HistoryEncoder, parse_histories, TrainingItems) is
# checked against.

def period_histories(rows: Iterable[tuple[str, int, int]]) -> list[History]:
    """Per card, its reviews as (rating, delta_t: whole 24-hour periods since the previous
    review, never negative); `rows` are (card id, time in ms, rating), by card then time."""
    histories: list[History] = []
    card, last = None, 0
    for current, at, rating in rows:
        if current != card:
            histories.append([])
            card, last = current, at
        histories[-1].append((rating, max(at - last, 0) // 86_400_000))
        last = at
    return histories


def training_items(histories: Sequence[History]) -> list[History]:
    """One item per review 24 hours or more after the previous one: the history up to it."""
    return [h[: i + 1] for h in histories for i in range(1, len(h)) if h[i][1] > 0]


def as_lists(items: Iterable[rs.FSRSItem]) -> list[History]:
    """Items as (rating, delta_t) lists, read from their repr (the reviews have no getters)."""
    return [[(int(r), int(d)) for r, d in re.findall(r"rating: (\d+), delta_t: (\d+)",
                                                     repr(item))] for item in items]


H = 3_600_000  # an hour in ms


def test_histories_count_24_hour_periods_and_items_skip_short_term_reviews() -> None:
    rows = [("a", 0, 3), ("a", 23 * H, 3), ("a", 95 * H, 1), ("a", 120 * H, 3), ("b", 0, 4)]
    histories = period_histories(rows)
    assert histories == [[(3, 0), (3, 0), (1, 3), (3, 1)], [(4, 0)]]
    assert training_items(histories) == [[(3, 0), (3, 0), (1, 3)],
                                          [(3, 0), (3, 0), (1, 3), (3, 1)]]


revlog_rows = st.lists(st.tuples(st.sampled_from(["a", "b", "c"]),
                                  st.integers(0, 40 * 24) .map(lambda h: h * H + 7),
                                  st.integers(1, 4)), max_size=60).map(
    lambda rows: sorted(rows, key=lambda row: row[0]))  # by card, time order kept


@settings(max_examples=200, deadline=None)
@given(revlog_rows, st.integers(1, 7), st.integers(1, 9))
def test_the_worker_unpacks_the_histories_the_parent_packs(
        rows: list[tuple[str, int, int]], chunk: int, block: int) -> None:
    """Whatever the chunks the rows come in and the blocks the bytes arrive in (a card may
    span chunks, an integer may span blocks), the worker reads the parent's histories, and
    its training items are the reference's, read in order or by index."""
    encoder = HistoryEncoder()
    data = b"".join(encoder.encode(rows[i : i + chunk]) for i in range(0, len(rows), chunk))
    histories = list(parse_histories(io.BytesIO(data + encoder.end()), block))
    assert histories == period_histories(rows)
    items, expected = TrainingItems(histories), training_items(histories)
    assert len(items) == len(expected) and as_lists(items) == expected
    assert as_lists(items[i] for i in range(-len(items), len(items))) == expected * 2
    assert as_lists(items[1::2]) == expected[1::2]
    assert items.cards == sum(1 for h in histories if any(d > 0 for _, d in h[1:]))
    assert list(items.card_ids()) == [card for card, h in enumerate(histories)
                                      for i in range(1, len(h)) if h[i][1] > 0]
    with pytest.raises(IndexError):
        items[len(items)]


def test_a_cut_or_headless_history_is_refused() -> None:
    encoder = HistoryEncoder()
    data = encoder.encode([("a", 5 * H, 3), ("a", 99 * H, 1)])
    with pytest.raises(ValueError, match="ended before its end mark"):
        list(parse_histories(io.BytesIO(data)))
    with pytest.raises(ValueError, match="ended before its end mark"):
        list(parse_histories(io.BytesIO(data + encoder.end()[:2])))
    with pytest.raises(ValueError, match="does not begin"):
        list(parse_histories(io.BytesIO(data[4:] + encoder.end())))


def test_a_time_going_back_counts_as_no_gap() -> None:
    """Times never go back for one card, but if they did the gap would be 0, not a negative
    number the packing could not tell from a new card."""
    encoder = HistoryEncoder()
    data = encoder.encode([("a", 90 * H, 3), ("a", 10 * H, 3)]) + encoder.end()
    assert list(parse_histories(io.BytesIO(data))) == [[(3, 0), (3, 0)]]


def test_safe_parameters_round_float32_into_py_fsrs_bounds() -> None:
    raw = [float(w) for w in rs.DEFAULT_PARAMETERS]  # float32: w[7] is 0.0010000000474974513
    raw[20] = 0.8000000119  # a float32 just above the upper bound
    safe = safe_parameters(raw, BOUNDS)
    assert safe[7] == 0.001 and safe[20] == 0.8
    fsrs.Scheduler(parameters=safe)
    with pytest.raises(ValueError, match="expected 21"):
        safe_parameters(raw[:19], BOUNDS)


def synthetic(cards: int, seed: int = 7) -> list[list[tuple[int, int]]]:
    """Histories drawn from a known FSRS model: recall happens with its predicted R."""
    model = rs.FSRS(TRUE)
    rng = random.Random(seed)
    factor = 0.9 ** (1 / -TRUE[20]) - 1
    out = []
    for _ in range(cards):
        history = [(rng.choice([1, 3, 3, 3, 4]), 0)]
        for _ in range(rng.randint(4, 9)):
            state = model.memory_state(rs.FSRSItem([rs.FSRSReview(r, d) for r, d in history]))
            gap = max(1, round(state.stability * rng.uniform(0.3, 2.5)))
            recall = (1 + factor * gap / state.stability) ** -TRUE[20]
            rating = rng.choice([2, 3, 3, 3, 4]) if rng.random() < recall else 1
            history.append((rating, gap))
        out.append(history)
    return out


def test_fit_on_a_known_model_predicts_as_well_as_the_true_one() -> None:
    histories = synthetic(1500)
    result = fit_histories(histories, DEFAULTS, BOUNDS)
    items = [rs.FSRSItem([rs.FSRSReview(r, d) for r, d in item])
             for item in training_items(histories)]
    assert result["before"]["log_loss"] == rs.FSRS(DEFAULTS).evaluate(items).log_loss
    true_loss = rs.FSRS(TRUE).evaluate(items).log_loss
    assert result["items"] == len(items)
    assert result["after"]["log_loss"] <= true_loss * 1.01
    assert result["after"]["log_loss"] < result["before"]["log_loss"]
    fsrs.Scheduler(parameters=result["parameters"])  # never refused after rounding
    # fsrs-rs is told each item's card, so it trains on each card's history once (as Anki)
    card_ids = [card for card, h in enumerate(histories) for i in range(1, len(h)) if h[i][1]]
    assert result["parameters"] == safe_parameters(
        rs.FSRS(DEFAULTS).compute_parameters(items, card_ids=card_ids), BOUNDS)


def test_fuzz_draws_are_uniform_enough() -> None:
    draws = [fuzz_draw(f"deck/{i}", 3, 3) for i in range(4000)]
    assert all(0 <= d < 1 for d in draws)
    assert [sum(1 for d in draws if k / 10 <= d < (k + 1) / 10) for k in range(10)] == \
        pytest.approx([400] * 10, abs=80)


def test_interval_and_fuzz_match_py_fsrs(monkeypatch: pytest.MonkeyPatch) -> None:
    scheduler = make_scheduler(Options(desired_retention=0.85, maximum_interval=400))
    for stability in (0.5, 3.0, 17.2, 400.0):
        expected = scheduler._next_interval(stability=stability)
        assert next_interval(stability, 0.85, DEFAULTS[20], 400) == expected
    for days in (1, 2, 3, 7, 30, 180, 399, 400):
        for draw in (0.0, 0.13, 0.5, 0.87, 0.999):
            monkeypatch.setattr(fsrs.scheduler, "random", lambda d=draw: d)
            fuzzed = scheduler._get_fuzzed_interval(interval=dt.timedelta(days=days)).days
            assert fuzzed_days(days, 400, draw) == fuzzed


def test_simulation_is_deterministic_and_costs_more_at_higher_retention() -> None:
    cards = [SimCard(stability=1 + i % 40, difficulty=3 + i % 6, elapsed=i % 9, due_in=i % 30)
             for i in range(400)]
    setup = SimSetup(days=120, new_cards=300, new_per_day=5)
    low = simulate(DEFAULTS, 0.75, cards, setup)
    high = simulate(DEFAULTS, 0.95, cards, setup)
    assert simulate(DEFAULTS, 0.75, cards, setup) == low
    assert high.reviews > low.reviews
    assert high.knowledge > low.knowledge
    assert low.learned == high.learned == 300
    assert 0 < high.knowledge <= len(cards) + 300


def test_simulated_answers_take_fsrs_rs_memory_states() -> None:
    """A well-remembered card due today, always answered Good: one review, whose memory is
    fsrs-rs-python's next state, then the curve of engine.curve to the end."""
    card = SimCard(stability=1000.0, difficulty=5.0, elapsed=10.0, due_in=0)
    setup = SimSetup(days=5, new_cards=0, recall_ratings=(0.0, 1.0, 0.0))
    result = simulate(DEFAULTS, 0.9, [card], setup)
    good = rs.FSRS(DEFAULTS).next_states(rs.MemoryState(1000.0, 5.0), 0.9, 10).good.memory
    assert result.reviews == 1
    assert result.knowledge == retrievability_after(5, good.stability, DEFAULTS[20])


def test_fsrs_rs_reads_training_items_made_a_card_at_a_time() -> None:
    """Large histories are not kept as FSRSItems: fsrs-rs-python reads TrainingItems as a
    sequence, with the same result as from a list of the same items."""
    histories = synthetic(300)
    lazy = TrainingItems(histories)
    assert lazy.reviews == sum(len(item) for item in training_items(histories))
    model = rs.FSRS(DEFAULTS)
    assert model.evaluate(lazy).log_loss == model.evaluate(list(lazy)).log_loss
