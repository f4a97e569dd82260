"""Every reader against generated hostile input: a result or the project's own error, never
another exception, within a few seconds per input and in bounded memory. max_examples is
modest so the whole file runs in seconds; the fragments are the ones that broke readers."""

from __future__ import annotations

import random
import resource
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from loopdrill.core.formula import FormulaError, compile_formula
from loopdrill.core.graded_kinds import grade, prepare, validate_fields
from loopdrill.core.model import DeckError
from loopdrill.core.options import NAMES, OptionError, parse_option
from loopdrill.formats.anki_text import read_anki_text
from loopdrill.formats.apkg import read_apkg
from loopdrill.formats.native import parse_deck
from loopdrill.formats.review_csv import read_review_csv
from tests.formats.test_apkg import legacy

FAST = settings(max_examples=60, deadline=3000,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
SCALARS = st.sampled_from([
    ".inf", "-.inf", ".nan", "1e400", "1" * 400, "1" * 5000, "5.0e-324", "!!float abc",
    "!!int abc", "!!timestamp not-a-date", "2026-13-45", "!!bool maybe", "&a x", "*a",
    "[/]", "'[bold]x[/]'", '"\\e]2;X\\a"', '"\\e[2J"', "{{c1::x}}", "<a <a <a", "'<!--'",
    "[[[[[[[[[[]]]]]]]]]]", "{min: 0, max: 1, step: 5.0e-324}", "{min: 0, max: 1e308}",
    "[1, 2, 3]", "0", "-1", "null", "''", "yes", "99.9", "$0.023", "43.2 min", "5%"])
KEYS = st.sampled_from(["deck", "title", "description", "options", "defaults", "items", "id",
                        "kind", "front", "back", "answer", "choices", "vars", "unit",
                        "tolerance", "text", "tags", "as_of", "source", *NAMES])
KINDS = st.sampled_from(["basic", "cloze", "numeric", "choice", "text", "calc"])


@pytest.fixture(scope="module", autouse=True)
def bounded_memory() -> Iterator[None]:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    yield
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 500, f"the fuzzed readers raised the peak memory by {grown_mb:.0f} MB"


@st.composite
def yaml_decks(draw: st.DrawFn) -> str:
    item = "\n".join(f"    {draw(KEYS)}: {draw(SCALARS)}" for _ in range(draw(st.integers(0, 6))))
    options = ", ".join(f"{draw(st.sampled_from(NAMES))}: {draw(SCALARS)}"
                        for _ in range(draw(st.integers(0, 3))))
    extra = "\n".join(f"{draw(KEYS)}: {draw(SCALARS)}" for _ in range(draw(st.integers(0, 2))))
    return (f"deck: fuzz\ntitle: {draw(SCALARS)}\noptions: {{{options}}}\n{extra}\nitems:\n"
            f"  - id: a\n    kind: {draw(KINDS)}\n{item}\n")


@example("deck: fuzz\ntitle: T\nitems:\n  - id: a\n    kind: [/]\n")  # a list as kind
@FAST
@given(yaml_decks() | st.text(max_size=300))
def test_native_yaml(text: str) -> None:
    try:
        parse_deck(text, "fuzz.yaml")
    except DeckError as exc:
        assert exc.problems and all(len(str(p)) < 2000 for p in exc.problems)


@FAST
@given(st.lists(st.sampled_from([
    "#separator:tab", "#separator:|", "#html:true", "#html:maybe", "#notetype:Cloze",
    "#notetype:Basic (and reversed card)", "#deck:[/]\x1b[2J", "#tags column:9999999999999",
    "#columns:Front\tBack\tTags", "#guid column:1", "#tags:a b", '"unclosed', "a\tb",
    "{{c1::x}}\textra", "{{c0::x}}", "<a <a <a\tb", "&amp;\t&#99999999;", "\x00", "\x1b]2;X\x07",
    "x" * 2000, "\t\t\t", "a|b|c", '"a""b"\t"c\nd"']), max_size=12))
def test_anki_text(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "fuzz.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        read_anki_text(path)
    except DeckError as exc:
        assert exc.problems


STAMPS = st.sampled_from(["2026-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00",
                          "9999-12-31T23:59:59-01:00", "2026-02-30T00:00:00Z", "now", "",
                          "2026-01-01T00:00:00", "1969-07-20T20:17:00Z"])
NUMBERS = st.sampled_from(["0", "1", "4", "5", "-1", str(2**63), "1" * 5000, "1.5", "", "٣"])


@FAST
@given(st.lists(st.tuples(st.sampled_from(["d/a", "", "x,y", '"q"', "\x1b[2J"]), STAMPS,
                          NUMBERS, NUMBERS), max_size=8))
def test_review_csv(tmp_path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text("card_id,reviewed_at,rating,duration_ms\n"
                    + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    try:
        read_review_csv(path)
    except DeckError as exc:
        assert exc.problems


@FAST
@given(st.text(max_size=200) | st.sampled_from([
    "[" * 100_000 + "]" * 100_000, '{"1": {"name": "' + "x" * 1000 + '"}}', "{}", "null",
    '{"1": {"tmpls": [1, 2, 3]}}', '{"1": {"name": "Cloze", "type": 1, "tmpls": [{"qfmt": "'
    + "{{" * 5000 + '"}]}}']),
       st.text(max_size=100) | st.sampled_from(["<a " * 5000, "<!--" * 5000, "{{c1::" * 500]),
       st.sampled_from([0, -1, 2**62, 1, 10**12]))
def test_apkg(tmp_path: Path, models: str, field: str, revlog_id: int) -> None:
    collection = tmp_path / "collection.db"
    collection.unlink(missing_ok=True)
    legacy(collection)
    conn = sqlite3.connect(collection)
    if random.Random(len(models)).random() < 0.5:
        conn.execute("UPDATE col SET models = ?", (models,))
    conn.execute("UPDATE notes SET flds = ? WHERE id = 100", (field + "\x1f" + field,))
    conn.execute("UPDATE revlog SET id = ? WHERE rowid = (SELECT min(rowid) FROM revlog)",
                 (revlog_id,))
    conn.commit()
    conn.close()
    path = tmp_path / "fuzz.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(collection, "collection.anki2")
    try:
        read_apkg(path)
    except DeckError as exc:
        assert exc.problems


VALUES = (st.text(max_size=50) | st.integers() | st.floats() | st.booleans() | st.none()
          | st.lists(st.floats() | st.text(max_size=5), max_size=30)
          | st.sampled_from([10**5000, "1" * 5000, [float("inf")], {"a": 1}]))


@FAST
@given(st.sampled_from(NAMES) | st.text(max_size=10), VALUES)
def test_option_values(key: str, value: object) -> None:
    try:
        parse_option(key, value)
    except OptionError as exc:
        assert len(str(exc)) < 500


CARDS = [
    ("numeric", {"front": "f", "answer": 0.023, "unit": "USD", "tolerance": "5%"}),
    ("numeric", {"front": "f", "answer": "43.2 min", "unit": "min", "tolerance": "1%"}),
    ("calc", {"front": "{a}", "vars": {"a": {"min": 1, "max": 100}}, "answer": "a / 3"}),
    ("text", {"front": "f", "answer": ["Kinesis", "x [/] y"]}),
    ("choice", {"front": "f", "choices": ["a", "[/]", "c"], "answer": "[/]"}),
]


@FAST
@given(st.sampled_from(range(len(CARDS))), st.text(max_size=60) | st.sampled_from([
    "1e400", "inf", "-inf", "nan", "1" * 5000, "1" * 400 + " min", "$" * 1000, "0,023",
    "4k", "1 MiB", "99.9%", "a c", "z", "1 2 3 4 5 6 7 8 9", "\x1b[2J"]))
def test_typed_answers(index: int, typed: str) -> None:
    kind, fields = CARDS[index]
    assert validate_fields(kind, fields) == []
    prompt = prepare(kind, fields, random.Random(index))
    verdict = grade(kind, fields, prompt, typed)
    assert len(verdict.detail) < 1000 and len(verdict.expected) < 1000


@FAST
@given(st.text(max_size=120) | st.sampled_from([
    "9**9**9", "a" * 400, "(" * 1000 + ")" * 1000, "1e400", "10**10**10", "-" * 5000 + "1",
    "__import__('os')", "a.__class__", "[1]*10**9", "lambda: 1"]))
def test_formulas(source: str) -> None:
    try:
        compile_formula(source, ["a", "b"])
    except FormulaError as exc:
        assert len(str(exc)) < 1000
