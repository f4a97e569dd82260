"""Hostile Anki packages: a `col` that is a view running endless SQL, values that expand to
gigabytes, deeply nested JSON, a read that never ends: a DeckError, quickly, in bounded memory."""

from __future__ import annotations

import resource
import sqlite3
import zipfile
from pathlib import Path

import pytest

from loopdrill.core.model import DeckError
from loopdrill.formats import apkg
from loopdrill.formats.apkg import read_apkg
from tests.formats.test_apkg import legacy


def packed(tmp_path: Path, *sql: str) -> Path:
    collection = tmp_path / "collection.db"
    legacy(collection)
    conn = sqlite3.connect(collection)
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()
    path = tmp_path / "hostile.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(collection, "collection.anki2")
    return path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_view_for_col_is_refused_without_running_it(tmp_path: Path) -> None:
    path = packed(tmp_path, "DROP TABLE col", "CREATE VIEW col AS WITH RECURSIVE r(x) AS "
                  "(SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT 1 AS id, "
                  "(SELECT count(*) FROM r) AS models, '{}' AS decks")
    with pytest.raises(DeckError) as caught:
        read_apkg(path)
    assert "col is not a plain table" in str(caught.value)


def test_a_generated_gigabyte_is_refused(tmp_path: Path) -> None:
    path = packed(tmp_path, "DROP TABLE col", "CREATE TABLE col (id INTEGER PRIMARY KEY, "
                  "models TEXT GENERATED ALWAYS AS (hex(zeroblob(400000000))) VIRTUAL, "
                  "decks TEXT)", "INSERT INTO col (id, decks) VALUES (1, '{}')")
    before = peak_mb()  # building the file computed the column once; reading must not
    with pytest.raises(DeckError) as caught:
        read_apkg(path)
    assert "too big" in str(caught.value)
    assert peak_mb() - before < 400  # hex() of 400 MB would take 3.5 GB


def test_a_read_past_its_time_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    monkeypatch.setattr(apkg, "READ_SECONDS", -1.0)
    monkeypatch.setattr(apkg, "PROGRESS_OPS", 1)
    with pytest.raises(DeckError) as caught:
        read_apkg(packed(tmp_path))
    assert "took more than" in str(caught.value)


def test_deeply_nested_json_in_models_is_a_deck_error(tmp_path: Path) -> None:
    nested = "[" * 200_000 + "]" * 200_000
    path = packed(tmp_path, f"UPDATE col SET models = '{nested}'")
    with pytest.raises(DeckError) as caught:
        read_apkg(path)
    assert "RecursionError" in str(caught.value) or "shape" in str(caught.value)
