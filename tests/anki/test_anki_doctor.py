"""Schedules taken from Anki are a baseline: doctor does not call them wrong, and neither
its repair nor a replay after an option change puts the replay of the reviews over them."""

from __future__ import annotations

from sqlite_utils import Database

from loopdrill.services.doctor import run_doctor
from loopdrill.store.doctor import MEMORY


def _cards(db: Database) -> list[tuple[object, ...]]:
    return list(db.conn.execute(f"SELECT id, {MEMORY} FROM cards ORDER BY id"))


def test_doctor_is_clean_after_an_anki_import(imported: Database) -> None:
    logged = imported.conn.execute(
        "SELECT count(*) FROM manual_log WHERE action = 'anki'").fetchone()[0]
    studied = imported.conn.execute("SELECT count(*) FROM cards WHERE num IN "
                                    "(SELECT card FROM revlog)").fetchone()[0]
    assert studied and logged >= studied
    before = _cards(imported)
    report = run_doctor(imported)
    assert report.ok, report.remaining
    repaired = run_doctor(imported, repair=True)
    assert repaired.ok and not repaired.repaired
    assert _cards(imported) == before
