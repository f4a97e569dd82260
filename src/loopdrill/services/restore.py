"""A full JSON export written back (`loopdrill import FILE.json`): inside the import's
transaction, settings and cards before the history is replayed, exact states after it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlite_utils import Database

from loopdrill.core.model import DeckError, Problem
from loopdrill.core.words import plural
from loopdrill.formats.full_json import Snapshot
from loopdrill.services.edit import reapply_overrides
from loopdrill.store import exported
from loopdrill.store.items import Override, set_override

if TYPE_CHECKING:  # services.history loads numpy: only a restore with history needs it
    from loopdrill.services.history import HistoryReport


def before_history(db: Database, snap: Snapshot, now: dt.datetime) -> None:
    """Options, fitted parameters and hidden decks (the replay uses the options and
    parameters), local edits of built-in items applied, and the retired cards the history
    names, so that every review finds its card."""
    exported.restore_settings(db, snap.options, snap.meta, snap.hidden)
    for entry in snap.overrides:
        set_override(db, Override(**entry))
    for slug in sorted({o["deck"] for o in snap.overrides}):
        reapply_overrides(db, slug, now)
    exported.insert_missing_cards(db, snap.retired)


def after_history(db: Database, snap: Snapshot, source: str) -> HistoryReport | None:
    """The reviews as they were stored (not replayed: each row keeps the study day, state and
    interval it was written with), every card's state as exported, and the manual log. What
    was added of the history, when the file has one."""
    report = None
    if snap.with_history:
        from loopdrill.services.history import HistoryReport

        known = exported.card_ids(db)
        missing = sorted({row[0] for row in snap.reviews} - known)
        if missing:
            raise DeckError([Problem(source, 0, f"reviews of {plural(len(missing), 'card')} "
                                     f"the file does not hold, such as {missing[0]!r}")])
        cards, added, skipped = exported.restore_revlog(db, snap.reviews)
        report = HistoryReport(cards, added, skipped)
    exported.restore_manual_log(db, snap.manual_log)
    exported.restore_states(db, snap.states)
    return report
