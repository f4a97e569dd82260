"""HTML from Anki fields to readable text: blocks and <br> become line breaks, list items
keep their bullets and numbers, bold (<b>, <strong>) is written **like this** (core.text.BOLD;
the drill shows it bold), other tags are dropped, <script>/<style> content disappears,
entities are unescaped and media is named (`[image: x.png]`, `[sound: x.mp3]`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape, unescape

BLOCKS = frozenset({"div", "p", "li", "ul", "ol", "tr", "table", "blockquote", "pre", "hr",
                    "h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "section"})
HIDDEN = frozenset({"script", "style", "head", "title"})
SOUND = re.compile(r"\[sound:\s*([^\]]*)\]")
LOOKS_LIKE_HTML = re.compile(r"<(?:br|div|p|span|b|i|u|em|strong|img|li|ul|ol|table|font|a|sub|"
                             r"sup|hr|h[1-6])\b[^<>]*>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);",
                             re.IGNORECASE)


ATTR_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
TAG_NAME = re.compile(r"/?\s*([a-zA-Z][a-zA-Z0-9:-]*)")
BOLD_TAGS = frozenset({"b", "strong"})
ON, OFF = "\ue000", "\ue001"  # where bold starts and ends, until _bold writes the marks
BOLD_RUNS = re.compile(f"([{ON}{OFF}\n])")
# how the text names media: `[image: atom.png]`, `[sound: x.mp3]` (kind, name)
MEDIA_NAME = re.compile(r"\[(image|sound):\s*([^\]\n]+?)\s*\]")


def html_to_text(html: str) -> str:
    """Readable text from an HTML field (never raises, whatever the input).

    One pass from left to right, every search starting where the last one stopped, so the
    time is linear in the field whatever it holds (html.parser took 20 s on `'<a ' * 20000`:
    it rescans an unclosed tag from its start at every step)."""
    if "<" not in html and "&" not in html:
        return _tidy(media_to_text(html))
    parts: list[str] = []
    lists: list[int] = []  # open lists: -1 for <ul>, else the next <ol> number
    lower = html.lower()
    at, size = 0, len(html)
    while at < size:
        lt = html.find("<", at)
        if lt < 0:
            parts.append(unescape(html[at:]))
            break
        parts.append(unescape(html[at:lt]))
        if html.startswith("<!--", lt):
            end = html.find("-->", lt + 4)
            at = size if end < 0 else end + 3  # an unclosed comment hides the rest
            continue
        gt = html.find(">", lt + 1)
        if gt < 0:  # no tag can close after this: the rest is text
            parts.append(unescape(html[lt:]))
            break
        at = _tag(html, lower, lt, gt, parts, lists)
    return _tidy(_bold(media_to_text("".join(parts))))


def _bold(text: str) -> str:
    """The bold runs (between ON and OFF, nested or not) written **x**, each line's run
    closed at its end and opened again on the next, spaces kept outside the marks and empty
    runs dropped, so the marks always pair up on one line."""
    if ON not in text:
        return text.replace(OFF, "")
    out: list[str] = []
    depth = 0
    for token in BOLD_RUNS.split(text):
        if token == ON:
            depth += 1
        elif token == OFF:
            depth = max(0, depth - 1)
        elif depth and token.strip() and token != "\n":
            core = token.strip()
            start = token.index(core[0])
            out.append(f"{token[:start]}**{core}**{token[start + len(core):]}")
        else:
            out.append(token)
    return "".join(out).replace("** **", " ").replace("****", "")


def _tag(html: str, lower: str, lt: int, gt: int, parts: list[str], lists: list[int]) -> int:
    """Handle the tag html[lt:gt + 1]; the position to go on from."""
    inside = html[lt + 1:gt]
    name_match = TAG_NAME.match(inside)
    if name_match is None:  # `<!doctype`, `<?xml`, `< 3`: not a tag we show
        if inside[:1] in ("!", "?"):
            return gt + 1
        parts.append(unescape(html[lt:gt + 1]))
        return gt + 1
    name = name_match.group(1).lower()
    closing = inside.lstrip().startswith("/")
    if name in HIDDEN and not closing and not inside.rstrip().endswith("/"):
        end = lower.find(f"</{name}", gt + 1)
        if end < 0:
            return len(html)
        close = html.find(">", end)
        return len(html) if close < 0 else close + 1
    if name in BOLD_TAGS:
        parts.append(OFF if closing else ON)
    elif closing:
        if name in BLOCKS:
            if name in ("ul", "ol") and lists:
                lists.pop()
            parts.append("\n")
    elif name == "li":  # a list keeps its bullets and numbers
        mark = "• "
        if lists and lists[-1] >= 0:
            mark, lists[-1] = f"{lists[-1]}. ", lists[-1] + 1
        parts.append("\n" + mark)
    elif name == "br" or name in BLOCKS:
        if name in ("ul", "ol") and len(lists) < 100:
            lists.append(-1 if name == "ul" else 1)
        parts.append("\n")
    elif name == "img":
        src = ATTR_SRC.search(inside)
        value = unescape(next((g for g in src.groups() if g), "")).strip() if src else ""
        parts.append(f"[image: {value}]" if value else "[image]")
    elif name in ("td", "th"):
        parts.append(" ")
    return gt + 1


def media_to_text(text: str) -> str:
    """Anki's `[sound:x.mp3]` written as `[sound: x.mp3]`."""
    if "[sound:" not in text:
        return text
    return SOUND.sub(lambda m: f"[sound: {m.group(1).strip()}]", text)


def media_names(texts: Iterable[str]) -> list[str]:
    """The media files the texts (html_to_text's) name, each once, in order."""
    return list(dict.fromkeys(m.group(2) for text in texts for m in MEDIA_NAME.finditer(text)))


def media_to_html(text: str) -> str:
    """Text (html_to_text's) as HTML, its media named as Anki names them: `<img
    src="x.png">`, `[sound:x.mp3]`, which html_to_text and media_to_text read back."""
    out, at = [], 0
    for match in MEDIA_NAME.finditer(text):
        kind, name = match.groups()
        out += [escape(text[at:match.start()], quote=False),
                f'<img src="{escape(name)}">' if kind == "image"
                else f"[sound:{escape(name, quote=False)}]"]
        at = match.end()
    return "".join(out) + escape(text[at:], quote=False)


def looks_like_html(text: str) -> bool:
    """Whether text seems to hold HTML markup or entities (for files that do not say)."""
    return LOOKS_LIKE_HTML.search(text) is not None


def _tidy(text: str) -> str:
    """Runs of spaces (and non-breaking spaces) made one space, no blank lines."""
    if "\n" not in text:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
