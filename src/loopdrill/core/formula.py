"""Calc cards: a small whitelisted formula evaluator over Python's `ast` (never `eval`),
the variables drawn at each review, and the front with the drawn values filled in.

A formula may use numbers, + - * / // % **, unary minus, parentheses, its declared variables
and min max round ceil floor log log10 sqrt. It is checked node by node when compiled, then
turned into nested closures over floats: every step is O(1), exponents are bounded and a
result beyond 1e300 is an error, so evaluation takes microseconds whatever the input.
"""

from __future__ import annotations

import ast
import itertools
import math
import random
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from loopdrill.core.text import shown

MAX_SOURCE = 400
MAX_NODES = 200
MAX_EXPONENT = 1024.0
MAX_MAGNITUDE = 1e300
MAX_COMBOS = 10_000
MAX_RANGE_VALUES = 10**9
MAX_LIST_VALUES = 10_000
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

Values = Mapping[str, float]
Node = Callable[[Values], float]


class FormulaError(ValueError):
    """A formula that is refused, or that failed for some values; one-line message."""


def _round(x: float, digits: float = 0) -> float:
    if digits != int(digits) or abs(digits) > 15:
        raise FormulaError("round() takes a whole number of digits between -15 and 15")
    return float(round(x, int(digits)))


def _log(x: float, base: float = math.e) -> float:
    return math.log(x, base)


#: name: (function, fewest arguments, most arguments)
FUNCTIONS: dict[str, tuple[Callable[..., float], int, int]] = {
    "min": (min, 2, 20), "max": (max, 2, 20), "round": (_round, 1, 2),
    "ceil": (math.ceil, 1, 1), "floor": (math.floor, 1, 1), "log": (_log, 1, 2),
    "log10": (math.log10, 1, 1), "sqrt": (math.sqrt, 1, 1),
}


def _power(base: float, exponent: float) -> float:
    if abs(exponent) > MAX_EXPONENT:
        raise FormulaError(f"the exponent {exponent:g} is too large")
    result: object = base**exponent
    if not isinstance(result, float | int):
        raise FormulaError("a negative number to a fractional power")
    return float(result)


_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b, ast.Pow: _power,
}
_REFUSED = {
    "Attribute": "attribute access (a.b)", "Subscript": "indexing (a[b])",
    "Lambda": "a lambda", "ListComp": "a comprehension", "SetComp": "a comprehension",
    "DictComp": "a comprehension", "GeneratorExp": "a comprehension",
    "Compare": "a comparison", "BoolOp": "and/or", "IfExp": "if/else",
    "JoinedStr": "a string", "List": "a list", "Tuple": "a tuple", "Dict": "a dict",
    "Set": "a set", "Starred": "a *argument", "Await": "await", "Slice": "a slice",
}


@dataclass(frozen=True)
class Formula:
    """A checked formula, ready to evaluate."""

    source: str
    names: frozenset[str]
    run: Node = field(repr=False, compare=False)
    constants: frozenset[float] = field(default=frozenset(), repr=False, compare=False)


def compile_formula(source: object, allowed_names: Iterable[str]) -> Formula:
    """Parse and check a formula; FormulaError says what is not allowed.

    A formula without variables is also evaluated once, so `9**9**9` fails here.
    """
    if isinstance(source, bool) or not isinstance(source, str | int | float):
        raise FormulaError("the formula must be text like (100 - slo) * 432")
    text = str(source).translate(str.maketrans("×÷−", "*/-")).strip()
    if not text:
        raise FormulaError("the formula is empty")
    if len(text) > MAX_SOURCE:
        raise FormulaError(f"the formula is longer than {MAX_SOURCE} characters")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise FormulaError(f"cannot read the formula {_short(text)}") from None
    if sum(1 for _ in itertools.islice(ast.walk(tree), MAX_NODES + 1)) > MAX_NODES:
        raise FormulaError("the formula is too long")
    allowed = frozenset(allowed_names)
    names: set[str] = set()
    run = _build(tree.body, allowed, names)
    constants = frozenset(abs(float(n.value)) for n in ast.walk(tree)
                          if isinstance(n, ast.Constant) and isinstance(n.value, int | float))
    formula = Formula(text, frozenset(names), run, constants)
    if not names:
        evaluate(formula, {})
    return formula


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _build(node: ast.expr, allowed: frozenset[str], names: set[str]) -> Node:
    """Check one node and return a closure computing it."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FormulaError(f"only numbers are allowed, not {_short(repr(value))}")
        try:
            number = float(value)
        except OverflowError:
            raise FormulaError("a number in the formula is too large") from None
        if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
            raise FormulaError("a number in the formula is too large")
        return lambda _values: number
    if isinstance(node, ast.Name):
        name = node.id
        if name in FUNCTIONS:
            raise FormulaError(f"{name} must be called, like {name}(x)")
        if name not in allowed:
            raise FormulaError(f"{name!r} is not a declared variable")
        names.add(name)
        return lambda values: float(values[name])
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        operation = _BINARY[type(node.op)]
        left, right = _build(node.left, allowed, names), _build(node.right, allowed, names)
        return lambda values: _bounded(operation(left(values), right(values)))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _build(node.operand, allowed, names)
        if isinstance(node.op, ast.USub):
            return lambda values: -operand(values)
        return operand
    if isinstance(node, ast.Call):
        return _build_call(node, allowed, names)
    if isinstance(node, ast.BinOp | ast.UnaryOp):
        op = node.op
        raise FormulaError(f"the operator {type(op).__name__} is not allowed")
    what = _REFUSED.get(type(node).__name__, type(node).__name__.lower())
    raise FormulaError(f"not allowed in a formula: {what}")


def _build_call(node: ast.Call, allowed: frozenset[str], names: set[str]) -> Node:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        raise FormulaError(f"only {', '.join(FUNCTIONS)} may be called")
    name = node.func.id
    function, fewest, most = FUNCTIONS[name]
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise FormulaError(f"{name}() takes plain arguments only")
    if not fewest <= len(node.args) <= most:
        count = str(fewest) if fewest == most else f"{fewest} to {most}"
        raise FormulaError(f"{name}() takes {count} argument{'s' * (most > 1)}")
    args = [_build(a, allowed, names) for a in node.args]
    return lambda values: _bounded(float(function(*(a(values) for a in args))))


def _bounded(value: float) -> float:
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise FormulaError("the result is too large")
    return value


def evaluate(formula: Formula, values: Values) -> float:
    """The formula's value for these variables; FormulaError on a math error."""
    missing = formula.names - set(values)
    if missing:
        raise FormulaError(f"no value for {', '.join(sorted(missing))}")
    try:
        return _bounded(float(formula.run(values)))
    except FormulaError:
        raise
    except ZeroDivisionError:
        raise FormulaError("divides by zero") from None
    except (OverflowError, MemoryError):
        raise FormulaError("the result is too large") from None
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise FormulaError(f"math error ({exc})") from None


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
