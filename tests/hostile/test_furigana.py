"""The furigana filters (`furigana:`, `kana:`, `kanji:`) substitute what Anki's regex does,
in time linear in the field: `a[a[a[…` and `a[` × 50,000 took minutes with the regex."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from loopdrill.core.anki_template import Context, render_card, ruby

ANKI_RUBY = re.compile(r" ?([^ >\[]+?)\[(.+?)\]")  # the regex ruby() replaces


def _furigana(base: str, reading: str) -> str:
    return f"{base}({reading})"


@settings(max_examples=300, deadline=3000)
@given(st.text(alphabet="ab []>\n漢", max_size=30))
@example("日本[にほん] 語[ご]")
@example(" a[]] b[x\n] c[[y]")
def test_ruby_substitutes_what_the_regex_does(value: str) -> None:
    for join in (_furigana, lambda base, reading: reading, lambda base, reading: base):
        expected = ANKI_RUBY.sub(lambda m, j=join: j(m.group(1), m.group(2)), value)
        assert ruby(value, join) == expected


@pytest.mark.parametrize("field", [
    "a[" * 50_000, "a[a" * 34_000, "a" * 50_000 + "[" + "a" * 50_000,
    "a[" * 50_000 + "]", " [x]" * 25_000, "a[\n" * 34_000 + "]", "日[" * 50_000])
def test_hostile_furigana_fields_of_100_kb_take_well_under_a_second(field: str) -> None:
    ctx = Context(fields={"R": field}, ord=0)
    started = time.perf_counter()
    render_card("{{furigana:R}}{{kana:R}}{{kanji:R}}", "", ctx)
    assert time.perf_counter() - started < 3.0  # the regex took minutes on these
