"""Grading typed answers into a proposed rating: numbers with a tolerance, choices by their
text or letter, short texts against accepted alternatives.

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
    COUNT,
    QuantityError,
    family_of,
    format_number,
    format_value,
    in_unit,
    parse_quantity,
)
from loopdrill.core.readings import PLAIN_NUMBER, implied_unit, is_nines, readings

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


def grade_numeric(typed: str, expected: float, unit: str | None, tolerance: Tolerance,
                  front: str = "") -> Verdict:
    """A typed number against the expected value in the card's unit. A unitless card takes
    a quantity in the unit its question names ("in MB?"); a data size matches under its
    decimal or binary reading; an availability percentage is graded on 100 - x."""
    typed = clean_typed(typed)
    shown = format_value(expected, unit)
    if not typed:
        return _wrong("", shown, NO_ANSWER)
    as_unit = unit if unit is not None else implied_unit(front)
    try:
        quantity = parse_quantity(typed, family_hint=family_of(as_unit))
        if unit is None and as_unit is None and quantity.family not in (None, COUNT):
            return _wrong(typed, shown, PLAIN_NUMBER, unreadable=True)
        options = readings(quantity, as_unit)
    except QuantityError as exc:
        return _wrong(typed, shown, str(exc), unreadable=not str(exc).startswith("you answered"))
    if is_nines(expected, unit):
        return _grade_nines(typed, options[0].value, expected, shown, tolerance)
    best = min(options, key=lambda r: abs(r.value - expected))
    value, diff = best.value, best.value - expected
    allowed = tolerance.allowed(expected)
    slack = 1e-9 * max(abs(expected), abs(value))  # float noise: 43.2 vs 43.199999999997
    detail = (f"you said {format_value(value, unit)}: off by {_difference(diff, expected, unit)}"
              f", tolerance {tolerance.describe(unit)}")
    if best.note:
        detail = f"{best.note}; {detail}"
    if abs(diff) <= allowed + slack:
        return Verdict(Rating.GOOD, True, typed, shown, best.note if abs(diff) <= slack
                       else detail)
    if abs(diff) <= 3 * allowed + slack:
        return Verdict(Rating.HARD, False, typed, shown, detail)
    return _wrong(typed, shown, detail)


def _grade_nines(typed: str, value: float, expected: float, shown: str,
                 tolerance: Tolerance) -> Verdict:
    """An availability graded on what it leaves out: the card's tolerance (3 significant
    digits by default) applies to 100 - x, so another number of nines is always Again."""
    left, expected_left = 100 - value, 100 - expected
    diff = left - expected_left
    allowed, slack = tolerance.allowed(expected_left), 1e-9 * 100
    if abs(diff) <= allowed + slack:
        return Verdict(Rating.GOOD, True, typed, shown, "")
    if left <= 0:
        why = f"{format_value(value, '%')} allows no downtime at all"
    else:
        ratio = left / expected_left
        times = (f"{format_number(round_significant(ratio, 2))} times the downtime of"
                 if ratio >= 1 else
                 f"{format_number(round_significant(1 / ratio, 2))} times less downtime than")
        why = (f"{format_value(value, '%')} leaves {format_value(round_significant(left), '%')}"
               f" out, {times} {shown} ({format_value(expected_left, '%')} out)")
    detail = f"{why}; availability is graded on what it leaves out (100 - x)"
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


def option_label(number: int, count: int) -> str:
    """How option `number` (from 1) is shown and typed: a letter (a, b, c...) when there are
    at most 26 options, its number beyond that."""
    return chr(ord("a") + number - 1) if count <= 26 else str(number)


def choice_rule(count: int) -> str:
    """The typing rule of a choice card, as the drill states it."""
    last = option_label(count, count)
    how = f"letters a-{last}" if count <= 26 else f"numbers 1-{count}"
    return f"type an option's text, or its {how} (several: a c)"


def parse_picks(typed: str, options: Sequence[str]) -> frozenset[int]:
    """Option numbers (from 1) from what was typed. The option's text comes first (`3` is
    the option "3", not the third one), then labels: `b`, `a c`, `a,c`; AnswerError when a
    part is neither."""
    text = clean_typed(typed)
    by_text = {normalize(o): i for i, o in enumerate(options, start=1) if normalize(o)}
    if normalize(text) in by_text:
        return frozenset({by_text[normalize(text)]})
    for separators in (r"\s*[,;]\s*", r"[\s,;]+"):
        parts = [normalize(p) for p in re.split(separators, text) if p.strip()]
        if parts and all(p in by_text for p in parts):
            return frozenset(by_text[p] for p in parts)
    labels = {option_label(i, len(options)): i for i in range(1, len(options) + 1)}
    picks = set()
    for part in re.split(r"[\s,;]+", text.lower()):
        if not part:
            continue
        if part not in labels:
            raise AnswerError(choice_rule(len(options)))
        picks.add(labels[part])
    return frozenset(picks)


def grade_choice(picked: Collection[int], options: Sequence[str],
                 answers: Collection[str], typed: str | None = None) -> Verdict:
    """Right only with exactly the right set of options; `picked` are option numbers as shown
    (from 1), `answers` the right options' texts."""
    count = len(options)
    right = {i + 1 for i, option in enumerate(options) if option in answers}
    expected = ", ".join(f"{option_label(i, count)}) {options[i - 1]}" for i in sorted(right))
    shown = typed if typed is not None else " ".join(option_label(p, count)
                                                     for p in sorted(picked))
    if not picked:
        return _wrong(shown, expected, NO_ANSWER)
    if any(not 1 <= p <= count for p in picked):
        return _wrong(shown, expected, choice_rule(count), unreadable=True)
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
