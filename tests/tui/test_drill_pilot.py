"""The TUI through App.run_test() and Pilot: keys pressed, answers checked in the database."""

from __future__ import annotations

from sqlite_utils import Database
from textual.widgets import Button, DataTable

from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.drill import DrillScreen
from loopdrill.tui.home import HomeScreen
from loopdrill.tui.summary import SummaryScreen
from tests.conftest import FakeClock


def reviews(db: Database) -> list[tuple[str, int]]:
    return list(db.conn.execute("SELECT card_id, rating FROM reviews ORDER BY id"))


async def test_home_lists_decks_and_enter_opens_the_drill(demo_db: Database,
                                                         clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert row == ["demo", "6", "0", "0", "6", "Demo deck"]
        await pilot.press("enter")
        assert isinstance(app.screen, DrillScreen)


async def test_reveal_grade_undo_suspend_bury_quit(demo_db: Database, clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        assert screen.shown is not None and screen.shown.card.id == "demo/s3-standard"
        await pilot.press("3")  # grading before reveal does nothing
        assert reviews(demo_db) == []
        await pilot.press("space")
        assert screen.revealed
        assert "Good · 10m" in str(screen.query_one("#grade-3", Button).label)
        await pilot.press("3")
        assert reviews(demo_db) == [("demo/s3-standard", 3)]
        await pilot.press("space", "1")
        assert len(reviews(demo_db)) == 2
        await pilot.press("u")
        assert len(reviews(demo_db)) == 1
        await pilot.press("u")
        assert reviews(demo_db) == []
        assert screen.shown is not None and screen.shown.card.id == "demo/s3-standard"
        await pilot.press("s")
        assert demo_db.conn.execute(
            "SELECT suspended FROM cards WHERE id = 'demo/s3-standard'").fetchone()[0] == 1
        await pilot.press("b")
        assert demo_db.conn.execute(
            "SELECT COUNT(*) FROM cards WHERE buried_until IS NOT NULL").fetchone()[0] == 1
        await pilot.press("space", "4")
        await pilot.press("q")
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)
        # s3 suspended, slo:c1 answered; s3:r (buried), slo:c2, sqs, efs still new
        # today's new: 20 a day less the one introduced, but only 3 unseen cards are active
        assert app.screen.query_one(DataTable).get_row_at(0)[1] == "3"


async def test_grade_buttons_work_with_the_mouse(demo_db: Database, clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "space")
        await pilot.click("#grade-4")
        assert reviews(demo_db) == [("demo/s3-standard", 4)]


async def test_palette_offers_the_live_keys(demo_db: Database, clock: FakeClock) -> None:
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Show/accept" in titles and "Suspend" in titles
        assert "Good" not in titles  # grading does not apply before the answer shows
        await pilot.press("space")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Good" in titles
