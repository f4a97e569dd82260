"""Grading typed answers into a proposed rating: numbers with a tolerance, choices by their
option numbers, short texts against accepted alternatives.

Within tolerance proposes Good, within three times the tolerance Hard, anything else Again;
an empty answer means "I don't know" (Again). Whatever is typed, the result is a Verdict.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from loopdrill.core.model import Rating
from loopdrill.core.quantity import (
    QuantityError,
    family_of,
    format_number,
    format_value,
    in_unit,
    parse_quantity,
)

MAX_TYPED = 10_000
NO_ANSWER = "no answer: marked as not known"


class ToleranceError(ValueError):
    """A card's `tolerance:` that cannot be read; one-line message."""


class AnswerError(ValueError):
    """A typed answer that cannot be read at all (e.g. an option number out of range)."""


@dataclass(frozen=True)
class Tolerance:
    """How far a number may be from the answer and still be right. With neither set: the
    answer to 3 significant digits (half a unit of the third digit either way)."""

    relative: float | None = None
    absolute: float | None = None

    @classmethod
    def parse(cls, raw: object, unit: str | None = None) -> Tolerance:
        """`5%` (relative), `0.01` (absolute, in the card's unit), `30 s` (absolute, converted
        to the card's unit), or None (3 significant digits)."""
        if raw is None:
            return cls()
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise ToleranceError(f"tolerance {raw!r} is not like 5% or 0.01")
        text = str(raw).strip()
        if text.endswith("%"):
            value = _number(text[:-1])
            if value is None or not 0 <= value < 100:
                raise ToleranceError(f"tolerance {text!r} must be from 0% to below 100%")
            return cls(relative=value / 100)
        value = _number(text)
        if value is None:
            try:
                value = in_unit(parse_quantity(text, family_hint=family_of(unit)), unit)
            except QuantityError as exc:
                raise ToleranceError(f"tolerance {text!r} is not like 5% or 0.01 ({exc})") \
                    from None
        if not math.isfinite(value) or value < 0:
            raise ToleranceError(f"tolerance {text!r} must be zero or more")
        return cls(absolute=value)

    def allowed(self, expected: float) -> float:
        """The largest difference still counted right."""
        if self.relative is not None:
            return abs(expected) * self.relative
        if self.absolute is not None:
            return self.absolute
        if expected == 0 or not math.isfinite(expected):
            return 0.0
        return 0.5 * 10.0 ** (math.floor(math.log10(abs(expected))) - 2)

    def describe(self, unit: str | None = None) -> str:
        """The tolerance in words: `5%`, `±0.01`, `3 significant digits`."""
        if self.relative is not None:
            return f"{format_number(self.relative * 100)}%"
        if self.absolute is not None:
            return "exact" if self.absolute == 0 else f"±{format_value(self.absolute, unit)}"
        return "3 significant digits"


@dataclass(frozen=True)
class Verdict:
    """The judgement of a typed answer. `detail` is the difference or the reason; `unreadable`
    says the answer could not be read at all (the screen may ask again instead)."""

    proposed: Rating
    correct: bool
    typed: str
    expected: str
    detail: str
    unreadable: bool = False

    def as_dict(self) -> dict[str, Any]:
        """For the revlog (JSON)."""
        return {"proposed": int(self.proposed), "correct": self.correct, "typed": self.typed,
                "expected": self.expected, "detail": self.detail}


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def clean_typed(typed: object) -> str:
    """Typed text made safe to show and store: at most 10,000 characters, whitespace as
    spaces, other unprintable characters dropped, trimmed."""
    text = typed if isinstance(typed, str) else ""
    kept = (" " if ch.isspace() else ch for ch in text[:MAX_TYPED])
    return "".join(ch for ch in kept if ch.isprintable()).strip()


def _wrong(typed: str, expected: str, detail: str, *, unreadable: bool = False) -> Verdict:
    return Verdict(Rating.AGAIN, False, typed, expected, detail, unreadable)


def grade_numeric(typed: str, expected: float, unit: str | None,
                  tolerance: Tolerance) -> Verdict:
    """A typed number against the expected value in the card's unit."""
    typed = clean_typed(typed)
    shown = format_value(expected, unit)
    if not typed:
        return _wrong("", shown, NO_ANSWER)
    try:
        value = in_unit(parse_quantity(typed, family_hint=family_of(unit)), unit)
    except QuantityError as exc:
        return _wrong(typed, shown, str(exc), unreadable=not str(exc).startswith("you answered"))
    diff = value - expected
    allowed = tolerance.allowed(expected)
    slack = 1e-9 * max(abs(expected), abs(value))  # float noise: 43.2 vs 43.199999999997
    detail = (f"you said {format_value(value, unit)}: off by {_difference(diff, expected, unit)}"
              f", tolerance {tolerance.describe(unit)}")
    if abs(diff) <= allowed + slack:
        return Verdict(Rating.GOOD, True, typed, shown, "" if abs(diff) <= slack else detail)
    if abs(diff) <= 3 * allowed + slack:
        return Verdict(Rating.HARD, False, typed, shown, detail)
    return _wrong(typed, shown, detail)


def round_significant(value: float, digits: int = 3) -> float:
    """`value` to `digits` significant digits, as a person reads a difference: 44.4444 is
    44.4, 0.0912 is 0.0912, 1234.5 is 1230."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _difference(diff: float, expected: float, unit: str | None) -> str:
    """How far off, rounded to what a person reads: `$0.035 (+5.6%)`, `44.4 (-0.4%)`; on a
    percentage card the difference is in points (a relative share of a share reads as noise)."""
    size = round_significant(abs(diff))
    if unit == "%":
        return f"{format_number(size)} percentage point{'' if size == 1 else 's'}"
    shown = format_value(size, unit)
    if not expected or abs(diff / expected) >= 100:
        return shown
    share = round_significant(diff / expected * 100, 2)
    return f"{shown} ({'+' if share > 0 else ''}{format_number(share)}%)" if share else shown


def parse_picks(typed: str, count: int) -> frozenset[int]:
    """Option numbers from `2`, `1 3`, `1,3` or `1, 3`; AnswerError if one is not an option."""
    picks = set()
    for part in re.split(r"[\s,;]+", clean_typed(typed)):
        if not part:
            continue
        if not re.fullmatch(r"[0-9]{1,4}", part) or not 1 <= int(part) <= count:
            raise AnswerError(f"type option numbers from 1 to {count}")
        picks.add(int(part))
    return frozenset(picks)


def grade_choice(picked: Collection[int], options: Sequence[str],
                 answers: Collection[str], typed: str | None = None) -> Verdict:
    """Right only with exactly the right set of options; `picked` are option numbers as shown
    (from 1), `answers` the right options' texts."""
    right = {i + 1 for i, option in enumerate(options) if option in answers}
    expected = ", ".join(f"{i} {options[i - 1]}" for i in sorted(right))
    shown = typed if typed is not None else " ".join(str(p) for p in sorted(picked))
    if not picked:
        return _wrong(shown, expected, NO_ANSWER)
    if any(not 1 <= p <= len(options) for p in picked):
        return _wrong(shown, expected, f"type option numbers from 1 to {len(options)}",
                      unreadable=True)
    if set(picked) == right:
        return Verdict(Rating.GOOD, True, shown, expected, "")
    missing, extra = right - set(picked), set(picked) - right
    parts = []
    if missing:
        parts.append("missed " + ", ".join(options[i - 1] for i in sorted(missing)))
    if extra:
        parts.append("wrongly picked " + ", ".join(options[i - 1] for i in sorted(extra)))
    return _wrong(shown, expected, "; ".join(parts))


def normalize(text: str) -> str:
    """Case, spacing and punctuation ignored, after Unicode NFKC: `Kinesis-Data streams!`
    and `kinesis data streams` are the same."""
    folded = unicodedata.normalize("NFKC", text[:MAX_TYPED]).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def grade_text(typed: str, accepted: Sequence[str]) -> Verdict:
    """Right when it matches an accepted answer; one slip in an answer of six or more letters
    proposes Hard."""
    typed = clean_typed(typed)
    expected = " / ".join(accepted)
    if not typed:
        return _wrong("", expected, NO_ANSWER)
    mine = normalize(typed)
    targets = [normalize(a) for a in accepted]
    if mine in targets:
        return Verdict(Rating.GOOD, True, typed, expected, "")
    if mine and any(len(t) >= 6 and _within_one_edit(mine, t) for t in targets):
        return Verdict(Rating.HARD, False, typed, expected, "one letter off")
    return _wrong(typed, expected, "not an accepted answer")


def _within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
