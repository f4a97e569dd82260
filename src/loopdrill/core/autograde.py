"""Auto-graded kinds (numeric, choice, text, calc): checking items, preparing a prompt,
and grading a typed answer into a proposed rating."""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from loopdrill.core.model import Rating
from loopdrill.core.safeeval import (
    FormulaError,
    check_over,
    compile_formula,
    evaluate,
    parse_var_spec,
)
from loopdrill.core.units import (
    UnitError,
    format_number,
    format_value,
    parse_quantity,
    to_unit,
    unit_family,
)

GRADED = ("numeric", "choice", "text", "calc")
MAX_TYPED = 10_000
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Tolerance:
    """How far a number may be from the answer and still be right."""

    relative: float | None = None
    absolute: float | None = None

    @classmethod
    def parse(cls, raw: Any) -> Tolerance:
        """`5%` (relative), `0.01` (absolute, in the card's unit), or None (3 significant
        digits)."""
        if raw is None:
            return cls()
        text = str(raw).strip()
        try:
            if text.endswith("%"):
                value = float(text[:-1])
                if not 0 <= value < 100:
                    raise ValueError
                return cls(relative=value / 100)
            value = float(text)
            if value < 0 or not math.isfinite(value):
                raise ValueError
            return cls(absolute=value)
        except ValueError:
            raise ValueError(f"tolerance {raw!r} is not a percentage like 5% or a number "
                             "like 0.01") from None

    def allowed(self, expected: float) -> float:
        """The largest difference still counted right."""
        if self.relative is not None:
            return abs(expected) * self.relative
        if self.absolute is not None:
            return self.absolute
        if expected == 0:
            return 0.0
        return 0.5 * 10.0 ** (math.floor(math.log10(abs(expected))) - 2)

    def describe(self) -> str:
        if self.relative is not None:
            return f"{format_number(self.relative * 100)}%"
        if self.absolute is not None:
            return f"±{format_number(self.absolute)}"
        return "3 significant digits"


@dataclass(frozen=True)
class Verdict:
    """The drill's judgement of a typed answer."""

    proposed: Rating
    correct: bool
    typed: str
    expected: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"proposed": int(self.proposed), "correct": self.correct, "typed": self.typed,
                "expected": self.expected, "detail": self.detail}


@dataclass(frozen=True)
class Prompt:
    """What to show for one review of an auto-graded card."""

    front: str
    choices: tuple[str, ...] = ()
    values: dict[str, float] = field(default_factory=dict)
    expected: float | None = None


class AnswerError(ValueError):
    """A typed answer that cannot be read (e.g. a choice number out of range): ask again."""


# -- checking items -----------------------------------------------------------------------------
def validate_fields(kind: str, fields: Mapping[str, Any]) -> list[str]:
    """Every problem with an auto-graded item's kind-specific fields."""
    problems: list[str] = []
    front = fields.get("front")
    if not isinstance(front, str) or not front.strip():
        problems.append("`front` is required and must be text")
    answer = fields.get("answer")
    if kind in ("numeric", "calc"):
        problems += _unit_and_tolerance(fields)
    if kind == "numeric":
        if not _is_number(answer):
            problems.append("`answer` must be a number")
    elif kind == "choice":
        choices = fields.get("choices")
        if not isinstance(choices, list) or len(choices) < 2 or not all(
                isinstance(c, str | int | float) and str(c).strip() for c in choices):
            problems.append("`choices` must be a list of at least two options")
        else:
            names = [str(c) for c in choices]
            if len(set(names)) != len(names):
                problems.append("`choices` has the same option twice")
            wanted = answer if isinstance(answer, list) else [answer]
            if not wanted or any(str(w) not in names for w in wanted):
                problems.append("`answer` must be one of the choices (or a list of them)")
    elif kind == "text":
        accepted = answer if isinstance(answer, list) else [answer]
        if not accepted or not all(isinstance(a, str | int | float) and normalize(str(a))
                                   for a in accepted):
            problems.append("`answer` must be text or a list of accepted answers")
    elif kind == "calc":
        problems += _calc_problems(fields)
    return problems


def _unit_and_tolerance(fields: Mapping[str, Any]) -> list[str]:
    problems = []
    unit = fields.get("unit")
    if unit is not None:
        try:
            unit_family(str(unit))
        except UnitError:
            problems.append(f"unknown unit {unit!r} (use e.g. USD, %, ms, s, min, h, d, "
                            "B, KB, MB, GB, KiB, MiB)")
    try:
        Tolerance.parse(fields.get("tolerance"))
    except ValueError as exc:
        problems.append(str(exc))
    return problems


def _calc_problems(fields: Mapping[str, Any]) -> list[str]:
    raw_vars = fields.get("vars")
    if not isinstance(raw_vars, dict) or not raw_vars:
        return ["`vars` is required: a mapping of names to a list or {min, max, step}"]
    specs, problems = [], []
    for name, raw in raw_vars.items():
        try:
            specs.append(parse_var_spec(str(name), raw))
        except FormulaError as exc:
            problems.append(str(exc))
    front = str(fields.get("front", ""))
    for name in PLACEHOLDER.findall(front):
        if name not in raw_vars:
            problems.append(f"`front` uses {{{name}}} but no var {name} is declared")
    if problems:
        return problems
    try:
        formula = compile_formula(fields.get("answer"), [s.name for s in specs])
    except FormulaError as exc:
        return [f"`answer`: {exc}"]
    return check_over(formula, specs)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# -- preparing and grading ------------------------------------------------------------------------
def prepare(kind: str, fields: Mapping[str, Any], rng: random.Random) -> Prompt:
    """The prompt for one review: calc values drawn fresh, choices shuffled."""
    front = str(fields.get("front", ""))
    if kind == "choice":
        options = [str(c) for c in fields["choices"]]
        rng.shuffle(options)
        return Prompt(front, tuple(options))
    if kind == "calc":
        specs = [parse_var_spec(str(n), raw) for n, raw in fields["vars"].items()]
        values = {s.name: s.draw(rng) for s in specs}
        formula = compile_formula(fields["answer"], values)
        shown = PLACEHOLDER.sub(lambda m: format_number(values[m.group(1)]), front)
        return Prompt(shown, values=values, expected=evaluate(formula, values))
    if kind == "numeric":
        return Prompt(front, expected=float(fields["answer"]))
    return Prompt(front)


def grade(kind: str, fields: Mapping[str, Any], prompt: Prompt, typed: str) -> Verdict:
    """Grade a typed answer. Choice answers are option numbers as shown (`2`, `1 3`)."""
    typed = _clean(typed)
    if kind in ("numeric", "calc"):
        assert prompt.expected is not None
        return grade_number(typed, prompt.expected, fields.get("unit"),
                            Tolerance.parse(fields.get("tolerance")))
    if kind == "choice":
        answer = fields["answer"]
        wanted = {str(a) for a in (answer if isinstance(answer, list) else [answer])}
        return grade_choice(typed, prompt.choices, wanted)
    answer = fields["answer"]
    return grade_text(typed, [str(a) for a in (answer if isinstance(answer, list) else [answer])])


def _clean(typed: str) -> str:
    """Typed text made safe to show and store: no control characters, bounded length."""
    text = "".join(ch for ch in typed[:MAX_TYPED] if ch.isprintable() or ch == " ")
    return text.strip()


def grade_number(typed: str, expected: float, unit: str | None,
                 tolerance: Tolerance) -> Verdict:
    """Within tolerance: Good; within 3x: Hard; else Again (with the reason)."""
    shown = format_value(expected, unit)
    if not typed:
        return Verdict(Rating.AGAIN, False, "", shown, "no answer: marked as not known")
    family = unit_family(unit)[0] if unit else None
    try:
        value, reason = to_unit(parse_quantity(typed, family_hint=family), unit)
    except UnitError as exc:
        return Verdict(Rating.AGAIN, False, typed, shown, str(exc))
    if value is None:
        return Verdict(Rating.AGAIN, False, typed, shown, reason)
    diff = value - expected
    allowed = tolerance.allowed(expected)
    relative = f" ({diff / expected:+.1%})" if expected else ""
    detail = (f"you said {format_value(value, unit)}; off by "
              f"{format_value(abs(diff), unit)}{relative}, tolerance {tolerance.describe()}")
    if abs(diff) <= allowed * (1 + 1e-9) + 1e-12:
        exact = "" if diff == 0 else "within tolerance: " + detail
        return Verdict(Rating.GOOD, True, typed, shown, exact)
    if abs(diff) <= 3 * allowed * (1 + 1e-9) + 1e-12:
        return Verdict(Rating.HARD, False, typed, shown, detail)
    return Verdict(Rating.AGAIN, False, typed, shown, detail)


def parse_picks(typed: str, count: int) -> set[int]:
    """Option numbers from `2`, `1 3` or `1,3`; AnswerError if any is not an option."""
    parts = [p for p in re.split(r"[\s,;]+", typed) if p]
    picks = set()
    for part in parts:
        if not re.fullmatch(r"[0-9]{1,4}", part) or not 1 <= int(part) <= count:
            raise AnswerError(f"type option numbers from 1 to {count}")
        picks.add(int(part))
    return picks


def grade_choice(typed: str, options: Sequence[str], wanted: set[str]) -> Verdict:
    """Right only with exactly the right set of options."""
    right = sorted(i + 1 for i, o in enumerate(options) if o in wanted)
    expected = ", ".join(f"{i} {options[i - 1]}" for i in right)
    if not typed:
        return Verdict(Rating.AGAIN, False, "", expected, "no answer: marked as not known")
    try:
        picks = parse_picks(typed, len(options))
    except AnswerError as exc:
        return Verdict(Rating.AGAIN, False, typed, expected, str(exc))
    if picks == set(right):
        return Verdict(Rating.GOOD, True, typed, expected, "")
    missing, extra = set(right) - picks, picks - set(right)
    parts = []
    if missing:
        parts.append("missed " + ", ".join(options[i - 1] for i in sorted(missing)))
    if extra:
        parts.append("wrongly picked " + ", ".join(options[i - 1] for i in sorted(extra)))
    return Verdict(Rating.AGAIN, False, typed, expected, "; ".join(parts))


def normalize(text: str) -> str:
    """Case, spacing and punctuation ignored (after Unicode NFKC)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def grade_text(typed: str, accepted: Sequence[str]) -> Verdict:
    """Right when it matches an accepted answer; one slip in a long answer is Hard."""
    expected = " / ".join(accepted)
    if not typed:
        return Verdict(Rating.AGAIN, False, "", expected, "no answer: marked as not known")
    mine = normalize(typed)
    targets = [normalize(a) for a in accepted]
    if mine in targets:
        return Verdict(Rating.GOOD, True, typed, expected, "")
    if mine and any(len(t) >= 6 and _within_one_edit(mine, t) for t in targets):
        return Verdict(Rating.HARD, False, typed, expected, "one letter off")
    return Verdict(Rating.AGAIN, False, typed, expected, "not an accepted answer")


def _within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))

