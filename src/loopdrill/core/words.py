"""Counts in words, singular or plural: `1 card`, `2 cards`, `1,000 reviews`."""

from __future__ import annotations

IRREGULAR = {"entry": "entries", "was": "were", "is": "are", "has": "have"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` and the word agreeing with it, thousands grouped: plural(1, 'card') is
    '1 card', plural(2, 'due date') '2 due dates', plural(3, 'entry') '3 entries'."""
    if count == 1:
        return f"1 {word}"
    if many is None:
        head, _, last = word.rpartition(" ")
        many = (f"{head} " if head else "") + IRREGULAR.get(last, last + "s")
    return f"{count:,} {many}"
