"""Calc cards' variables: where each one's values come from (a list or a range), drawing one
at each review, checking a formula over the drawable values before a deck is accepted, and
the front with the drawn values filled in. The formula evaluator is core/formula.py.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from loopdrill.core.formula import (
    FUNCTIONS,
    MAX_MAGNITUDE,
    NAME,
    Formula,
    FormulaError,
    Values,
    evaluate,
)
from loopdrill.core.text import shown

MAX_COMBOS = 10_000
MAX_RANGE_VALUES = 10**9
MAX_LIST_VALUES = 10_000
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class VarSpec:
    """Where a calc variable's values come from: a list, or `min + k * step` up to `max`."""

    name: str
    choices: tuple[float, ...] = ()
    low: float = 0.0
    step: float = 1.0
    count: int = 0

    @property
    def size(self) -> int:
        """How many values can be drawn."""
        return len(self.choices) if self.choices else self.count

    def value(self, index: int) -> float:
        """The index-th drawable value."""
        if self.choices:
            return self.choices[index]
        return round(self.low + index * self.step, 12)

    def values(self) -> Iterator[float]:
        """Every drawable value, lazily."""
        return (self.value(i) for i in range(self.size))


def draw(spec: VarSpec, rng: random.Random) -> float:
    """One value, drawn fresh."""
    return spec.value(rng.randrange(spec.size))


def parse_var_spec(name: object, raw: Any) -> VarSpec:
    """A var as written in a deck: `[99, 99.9]` or `{min: 1, max: 100, step: 1}`."""
    if not isinstance(name, str) or not NAME.fullmatch(name) or name in FUNCTIONS:
        raise FormulaError(f"{shown(name)} cannot be a variable name (use letters, digits, _)")
    if isinstance(raw, list | tuple):
        if not raw:
            raise FormulaError(f"var {name}: the list of values is empty")
        if len(raw) > MAX_LIST_VALUES:
            raise FormulaError(f"var {name}: more than {MAX_LIST_VALUES:,} values")
        if not all(_is_number(v) for v in raw):
            raise FormulaError(f"var {name}: every value must be a number")
        return VarSpec(name, choices=tuple(float(v) for v in raw))
    if isinstance(raw, Mapping):
        keys = set(raw)
        if not {"min", "max"} <= keys or keys - {"min", "max", "step"}:
            raise FormulaError(f"var {name}: a range is {{min, max}} with an optional step")
        low, high, step = raw["min"], raw["max"], raw.get("step", 1)
        if not all(_is_number(v) for v in (low, high, step)):
            raise FormulaError(f"var {name}: min, max and step must be numbers")
        if step <= 0:
            raise FormulaError(f"var {name}: step must be above zero, not {step}")
        if low > high:
            raise FormulaError(f"var {name}: min {low} is above max {high}")
        span = (high - low) / step  # inf when a tiny step overflows it
        if not span < MAX_RANGE_VALUES:
            raise FormulaError(f"var {name}: the range has more than {MAX_RANGE_VALUES:,} values")
        return VarSpec(name, low=float(low), step=float(step), count=int(span + 1e-9) + 1)
    raise FormulaError(f"var {name}: give a list of values or {{min, max, step}}")


def _is_number(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and abs(value) <= MAX_MAGNITUDE)  # False for inf and NaN too


def check_formula(formula: Formula, specs: Iterable[VarSpec]) -> list[str]:
    """Problems found evaluating the formula over the drawable values: every combination when
    there are at most 10,000; else the ends, each variable swept through its range (with the
    values nearest the formula's constants and zero) while the others stay put, and a sample.
    """
    specs = list(specs)
    undeclared = formula.names - {s.name for s in specs}
    if undeclared:
        return [f"the formula uses undeclared {', '.join(sorted(undeclared))}"]
    combos: Iterable[tuple[float, ...]]
    if math.prod(s.size for s in specs) <= MAX_COMBOS:
        combos = itertools.product(*(s.values() for s in specs))
    else:
        combos = itertools.islice(_probes(formula, specs), 4 * MAX_COMBOS)
    for combo in combos:
        values = dict(zip((s.name for s in specs), combo, strict=True))
        try:
            evaluate(formula, values)
        except FormulaError as exc:
            at = ", ".join(f"{k}={format_var(v)}" for k, v in values.items())
            return [f"the answer formula {exc} for {at}" if at else f"the answer {exc}"]
    return []


def _probes(formula: Formula, specs: list[VarSpec]) -> Iterator[tuple[float, ...]]:
    rng = random.Random(0)
    constants = formula.constants | {0.0}
    ends = list(itertools.islice(itertools.product(
        *({s.value(0), s.value(s.size - 1)} for s in specs)), MAX_COMBOS))
    yield from ends
    bases = [ends[0], tuple(draw(s, rng) for s in specs)]
    for position, spec in enumerate(specs):
        for value in _sweep(spec, constants):
            for base in bases:
                yield (*base[:position], value, *base[position + 1:])
    for _ in range(500):
        yield tuple(draw(s, rng) for s in specs)


def _sweep(spec: VarSpec, constants: frozenset[float]) -> Iterator[float]:
    """Up to 2,000 evenly spread values of a variable, and those nearest the constants."""
    stride = max(1, spec.size // 2000)
    yield from (spec.value(i) for i in range(0, spec.size, stride))
    if not spec.choices:
        for constant in constants:
            for target in (constant, -constant):
                nearest = round((target - spec.low) / spec.step)
                for index in (nearest - 1, nearest, nearest + 1):
                    if 0 <= index < spec.size:
                        yield spec.value(index)


def render_front(template: str, values: Values) -> str:
    """The front with each `{name}` replaced by its drawn value (1234567 -> 1,234,567);
    placeholders without a value are left as written."""
    return PLACEHOLDER.sub(
        lambda m: format_var(values[m.group(1)]) if m.group(1) in values else m.group(0),
        template)


def format_var(value: float) -> str:
    """A drawn value shown in full: 1,234,567, 99.95, 0.25, 1.5e-07."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
        return f"{int(value):,}"
    if not math.isfinite(value) or abs(value) < 1e-4 or abs(value) >= 1e16:
        return f"{value:.12g}"
    return f"{value:,.12g}" if abs(value) < 1e12 else f"{value:,.4f}".rstrip("0").rstrip(".")
