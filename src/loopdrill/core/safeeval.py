"""A small, whitelisted formula evaluator over Python's `ast` — never `eval`.

Formulas may use numbers, + - * / ** % //, parentheses, declared variables and
min max round ceil floor log log10 sqrt. Everything is computed in floats, so a huge power
overflows at once instead of building an enormous integer.
"""

from __future__ import annotations

import ast
import itertools
import math
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_SOURCE = 400
MAX_NODES = 200
MAX_EXPONENT = 1000.0
FUNCTIONS: dict[str, Callable[..., float]] = {
    "min": min, "max": max, "round": round, "ceil": math.ceil, "floor": math.floor,
    "log": math.log, "log10": math.log10, "sqrt": math.sqrt,
}
_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.Mod: lambda a, b: a % b,
    ast.FloorDiv: lambda a, b: a // b, ast.Pow: lambda a, b: _power(a, b),
}


class FormulaError(ValueError):
    """A formula that is refused, or that failed for some values; one-line message."""


def _power(base: float, exponent: float) -> float:
    if abs(exponent) > MAX_EXPONENT:
        raise FormulaError(f"exponent {exponent:g} is too large")
    return float(base**exponent)


@dataclass(frozen=True)
class Formula:
    """A checked formula, ready to evaluate."""

    source: str
    tree: ast.Expression
    names: frozenset[str]


def compile_formula(source: object, allowed: Iterable[str]) -> Formula:
    """Parse and check a formula; FormulaError says what is not allowed."""
    if isinstance(source, bool) or not isinstance(source, str | int | float):
        raise FormulaError("the formula must be text like (100 - slo) * 432")
    text = str(source)
    if len(text) > MAX_SOURCE:
        raise FormulaError(f"the formula is longer than {MAX_SOURCE} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise FormulaError(f"cannot read the formula {text!r}") from None
    allowed_names = frozenset(allowed)
    names: set[str] = set()
    nodes = list(itertools.islice(ast.walk(tree), MAX_NODES + 1))
    if len(nodes) > MAX_NODES:
        raise FormulaError("the formula is too long")
    callees = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    for node in nodes:
        if isinstance(node, ast.Name) and node.id in FUNCTIONS and id(node) not in callees:
            raise FormulaError(f"{node.id} must be called, like {node.id}(x)")
        _check_node(node, allowed_names, names)
    return Formula(text, tree, frozenset(names))


def _check_node(node: ast.AST, allowed: frozenset[str], names: set[str]) -> None:
    if isinstance(node, ast.Expression | ast.Load):
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
        return
    if isinstance(node, ast.operator | ast.unaryop):
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"only numbers are allowed, not {node.value!r}")
        return
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            return
        if node.id not in allowed:
            raise FormulaError(f"{node.id!r} is not a declared variable")
        names.add(node.id)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise FormulaError("only min, max, round, ceil, floor, log, log10 and sqrt "
                               "may be called")
        if node.keywords or not 1 <= len(node.args) <= 4:
            raise FormulaError(f"{node.func.id}() takes 1 to 4 plain arguments")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError("starred arguments are not allowed")
        return
    raise FormulaError(f"{type(node).__name__.lower()} is not allowed in a formula")


def evaluate(formula: Formula, values: Mapping[str, float]) -> float:
    """The formula's value for these variables; FormulaError on a math error."""
    try:
        result = _eval(formula.tree.body, values)
    except FormulaError:
        raise
    except ZeroDivisionError:
        raise FormulaError("divides by zero") from None
    except (OverflowError, MemoryError):
        raise FormulaError("the result is too large") from None
    except (ValueError, TypeError) as exc:
        raise FormulaError(f"math error ({exc})") from None
    if not math.isfinite(result):
        raise FormulaError("the result is not a finite number")
    return result


def _eval(node: ast.expr, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(values[node.id])
    if isinstance(node, ast.BinOp):
        return float(_BINARY[type(node.op)](_eval(node.left, values), _eval(node.right, values)))
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_eval(a, values) for a in node.args]
        return float(FUNCTIONS[node.func.id](*args))
    raise FormulaError("unexpected expression")  # unreachable after compile_formula


@dataclass(frozen=True)
class VarSpec:
    """Where a calc variable's values come from: a list, or a range with a step."""

    name: str
    choices: tuple[float, ...]

    def draw(self, rng: random.Random) -> float:
        """One value, drawn fresh."""
        return rng.choice(self.choices)


MAX_RANGE_VALUES = 100_000


def parse_var_spec(name: str, raw: Any) -> VarSpec:
    """A var from YAML: `[99, 99.9]` or `{min: 1, max: 100, step: 1}`."""
    if not isinstance(name, str) or not name.isidentifier() or name in FUNCTIONS:
        raise FormulaError(f"{name!r} cannot be a variable name")
    if isinstance(raw, list):
        if not raw:
            raise FormulaError(f"var {name}: the list of values is empty")
        if not all(_is_number(v) for v in raw):
            raise FormulaError(f"var {name}: every value must be a number")
        return VarSpec(name, tuple(float(v) for v in raw))
    if isinstance(raw, dict):
        unknown = set(raw) - {"min", "max", "step"}
        if unknown or not {"min", "max"} <= set(raw):
            raise FormulaError(f"var {name}: a range needs min and max (and optionally step)")
        low, high, step = raw["min"], raw["max"], raw.get("step", 1)
        if not all(_is_number(v) for v in (low, high, step)):
            raise FormulaError(f"var {name}: min, max and step must be numbers")
        if step <= 0:
            raise FormulaError(f"var {name}: step must be positive")
        if low > high:
            raise FormulaError(f"var {name}: min {low} is above max {high}")
        count = int((high - low) / step + 1e-9) + 1
        if count > MAX_RANGE_VALUES:
            raise FormulaError(f"var {name}: the range has more than {MAX_RANGE_VALUES:,} values")
        return VarSpec(name, tuple(round(low + i * step, 12) for i in range(count)))
    raise FormulaError(f"var {name}: give a list of values or {{min, max, step}}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_over(formula: Formula, specs: Iterable[VarSpec], samples: int = 300) -> list[str]:
    """Evaluate the formula over the drawable values: every combination when there are at
    most 10,000, else each variable's ends plus a random sample. Problems, one per kind."""
    specs = list(specs)
    total = math.prod(len(s.choices) for s in specs)
    if total <= 10_000:
        combos: Iterable[tuple[float, ...]] = itertools.product(*(s.choices for s in specs))
    else:
        rng = random.Random(0)
        ends = itertools.product(*((s.choices[0], s.choices[-1]) for s in specs))
        sample = (tuple(s.draw(rng) for s in specs) for _ in range(samples))
        combos = itertools.chain(ends, sample)
    for combo in combos:
        values = {s.name: v for s, v in zip(specs, combo, strict=True)}
        try:
            evaluate(formula, values)
        except FormulaError as exc:
            shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
            return [f"the answer formula {exc} for {shown}" if shown else f"the answer {exc}"]
    return []
