"""The full-fidelity JSON export (`export --format json [--with-history]`) and its reader.

One document holds what a database knows about the learner: every deck (its items, options,
whether it is built in or hidden), every card's schedule as stored (state, memory, due,
suspended, buried, flag, retired, added), the retired cards themselves, options set with
`config`, fitted FSRS parameters, local overrides of built-in items, the log of forget and
set-due and, with history, every review (time to the millisecond, rating, duration, cram).
`loopdrill import FILE.json` into a fresh database gives back the same state.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from loopdrill.core.model import REVIEW_COLUMNS, DeckError, DeckSpec, Problem
from loopdrill.formats.batch import decode_text, read_bytes
from loopdrill.formats.export import item_mapping

FORMAT = "loopdrill"
VERSION = 2
MAX_BYTES = 1024 * 1024 * 1024


@dataclass
class Snapshot:
    """Everything the full JSON export holds."""

    decks: list[DeckSpec] = field(default_factory=list)
    builtin: set[str] = field(default_factory=set)
    hidden: set[str] = field(default_factory=set)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    retired: list[dict[str, Any]] = field(default_factory=list)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    overrides: list[dict[str, str]] = field(default_factory=list)
    reviews: list[tuple[Any, ...]] = field(default_factory=list)  # REVIEW_COLUMNS
    manual_log: list[dict[str, Any]] = field(default_factory=list)
    with_history: bool = False


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def snapshot_to_json(snap: Snapshot) -> str:
    """The document, decks in order, each with its items and its cards' states."""
    decks = []
    for deck in snap.decks:
        prefix = deck.slug + "/"
        decks.append({
            "deck": deck.slug, "title": deck.title, "description": deck.description,
            "options": dict(deck.options), "builtin": deck.slug in snap.builtin,
            "hidden": deck.slug in snap.hidden,
            "items": [item_mapping(item) for item in deck.items],
            "cards": {cid: s for cid, s in snap.states.items() if cid.startswith(prefix)},
            "retired_cards": [dict(c, content=json.loads(c["content"])) for c in snap.retired
                              if c["deck"] == deck.slug],
        })
    doc: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "options": snap.options,
        "meta": {k: json.loads(v) if k.startswith("parameters") else v
                 for k, v in snap.meta.items()},
        "overrides": snap.overrides, "decks": decks, "manual_log": snap.manual_log,
    }
    if snap.with_history:
        doc["review_columns"] = list(REVIEW_COLUMNS)
        doc["reviews"] = [list(r) for r in snap.reviews]
    return json.dumps(doc, indent=1, ensure_ascii=False, default=_jsonable) + "\n"


def read_full_json(path: Path) -> Snapshot:
    """Read a full JSON export; DeckError names what is wrong (the items are checked as the
    YAML reader checks a deck file)."""
    name = str(path)
    text = decode_text(read_bytes(path, MAX_BYTES, "a JSON export"), name)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeckError([Problem(name, exc.lineno, f"not valid JSON: {exc.msg}")]) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise DeckError([Problem(name, 1, "not a loopdrill JSON export (`loopdrill export "
                                 "--format json` writes one)")])
    if doc.get("version") != VERSION:
        raise DeckError([Problem(name, 1, f"JSON export version {doc.get('version')!r}; this "
                                 f"loopdrill reads version {VERSION}")])
    try:
        return _snapshot(doc, name)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DeckError([Problem(name, 0, f"damaged JSON export ({type(exc).__name__}: "
                                 f"{exc})")]) from None


def _snapshot(doc: dict[str, Any], name: str) -> Snapshot:
    from loopdrill.formats.native import parse_deck  # the YAML reader's checks

    snap = Snapshot(options={str(k): dict(v) for k, v in doc["options"].items()},
                    meta={str(k): json.dumps(v) if str(k).startswith("parameters") else str(v)
                          for k, v in doc["meta"].items()},
                    overrides=[{k: str(o[k]) for k in ("deck", "item", "text", "shipped",
                                                       "created_at")} for o in doc["overrides"]],
                    manual_log=list(doc.get("manual_log", [])))
    problems: list[Problem] = []
    for deck in doc["decks"]:
        slug = str(deck["deck"])
        if deck.get("builtin"):
            snap.builtin.add(slug)
        if deck.get("hidden"):
            snap.hidden.add(slug)
        snap.states.update({str(k): dict(v) for k, v in deck["cards"].items()})
        snap.retired += [dict(c, content=json.dumps(c["content"], sort_keys=True,
                                                    ensure_ascii=False))
                         for c in deck.get("retired_cards", [])]
        spec = {"deck": slug, "title": deck["title"], "description": deck["description"],
                "options": deck["options"], "items": deck["items"]}
        if not deck["items"]:
            snap.decks.append(DeckSpec(slug, str(deck["title"]), (), str(deck["description"]),
                                       dict(deck["options"]), name))
            continue
        for item in deck["items"]:
            if isinstance(item.get("as_of"), str):
                item["as_of"] = dt.date.fromisoformat(item["as_of"])
        text = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)
        try:
            snap.decks.append(parse_deck(text, f"{name} (deck {slug}, as YAML)"))
        except DeckError as exc:
            problems += exc.problems
    if problems:
        raise DeckError(problems)
    if "reviews" in doc:
        snap.with_history = True
        snap.reviews = _reviews(doc, name)
    return snap


def _reviews(doc: dict[str, Any], name: str) -> list[tuple[Any, ...]]:
    """The reviews, each checked: a card id, whole numbers where the revlog has them, a
    rating 1-4."""
    if doc.get("review_columns") != list(REVIEW_COLUMNS):
        raise DeckError([Problem(name, 0, "review_columns must be "
                                 + ", ".join(REVIEW_COLUMNS))])
    out: list[tuple[Any, ...]] = []
    bad: list[Problem] = []
    width = len(REVIEW_COLUMNS)
    for n, row in enumerate(doc["reviews"], start=1):
        if not isinstance(row, list) or len(row) != width or not isinstance(row[0], str) \
                or not all(type(v) is int for v in row[1:12]) or row[2] not in (1, 2, 3, 4):
            bad.append(Problem(name, 0, f"review {n}: expected [{', '.join(REVIEW_COLUMNS)}] "
                               "with whole numbers and a rating 1-4"))
            continue
        out.append(tuple(row))
    if bad:
        raise DeckError(bad[:20])
    return out
