"""What every foreign-format reader returns, and the helpers they share: deck slugs from Anki
deck names, ids derived from a front, and reading a file with one clear error per failure."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from loopdrill.core.cards import DECK_SLUG
from loopdrill.core.model import DeckError, DeckSpec, ImportedState, Problem, ReviewRecord

SLUG_RUNS = re.compile(r"[\W_]+")
DERIVED_PREFIX = "t-"
# past reviews are refused outside these years (a review in year 1 or 9999 would overflow the
# study-day and interval arithmetic later), and durations over 2^31 - 1 ms (24 days)
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
MAX_DURATION_MS = 2**31 - 1


@dataclass(frozen=True)
class ImportBatch:
    """Decks read from one file, the review history it carried, and warnings (not errors)."""

    decks: tuple[DeckSpec, ...]
    reviews: tuple[ReviewRecord, ...] = ()
    warnings: tuple[Problem, ...] = ()
    states: dict[str, ImportedState] = field(default_factory=dict)  # by card id


def slugify(name: str) -> str:
    """A deck slug from a deck name, keeping its tree and its script: `AWS::Prices` ->
    `aws::prices`, `Café` -> `cafe`, `Spanish Verbs` -> `spanish-verbs`, `日本語` -> `日本語`.

    A level with no letter or digit gets `deck-` and a hash of the name, so two such decks
    stay apart."""
    parts = []
    for part in name.split("::"):
        folded = "".join(c for c in unicodedata.normalize("NFKD", part)
                         if not unicodedata.combining(c))
        slug = SLUG_RUNS.sub("-", unicodedata.normalize("NFKC", folded).lower()).strip("-")
        if slug:
            parts.append(slug)
    if parts:
        return "::".join(parts)
    return "deck-" + hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def derived_id(front: str) -> str:
    """A stable item id from a front: whitespace collapsed, casefolded, hashed."""
    key = " ".join(front.casefold().split()).encode("utf-8", "surrogatepass")
    return DERIVED_PREFIX + hashlib.sha1(key).hexdigest()[:12]


def derived_warning(file: str, count: int) -> Problem:
    """The one warning a file gets when some of its ids were derived from fronts."""
    notes = "1 note has" if count == 1 else f"{count:,} notes have"
    return Problem(file, 0, f"{notes} no guid, so its id comes from the front: editing that "
                   "front later makes it a new card and resets its progress")


def check_slug(file: str, slug: str | None) -> None:
    """A `deck` override must already be a slug; DeckError says so otherwise."""
    if slug is not None and not DECK_SLUG.match(slug):
        raise DeckError([Problem(file, 0, f"deck {slug!r} is not a slug (a-z, 0-9 and -, "
                                 f"e.g. {slugify(slug)!r})")])


def read_bytes(path: Path, limit: int, what: str) -> bytes:
    """The file's bytes; DeckError for a missing, unreadable or oversized file."""
    with readable(path, limit, what):
        return path.read_bytes()


@contextmanager
def readable(path: Path, limit: int, what: str) -> Iterator[None]:
    """Around reading a file: DeckError for a missing, unreadable or oversized file (checked
    first) or one that fails while read."""
    name = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise DeckError([Problem(name, 0, f"is a directory, not {what}")])
        if size > limit:
            raise DeckError([Problem(name, 0, f"is {size:,} bytes, over the {limit:,}-byte "
                                     f"limit for {what}")])
        yield
    except FileNotFoundError:
        raise DeckError([Problem(name, 0, "no such file")]) from None
    except PermissionError:
        raise DeckError([Problem(name, 0, "cannot read it (permission denied)")]) from None
    except OSError as exc:
        raise DeckError([Problem(name, 0, f"cannot read it ({exc.strerror or exc})")]) from None


def decode_text(raw: bytes, file: str) -> str:
    """Text from a file's bytes: UTF-8 (with or without a byte-order mark) or UTF-16 with
    one; DeckError for binary data or another encoding, naming the line."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DeckError([Problem(file, 0, "not valid UTF-16 text")]) from None
    elif b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DeckError([Problem(file, line, "binary data (a NUL byte), not a text file")])
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise DeckError([Problem(file, line, "not UTF-8 text (save the file as UTF-8)")]
                            ) from None
    if "\x00" in text:
        raise DeckError([Problem(file, 0, "binary data (a NUL character), not a text file")])
    return text


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a reader builds 100,000 objects (none of which can
    form a cycle): the collector would walk the growing heap again and again, a third of the
    time of a big import. The previous setting is restored."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
