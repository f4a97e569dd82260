"""`loopdrill status`: today's counts in one line for a shell prompt or a tmux status bar.

It starts in well under 60 ms, so it loads neither sqlite-utils nor the option machinery:
the three options it needs (rollover hour and the daily limits) are layered here the way
services.config does it (global config < deck file < deck config), and it never writes."""

from __future__ import annotations

import datetime as dt

from loopdrill.core.timeutil import next_day_start, study_day, to_stamp
from loopdrill.store import counts

DEFAULTS = {"new_per_day": 20, "reviews_per_day": 200, "rollover_hour": 4}
DEFAULT_FORMAT = "{due} due · {new} new"
FIELDS = ("due", "new", "learning", "review", "total")


class FormatError(ValueError):
    """A --format that names no field or is malformed; one sentence."""


def _option(layers: list[dict[str, object]], key: str) -> int:
    value = DEFAULTS[key]
    for layer in layers:
        text = str(layer.get(key, "")).strip()
        if text.isdigit():  # `loopdrill config` refuses anything else
            value = int(text)
    return value


def today_counts(path: str, now: dt.datetime) -> dict[str, int]:
    """learning and review cards due today and new cards to introduce, within the daily
    limits (per deck and overall), as the drill would show them; all zero without a
    database."""
    result = dict.fromkeys(FIELDS, 0)
    conn = counts.open_read_only(path)
    if conn is None:
        return result
    try:
        stored, files = counts.option_layers(conn)
        glob = stored.get("", {})
        rollover = _option([glob], "rollover_hour")
        stamp, end = to_stamp(now), to_stamp(next_day_start(now, rollover))
        done = counts.studied_on(conn, study_day(now, rollover).isoformat())
        due = counts.due_by_deck(conn, stamp, end)
        new_left = max(0, _option([glob], "new_per_day") - sum(n for n, _ in done.values()))
        review_left = max(0, _option([glob], "reviews_per_day")
                          - sum(r for _, r in done.values()))
        for deck in sorted(files):
            layers = [glob, files[deck], stored.get(deck, {})]
            new_today, reviews_today = done.get(deck, (0, 0))
            learning, reviews = due.get(deck, (0, 0))
            reviews = min(reviews, max(0, _option(layers, "reviews_per_day") - reviews_today),
                          review_left)
            review_left -= reviews
            limit = min(max(0, _option(layers, "new_per_day") - new_today), new_left)
            new = counts.new_available(conn, deck, stamp, limit) if limit > 0 else 0
            new_left -= new
            result["learning"] += learning
            result["review"] += reviews
            result["new"] += new
    finally:
        conn.close()
    result["due"] = result["learning"] + result["review"]
    result["total"] = result["due"] + result["new"]
    return result


def render(values: dict[str, int], fmt: str = DEFAULT_FORMAT) -> str:
    """The status line: `fmt` with {due}, {new}, {learning}, {review} or {total}."""
    try:
        return fmt.format(**values)
    except KeyError as exc:
        raise FormatError(f"--format: no field {exc.args[0]!r} (fields: "
                          f"{', '.join('{' + f + '}' for f in FIELDS)})") from None
    except (ValueError, IndexError) as exc:
        raise FormatError(f"--format: {exc}") from None


def status_line(path: str, now: dt.datetime, fmt: str = DEFAULT_FORMAT,
                quiet: bool = False) -> str | None:
    """The line to print (None with `quiet` when nothing is due or new)."""
    values = today_counts(path, now)
    line = render(values, fmt)
    return None if quiet and values["total"] == 0 else line
