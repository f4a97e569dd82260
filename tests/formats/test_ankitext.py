"""Anki text files: every documented header, quoting, BOM, CRLF, HTML, detection, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdrill.core.model import DeckError
from loopdrill.formats.ankitext import read_anki_text, slugify
from loopdrill.formats.htmltext import html_to_text


def write(tmp_path: Path, text: str | bytes, name: str = "notes.txt") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_bytes(text.encode("utf-8"))
    else:
        path.write_bytes(text)
    return path


@pytest.mark.parametrize(("name", "sep"), [("Comma", ","), ("Semicolon", ";"), ("Tab", "\t"),
                                            ("Space", " "), ("Pipe", "|"), ("Colon", ":"),
                                            ("~", "~")])
def test_every_separator_name(tmp_path: Path, name: str, sep: str) -> None:
    decks, _ = read_anki_text(write(tmp_path, f"#separator:{name}\nfront{sep}back\n"))
    assert decks[0].items[0].fields == {"front": "front", "back": "back"}


def test_all_headers_together(tmp_path: Path) -> None:
    text = ("\ufeff#separator:tab\r\n#html:true\r\n#tags:aws imported\r\n"
            "#columns:Front\tBack\tTags\tDeck\tNotetype\tGUID\r\n#notetype:Basic\r\n"
            "#deck:Fallback\r\n#tags column:3\r\n#deck column:4\r\n#notetype column:5\r\n"
            "#guid column:6\r\n"
            "S3 <b>Standard</b><br>per GB?\t$0.023\tpricing\tAWS::Prices\tBasic\tg1\r\n"
            '"quoted\tfield with ""quotes""\nand a newline"\tback\t\tAWS::Prices\t'
            "Basic (and reversed card)\tg2\r\n"
            "{{c1::99.9%}} of requests\t<i>extra</i>\tslo\tSLO\tCloze\tg3\r\n"
            "# a comment line\r\n")
    decks, warnings = read_anki_text(write(tmp_path, text))
    by_slug = {d.slug: d for d in decks}
    assert set(by_slug) == {"aws-prices", "slo"} and by_slug["aws-prices"].title == "AWS::Prices"
    first, second = by_slug["aws-prices"].items
    assert first.id == "g1" and first.fields == {"front": "S3 Standard\nper GB?", "back": "$0.023"}
    assert first.tags == ("aws", "imported", "pricing") and first.line == 11
    assert second.fields["front"] == 'quoted\tfield with "quotes"\nand a newline'
    assert second.fields["reversible"] is True and second.line == 12
    cloze = by_slug["slo"].items[0]
    assert cloze.kind == "cloze" and cloze.fields == {"text": "{{c1::99.9%}} of requests",
                                                      "extra": "extra"}
    assert cloze.line == 14 and not warnings


def test_no_headers_detects_the_separator_and_warns_about_derived_ids(tmp_path: Path) -> None:
    decks, warnings = read_anki_text(write(tmp_path, "a;b\nc;d\n", "my deck.csv"))
    assert decks[0].slug == "my-deck" and len(decks[0].items) == 2
    assert decks[0].items[0].id.startswith("t-")
    assert "editing a front resets" in str(warnings[0])


def test_deck_override(tmp_path: Path) -> None:
    decks, _ = read_anki_text(write(tmp_path, "#deck:X\na\tb\n"), deck="mine")
    assert decks[0].slug == "mine"


@pytest.mark.parametrize(("text", "message"), [
    ("#separator:tab\n#colour:red\na\tb\n", "2: unknown header #colour"),
    ("#separator:tab\n#notetype:Image Occlusion\na\tb\n", "3: unknown note type"),
    ("#separator:tab\nonly a front\n", "2: expected a front and a back"),
    ("#separator:tab\n#notetype:Cloze\nno gap here\n", "3: a Cloze note needs"),
    ("#separator:Wobble\na\tb\n", "1: unknown separator"),
    ("#guid column:zero\na\tb\n", "1: #guid column: 'zero' is not a column number"),
    ("   \n\n", "the file is empty"),
    ("one column only\n", "cannot tell the separator"),
])
def test_bad_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DeckError) as info:
        read_anki_text(write(tmp_path, text))
    assert message in str(info.value)


def test_binary_junk_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DeckError, match="binary data"):
        read_anki_text(write(tmp_path, b"\x89PNG\x00\x00\x01junk"))
    with pytest.raises(DeckError, match="no such file"):
        read_anki_text(tmp_path / "missing.txt")


def test_html_to_text() -> None:
    html = ('<div>one</div><div>two<br>three</div><script>alert(1)</script>'
            '<img src="x.png"> [sound:a.mp3] &amp; &nbsp;end')
    assert html_to_text(html) == "one\ntwo\nthree\n[image: x.png] [sound: a.mp3] &  end"


def test_slugify() -> None:
    assert slugify("AWS::Prices") == "aws-prices" and slugify("!!!") == "imported"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_decks_or_a_clear_error(tmp_path_factory: pytest.TempPathFactory,
                                              data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f.txt"
    path.write_bytes(data)
    try:
        decks, _ = read_anki_text(path)
    except DeckError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
    else:
        assert decks and all(d.items for d in decks)
