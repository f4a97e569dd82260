"""What exports read beyond deck content: which cards are retired, and (for the full JSON
export) every table row as it is stored."""

from __future__ import annotations

from sqlite_utils import Database


def retired_ids(db: Database) -> set[str]:
    """The ids of retired cards (their items left their deck file; reviews kept)."""
    return {r[0] for r in db.conn.execute("SELECT id FROM cards WHERE retired = 1")}
