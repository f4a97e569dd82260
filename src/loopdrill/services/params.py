"""FSRS parameters in force: fitted ones stored per deck or globally, else the library's."""

from __future__ import annotations

import json

import fsrs
from sqlite_utils import Database

from loopdrill.engine.answer import make_scheduler
from loopdrill.services.config import options_for
from loopdrill.store.settings import get_meta


def parameters_for(db: Database, deck: str | None) -> list[float] | None:
    """Fitted parameters for a deck, else the global ones, else None (library defaults)."""
    for key in ([f"parameters:{deck}"] if deck else []) + ["parameters"]:
        raw = get_meta(db, key)
        if raw:
            values = [float(p) for p in json.loads(raw)]
            if len(values) != len(fsrs.scheduler.DEFAULT_PARAMETERS):  # a damaged row
                raise ValueError(f"{key}: expected {len(fsrs.scheduler.DEFAULT_PARAMETERS)} "
                                 f"numbers, found {len(values)}")
            return values
    return None


class ReplaySchedulers:
    """Per deck, the pair of schedulers a replay needs (no fuzz, and fuzz for the last
    answer), built once from the deck's options and parameters."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pairs: dict[str, tuple[fsrs.Scheduler, fsrs.Scheduler]] = {}

    def __call__(self, deck: str) -> tuple[fsrs.Scheduler, fsrs.Scheduler]:
        if deck not in self._pairs:
            opts = options_for(self.db, deck)
            params = parameters_for(self.db, deck)
            self._pairs[deck] = (make_scheduler(opts, params, fuzz=False),
                                 make_scheduler(opts, params))
        return self._pairs[deck]
