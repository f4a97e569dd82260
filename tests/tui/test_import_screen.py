"""The Import screen: preview, import in a worker, errors shown, deck list refreshed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.home import HomeScreen
from loopdrill.tui.importer import ImportScreen
from tests.conftest import DEMO_DECK, FakeClock


async def open_import(app: LoopdrillApp, pilot: Pilot[None]) -> tuple[ImportScreen, Input]:
    """The Import screen opened from home (i), and its path box."""
    await pilot.press("i")
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    return screen, screen.query_one("#import-path", Input)


async def result(app: LoopdrillApp, pilot: Pilot[None], screen: ImportScreen) -> str:
    """What the screen says once the import (or preview) started has finished."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    return str(screen.query_one("#import-result", Static).render())


async def test_preview_then_import(db: Database, clock: FakeClock,
                                   write_deck: Callable[..., Path]) -> None:
    path = write_deck(DEMO_DECK, "demo.yaml")
    app = LoopdrillApp(db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, box = await open_import(app, pilot)
        box.value = str(path)
        await pilot.click("#import-preview")
        assert "Would import demo: 6 added" in await result(app, pilot, screen)
        assert db.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == 0
        await pilot.click("#import-run")
        assert "Imported demo: 6 added" in await result(app, pilot, screen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one(DataTable).row_count == 1


async def test_bad_file_shows_every_problem(db: Database, clock: FakeClock,
                                            write_deck: Callable[..., Path]) -> None:
    path = write_deck("deck: x\ntitle: y\nitems:\n  - id: a\n    front: q\n", "bad.yaml")
    app = LoopdrillApp(db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, box = await open_import(app, pilot)
        box.value = f"{path} /no/such.yaml"
        await pilot.click("#import-run")
        shown = await result(app, pilot, screen)
        assert f"{path}:4: a: `back` is required" in shown
        assert "/no/such.yaml: no such file" in shown
        assert db.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == 0


async def test_review_history_csv_spaces_and_tab(demo_db: Database, clock: FakeClock,
                                                 tmp_path: Path) -> None:
    folder = tmp_path / "my exports"
    folder.mkdir()
    csv = folder / "reviews from anki.csv"
    csv.write_text("card_id,reviewed_at,rating,duration_ms\n"
                   "demo/sqs-standard,2026-11-20T09:00:00+00:00,3,4000\n"
                   "demo/sqs-standard,2026-11-21T09:00:00+00:00,3,3000\n")
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, box = await open_import(app, pilot)
        box.value = str(tmp_path / "my ex")
        await pilot.press("tab")
        assert box.value == str(folder) + "/"
        box.value = str(folder / "rev")
        await pilot.press("tab")
        assert box.value == str(csv)  # a path with spaces, completed
        await pilot.click("#import-run")
        shown = await result(app, pilot, screen)
        assert "Imported review history from reviews from anki.csv: 2 reviews on 1 card" in shown
    assert demo_db.conn.execute("SELECT COUNT(*) FROM decks WHERE slug LIKE '%review%'"
                                ).fetchone()[0] == 0
    assert demo_db.conn.execute("SELECT reps FROM cards WHERE id = 'demo/sqs-standard'"
                                ).fetchone()[0] == 2


async def test_a_deck_and_its_review_history_imported_together(
        db: Database, clock: FakeClock, write_deck: Callable[..., Path], tmp_path: Path) -> None:
    """A deck and a review history of its cards, typed in one go: the deck goes in first, so
    the history finds its cards (else: no card with id ...)."""
    deck = write_deck(DEMO_DECK, "demo.yaml")
    csv = tmp_path / "reviews.csv"
    csv.write_text("card_id,reviewed_at,rating,duration_ms\n"
                   "demo/sqs-standard,2026-11-20T09:00:00+00:00,3,4000\n")
    app = LoopdrillApp(db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, box = await open_import(app, pilot)
        box.value = f"{csv} {deck}"
        await pilot.click("#import-run")
        shown = await result(app, pilot, screen)
        assert "Imported demo: 6 added" in shown
        assert "Imported review history from reviews.csv: 1 review on 1 card" in shown
    assert db.conn.execute("SELECT reps FROM cards WHERE id = 'demo/sqs-standard'"
                           ).fetchone()[0] == 1


async def test_the_keyboard_alone_completes_previews_and_imports(
        db: Database, clock: FakeClock, write_deck: Callable[..., Path]) -> None:
    """Tab completes the path; on a whole path it moves on to Preview, then Import, so
    Enter there imports (no mouse needed)."""
    path = write_deck(DEMO_DECK, "demo.yaml")
    app = LoopdrillApp(db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, box = await open_import(app, pilot)
        box.value = str(path)[:-6]  # ".../dem"
        await pilot.press("tab")
        assert box.value == str(path) and screen.focused is box
        await pilot.press("enter")  # Enter in the box previews
        assert "Would import demo" in await result(app, pilot, screen)
        await pilot.press("tab", "tab")
        assert screen.focused is not None and screen.focused.id == "import-run"
        await pilot.press("enter")
        assert "Imported demo: 6 added" in await result(app, pilot, screen)
    assert db.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == 6
