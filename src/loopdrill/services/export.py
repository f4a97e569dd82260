"""Decks and history back out of the database, in the formats import reads."""

from __future__ import annotations

import io
from collections.abc import Sequence

from sqlite_utils import Database

from loopdrill.core.cards import items_from_cards
from loopdrill.core.model import DeckSpec, Rating, ReviewRecord
from loopdrill.core.options import OptionError
from loopdrill.core.timeutil import from_ms
from loopdrill.formats.export import deck_to_yaml, decks_to_tsv
from loopdrill.formats.full_json import Snapshot, snapshot_to_json
from loopdrill.store import exported
from loopdrill.store.decks import no_deck_named
from loopdrill.store.history import all_reviews
from loopdrill.store.items import overrides

FORMATS = ("yaml", "tsv", "json")


def load_decks(db: Database, slugs: Sequence[str] = ()) -> list[DeckSpec]:
    """Decks as specs rebuilt from their live (not retired) cards."""
    known = exported.deck_headers(db)
    chosen: dict[str, None] = {}
    for wanted in slugs:  # a deck brings the decks under it
        family = [s for s in known if s == wanted or s.startswith(f"{wanted}::")]
        if not family:
            raise OptionError(no_deck_named(wanted))
        chosen.update(dict.fromkeys(family))
    decks = []
    for slug in chosen or list(known):
        title, description, options = known[slug]
        cards = exported.live_cards(db, slug)
        decks.append(DeckSpec(slug, title, tuple(items_from_cards(cards)), description,
                              options))
    return decks


def export_decks(db: Database, fmt: str, slugs: Sequence[str] = (), *,
                 history: bool = False) -> list[tuple[str, str]]:
    """(file name, text) for the chosen decks (all when none named): one YAML file per deck,
    or one TSV or JSON file for them all (JSON: everything about them, with `history` every
    review too)."""
    if fmt not in FORMATS:
        raise OptionError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    decks = load_decks(db, slugs)
    if fmt == "yaml":
        return [(f"{d.slug}.yaml", deck_to_yaml(d)) for d in decks]
    name = decks[0].slug if len(decks) == 1 else "loopdrill"
    if fmt == "tsv":
        return [(f"{name}.tsv", decks_to_tsv(decks))]
    return [(f"{name}.json", snapshot_to_json(snapshot(db, decks, history=history)))]


def snapshot(db: Database, decks: list[DeckSpec], *, history: bool) -> Snapshot:
    """What the full JSON export holds for these decks (and, with history, their reviews)."""
    slugs = {d.slug for d in decks}
    flags = exported.deck_flags(db)
    snap = Snapshot(
        decks=decks, builtin={s for s in slugs if flags[s][0]},
        hidden={s for s in slugs if flags[s][1]},
        states=exported.card_states(db, slugs),
        retired=exported.retired_cards(db, slugs),
        options={scope: values for scope, values in exported.option_scopes(db).items()
                 if scope == "" or scope in slugs},
        meta={k: v for k, v in exported.user_meta(db).items()
              if ":" not in k or k.split(":", 1)[1] in slugs},
        overrides=[vars(o) for o in overrides(db) if o.deck in slugs],
        manual_log=[e for e in exported.manual_log(db) if e["card_id"].split("/", 1)[0] in slugs],
        with_history=history)
    if history:
        snap.reviews = exported.revlog_rows(db, slugs)
    return snap


def export_history(db: Database, *, retired: bool = False) -> tuple[str, int]:
    """The revlog as review-history CSV (cram column included), and how many reviews were
    left out: those of retired cards, unless `retired`, since the decks an export writes do
    not hold those cards and `import-reviews` refuses a file naming an unknown card."""
    from loopdrill.formats.review_csv import write_review_csv  # loads numpy: only here

    records = [ReviewRecord(card_id, from_ms(at), Rating(rating), ms, bool(cram))
               for card_id, at, rating, ms, cram in all_reviews(db)]
    left_out = 0
    if not retired:
        gone = exported.retired_ids(db)
        if gone:
            kept = [r for r in records if r.card_id not in gone]
            left_out, records = len(records) - len(kept), kept
    out = io.StringIO()
    write_review_csv(records, out)
    return out.getvalue(), left_out
