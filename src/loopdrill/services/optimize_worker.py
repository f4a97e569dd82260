"""The FSRS fit in its own process: fsrs-rs-python holds the GIL while it trains.

Reads {"histories": [[[rating, delta_t], ...], ...], "current": [w, ...]} as JSON on stdin and
writes {"parameters": [...], "items": n, "before": {...}, "after": {...}} on stdout
(see core.optimizer.fit_histories). Any failure exits non-zero with one line on stderr.
"""

from __future__ import annotations

import json
import sys

from loopdrill.core.optimizer import fit_histories


def main() -> int:
    try:
        request = json.load(sys.stdin)
        result = fit_histories(request["histories"], request["current"])
    except Exception as exc:  # the parent turns this line into an OptimizeError
        print(f"{type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
