"""HTML from Anki fields to readable text: breaks kept, tags and scripts dropped, media named."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BREAKS = {"br", "div", "p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
HIDDEN = {"script", "style"}
SOUND = re.compile(r"\[sound:([^\]]+)\]")
LOOKS_LIKE_HTML = re.compile(r"<(br|div|p|span|b|i|u|img|li|ul|ol|table|font|a)\b[^>]*>|&\w+;",
                             re.IGNORECASE)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag == "img":
            src = dict(attrs).get("src") or "?"
            self.parts.append(f"[image: {src}]")
        elif tag in BREAKS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BREAKS - {"br"} and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text from an HTML field."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    text = SOUND.sub(lambda m: f"[sound: {m.group(1)}]", text)
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def looks_like_html(text: str) -> bool:
    """Whether a field seems to hold HTML (used when a file does not say)."""
    return bool(LOOKS_LIKE_HTML.search(text))
