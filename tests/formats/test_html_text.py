"""HTML to readable text (formats.html_text)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loopdrill.formats.html_text import html_to_text, looks_like_html, media_to_text


@pytest.mark.parametrize(("html", "text"), [
    ("S3 <b>Standard</b><br>per GB?", "S3 **Standard**\nper GB?"),
    ("<div>one</div><div>two</div>", "one\ntwo"),
    ("<p>para</p><p>graph</p>", "para\ngraph"),
    ("<ul><li>a</li><li>b</li></ul>", "• a\n• b"),
    ("x<br/>y<br />z", "x\ny\nz"),
    ("before<script>alert('<b>')</script>after", "beforeafter"),
    ("<style>b { color: red }</style>shown", "shown"),
    ("a &amp; b &lt;c&gt; &quot;d&quot; &#x41;&#66;", 'a & b <c> "d" AB'),
    ("a&nbsp;&nbsp;b", "a b"),
    ('<img src="x.png">', "[image: x.png]"),
    ("<img src='pic one.jpg' alt=x/>", "[image: pic one.jpg]"),
    ("<img>", "[image]"),
    ("[sound:x.mp3]", "[sound: x.mp3]"),
    ("<span>[sound:y.ogg]</span>", "[sound: y.ogg]"),
    ("  lots   of\n\n   space  ", "lots of\nspace"),
    ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
    ("unclosed <b>bold", "unclosed **bold**"),
    ("a <strong> x </strong> b", "a **x** b"),  # spaces outside the marks
    ("<b>a<br>b</b>", "**a**\n**b**"),  # the marks pair up on each line
    ("<b>a<b>b</b>c</b><b></b>", "**abc**"),  # nested, empty
    ("stray</b> close", "stray close"),
    ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
    ("", ""),
])
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_media_and_detection() -> None:
    assert media_to_text("[sound: a.mp3 ] and [sound:b.mp3]") == "[sound: a.mp3] and [sound: b.mp3]"
    assert looks_like_html("a<br>b") and looks_like_html("x &amp; y")
    assert not looks_like_html("5 < 6 & 7 > 3")


@given(st.text(alphabet=st.sampled_from(list("<>/!-[]&#;:'\"= abpdivscriptimg\n")), max_size=60)
       | st.text(max_size=60))
def test_any_text_converts_without_raising(html: str) -> None:
    assert isinstance(html_to_text(html), str)
