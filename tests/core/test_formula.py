"""The formula evaluator: arithmetic and functions, every hostile formula refused without
running it, ranges and lists of drawable values, division by zero found over the ranges, the
front with drawn values, and hypothesis: any string compiles or raises FormulaError, fast."""

from __future__ import annotations

import builtins
import math
import random
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.core.calc_vars import (
    check_formula,
    draw,
    format_var,
    parse_var_spec,
    render_front,
)
from loopdrill.core.formula import FormulaError, compile_formula, evaluate

VALUES = {"a": 10.0, "b": 4.0, "slo": 99.9}


@pytest.mark.parametrize(
    ("source", "value"),
    [("(100 - slo) / 100 * 30 * 24 * 60", 43.2), ("a + b * 2", 18), ("(a + b) * 2", 28),
     ("a - -b", 14), ("-a ** 2", -100), ("+a", 10), ("a ** 0.5", math.sqrt(10)),
     ("a / b", 2.5), ("a // b", 2), ("a % b", 2), ("2 × a ÷ b − 1", 4),
     ("min(a, b)", 4), ("max(a, b, 12)", 12), ("round(a / 3)", 3), ("round(a / 3, 2)", 3.33),
     ("ceil(a / 4)", 3), ("floor(a / 4)", 2), ("log(8, 2)", 3), ("log(a)", math.log(10)),
     ("log10(1000)", 3), ("sqrt(b)", 2), ("1e3", 1000), ("7", 7)],
)
def test_arithmetic_and_functions(source: str, value: float) -> None:
    formula = compile_formula(source, ["a", "b", "slo"])
    assert evaluate(formula, VALUES) == pytest.approx(value)


def test_a_formula_knows_the_names_it_uses() -> None:
    assert compile_formula("a * 2 + max(a, b)", ["a", "b", "c"]).names == {"a", "b"}


HOSTILE = [
    ("__import__('os').system('x')", "may be called"),
    ("open('/etc/passwd')", "may be called"),
    ("a.real", "attribute access"),
    ("(1).__class__", "attribute access"),
    ("a[0]", "indexing"),
    ("lambda: 1", "lambda"),
    ("[x for x in a]", "comprehension"),
    ("(x for x in a)", "comprehension"),
    ("{x: 1 for x in a}", "comprehension"),
    ("exec('1')", "may be called"),
    ("eval('1')", "may be called"),
    ("getattr(a, 'b')", "may be called"),
    ("min.__call__(1, 2)", "may be called"),
    ("'text'", "only numbers"),
    ("b'x'", "only numbers"),
    ("f'{a}'", "a string"),
    ("True + 1", "only numbers"),
    ("None", "only numbers"),
    ("1j", "only numbers"),
    ("...", "only numbers"),
    ("[1, 2]", "a list"),
    ("(1, 2)", "a tuple"),
    ("{1: 2}", "a dict"),
    ("a if b else 1", "if/else"),
    ("a < b", "a comparison"),
    ("a and b", "and/or"),
    ("not a", "operator Not"),
    ("~a", "operator Invert"),
    ("a << 2", "operator LShift"),
    ("a @ b", "operator MatMult"),
    ("max(*[1, 2])", "plain arguments"),
    ("round(a, ndigits=2)", "plain arguments"),
    ("max(a)", "takes 2 to 20"),
    ("sqrt(a, b)", "takes 1 argument"),
    ("min", "must be called"),
    ("c + 1", "'c' is not a declared variable"),
    ("x := 1", "cannot read"),
    ("import os", "cannot read"),
    ("a; b", "cannot read"),
    ("1 +", "cannot read"),
    ("", "empty"),
    ("1" * 401, "longer than 400"),
    ("+".join(["a"] * 150), "too long"),
    ("9**9**9", "exponent"),
    ("2.0 ** 5000", "exponent"),
    ("10 ** 400", "too large"),
    ("1e308 * 10", "too large"),
    ("1" * 320, "too large"),
    ("1 / 0", "divides by zero"),
    ("1 % 0", "divides by zero"),
    ("log(0)", "math error"),
    ("sqrt(-1)", "math error"),
    ("(-8) ** (1 / 3)", "fractional power"),
    ("round(1.5, 0.5)", "whole number of digits"),
]


@pytest.mark.parametrize(("source", "message"), HOSTILE)
def test_hostile_or_broken_formulas_are_refused(source: str, message: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the evaluator must never call eval or exec")

    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, forbidden)
    with pytest.raises(FormulaError, match=message):
        compile_formula(source, ["a", "b"])
    monkeypatch.undo()


def test_a_refused_formula_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    for source in (f"__import__('os').system('touch {marker}')",
                   f"[__import__('os').system('touch {marker}') for a in [1]]",
                   f"min(1, __import__('pathlib').Path('{marker}').touch())"):
        with pytest.raises(FormulaError):
            compile_formula(source, ["a"])
    assert not marker.exists()


def test_non_text_formulas() -> None:
    assert evaluate(compile_formula(42, []), {}) == 42
    for bad in (None, True, [1], {"a": 1}):
        with pytest.raises(FormulaError, match="must be text"):
            compile_formula(bad, [])


def test_math_errors_at_evaluation_are_formula_errors() -> None:
    formula = compile_formula("a / (b - 4) + log(a)", ["a", "b"])
    with pytest.raises(FormulaError, match="divides by zero"):
        evaluate(formula, {"a": 1, "b": 4})
    with pytest.raises(FormulaError, match="math error"):
        evaluate(formula, {"a": -1, "b": 5})
    with pytest.raises(FormulaError, match="no value for b"):
        evaluate(formula, {"a": 1})


def test_lists_and_ranges_of_values() -> None:
    rng = random.Random(1)
    listed = parse_var_spec("slo", [99, 99.5, 99.9])
    assert {draw(listed, rng) for _ in range(100)} == {99, 99.5, 99.9}
    stepped = parse_var_spec("n", {"min": 0.1, "max": 0.5, "step": 0.1})
    assert list(stepped.values()) == [0.1, 0.2, 0.3, 0.4, 0.5]
    whole = parse_var_spec("n", {"min": 1, "max": 6})
    assert {draw(whole, rng) for _ in range(200)} == {1, 2, 3, 4, 5, 6}
    single = parse_var_spec("n", {"min": 3, "max": 3})
    assert list(single.values()) == [3]
    huge = parse_var_spec("n", {"min": 0, "max": 1e8})
    assert huge.size == 100_000_001 and 0 <= draw(huge, rng) <= 1e8


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [("n", {"min": 5, "max": 1}, "min 5 is above max 1"),
     ("n", {"min": 1, "max": 5, "step": 0}, "step must be above zero"),
     ("n", {"min": 1, "max": 5, "step": -1}, "step must be above zero"),
     ("n", [], "empty"),
     ("n", {"min": 1}, "a range is"),
     ("n", {"min": 1, "max": 2, "by": 1}, "a range is"),
     ("n", {"min": "1", "max": 2}, "must be numbers"),
     ("n", {"min": 0, "max": math.inf}, "must be numbers"),
     ("n", [1, "two"], "every value must be a number"),
     ("n", [True], "every value must be a number"),
     ("n", "1..5", "give a list"),
     ("n", {"min": 0, "max": 1e12}, "more than"),
     ("2x", [1], "cannot be a variable name"),
     ("sqrt", [1], "cannot be a variable name"),
     (3, [1], "cannot be a variable name")],
)
def test_empty_or_inverted_ranges_are_refused(name: object, raw: object, message: str) -> None:
    with pytest.raises(FormulaError, match=message):
        parse_var_spec(name, raw)


def test_division_by_zero_found_over_every_combination() -> None:
    specs = [parse_var_spec("a", {"min": -5, "max": 5}), parse_var_spec("b", [1, 2])]
    problems = check_formula(compile_formula("b / a", ["a", "b"]), specs)
    assert problems == ["the answer formula divides by zero for a=0, b=1"]
    assert check_formula(compile_formula("b / (a + 0.5)", ["a", "b"]), specs) == []
    roots = [parse_var_spec("x", [10, 1, 0.5])]
    problem = check_formula(compile_formula("sqrt(x - 1)", ["x"]), roots)
    assert problem == ["the answer formula math error (math domain error) for x=0.5"]


@pytest.mark.parametrize("source", ["a / (b - 500)", "a / (a - 777)", "b / (b - a)"])
def test_division_by_zero_found_in_big_spaces(source: str) -> None:
    specs = [parse_var_spec("a", {"min": 0, "max": 1e6}), parse_var_spec("b", {"min": 1,
                                                                              "max": 1000})]
    # A generous bound: it catches a search that walks all 10^9 pairs, not a slow machine.
    started = time.perf_counter()
    assert "divides by zero" in check_formula(compile_formula(source, ["a", "b"]), specs)[0]
    assert time.perf_counter() - started < 20.0
    assert check_formula(compile_formula("a / b", ["a", "b"]), specs) == []


def test_undeclared_names_found_by_the_check() -> None:
    formula = compile_formula("a + b", ["a", "b"])
    assert "undeclared b" in check_formula(formula, [parse_var_spec("a", [1])])[0]


def test_front_with_drawn_values() -> None:
    template = "{n} writes at {slo}% for {price} each; {missing} and {{n}} stay"
    shown = render_front(template, {"n": 1234567.0, "slo": 99.95, "price": 0.1 + 0.2})
    assert shown == "1,234,567 writes at 99.95% for 0.3 each; {missing} and {1,234,567} stay"
    assert [format_var(v) for v in (1000.0, -3.0, 0.25, 1.5e-7, 12345.678)] == [
        "1,000", "-3", "0.25", "1.5e-07", "12,345.678"]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120) | st.from_regex(
    r"[ab0-9.+\-*/%() ]{1,40}|(min|max|round|ceil|floor|log|log10|sqrt)\([ab0-9., ]{0,20}\)"
    r"|[ab0-9]{1,3}(\*\*[ab0-9]{1,3}){1,4}", fullmatch=True))
def test_any_formula_compiles_or_is_refused_and_runs_fast(source: str) -> None:
    try:
        formula = compile_formula(source, ["a", "b"])
    except FormulaError:
        return
    for values in ({"a": 0.0, "b": 0.0}, {"a": 7.0, "b": -3.5}, {"a": 1e300, "b": 1e-300}):
        started = time.perf_counter()
        try:
            result = evaluate(formula, values)
        except FormulaError:
            continue
        finally:
            # catches an unbounded power (9**9**9 takes minutes), not a loaded machine
            assert time.perf_counter() - started < 2.0
        assert math.isfinite(result)
