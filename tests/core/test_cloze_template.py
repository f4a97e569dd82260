"""Nested and multi-number clozes, and Anki templates rendered as Anki does."""

from __future__ import annotations

from loopdrill.core import cloze
from loopdrill.core.anki_template import Context, render_card
from loopdrill.core.cards import back_spans, front_spans, plain

NESTED = "Photosynthesis {{c1::requires light {{c2::and CO2}}}} and {{c3::water}}"


def face(text: str, number: int, reveal: bool) -> str:
    return "".join(f"[{r.text}]" if r.gap else r.text
                   for r in cloze.render(text, number, reveal=reveal))


def test_nested_clozes_as_anki_shows_them() -> None:
    assert cloze.numbers(NESTED) == [1, 2, 3]
    assert face(NESTED, 1, False) == "Photosynthesis [...] and water"
    assert face(NESTED, 1, True) == "Photosynthesis [requires light and CO2] and water"
    assert face(NESTED, 2, False) == "Photosynthesis requires light [...] and water"
    assert face(NESTED, 3, True) == "Photosynthesis requires light and CO2 and [water]"


def test_multi_number_clozes_and_hints() -> None:
    text = "{{c1,2::Hydrogen}} is element {{c3::1::a number}}"
    assert cloze.numbers(text) == [1, 2, 3]
    assert face(text, 2, False) == "[...] is element 1"
    assert face(text, 3, False) == "Hydrogen is element [a number]"
    assert cloze.answers(text, 3) == ["1"]


def test_unbalanced_markup_stays_literal() -> None:
    assert cloze.numbers("{{c1::open and }} close }}") == [1]
    assert face("a }} b {{c1::x", 1, False) == "a }} b {{c1::x"
    assert cloze.numbers("no clozes :: here") == []


def test_cloze_cards_use_the_parser() -> None:
    content = {"text": NESTED, "ord": 2}
    assert plain(front_spans("cloze", content)) == "Photosynthesis requires light [...] and water"
    assert plain(back_spans("cloze", content)) == ("Photosynthesis requires light [and CO2] "
                                                   "and water")


FIELDS = {"Kanji": "水", "Kana": "みず", "Meaning": "water", "Example": ""}


def test_fields_front_side_conditionals_and_hint() -> None:
    ctx = Context(FIELDS, 0)
    out = render_card("{{Kanji}}{{#Example}} e.g. {{Example}}{{/Example}}",
                      "{{FrontSide}}<hr id=answer>{{Kana}}{{^Example}} (none){{/Example}}", ctx)
    assert (out.question, out.answer, out.typed) == ("水", "みず (none)", None)
    hinted = render_card("{{Kanji}} {{hint:Kana}}", "{{text:Meaning}}", ctx)
    assert hinted.question == "水 Hint: みず" and hinted.answer == "water"


def test_type_in_the_answer_makes_a_typed_card() -> None:
    out = render_card("{{Meaning}}<br>{{type:Kanji}}",
                      "{{Meaning}}<hr id=answer>{{type:Kanji}}", Context(FIELDS, 2))
    assert (out.question, out.answer, out.typed) == ("water<br>", "水", "水")
    typed_cloze = render_card("{{cloze:Text}}{{type:cloze:Text}}", "{{cloze:Text}}",
                              Context({"Text": NESTED}, 2))
    assert typed_cloze.typed == "water"
    assert typed_cloze.question == "Photosynthesis requires light and CO2 and [...]"


def test_ruby_filters_and_unknown_fields() -> None:
    ctx = Context({"R": "日本[にほん]"}, 0)
    out = render_card("{{kanji:R}}|{{kana:R}}|{{furigana:R}}|{{Missing}}", "", ctx)
    assert out.question == "日本|にほん|日本(にほん)|"
