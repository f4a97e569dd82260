"""FSRS parameters in force: fitted ones stored per deck or globally, else the library's."""

from __future__ import annotations

import json

from sqlite_utils import Database

from loopdrill.store.settings import get_meta


def parameters_for(db: Database, deck: str | None) -> list[float] | None:
    """Fitted parameters for a deck, else the global ones, else None (library defaults)."""
    for key in ([f"parameters:{deck}"] if deck else []) + ["parameters"]:
        raw = get_meta(db, key)
        if raw:
            return [float(p) for p in json.loads(raw)]
    return None
