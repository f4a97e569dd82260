"""Training data for fitting FSRS: review histories grouped by study day, as Anki builds them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

History = list[tuple[int, int]]  # (rating, days since the previous study day with a review)
MIN_ITEMS = 400


def day_histories(reviews: Iterable[tuple[str, int, int]]) -> list[History]:
    """Per card, its reviews as (rating, delta_t in days) with days counted between study days.

    `reviews` are (card id, study day number, rating), ordered by card then time.
    """
    out: list[History] = []
    current: str | None = None
    history: History = []
    last_day: int | None = None
    for card, day, rating in reviews:
        if card != current:
            if history:
                out.append(history)
            current, history, last_day = card, [], None
        delta = 0 if last_day is None else day - last_day
        history.append((rating, delta))
        last_day = day
    if history:
        out.append(history)
    return out


def training_items(histories: Sequence[History]) -> list[History]:
    """One item per review after the first day: the history up to and including it."""
    items: list[History] = []
    for history in histories:
        for index in range(1, len(history)):
            if history[index][1] > 0:
                items.append(history[: index + 1])
    return items


def long_term_reviews(histories: Sequence[History]) -> int:
    """Reviews a day or more after the card's previous study day: what a fit learns from."""
    return sum(1 for h in histories for _, delta in h[1:] if delta > 0)
