"""Fitting FSRS to one learner's history (DESIGN.md section 4): training items and the fit.

Training items are built with the rule the live scheduler (py-fsrs) applies: per card, its
non-cram reviews, each with delta_t = whole 24-hour periods since the card's previous review
(0 within 24 hours: a short-term review), and one item per review 24 hours or more after the
previous one, holding the card's history up to it. So the fit learns from the gaps the
scheduler will see (Anki counts study days instead). The fit runs in fsrs-rs-python (float32)
in a worker process; its parameters are rounded to 6 places and kept inside py-fsrs' bounds
before `fsrs.Scheduler` sees them.

The worker imports only this module (not py-fsrs): the parent sends the bounds with the
current parameters, then the history as HistoryEncoder packs it, one 32-bit integer per
review, which the worker unpacks while the parent still reads the revlog.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol, overload

History = list[tuple[int, int]]  # (rating 1-4, whole 24-hour periods since the previous review)
MIN_REVIEWS = 400  # training items (long-term reviews) below which no fit is attempted
KEEP_REVIEWS = 2_000_000  # items holding up to this many reviews (some 40 MB) are made once
DAY_MS = 86_400_000  # one 24-hour period in milliseconds, the revlog's unit of time
Bounds = tuple[Sequence[float], Sequence[float]]  # py-fsrs' lower and upper parameter bounds


def safe_parameters(raw: Sequence[float], bounds: Bounds) -> list[float]:
    """Float32 parameters rounded to 6 places and kept inside py-fsrs' bounds."""
    lower, upper = bounds
    if len(raw) != len(lower):
        raise ValueError(f"expected {len(lower)} parameters, got {len(raw)}")
    return [min(max(round(float(w), 6), lo), hi) for w, lo, hi in zip(raw, lower, upper,
                                                                       strict=True)]


class TrainingItems(Sequence[Any]):
    """The training items of many histories as fsrs-rs-python FSRSItems, made one card at a
    time whenever a call reads them. fsrs-rs-python copies every item it is given into Rust,
    so holding them in Python too would double the fit's memory (at a million reviews, some
    700,000 items of 26 reviews on average); here the histories take two small arrays."""

    def __init__(self, histories: Iterable[History]) -> None:
        self.ratings, self.deltas = array("b"), array("i")
        self.starts = array("l", [0])  # where each card's reviews begin in the arrays
        self.counts = array("l", [0])  # items before each card
        self.reviews = 0  # reviews in all the items (a card's are in each of its items)
        for history in histories:
            self.ratings.extend(rating for rating, _ in history)
            self.deltas.extend(delta for _, delta in history)
            self.starts.append(len(self.ratings))
            ends = [i + 1 for i in range(1, len(history)) if history[i][1] > 0]
            self.counts.append(self.counts[-1] + len(ends))
            self.reviews += sum(ends)
        self.cards = sum(1 for a, b in zip(self.counts, self.counts[1:], strict=False) if b > a)

    def __len__(self) -> int:
        return self.counts[-1]

    def card_ids(self) -> array[int]:
        """Each item's card (its history's index), in the items' order: with them fsrs-rs
        trains on each card's whole history once instead of once per item (its prefixes)."""
        ids = array("i")
        for card, (first, end) in enumerate(zip(self.counts, self.counts[1:], strict=False)):
            ids.extend([card] * (end - first))
        return ids

    def _card(self, card: int) -> Iterator[Any]:
        import fsrs_rs_python as rs  # only the fit worker and tests need the Rust model

        first, end = self.starts[card], self.starts[card + 1]
        ratings, deltas = self.ratings, self.deltas
        reviews = [rs.FSRSReview(ratings[k], deltas[k]) for k in range(first, end)]
        for k in range(first + 1, end):
            if deltas[k] > 0:
                yield rs.FSRSItem(reviews[: k - first + 1])

    def __iter__(self) -> Iterator[Any]:
        for card in range(len(self.starts) - 1):
            yield from self._card(card)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError("training item index out of range")
        index %= len(self)
        card = bisect_right(self.counts, index) - 1
        for i, item in enumerate(self._card(card)):
            if i == index - self.counts[card]:
                return item
        raise AssertionError("unreachable: the counts say the card has this item")


def _metrics(evaluation: Any) -> dict[str, float]:
    return {"log_loss": float(evaluation.log_loss), "rmse_bins": float(evaluation.rmse_bins)}


def fit_histories(histories: Iterable[History], current: Sequence[float],
                  bounds: Bounds) -> dict[str, Any]:
    """Fit parameters with fsrs-rs-python ("parameters") and evaluate the current ("before")
    and the fitted ones ("after") on the same items, one after the other. The fit is given
    each item's card, as Anki gives it: fsrs-rs then runs each card's whole history once per
    batch and scores every item on it, instead of running each item's history from the start
    (at a million reviews, 0.8 s instead of 7 s). Runs in a worker process: fsrs-rs-python
    holds the GIL while it works."""
    import fsrs_rs_python as rs

    training = TrainingItems(histories)  # consumed as the histories arrive
    result: dict[str, Any] = {"items": len(training), "cards": training.cards}
    if len(training) < MIN_REVIEWS:
        return result
    # three calls read the items: made once when they are small, a card at a time otherwise
    items = list(training) if training.reviews <= KEEP_REVIEWS else training
    model = rs.FSRS(list(current))
    # the fit first: it needs the most memory, and the evaluations mostly fit in what it
    # frees (evaluating first left holes the fit could not reuse: 2-3 MB more at 1M reviews)
    fitted = safe_parameters(model.compute_parameters(items, card_ids=training.card_ids()),
                             bounds)
    before = _metrics(model.evaluate(items))
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
    """Revlog rows to the worker's input. Rows are (card, time in ms, rating) ordered by
    card then time, fed in chunks (a card may span two); a review's delta_t is the whole
    24-hour periods since the card's previous one, as py-fsrs counts them (never negative)."""

    def __init__(self) -> None:
        self.card: object = None
        self.at = 0

    def encode(self, rows: Iterable[tuple[object, int, int]]) -> bytes:
        out = array(CODE)
        add = out.append
        card, last = self.card, self.at
        for current, at, rating in rows:
            if current != card:
                add(-rating)
                card = current
            elif at - last >= DAY_MS:
                add((at - last) // DAY_MS * 4 + rating - 1)
            else:
                add(rating - 1)
            last = at
        self.card, self.at = card, last
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
