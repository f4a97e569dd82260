"""The FSRS fit, run in its own process: fsrs-rs-python holds the GIL while it trains.

Reads {"histories": [[[rating, delta_t], ...], ...], "current": [w...]} as JSON on stdin and
writes {"parameters": [...], "before": {...}, "after": {...}, "items": n} on stdout.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import fsrs_rs_python as rs


def fit(histories: list[list[list[int]]], current: list[float]) -> dict[str, Any]:
    """Fit parameters and evaluate the current and the fitted ones on the same items (one
    item per review a day or more after the previous study day, as `training_items`)."""
    items: list[Any] = []
    for history in histories:
        reviews = [rs.FSRSReview(r, d) for r, d in history]  # built once, shared by prefixes
        items.extend(rs.FSRSItem(reviews[: index + 1]) for index in range(1, len(history))
                     if history[index][1] > 0)
    fitted = [round(float(w), 6) for w in rs.FSRS(current).compute_parameters(items)]
    before = rs.FSRS(current).evaluate(items)
    after = rs.FSRS(fitted).evaluate(items)
    return {"parameters": fitted, "items": len(items),
            "before": {"log_loss": before.log_loss, "rmse_bins": before.rmse_bins},
            "after": {"log_loss": after.log_loss, "rmse_bins": after.rmse_bins}}


def main() -> None:
    request = json.load(sys.stdin)
    json.dump(fit(request["histories"], request["current"]), sys.stdout)


if __name__ == "__main__":
    main()
