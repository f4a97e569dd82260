"""The FSRS fit in its own process: fsrs-rs-python holds the GIL while it trains.

Reads a JSON header line {"current": [w, ...]} on stdin, then one line per card as
core.optimizer.HistoryEncoder writes them (parsed as they arrive, while the parent reads the
next rows); writes the JSON of core.optimizer.fit_histories on stdout. Any
failure exits non-zero with one line on stderr.
"""

from __future__ import annotations

import json
import sys

from loopdrill.core.optimizer import fit_histories, parse_histories


def main() -> int:
    try:
        stream = sys.stdin.buffer
        current = json.loads(stream.readline())["current"]
        result = fit_histories(parse_histories(stream), current)
    except Exception as exc:  # the parent turns this line into an OptimizeError
        print(f"{type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
