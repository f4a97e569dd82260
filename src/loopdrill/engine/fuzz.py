"""The fuzz of review intervals, written once: live answers (engine.answer) and replays
(engine.replay) draw from the same fixed draw per card, answer and rating,
so a card's state is the replay of its log whether it was drilled or imported."""

from __future__ import annotations

import zlib


def fuzzed_days(days: int, maximum: int, draw: float) -> int:
    """py-fsrs 6.3.2's fuzzed interval for a `days`-day review interval and a draw in [0, 1)
    (its fuzz ranges 2.5-7 days: 15%, 7-20: 10%, beyond: 5%, summed in that order)."""
    if days < 2.5:
        return days
    d = float(days)
    delta = 1.0 + (0.15 * max(min(d, 7.0) - 2.5, 0.0) + 0.1 * max(min(d, 20.0) - 7.0, 0.0)
                   + 0.05 * max(d - 20.0, 0.0))
    low, high = max(2, round(days - delta)), min(round(days + delta), maximum)
    low = min(low, high)
    return min(round(draw * (high - low + 1) + low), maximum)


_MASK = (1 << 64) - 1


def fuzz_draw(card_id: str, reps_before: int, rating: int) -> float:
    """A uniform draw in [0, 1) fixed by the card, its reps before the answer and the rating:
    splitmix64 of a seed made of the three."""
    z = (zlib.crc32(card_id.encode()) * 1_000_003 + reps_before * 7 + rating
         + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return ((z ^ (z >> 31)) >> 11) / 9007199254740992.0
