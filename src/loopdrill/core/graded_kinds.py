"""The auto-graded kinds (numeric, choice, text, calc) as the deck loader and the drill see
them: check an item's kind-specific keys, prepare what one review shows, grade what was typed.

    problems = validate_fields(item.kind, item.fields)   # at load: [] when the item is fine
    prompt = prepare(card.kind, card.content, rng)        # at each review
    verdict = grade(card.kind, card.content, prompt, typed)
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from loopdrill.core.calc_vars import (
    PLACEHOLDER,
    VarSpec,
    check_formula,
    draw,
    parse_var_spec,
    render_front,
)
from loopdrill.core.formula import Formula, FormulaError, compile_formula, evaluate
from loopdrill.core.grading import (
    AnswerError,
    Tolerance,
    ToleranceError,
    Verdict,
    clean_typed,
    grade_choice,
    grade_numeric,
    grade_text,
    normalize,
    parse_picks,
)
from loopdrill.core.quantity import (
    QuantityError,
    family_of,
    in_unit,
    parse_quantity,
    unit_family,
)

__all__ = ["GRADED", "Prompt", "Verdict", "grade", "prepare", "validate_fields"]

GRADED = ("numeric", "choice", "text", "calc")
MAX_DRAWS = 50


@dataclass(frozen=True)
class Prompt:
    """What one review of an auto-graded card shows, and what grading it needs: the front
    (calc: with the drawn values), the options in the order shown (choice), the drawn values
    and the expected number (numeric, calc)."""

    front: str
    choices: tuple[str, ...] = ()
    values: dict[str, float] = field(default_factory=dict)
    expected: float | None = None


# -- checking an item --------------------------------------------------------------------------
def validate_fields(kind: str, fields: Mapping[str, Any]) -> list[str]:
    """Every problem with an auto-graded item's kind-specific keys; [] when it is fine."""
    if kind not in GRADED:
        return [f"kind {kind!r} is not auto-graded (use one of {', '.join(GRADED)})"]
    problems: list[str] = []
    front = fields.get("front")
    if not isinstance(front, str) or not front.strip():
        problems.append("`front` is required and must be text")
    if "answer" not in fields or fields["answer"] is None:
        problems.append("`answer` is required")
        return problems
    if kind in ("numeric", "calc"):
        problems += _unit_and_tolerance(fields)
    if kind == "numeric":
        problems += _numeric_problems(fields)
    elif kind == "choice":
        problems += _choice_problems(fields)
    elif kind == "text":
        if not _accepted(fields.get("answer")):
            problems.append("`answer` must be text, or a list of accepted answers")
    else:
        problems += _calc_problems(fields)
    return problems


def _unit_and_tolerance(fields: Mapping[str, Any]) -> list[str]:
    unit = fields.get("unit")
    if unit is not None:
        if not isinstance(unit, str):
            return ["`unit` must be text like USD, %, min or MiB"]
        try:
            unit_family(unit)
        except QuantityError as exc:
            return [f"`unit`: {exc}"]
    try:
        Tolerance.parse(fields.get("tolerance"), unit)
    except ToleranceError as exc:
        return [f"`tolerance`: {exc}"]
    return []


def _numeric_problems(fields: Mapping[str, Any]) -> list[str]:
    try:
        _expected_number(fields)
    except QuantityError as exc:
        return [f"`answer` must be a number in the card's unit ({exc})"]
    return []


def _expected_number(fields: Mapping[str, Any]) -> float:
    """A numeric card's answer in its unit: a number, or text like `43.2 min` or `$0.625`."""
    answer, unit = fields.get("answer"), fields.get("unit")
    unit = unit if isinstance(unit, str) else None
    if isinstance(answer, bool) or not isinstance(answer, str | int | float):
        raise QuantityError("not a number")
    if isinstance(answer, str):
        answer = in_unit(parse_quantity(answer, family_hint=family_of(unit)), unit)
    try:
        value = float(answer)
    except OverflowError:  # a 400-digit integer
        raise QuantityError("not a finite number") from None
    if not math.isfinite(value):
        raise QuantityError("not a finite number")
    return value


def _choice_problems(fields: Mapping[str, Any]) -> list[str]:
    choices = fields.get("choices")
    if not isinstance(choices, list) or len(choices) < 2 or not all(
            _scalar(c) and str(c).strip() for c in choices):
        return ["`choices` must be a list of at least two options"]
    if len(choices) > 9999:
        return ["`choices` has more than 9,999 options"]
    names = [str(c) for c in choices]
    problems = []
    if len(set(names)) != len(names):
        problems.append("`choices` has the same option twice")
    wanted = _as_list(fields.get("answer"))
    if not wanted or not all(_scalar(w) for w in wanted):
        problems.append("`answer` must be one of the choices, or a list of them")
    else:
        missing = [str(w) for w in wanted if str(w) not in names]
        if missing:
            problems.append(f"`answer` {', '.join(map(repr, missing))} is not among the choices")
        if len({str(w) for w in wanted}) != len(wanted):
            problems.append("`answer` lists the same option twice")
    return problems


def _accepted(answer: object) -> list[str]:
    """A text card's accepted answers; [] when one of them is unusable."""
    answers = _as_list(answer)
    if not answers or not all(_scalar(a) and normalize(str(a)) for a in answers):
        return []
    return [str(a) for a in answers]


def _calc_problems(fields: Mapping[str, Any]) -> list[str]:
    raw_vars = fields.get("vars")
    if not isinstance(raw_vars, Mapping) or not raw_vars:
        return ["`vars` is required: names, each a list of values or {min, max, step}"]
    specs, problems = [], []
    for name, raw in raw_vars.items():
        try:
            specs.append(parse_var_spec(name, raw))
        except FormulaError as exc:
            problems.append(f"`vars`: {exc}")
    front = fields.get("front")
    for name in PLACEHOLDER.findall(front if isinstance(front, str) else ""):
        if name not in raw_vars:
            problems.append(f"`front` uses {{{name}}} but no var {name} is declared")
    if problems:
        return problems
    try:
        formula = compile_formula(fields.get("answer"), [s.name for s in specs])
    except FormulaError as exc:
        return [f"`answer`: {exc}"]
    return [f"`answer`: {p}" for p in check_formula(formula, specs)]


def _as_list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


# -- one review ----------------------------------------------------------------------------------
def prepare(kind: str, fields: Mapping[str, Any], rng: random.Random) -> Prompt:
    """What to show for one review: choices shuffled, calc values drawn fresh. Expects fields
    that passed validate_fields; raises ValueError (FormulaError) if a calc card keeps failing
    for its drawn values."""
    front = str(fields.get("front", ""))
    if kind == "choice":
        options = [str(c) for c in fields["choices"]]
        rng.shuffle(options)
        return Prompt(front, tuple(options))
    if kind == "numeric":
        return Prompt(front, expected=_expected_number(fields))
    if kind == "calc":
        specs = [parse_var_spec(name, raw) for name, raw in fields["vars"].items()]
        formula = compile_formula(fields["answer"], [s.name for s in specs])
        return _draw_calc(front, formula, specs, rng)
    return Prompt(front)


def _draw_calc(front: str, formula: Formula, specs: list[VarSpec], rng: random.Random) -> Prompt:
    problem = FormulaError("no values drawn")
    for _ in range(MAX_DRAWS):
        values = {s.name: draw(s, rng) for s in specs}
        try:
            expected = evaluate(formula, values)
        except FormulaError as exc:
            problem = exc
            continue
        return Prompt(render_front(front, values), values=values, expected=expected)
    raise problem


def grade(kind: str, fields: Mapping[str, Any], prompt: Prompt, typed: str) -> Verdict:
    """Grade a typed answer. For choice, `typed` is an option's text or the letters shown:
    `b`, `a c`, `a,c`. Never raises for any typed text."""
    if kind in ("numeric", "calc"):
        expected = prompt.expected if prompt.expected is not None else _expected_number(fields)
        unit = fields.get("unit")
        unit = unit if isinstance(unit, str) else None
        return grade_numeric(typed, expected, unit, Tolerance.parse(fields.get("tolerance"), unit),
                             prompt.front)
    if kind == "choice":
        options = prompt.choices or tuple(str(c) for c in fields["choices"])
        answers = {str(a) for a in _as_list(fields["answer"])}
        shown = clean_typed(typed)
        try:
            picks = parse_picks(shown, options)
        except AnswerError as exc:
            verdict = grade_choice((), options, answers, shown)
            return Verdict(verdict.proposed, False, shown, verdict.expected, str(exc), True)
        return grade_choice(picks, options, answers, shown)
    return grade_text(typed, [str(a) for a in _as_list(fields["answer"])])
