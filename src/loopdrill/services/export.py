"""Decks and history back out of the database, in the formats import reads."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence

from sqlite_utils import Database

from loopdrill.core.cards import items_from_cards
from loopdrill.core.model import CardSpec, DeckSpec
from loopdrill.core.options import OptionError
from loopdrill.formats.export import deck_to_yaml, decks_to_json, decks_to_tsv
from loopdrill.formats.review_csv import write_review_csv
from loopdrill.services.history import export_reviews
from loopdrill.store.decks import no_deck_named
from loopdrill.store.exported import retired_ids
from loopdrill.store.rows import tags_from_text

FORMATS = ("yaml", "tsv", "json")


def load_decks(db: Database, slugs: Sequence[str] = ()) -> list[DeckSpec]:
    """Decks as specs rebuilt from their live (not retired) cards."""
    known = {r[0]: r for r in db.conn.execute(
        "SELECT slug, title, description, options FROM decks ORDER BY slug")}
    chosen: dict[str, None] = {}
    for wanted in slugs:  # a deck brings the decks under it
        family = [s for s in known if s == wanted or s.startswith(f"{wanted}::")]
        if not family:
            raise OptionError(no_deck_named(wanted))
        chosen.update(dict.fromkeys(family))
    decks = []
    for slug in chosen or list(known):
        _, title, description, options = known[slug]
        cards = [
            CardSpec(id=row[0], deck=slug, item=row[1], variant=row[2], kind=row[3],
                     content=json.loads(row[4]), tags=tags_from_text(row[5]), source=row[6],
                     as_of=_date(row[7]), position=row[8])
            for row in db.conn.execute(
                "SELECT id, item, variant, kind, content, tags, source, as_of, position "
                "FROM cards WHERE deck = ? AND retired = 0", (slug,))
        ]
        decks.append(DeckSpec(slug, title, tuple(items_from_cards(cards)), description,
                              json.loads(options)))
    return decks


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def export_decks(db: Database, fmt: str, slugs: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(file name, text) for the chosen decks (all when none named): one YAML file per deck,
    or one TSV or JSON file for them all."""
    if fmt not in FORMATS:
        raise OptionError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    decks = load_decks(db, slugs)
    if fmt == "yaml":
        return [(f"{d.slug}.yaml", deck_to_yaml(d)) for d in decks]
    name = decks[0].slug if len(decks) == 1 else "loopdrill"
    if fmt == "tsv":
        return [(f"{name}.tsv", decks_to_tsv(decks))]
    states = {row[0]: {"state": row[1], "due": row[2], "stability": row[3],
                       "difficulty": row[4], "reps": row[5], "lapses": row[6],
                       "suspended": bool(row[7])}
              for row in db.conn.execute(
                  "SELECT id, state, due, stability, difficulty, reps, lapses, suspended "
                  "FROM cards WHERE retired = 0")}
    return [(f"{name}.json", decks_to_json(decks, states))]


def export_history(db: Database, *, retired: bool = False) -> tuple[str, int]:
    """The revlog as review-history CSV (cram column included), and how many reviews were
    left out: those of retired cards, unless `retired`, since the decks an export writes do
    not hold those cards and `import-reviews` refuses a file naming an unknown card."""
    records = export_reviews(db)
    left_out = 0
    if not retired:
        gone = retired_ids(db)
        if gone:
            kept = [r for r in records if r.card_id not in gone]
            left_out, records = len(records) - len(kept), kept
    out = io.StringIO()
    write_review_csv(records, out)
    return out.getvalue(), left_out
