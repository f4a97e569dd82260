"""Anki text files (formats.anki_text): every documented header, quoting, BOM, CRLF, HTML,
separator detection, mixed note types, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loopdrill.core.model import DeckError, Item
from loopdrill.formats.anki_text import read_anki_text
from loopdrill.formats.batch import ImportBatch, derived_id, slugify

FIXTURE = [HealthCheck.function_scoped_fixture]  # the file is rewritten by every example


def write(tmp_path: Path, text: str | bytes, name: str = "notes.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def items(batch: ImportBatch) -> list[Item]:
    return [item for deck in batch.decks for item in deck.items]


def problems(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(DeckError) as caught:
        read_anki_text(path)
    return [(p.line, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(("name", "sep"), [("Comma", ","), ("Semicolon", ";"), ("Tab", "\t"),
                                            ("Space", " "), ("Pipe", "|"), ("Colon", ":"),
                                            ("comma", ","), ("TAB", "\t"), ("~", "~"),
                                            ("\t", "\t")])
def test_every_separator_name_and_a_literal_character(tmp_path: Path, name: str,
                                                      sep: str) -> None:
    batch = read_anki_text(write(tmp_path, f"#separator:{name}\nfront{sep}back\n"))
    assert items(batch)[0].fields == {"front": "front", "back": "back"}


def test_all_headers_together_with_bom_and_crlf(tmp_path: Path) -> None:
    text = ("\ufeff#separator:tab\r\n#html:true\r\n#tags:aws imported\r\n"
            "#columns:Front\tBack\tTags\tDeck\tNotetype\tGUID\r\n#notetype:Basic\r\n"
            "#deck:Fallback\r\n#tags column:3\r\n#deck column:4\r\n#notetype column:5\r\n"
            "#guid column:6\r\n"
            "S3 <b>Standard</b><br>per GB?\t$0.023\tpricing aws\tAWS::Prices\tBasic\tg1\r\n"
            '"quoted\tfield with ""quotes""\r\nand a newline"\tback\t\tAWS::Prices\t'
            "Basic (and reversed card)\tg2\r\n"
            "{{c1::99.9%}} of requests\t<i>extra</i>\tslo\tSLO\tCloze\tg3\r\n"
            "# a comment line\r\n"
            "no deck here\tback &amp; forth\t\t\t\tg4\r\n")
    batch = read_anki_text(write(tmp_path, text))
    by_slug = {d.slug: d for d in batch.decks}
    assert list(by_slug) == ["aws::prices", "slo", "fallback"]
    assert by_slug["aws::prices"].title == "AWS::Prices"
    first, second = by_slug["aws::prices"].items
    assert first == Item("g1", "basic", {"front": "S3 **Standard**\nper GB?", "back": "$0.023"},
                         ("aws", "imported", "pricing"), line=11)
    assert second.fields == {"front": 'quoted field with "quotes"\nand a newline',
                             "back": "back", "reversible": True}
    assert second.line == 12 and second.tags == ("aws", "imported")
    cloze = by_slug["slo"].items[0]
    assert cloze == Item("g3", "cloze", {"text": "{{c1::99.9%}} of requests", "extra": "extra"},
                         ("aws", "imported", "slo"), line=14)
    assert by_slug["fallback"].items[0].fields["back"] == "back & forth"
    assert batch.warnings == () and batch.reviews == ()


def test_html_false_keeps_markup_as_written(tmp_path: Path) -> None:
    batch = read_anki_text(write(tmp_path, "#separator:tab\n#html:false\n<b>x</b>\ta &amp; b\n"))
    assert items(batch)[0].fields == {"front": "<b>x</b>", "back": "a &amp; b"}


def test_html_detected_when_the_file_does_not_say(tmp_path: Path) -> None:
    batch = read_anki_text(write(tmp_path, "x<br>y;<img src=\"a.png\"> [sound:b.mp3]\n"))
    assert items(batch)[0].fields == {"front": "x\ny", "back": "[image: a.png] [sound: b.mp3]"}


def test_quoted_fields_with_separators_quotes_and_newlines(tmp_path: Path) -> None:
    text = ('#separator:Comma\n"a, b",c\n"say ""hi""","multi\nline\n\n# not a comment"\n'
            'plain,"q"\n')
    found = items(read_anki_text(write(tmp_path, text, "q.csv")))
    assert [i.fields for i in found] == [
        {"front": "a, b", "back": "c"},
        {"front": 'say "hi"', "back": "multi\nline\n\n# not a comment"},
        {"front": "plain", "back": "q"}]
    assert [i.line for i in found] == [2, 3, 7]


@pytest.mark.parametrize(("body", "sep"), [("a\tb,c\n", "\t"), ("a|b;c\n", "|"),
                                            ("a;b,c\n", ";"), ("a,b\n", ",")])
def test_no_headers_detects_the_separator(tmp_path: Path, body: str, sep: str) -> None:
    front, back = body.strip().split(sep, 1)
    batch = read_anki_text(write(tmp_path, body, "My Deck.csv"))
    assert batch.decks[0].slug == "my-deck" and batch.decks[0].title == "my-deck"
    assert items(batch)[0].fields == {"front": front, "back": back}


def test_derived_ids_are_stable_and_warned_about_once(tmp_path: Path) -> None:
    batch = read_anki_text(write(tmp_path, "What  is S3?\ta\nSQS?\tb\n"))
    first, second = items(batch)
    assert first.id == derived_id("what is s3?") and first.id.startswith("t-")
    assert len(first.id) == 14 and first.id != second.id
    assert len(batch.warnings) == 1 and "2 notes have no guid" in batch.warnings[0].message
    assert "resets its progress" in batch.warnings[0].message


def test_tags_header_and_column_are_merged(tmp_path: Path) -> None:
    text = "#separator:tab\n#tags:a b\n#tags column:3\nf\tb\tb c  d\nf2\tb2\t\n"
    first, second = items(read_anki_text(write(tmp_path, text)))
    assert first.tags == ("a", "b", "c", "d") and second.tags == ("a", "b")


def test_columns_labels_name_meta_columns(tmp_path: Path) -> None:
    text = "#separator:,\n#columns:Front,Tags,Back,GUID,Deck\nf,x y,b,id-1,AWS::S3\n"
    batch = read_anki_text(write(tmp_path, text))
    assert batch.decks[0].slug == "aws::s3"
    assert items(batch)[0] == Item("id-1", "basic", {"front": "f", "back": "b"}, ("x", "y"),
                                   line=3)


def test_notetype_column_mixes_note_types(tmp_path: Path) -> None:
    text = ("#separator:|\n#notetype column:1\n#notetype:Basic\n"
            "basic|f1|b1\nBASIC (AND REVERSED CARD)|f2|b2\n"
            "Basic (optional reversed card)|f3|b3|y\nBasic (optional reversed card)|f4|b4|\n"
            "cloze|{{c1::a}} and {{c2::b::hint}}|\n|f5|b5\n")
    found = items(read_anki_text(write(tmp_path, text)))
    assert [(i.kind, i.fields.get("reversible", False)) for i in found] == [
        ("basic", False), ("basic", True), ("basic", True), ("basic", False), ("cloze", False),
        ("basic", False)]
    assert found[4].fields == {"text": "{{c1::a}} and {{c2::b::hint}}"}


def test_notetype_header_cloze_and_reversed(tmp_path: Path) -> None:
    cloze = read_anki_text(write(tmp_path, "#notetype:cloze\n{{c1::x}} y\n", "c.txt"))
    assert items(cloze)[0].fields == {"text": "{{c1::x}} y"}
    both = read_anki_text(write(tmp_path, "#notetype:Basic (and reversed card)\na;b\n"))
    assert items(both)[0].fields == {"front": "a", "back": "b", "reversible": True}


def test_deck_argument_and_deck_header(tmp_path: Path) -> None:
    path = write(tmp_path, "#deck:Parent::Child\n#separator:tab\na\tb\n")
    batch = read_anki_text(path)
    assert (batch.decks[0].slug, batch.decks[0].title) == ("parent::child", "Parent::Child")
    assert batch.decks[0].origin == str(path)
    assert read_anki_text(path, deck="mine").decks[0].slug == "mine"
    with pytest.raises(DeckError, match="not a slug"):
        read_anki_text(path, deck="Not A Slug")


def test_unknown_header_is_a_warning_and_comments_are_skipped(tmp_path: Path) -> None:
    text = "#separator:tab\n#colour:blue\n# just a comment\na\tb\n#later comment\nc\td\n"
    batch = read_anki_text(write(tmp_path, text))
    assert len(items(batch)) == 2
    (warning, _derived) = batch.warnings
    assert warning.line == 2 and "unknown header #colour: ignored" in warning.message


def test_duplicate_notes_keep_the_later_one_with_a_warning(tmp_path: Path) -> None:
    text = "#guid column:3\na\tb\tg\nc\td\tg\n"
    batch = read_anki_text(write(tmp_path, text))
    assert [i.fields["front"] for i in items(batch)] == ["c"]
    assert "the same note as line 2" in batch.warnings[0].message


def test_every_problem_is_listed_with_its_physical_line(tmp_path: Path) -> None:
    text = ("#separator:tab\n#notetype column:1\n"
            "Basic\tfront\tback\n"
            "Image Occlusion\tx\ty\n"
            'Basic\t"two\nlines"\n'
            "Cloze\tno deletion here\n"
            "Basic\t\tback\n"
            "Cloze\t{{c0::zero}}\n"
            "Basic\tfront\t\n")
    assert problems(write(tmp_path, text)) == [
        (5, "a front but no back (is the separator right? add a #separator: header)"),
        (7, "a Cloze note needs a deletion like {{c1::answer}} in its text"),
        (8, "the first field (the front, or a cloze's text) is empty"),
        (9, "cloze numbers start at c1, not c0"),
        (10, "the back is empty")]


def test_any_note_type_arrives_and_no_field_is_dropped(tmp_path: Path) -> None:
    text = ("#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n"
            "g1\tJapanese (3 cards)\tLanguages::日本語\t水\tみず\twater\t<i>水を飲む</i>\n"
            "g2\tBasic (type in the answer)\tLanguages::日本語\tCapital?\tTokyo\n"
            "g3\tImage Occlusion\tScience\tx\ty\n"
            "g4\tImage Occlusion\tScience\tx\ty\n"
            "g5\tCloze\tScience\t{{c1::a {{c2::b}}}} {{c3,4::c}}\t\n")
    batch = read_anki_text(write(tmp_path, text))
    japanese, typed = batch.decks[0].items
    assert japanese.kind == "anki" and japanese.fields["notetype"] == "Japanese (3 cards)"
    assert japanese.fields["cards"] == [{"variant": "", "kind": "basic", "front": "水",
                                         "back": "みず\nwater\n水を飲む"}]
    assert japanese.fields["fields"]["Field 4"] == "<i>水を飲む</i>"
    assert typed.fields["cards"][0]["kind"] == "text"
    assert typed.fields["cards"][0]["answer"] == ["Tokyo"]
    cloze = batch.decks[1].items[0]
    assert cloze.kind == "cloze" and cloze.fields == {"text": "{{c1::a {{c2::b}}}} {{c3,4::c}}"}
    assert [w.message for w in batch.warnings] == [
        "2 note(s) of Image Occlusion skipped (image masks cannot be shown as text)"]


def test_bad_header_values(tmp_path: Path) -> None:
    text = ("#separator:Backslashes\n#html:maybe\n#notetype:Image Occlusion\n"
            "#tags column:zero\n#deck column:0\na\tb\n")
    lines = [line for line, _ in problems(write(tmp_path, text))]
    assert lines == [1, 2, 3, 4, 5]


def test_unclosed_quote_is_reported_where_the_record_starts(tmp_path: Path) -> None:
    text = '#separator:Comma\na,b\n"never closed,c\nd,e\n'
    assert problems(write(tmp_path, text, "x.csv")) == [
        (3, 'malformed record: a quoted field is never closed (a " missing?)')]


def test_bad_quoting_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    text = '#separator:Comma\n"a"x,b\nc,\n'
    assert [line for line, _ in problems(write(tmp_path, text, "x.csv"))] == [2, 3]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"), (b"  \n\r\n", "the file is empty"),
    (b"#separator:tab\n# only comments\n", "no notes found"),
    (b"PK\x03\x04\x00\x00junk", "binary data"),
    (b"caf\xe9;x\n", "not UTF-8 text"),
])
def test_unusable_files(tmp_path: Path, content: bytes, message: str) -> None:
    with pytest.raises(DeckError, match=message):
        read_anki_text(write(tmp_path, content))


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "front\tback\n".encode("utf-16"))
    assert items(read_anki_text(path))[0].fields == {"front": "front", "back": "back"}


def test_missing_directory_and_wrong_extension(tmp_path: Path) -> None:
    for path, message in [(tmp_path / "nope.txt", "no such file"),
                          (tmp_path, "not an Anki text file"),
                          (write(tmp_path, "a\tb\n", "deck.apkg"), "not an Anki text file")]:
        with pytest.raises(DeckError, match=message):
            read_anki_text(path)
    folder = tmp_path / "dir.txt"
    folder.mkdir()
    with pytest.raises(DeckError, match="is a directory"):
        read_anki_text(folder)


def test_slugify() -> None:
    assert slugify("Parent::Child") == "parent::child"
    assert slugify("Spanish Verbs") != slugify("Spanish::Verbs")
    assert slugify("  AWS  Prices (2026)!") == "aws-prices-2026"
    assert slugify("Café") == "cafe" and slugify("Languages::日本語") == "languages::日本語"
    assert slugify("!!").startswith("deck-") and slugify("!!") != slugify("??")


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_batch_or_a_deck_error(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data, "fuzz.tsv")
    try:
        batch = read_anki_text(path)
    except DeckError as exc:
        assert exc.problems
    else:
        assert batch.decks and all(deck.items for deck in batch.decks)


ALPHABET = st.sampled_from([*'ab#\t,;|:" \n\r{}c1<>&[]sound:x.-', "::", "{{c1::", "}}"])


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE)
@given(st.lists(ALPHABET, max_size=80).map("".join),
       st.sampled_from(["", "#separator:Comma\n", "#html:true\n", "#notetype:Cloze\n",
                        "#guid column:2\n#deck column:3\n#notetype column:4\n#tags column:5\n"]))
def test_anki_like_text_gives_a_batch_or_a_deck_error(tmp_path: Path, body: str,
                                                      header: str) -> None:
    path = write(tmp_path, header + body, "fuzz.csv")
    try:
        read_anki_text(path)
    except DeckError as exc:
        assert exc.problems and all(p.file == str(path) for p in exc.problems)
