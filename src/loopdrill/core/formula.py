"""Calc cards' formulas: a small whitelisted evaluator over Python's `ast` (never `eval`).
The variables a formula is evaluated over are in core/calc_vars.py.

A formula may use numbers, + - * / // % **, unary minus, parentheses, its declared variables
and min max round ceil floor log log10 sqrt. It is checked node by node when compiled, then
turned into nested closures over floats: every step is O(1), exponents are bounded and a
result beyond 1e300 is an error, so evaluation takes microseconds whatever the input.
"""

from __future__ import annotations

import ast
import itertools
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

MAX_SOURCE = 400
MAX_NODES = 200
MAX_EXPONENT = 1024.0
MAX_MAGNITUDE = 1e300
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")

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
