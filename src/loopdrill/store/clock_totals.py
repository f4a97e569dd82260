"""Answers by study day and local hour of the day, and when cards were added.

review_clock: answers (cram included) per study day, deck and local hour (both stored on the
revlog row when it was written), with how many passed (not Again): the stats' hour-of-day
chart over any period reads a few thousand rows instead of every review. It is one of the
revlog's running totals (store.aggregates keeps it with the others).
cards_added: an index on cards.added (m005_i16_browser; ms since the epoch since
m_size14_added_ms), so "cards added" in a period is a range count.
"""

from __future__ import annotations

CLOCK_TABLE = """
CREATE TABLE IF NOT EXISTS review_clock (
    day TEXT NOT NULL, deck TEXT NOT NULL, hour INTEGER NOT NULL,
    n INTEGER NOT NULL, passed INTEGER NOT NULL,
    PRIMARY KEY (day, deck, hour)
) WITHOUT ROWID
"""

# studied cards' memory, for the stats' distributions without visiting the table (most cards of
# a big collection are new and not in it); m_size14_studied_in_queue replaces it by
# STUDIED_QUEUE_INDEX, which holds the same columns
STUDIED_INDEX = ("CREATE INDEX cards_studied ON cards(deck, state, due, last_review, stability, "
                 "difficulty, retired) WHERE state > 0")

# cards_review_queue (m001) with difficulty: the queue's covering index is also the studied
# cards' (the stats read it with `state > 0`), so cards_studied, which held the same columns
# again for the 20% of cards studied, goes (2.3 MB at 100,000 cards, 20,000 studied)
STUDIED_QUEUE_INDEX = ("CREATE INDEX cards_review_queue ON cards(state, due, deck, stability, "
                       "last_review, suspended, retired, buried_until, difficulty, id)")

# lapsed cards with what the weak spots and leeches read of them (replaces m001's cards_lapsed,
# which held only the deck)
LAPSED_INDEX = ("CREATE INDEX cards_lapsed_tags ON cards(deck, tags, lapses, retired) "
                "WHERE lapses > 0")

# no IF NOT EXISTS: store.bulk.indexes_dropped reads the index name from its DDL
ADDED_INDEX = "CREATE INDEX cards_added ON cards(added, deck)"
