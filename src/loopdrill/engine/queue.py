"""Today's queue policy: most-at-risk reviews first, limits, and new cards interleaved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from loopdrill.core.timeutil import from_stamp
from loopdrill.engine.curve import DEFAULT_DECAY, retrievability


def take_within_limits(ordered: Iterable[tuple[str, str]], per_deck_left: dict[str, int],
                       overall_left: int) -> list[str]:
    """Card ids (already ordered, with their deck) cut to what each deck and the day allow."""
    taken: list[str] = []
    left = dict(per_deck_left)
    for cid, deck in ordered:
        if len(taken) >= overall_left:
            break
        if left.get(deck, 0) > 0:
            left[deck] -= 1
            taken.append(cid)
    return taken


def order_reviews(rows: Sequence[tuple[str, str, float, str]], now: dt.datetime,
                  per_deck_left: dict[str, int], overall_left: int,
                  decay: float = DEFAULT_DECAY) -> list[str]:
    """Due reviews (id, deck, stability, last_review stamp), lowest retrievability first,
    cut to what each deck and the day still allow."""
    scored = sorted(
        (retrievability(s, from_stamp(lr), now, decay), cid, deck) for cid, deck, s, lr in rows
    )
    return take_within_limits(((cid, deck) for _, cid, deck in scored), per_deck_left,
                              overall_left)


def interleave(reviews: list[str], new: list[str]) -> list[str]:
    """Spread new cards evenly among the reviews."""
    if not new or not reviews:
        return reviews + new
    out: list[str] = []
    gap = (len(reviews) + len(new)) / len(new)
    next_new, n = gap / 2, 0
    r = 0
    for position in range(len(reviews) + len(new)):
        if n < len(new) and (position >= next_new or r >= len(reviews)):
            out.append(new[n])
            n += 1
            next_new += gap
        else:
            out.append(reviews[r])
            r += 1
    return out
