"""Fitting FSRS to one learner's history (DESIGN.md section 4): training items and the fit.

Training items are built as Anki builds them: per card, non-cram reviews grouped by study day
(delta_t = study days since the previous review, 0 within a day), one item per review that
comes a day or more after the previous one, holding the card's history up to it. The fit runs
in fsrs-rs-python (float32) in a worker process; its parameters are rounded to 6 places and
kept inside py-fsrs' bounds before `fsrs.Scheduler` sees them.

The worker imports only this module (not py-fsrs): the parent sends the bounds with the
current parameters, then the history as HistoryEncoder packs it, one 32-bit integer per
review, which the worker unpacks while the parent still reads the revlog.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

History = list[tuple[int, int]]  # (rating 1-4, study days since the card's previous review)
MIN_REVIEWS = 400  # training items (long-term reviews) below which no fit is attempted
Bounds = tuple[Sequence[float], Sequence[float]]  # py-fsrs' lower and upper parameter bounds


def safe_parameters(raw: Sequence[float], bounds: Bounds) -> list[float]:
    """Float32 parameters rounded to 6 places and kept inside py-fsrs' bounds."""
    lower, upper = bounds
    if len(raw) != len(lower):
        raise ValueError(f"expected {len(lower)} parameters, got {len(raw)}")
    return [min(max(round(float(w), 6), lo), hi) for w, lo, hi in zip(raw, lower, upper,
                                                                       strict=True)]


def rs_items(histories: Iterable[History]) -> tuple[list[Any], int]:
    """fsrs-rs-python FSRSItems for the training items (review objects shared by prefixes),
    and how many cards they come from."""
    import fsrs_rs_python as rs  # only the fit worker and tests need the Rust model

    items: list[Any] = []
    review, item = rs.FSRSReview, rs.FSRSItem
    cards = 0
    for history in histories:
        reviews = [review(r, d) for r, d in history]
        before = len(items)
        items.extend(item(reviews[: i + 1]) for i in range(1, len(history))
                     if history[i][1] > 0)
        cards += len(items) > before
    return items, cards


def _metrics(evaluation: Any) -> dict[str, float]:
    return {"log_loss": float(evaluation.log_loss), "rmse_bins": float(evaluation.rmse_bins)}


def fit_histories(histories: Iterable[History], current: Sequence[float],
                  bounds: Bounds) -> dict[str, Any]:
    """Fit parameters with fsrs-rs-python ("parameters") and evaluate the current ("before")
    and the fitted ones ("after") on the same items. Runs in a worker process: fsrs-rs-python
    holds the GIL while it works."""
    import fsrs_rs_python as rs

    items, cards = rs_items(histories)  # consumed as the histories arrive
    result: dict[str, Any] = {"items": len(items), "cards": cards}
    if len(items) < MIN_REVIEWS:
        return result
    model = rs.FSRS(list(current))
    before = _metrics(model.evaluate(items))
    fitted = safe_parameters(model.compute_parameters(items), bounds)
    after = _metrics(rs.FSRS(fitted).evaluate(items))
    return {**result, "parameters": fitted, "before": before, "after": after}


# -- the hand-over to the worker ------------------------------------------------------------
# One signed 32-bit integer per review, in this machine's byte order (both ends run here):
# a card's first review is -rating; each later one is delta_t * 4 + rating - 1 (delta_t >= 0);
# END closes the history, so the worker need not wait for the end of its input.

CODE = "i"
WIDTH = array(CODE).itemsize
END = -(2**31)


class HistoryEncoder:
    """Revlog rows to the worker's input. Rows are (card id, study day, rating) ordered by
    card then time, fed in chunks (a card may span two)."""

    def __init__(self) -> None:
        self.card: str | None = None
        self.day = 0

    def encode(self, rows: Iterable[tuple[str, int, int]]) -> bytes:
        out = array(CODE)
        add = out.append
        card, last = self.card, self.day
        for current, day, rating in rows:
            if current != card:
                add(-rating)
                card = current
            elif day > last:
                add((day - last) * 4 + rating - 1)
            else:
                add(rating - 1)
            last = day
        self.card, self.day = card, last
        return out.tobytes()

    @staticmethod
    def end() -> bytes:
        """What closes the history."""
        return array(CODE, [END]).tobytes()


class Chunks(Protocol):
    """A byte stream read as its data comes (a pipe's BufferedReader, BytesIO)."""

    def read1(self, size: int = ..., /) -> bytes: ...


def parse_histories(stream: Chunks, block: int = 1 << 16) -> Iterator[History]:
    """The histories HistoryEncoder packed, read from `stream` up to END, each as soon as the
    next card begins. ValueError when the stream ends before END or holds no history."""
    history: History = []
    rest = b""
    while data := stream.read1(block):  # what has come so far
        data = rest + data
        cut = len(data) - len(data) % WIDTH
        rest = data[cut:]
        values = array(CODE)
        values.frombytes(data[:cut])
        for value in values:
            if value >= 0 and history:
                history.append(((value & 3) + 1, value >> 2))
            elif 0 > value > END:
                if history:
                    yield history
                history = [(-value, 0)]
            elif value == END:
                if history:
                    yield history
                return
            else:
                raise ValueError("the history does not begin with a card's first review")
    raise ValueError("the history ended before its end mark")
