"""Search queries as SQL over a small database whose counts are checked by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlite_utils import Database

from loopdrill.core.model import Rating
from loopdrill.core.timeutil import to_ms
from loopdrill.services.browse import count_cards, find_cards
from loopdrill.services.session import DrillSession
from tests.conftest import NOW, FakeClock


@pytest.fixture
def search_db(demo_db: Database) -> Database:
    """demo's six cards after two answers, plus hand-made rows:

    demo/s3-standard      answered Again at NOW: learning, due NOW + 1 min
    demo/s3-standard:r    new, buried until tomorrow (sibling)
    demo/slo-shape:c1     answered Easy at NOW: review
    demo/slo-shape:c2     new, buried (sibling)
    demo/sqs-standard     new, flag 2, tags pricing leech
    demo/efs-standard     new, suspended
    demo::sub/x           new, in a child deck, tag pricing::aws, numeric, added 40 days ago
    demox/y               new, in a deck whose name only starts like demo, retired
    """
    session = DrillSession(demo_db, FakeClock(), fuzz=False)
    for rating in (Rating.AGAIN, Rating.EASY):
        assert session.next_card() is not None
        session.answer(rating)
    conn = demo_db.conn
    conn.execute("UPDATE cards SET flag = 2, tags = ' pricing leech ' "
                 "WHERE id = 'demo/sqs-standard'")
    conn.execute("UPDATE cards SET suspended = 1 WHERE id = 'demo/efs-standard'")
    old = to_ms(NOW - dt.timedelta(days=40))
    for slug in ("demo::sub", "demox"):
        conn.execute("INSERT INTO decks (slug, title) VALUES (?, ?)", (slug, slug))
    conn.execute("INSERT INTO cards (id, deck, item, kind, content, tags, added, as_of) VALUES "
                 "('demo::sub/x', 'demo::sub', 'x', 'numeric', "
                 "'{\"front\": \"Lambda GB-second price?\", \"answer\": 1.6e-05}', "
                 "' pricing::aws ', ?, '2025-01-01')", (old,))
    conn.execute("INSERT INTO cards (id, deck, item, kind, content, retired, added) VALUES "
                 "('demox/y', 'demox', 'y', 'basic', '{\"front\": \"Y\", \"back\": \"100%\"}', "
                 "1, ?)", (old,))
    return demo_db


@pytest.mark.parametrize(("query", "expected"), [
    ("", 7),  # everything but the retired card
    ("deck:demo", 7),  # the child deck too, not demox
    ("deck:demo::sub", 1),
    ("deck:demox", 0),  # its one card is retired
    ("deck:demox is:retired", 1),
    ("deck:dem*", 7),
    ("is:retired", 1),
    ("tag:pricing", 7),  # every demo card has it; pricing::aws is a child tag
    ("tag:pricing::aws", 1),
    ("tag:pric", 0),
    ("id:demo/s3-standard", 2),  # the item's main card and its :r variant
    ("id:demo/s3-standard:r", 1),
    ("kind:cloze", 2),
    ("kind:numeric", 1),
    ("is:new", 5),
    ("is:learning", 1),
    ("is:review", 1),
    ("is:due", 1),  # the learning card (due in a minute, before the day ends)
    ("is:suspended", 1),
    ("is:buried", 2),
    ("is:leech", 1),
    ("is:stale", 1),  # as of 2025-01-01
    ("is:flagged", 1),
    ("flag:2", 1),
    ("flag:1", 0),
    ("flag:0", 6),
    ("prop:due<1", 1),  # today: the learning card
    ("prop:due>=1", 1),  # the Easy card
    ("prop:ivl>=1", 1),
    ("prop:reps=1", 2),
    ("prop:lapses>0", 0),
    ("prop:s>0", 2),
    ("prop:r<=1", 2),
    ("prop:r<0.5", 0),
    ("rated:1", 2),
    ("rated:1:1", 1),
    ("rated:1:4", 1),
    ("added:30", 6),  # the demo deck's cards, loaded at NOW; demo::sub/x is 40 days old
    ("added:41", 7),
    ("s3", 2),  # front and back of the reversible pair
    ("S3 STANDARD", 2),  # two words, case-insensitive
    ('"s3 standard"', 2),
    ("front:$0.023", 1),  # the reversed card's front
    ("back:$0.023", 1),
    ("28-day", 2),  # cloze text
    ("gb-second", 1),  # numeric front
    ("100%", 0),  # % is literal text (the retired card has it)
    ("s3*month", 2),
    ("-is:new", 2),
    ("is:new -is:buried", 3),
    ("is:learning or is:review", 2),
    ("-(is:learning or is:review) -is:suspended", 4),
    ("-is:buried", 5),  # NULL buried_until counts as not buried
    ("-prop:s>0", 5),  # new cards have no stability: not > 0
])
def test_counts(search_db: Database, query: str, expected: int) -> None:
    assert count_cards(search_db, query, NOW) == expected
    assert len(find_cards(search_db, query, NOW)) == expected


def test_user_text_is_never_sql(search_db: Database) -> None:
    for query in ["x' OR 1=1 --x", "deck:\"a' OR '1'='1\"", 'tag:"%"', "_", "\\"]:
        assert count_cards(search_db, query, NOW) == 0


def test_sorts(search_db: Database) -> None:
    due = [line.id for line in find_cards(search_db, "-is:new", NOW, sort="due")]
    assert due == ["demo/s3-standard", "demo/slo-shape:c1"]
    first = find_cards(search_db, "", NOW, limit=2)
    assert [line.id for line in first] == ["demo/s3-standard", "demo/s3-standard:r"]
    newest = find_cards(search_db, "", NOW, sort="added")
    assert newest[-1].id == "demo::sub/x"
    by_r = find_cards(search_db, "prop:s>0", NOW, sort="r")
    assert by_r[0].retrievability is not None
    assert by_r[0].retrievability <= (by_r[1].retrievability or 1)
