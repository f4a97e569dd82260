"""Singular and plural, and differences rounded to what a person reads."""

from __future__ import annotations

from loopdrill.core.grading import Tolerance, grade_numeric, round_significant
from loopdrill.core.words import plural


def test_plural() -> None:
    assert plural(1, "card") == "1 card"
    assert plural(0, "card") == "0 cards"
    assert plural(2, "due date") == "2 due dates"
    assert plural(1_000, "review") == "1,000 reviews"
    assert plural(3, "entry") == "3 entries"


def test_round_significant() -> None:
    assert round_significant(44.4444) == 44.4
    assert round_significant(0.0912345) == 0.0912
    assert round_significant(1234.5) == 1230
    assert round_significant(0.0) == 0.0


def test_differences_read_as_a_person_writes_them() -> None:
    detail = grade_numeric("100", 55.5556, None, Tolerance()).detail
    assert "off by 44.4 (+80%)" in detail and "44.44" not in detail
    percent = grade_numeric("12", 13, "%", Tolerance()).detail
    assert "off by 1 percentage point," in percent
    money = grade_numeric("$0.66", 0.625, "USD", Tolerance.parse("5%")).detail
    assert money == "you said $0.66: off by $0.035 (+5.6%), tolerance 5%"
