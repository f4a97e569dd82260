"""The FSRS fit, run in its own process: fsrs-rs-python holds the GIL while it trains.

Reads {"histories": [[[rating, delta_t], ...], ...], "current": [w...]} as JSON on stdin and
writes {"parameters": [...], "before": {...}, "after": {...}, "items": n} on stdout.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import fsrs_rs_python as rs

from loopdrill.core.optimizer import training_items


def fit(histories: list[list[list[int]]], current: list[float]) -> dict[str, Any]:
    """Fit parameters and evaluate the current and the fitted ones on the same items."""
    items = [rs.FSRSItem([rs.FSRSReview(r, d) for r, d in item])
             for item in training_items([[(r, d) for r, d in h] for h in histories])]
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
