"""Deck text is shown literally and never drives the terminal: every screen and CLI table
rendered with content holding markup (`[/]`, `[bold]x[/]`) and escape sequences
(`\\x1b]2;X\\x07` retitles the terminal, `\\x1b[2J` clears it), written straight into the
database as an older loopdrill (or another tool) could have."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database
from textual.app import App

from loopdrill.cli import cli
from loopdrill.core.model import DeckSpec, Item, Rating
from loopdrill.services.library import open_library
from loopdrill.services.session import DrillSession
from loopdrill.store.decks import sync_deck
from loopdrill.store.queries import Scope
from loopdrill.store.tx import transaction
from tests.conftest import NOW, FakeClock

MARKUP = "[/] and [bold]x[/]"
HOSTILE = f"Prices {MARKUP} \x1b]2;X\x07 \x1b[2J\x9b end"
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def hostile_decks() -> list[DeckSpec]:
    tags = ("t[/]", "\x1b[2Jtag")
    source = "https://example.com/[/]\x1b]8;;https://evil\x07"
    return [
        DeckSpec("basic", HOSTILE, (Item("b1", "basic", {"front": HOSTILE, "back": HOSTILE},
                                         tags, source, dt.date(2020, 1, 1)),)),
        DeckSpec("pick", HOSTILE, (Item("c1", "choice", {"front": HOSTILE, "choices": [
            HOSTILE, "plain"], "answer": "plain"}, tags),)),
        DeckSpec("typed", HOSTILE, (Item("x1", "text", {"front": HOSTILE,
                                                        "answer": [HOSTILE]}, tags),)),
    ]


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    lib = open_library(path, NOW, builtins=False)
    with transaction(lib.db):
        for spec in hostile_decks():
            sync_deck(lib.db, spec, NOW)
    clock = FakeClock(NOW - dt.timedelta(days=20))
    for day in range(20):  # a history for the stats: one review a day of every card
        session = DrillSession(lib.db, clock, fuzz=False, limit=6)
        while session.next_card() is not None:
            session.answer(Rating.AGAIN if day % 3 == 0 else Rating.GOOD)
        clock.advance(days=1)
    lib.db.conn.execute("UPDATE cards SET lapses = 9, tags = tags || 'leech '")
    lib.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    lib.close()
    return path


@pytest.fixture
def hostile(hostile_file: Path, tmp_path: Path) -> Iterator[tuple[Path, Database]]:
    path = tmp_path / "hostile.db"
    shutil.copyfile(hostile_file, path)
    lib = open_library(path, NOW, builtins=False)
    yield path, lib.db
    lib.close()


def assert_literal(output: str) -> None:
    """Markup shown as written, and nothing that could drive a terminal."""
    assert MARKUP in output
    found = CONTROLS.findall(output)
    assert not found, f"control characters reached the output: {found!r}"


# -- CLI ------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["decks"], ["stats"], ["stats", "--tag", "t[/]"]])
def test_cli_tables_show_text_literally(hostile: tuple[Path, Database], args: list[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOPDRILL_NOW", NOW.isoformat())
    monkeypatch.setenv("COLUMNS", "250")  # rich's width: no wrapping inside the text
    result = CliRunner().invoke(cli, ["--db", str(hostile[0]), *args], color=True)
    assert result.exit_code == 0, result.output
    assert_literal(result.output)


def test_plain_drill_writes_no_control_character(hostile: tuple[Path, Database],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOPDRILL_NOW", (NOW + dt.timedelta(days=400)).isoformat())
    result = CliRunner().invoke(cli, ["--db", str(hostile[0]), "drill", "--plain"],
                                input=f"\n3\n1\n3\n{HOSTILE}\n3\n" * 3)
    assert result.exit_code == 0, result.output
    assert_literal(result.output)
    assert "Q: Prices" in result.output


def test_import_and_check_messages_show_text_literally(tmp_path: Path) -> None:
    deck = tmp_path / "bad.yaml"
    deck.write_text('deck: bad\ntitle: t\n"\\e[2J[/] and [bold]x[/]": 1\nitems: []\n')
    for args in (["import", str(deck)], ["check", str(deck)]):
        result = CliRunner().invoke(cli, ["--db", str(tmp_path / "i.db"), *args], color=True)
        assert result.exit_code == 1
        assert_literal(result.output)


def test_imported_text_loses_its_control_characters(tmp_path: Path) -> None:
    text = tmp_path / "cards.txt"
    text.write_text(f"#separator:tab\n#deck:{HOSTILE}\n{HOSTILE}\tback\x07\ttags\n")
    db = tmp_path / "c.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "import", str(text)], color=True)
    assert result.exit_code == 0, result.output
    lib = open_library(db, NOW, builtins=False)
    try:
        for (title,) in lib.db.conn.execute("SELECT title FROM decks WHERE builtin = 0"):
            assert not CONTROLS.search(title)
        for (content,) in lib.db.conn.execute(
                "SELECT content FROM cards JOIN decks ON slug = deck WHERE builtin = 0"):
            assert "\\u001b" not in content and "\\u0007" not in content
            assert MARKUP in content
    finally:
        lib.close()


# -- TUI ------------------------------------------------------------------------------------

async def screenshots_of(app: App[None], keys: list[str | list[str]],
                         size: tuple[int, int] = (160, 50)) -> list[str]:
    shots = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        shots.append(app.export_screenshot())
        for key in keys:
            await pilot.press(*key) if isinstance(key, list) else await pilot.press(key)
            await pilot.pause()
            shots.append(app.export_screenshot())
    return shots


def assert_screen_literal(shot: str) -> None:
    text = re.sub(r"<[^>]+>", "", shot).replace("&#160;", " ")
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    assert "and [bold]x[/]" in text or "[/]" in text, "markup was interpreted"
    assert not CONTROLS.findall(text.replace("\n", "").replace("\t", ""))


async def test_home_and_stats_screens(hostile: tuple[Path, Database]) -> None:
    from loopdrill.tui.app import LoopdrillApp

    app = LoopdrillApp(hostile[1], FakeClock(NOW), fuzz=False)
    for shot in await screenshots_of(app, ["t"], size=(240, 200)):  # all of stats on screen
        assert_screen_literal(shot)


@pytest.mark.parametrize("deck,keys", [
    ("basic", ["space"]),
    ("pick", [["1"], "enter"]),
    ("typed", [list(HOSTILE.replace("\x1b", "").replace("\x07", "").replace("\x9b", "")),
               "enter"]),
])
async def test_drill_screens(hostile: tuple[Path, Database], deck: str,
                             keys: list[str | list[str]]) -> None:
    from loopdrill.tui.app import LoopdrillApp

    clock = FakeClock(NOW + dt.timedelta(days=400))
    session = DrillSession(hostile[1], clock, Scope((deck,)), fuzz=False)
    app = LoopdrillApp(hostile[1], clock, session=session, fuzz=False)
    for shot in await screenshots_of(app, keys):
        assert_screen_literal(shot)


async def test_import_screen_shows_problems_literally(hostile: tuple[Path, Database],
                                                      tmp_path: Path) -> None:
    from loopdrill.tui.importer import ImportScreen

    deck = tmp_path / "bad.yaml"
    deck.write_text('deck: bad\ntitle: t\n"\\e[2J[/] and [bold]x[/]": 1\nitems: []\n')

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ImportScreen(hostile[1], FakeClock(NOW)))

    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.click("#import-path")
        await pilot.press(*str(deck), "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert_screen_literal(app.export_screenshot())
