"""The forgetting curve as SQL, for reports and searches that weigh every card in one query.

It is engine.curve.retrievability_after written as an SQL expression, with the decay's
constants (from engine.curve) written in; tests compare the two.
"""

from __future__ import annotations

from loopdrill.engine.curve import STABILITY_FLOOR, curve_factor


def retrievability_sql(days: str, stability: str, decay: float) -> str:
    """R after `days` for a card of `stability` (both SQL expressions) with decay w[20]."""
    return (f"pow(1 + {curve_factor(decay)!r} * max({days}, 0) "
            f"/ max({stability}, {STABILITY_FLOOR!r}), {-decay!r})")
