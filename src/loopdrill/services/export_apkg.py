"""`export --format apkg`: the chosen decks as an Anki package, with each card's schedule
(and, with history, the review log), each deck's options and FSRS parameters, and the media
files its notes name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sqlite_utils import Database

from loopdrill.formats.apkg_write import Package, PackageDeck, Written, write_apkg
from loopdrill.services.config import global_options, options_for
from loopdrill.services.export import load_decks
from loopdrill.services.media import media_folder
from loopdrill.services.params import parameters_for
from loopdrill.store import exported


def export_apkg(db: Database, target: Path, now: dt.datetime, slugs: Sequence[str] = (), *,
                history: bool = False, media: Path | None = None) -> Written:
    """Write the decks (all when none named) to `target`, with the files of `media` (by
    default the database's media folder); OSError when it cannot be."""
    media = media if media is not None else media_folder(db)
    decks = load_decks(db, slugs)
    slugs = [d.slug for d in decks]
    states = {cid: s for cid, s in exported.card_states(db, slugs).items() if not s["retired"]}
    reviews = exported.review_stream(db, slugs) if history else ()
    package = Package(
        [PackageDeck(d, options_for(db, d.slug), tuple(parameters_for(db, d.slug) or ()))
         for d in decks],
        states, now, global_options(db).rollover_hour, reviews,
        media if media is not None and media.is_dir() else None)
    return write_apkg(package, target)
