"""Today's queue policy: most-at-risk reviews first, limits, and new cards interleaved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from loopdrill.core.timeutil import from_stamp

DEFAULT_DECAY = 0.1542


def retrievability(stability: float, last_review: dt.datetime, now: dt.datetime,
                   decay: float = DEFAULT_DECAY) -> float:
    """FSRS-6 forgetting curve R(t) = (1 + factor * t / S) ** -decay."""
    days = (now - last_review).total_seconds() / 86400
    return retrievability_after(days, stability, decay)


def retrievability_after(days: float, stability: float, decay: float = DEFAULT_DECAY) -> float:
    """R after `days` (negative counts as 0) for a card of stability `stability`."""
    factor = 0.9 ** (1 / -decay) - 1
    return float((1 + factor * max(0.0, days) / max(stability, 1e-6)) ** -decay)


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
