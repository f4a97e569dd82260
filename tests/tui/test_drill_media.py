"""Issue 17 item 8: `m` in the drill opens the card's media (the folder beside the database)
in the system's viewer, without a shell and detached; one line when it cannot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from loopdrill.services import media
from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.drill import DrillScreen
from tests.conftest import NOW, FakeClock

DECK = """\
deck: pics
title: Pictures
items:
  - {id: a, front: "[image: atom.png] What is this?", back: "An atom [sound: atom.mp3]"}
  - {id: b, front: "[image: ../secret.png] Outside?", back: "no"}
"""


@pytest.fixture
def file_db(tmp_path: Path, write_deck: Any) -> Iterator[Database]:
    from loopdrill.formats.native import read_deck
    from loopdrill.store.db import open_db
    from loopdrill.store.decks import sync_deck
    from loopdrill.store.tx import transaction

    database = open_db(str(tmp_path / "data" / "x.db"))
    with transaction(database):
        sync_deck(database, read_deck(write_deck(DECK, "pics.yaml")), NOW)
    (tmp_path / "data" / "media").mkdir()
    (tmp_path / "data" / "media" / "atom.png").write_bytes(b"\x89PNG")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG")
    yield database
    database.conn.close()


class Launched:
    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict[str, Any]]] = []

    def __call__(self, args: list[str], **kwargs: Any) -> object:
        self.calls.append((args, kwargs))
        return object()


def test_names_folder_and_messages(file_db: Database, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert media.media_names(["[image: a b.png] x [sound: c.mp3]", "[image: a b.png]"]) == \
        ["a b.png", "c.mp3"]
    assert media.media_folder(file_db) == tmp_path / "data" / "media"
    assert media.open_media(file_db, ["plain text"]) == (False,
                                                         "This card has no image or sound.")
    opened, message = media.open_media(file_db, ["[image: ../secret.png]"])
    assert not opened and message.startswith("Media file not found: ../secret.png")
    monkeypatch.setattr(media.shutil, "which", lambda name: None)
    opened, message = media.open_media(file_db, ["[image: atom.png]"])
    assert not opened and f"({media.VIEWER} is not installed)" in message
    launched = Launched()
    monkeypatch.setattr(media.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(media.subprocess, "Popen", launched)
    assert media.open_media(file_db, ["[image: atom.png]", "[sound: atom.mp3]"]) == \
        (True, "Opened atom.png (1 not found).")
    (args, kwargs), = launched.calls
    assert args == [f"/usr/bin/{media.VIEWER}", str(tmp_path / "data" / "media" / "atom.png")]
    assert kwargs["start_new_session"] and "shell" not in kwargs


async def test_m_opens_the_front_media_then_the_back_media(
        file_db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    launched = Launched()
    monkeypatch.setattr(media.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(media.subprocess, "Popen", launched)
    app = LoopdrillApp(file_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        said: list[str] = []
        monkeypatch.setattr(screen, "notify", lambda message, **kw: said.append(message))
        await pilot.press("m")
        assert said == ["Opened atom.png."]  # the back's sound stays hidden until revealed
        await pilot.press("space", "m")
        assert said[-1] == "Opened atom.png (1 not found)."
        assert [Path(args[-1]).name for args, _ in launched.calls] == ["atom.png", "atom.png"]
        await pilot.press("3", "m")
        assert said[-1].startswith("Media file not found: ../secret.png")
        assert len(launched.calls) == 2


def test_bold_from_anki_is_shown_bold_without_its_marks() -> None:
    from loopdrill.core.cards import Span
    from loopdrill.tui.card_view import spans_text

    text = spans_text([Span("Capital: **"), Span("Nairobi", mark=True), Span("** and 2 ** 10")])
    assert text.plain == "Capital: Nairobi and 2 ** 10"
    bold = [text.plain[s.start:s.end] for s in text.spans if "bold" in str(s.style)]
    assert "Nairobi" in bold
    assert spans_text([Span("no marks")]).plain == "no marks"
