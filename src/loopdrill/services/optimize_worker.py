"""The FSRS fit in its own process: fsrs-rs-python holds the GIL while it trains.

Reads a JSON header line {"current": [w, ...], "lower": [...], "upper": [...]} (the current
parameters and py-fsrs' bounds) on stdin, then the history as engine.fit.HistoryEncoder packs it
to the end of the input (unpacked as it arrives, while the parent reads the next rows); writes
the JSON of engine.fit.fit_histories on stdout. Any failure exits non-zero with one line on
stderr. It imports engine.fit only, so it is ready before the first rows come.
"""

from __future__ import annotations

import io
import json
import sys
from typing import cast

from loopdrill.engine.fit import fit_histories, parse_histories
from loopdrill.processes import die_with_parent


def main() -> int:
    die_with_parent()  # a killed loopdrill leaves no fit running
    try:
        stream = cast(io.BufferedReader, sys.stdin.buffer)  # typed BinaryIO, has read1
        header = json.loads(stream.readline())
        result = fit_histories(parse_histories(stream), header["current"],
                               (header["lower"], header["upper"]))
    except Exception as exc:  # the parent turns this line into an OptimizeError
        print(f"{type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
