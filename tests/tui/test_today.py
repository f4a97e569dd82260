"""Today's counts (new / learning / review within the limits) on Home, in the drill header
and in `decks --json`; why a session ended; custom study; the empty states."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlite_utils import Database
from textual.widgets import Button, DataTable, Static

from loopdrill.cli import cli
from loopdrill.services.config import set_value
from loopdrill.services.today import today_counts
from loopdrill.store.db import open_db
from loopdrill.tui.app import LoopdrillApp
from loopdrill.tui.drill import DrillScreen
from loopdrill.tui.home import HomeScreen
from loopdrill.tui.summary import SummaryScreen
from tests.conftest import FakeClock


def home_row(app: LoopdrillApp) -> list[str]:
    return [str(cell) for cell in app.screen.query_one(DataTable).get_row_at(0)]


def ending(app: LoopdrillApp) -> str:
    return str(app.screen.query_one("#summary-ending", Static).render())


async def test_limit_reached_says_which_and_offers_custom_study(demo_db: Database,
                                                                clock: FakeClock) -> None:
    set_value(demo_db, "new_per_day", "2", None)
    set_value(demo_db, "bury_siblings", "false", None)  # plain counting: no sibling hidden
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert home_row(app)[:5] == ["demo", "2", "0", "0", "6"]
        assert "Today: 2 new · 0 learning · 0 review" in str(
            app.screen.query_one("#home-summary", Static).render())
        await pilot.press("a")
        drill = app.screen
        assert isinstance(drill, DrillScreen)
        assert "new 2 · learning 0 · review 0" in str(drill.query_one("#status").render())
        await pilot.press("space", "4", "space", "4")  # Easy: both straight to review
        assert isinstance(app.screen, SummaryScreen)
        assert ending(app) == "Today's new-card limit is reached (2 a day); 4 new cards waiting."
        app.screen.query_one("#summary-count").value = "3"  # type: ignore[attr-defined]
        await pilot.click("#summary-more-go")
        await pilot.pause()
        assert app.screen is drill and drill.shown is not None  # three more today
        assert "new 3" in str(drill.query_one("#status").render())
        await pilot.press("space", "4", "space", "4", "space", "4")
        assert isinstance(app.screen, SummaryScreen)
        assert "limit is reached (5 a day); 1 new card waiting" in ending(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert home_row(app)[1] == "0"
    # the setting itself is unchanged:
    assert demo_db.conn.execute("SELECT value FROM options WHERE key = 'new_per_day'"
                                ).fetchone()[0] == "2"


async def test_empty_states(demo_db: Database, clock: FakeClock, tmp_path: Path) -> None:
    # nothing due: every card studied, next due tomorrow or later
    set_value(demo_db, "new_per_day", "100", None)
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", *["space", "4"] * 6)
        assert isinstance(app.screen, SummaryScreen)
        assert ending(app).startswith("Nothing more is due today. The next is due")
        assert not app.screen.query(Button).filter("#summary-more-go")
        await pilot.press("escape")
        await pilot.pause()
        assert home_row(app)[1:4] == ["0", "0", "0"]
    # every card suspended
    demo_db.conn.execute("UPDATE cards SET suspended = 1")
    demo_db.conn.commit()
    app = LoopdrillApp(demo_db, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert ending(app) == ("Every card here is suspended (6 cards): loopdrill unsuspend "
                               "brings them back.")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    # empty database: no decks, Home says how to import; drilling is not offered
    empty = open_db(tmp_path / "empty.db")
    app = LoopdrillApp(empty, clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "No decks yet" in str(app.screen.query_one("#home-summary", Static).render())
        assert not app.screen.check_action("drill_all", ())
        await pilot.press("a", "enter")
        assert isinstance(app.screen, HomeScreen)
    empty.conn.close()


def test_decks_json_has_todays_counts_as_home(db_path: Path) -> None:
    result = CliRunner().invoke(cli, ["decks", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    db = open_db(db_path)
    per_deck, total = today_counts(db, FakeClock()())
    for row in rows:
        assert row["today"] == vars(per_deck[row["slug"]])
        assert row["today"]["new"] <= 20
    assert total.new == 20  # the overall limit: 20 new a day over every deck
    db.conn.close()


async def test_home_follows_changes_made_elsewhere(tmp_path: Path, clock: FakeClock) -> None:
    from loopdrill.formats.native import read_deck
    from loopdrill.store.decks import sync_deck
    from loopdrill.store.tx import transaction
    from tests.conftest import DEMO_DECK

    path = tmp_path / "shared.db"
    mine, theirs = open_db(path), open_db(path)
    deck = tmp_path / "demo.yaml"
    deck.write_text(DEMO_DECK)
    with transaction(mine):
        sync_deck(mine, read_deck(deck), clock())

    def refit() -> str:  # the launch refit, on its thread's own connection, changes things
        own = open_db(path)
        set_value(own, "new_per_day", "3", None)
        own.conn.close()
        return "FSRS refitted: due today 0 → 0."

    app = LoopdrillApp(mine, clock, fuzz=False, background=refit)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert home_row(app)[1] == "3"  # refreshed with the refit's message, no key pressed
        set_value(theirs, "new_per_day", "1", None)  # another terminal: loopdrill config
        app.check_for_changes()  # what the 2-second timer does
        await pilot.pause()
        assert home_row(app)[1] == "1"
    mine.conn.close()
    theirs.conn.close()
