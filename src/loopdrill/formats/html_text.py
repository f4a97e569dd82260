"""HTML from Anki fields to readable text: blocks and <br> become line breaks, other tags are
dropped, <script>/<style> content disappears, entities are unescaped and media is named
(`[image: x.png]`, `[sound: x.mp3]`)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

BLOCKS = frozenset({"div", "p", "li", "ul", "ol", "tr", "table", "blockquote", "pre", "hr",
                    "h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "section"})
HIDDEN = frozenset({"script", "style", "head", "title"})
SOUND = re.compile(r"\[sound:\s*([^\]]*)\]")
TAG = re.compile(r"<[^>]*>?")
LOOKS_LIKE_HTML = re.compile(r"<(?:br|div|p|span|b|i|u|em|strong|img|li|ul|ol|table|font|a|sub|"
                             r"sup|hr|h[1-6])\b[^>]*>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);",
                             re.IGNORECASE)


class _Text(HTMLParser):
    """Collects the visible text, with "\n" where a block or a <br> breaks the line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.lists: list[int] = []  # open lists: -1 for <ul>, else the next <ol> number

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif self.hidden:
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            src = next((v for k, v in attrs if k == "src" and v), None)
            self.parts.append(f"[image: {src.strip()}]" if src else "[image]")
        elif tag == "li":  # a list keeps its bullets and numbers
            mark = "• "
            if self.lists and self.lists[-1] >= 0:
                mark, self.lists[-1] = f"{self.lists[-1]}. ", self.lists[-1] + 1
            self.parts.append("\n" + mark)
        elif tag in BLOCKS:
            if tag in ("ul", "ol") and len(self.lists) < 100:
                self.lists.append(-1 if tag == "ul" else 1)
            self.parts.append("\n")
        elif tag == "td" or tag == "th":
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HIDDEN:  # <script/> hides nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif not self.hidden and tag in BLOCKS:
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text from an HTML field (never raises, whatever the input)."""
    if "<" not in html and "&" not in html:
        return _tidy(media_to_text(html))
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
        text = "".join(parser.parts)
    except (AssertionError, AttributeError, ValueError, IndexError):
        # html.parser gives up on some malformed markup: strip tags the blunt way
        text = unescape(TAG.sub(" ", html))
    return _tidy(media_to_text(text))


def media_to_text(text: str) -> str:
    """Anki's `[sound:x.mp3]` written as `[sound: x.mp3]`."""
    if "[sound:" not in text:
        return text
    return SOUND.sub(lambda m: f"[sound: {m.group(1).strip()}]", text)


def looks_like_html(text: str) -> bool:
    """Whether text seems to hold HTML markup or entities (for files that do not say)."""
    return LOOKS_LIKE_HTML.search(text) is not None


def _tidy(text: str) -> str:
    """Runs of spaces (and non-breaking spaces) made one space, no blank lines."""
    if "\n" not in text:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
