"""What the stats report holds (DESIGN.md section 6 and issue 19): plain dataclasses that the
CLI, the JSON and the Stats screen render."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from loopdrill.core.retention import ratio
from loopdrill.store.queries import Scope

# the period every section that looks back follows: its length in study days (None: all)
PERIOD_DAYS: dict[str, int | None] = {"1m": 30, "3m": 90, "1y": 365, "all": None}
PERIOD_NAMES = {"1m": "last month", "3m": "last 3 months", "1y": "last year",
                "all": "all time"}
DEFAULT_PERIOD = "1m"
# the true-retention rows: (first, last) days back from today
RETENTION_ROWS = {"today": (0, 0), "yesterday": (1, 1), "7d": (0, 6), "30d": (0, 29),
                  "365d": (0, 364)}
STATES = ("new", "learning", "young", "mature", "relearning", "suspended", "buried",
          "retired")


class StatsError(ValueError):
    """An unknown deck, tag or period, or an exam date that cannot be used; one sentence."""


@dataclass
class Retention:
    """True retention of review-state answers in one period."""

    period: str
    young_passed: int = 0
    young_total: int = 0
    mature_passed: int = 0
    mature_total: int = 0

    @property
    def young(self) -> float | None:
        return ratio(self.young_passed, self.young_total)

    @property
    def mature(self) -> float | None:
        return ratio(self.mature_passed, self.mature_total)

    @property
    def overall(self) -> float | None:
        return ratio(self.young_passed + self.mature_passed,
                     self.young_total + self.mature_total)

    @property
    def total(self) -> int:
        return self.young_total + self.mature_total


@dataclass
class DeckLine:
    """Per deck (or tag): true retention of all time, lapses, readiness."""

    name: str
    reviews: int = 0
    passed: int = 0
    lapses: int = 0
    studied: int = 0
    new: int = 0
    exam_retention: float | None = None
    exam_below: int = 0

    @property
    def retention(self) -> float | None:
        return ratio(self.passed, self.reviews)

    @property
    def exam_known(self) -> float | None:
        """Expected share of the line's cards recalled on the exam date, never-studied cards
        counted as not known."""
        if self.exam_retention is None and not self.new:
            return None
        return ratio((self.exam_retention or 0.0) * self.studied, self.studied + self.new)


@dataclass
class Totals:
    """Totals of the chosen period (answers of every kind, cram included)."""

    period: str
    first_day: dt.date | None = None  # None: nothing answered yet ("all")
    days: int = 0  # study days in the period
    days_studied: int = 0
    reviews: int = 0
    again: int = 0
    cram: int = 0
    minutes: float = 0.0
    cards_added: int = 0

    @property
    def per_studied_day(self) -> float | None:
        return ratio(self.reviews, self.days_studied)


@dataclass
class Readiness:
    """Every card of the scope on the exam date: studied ones by their predicted recall,
    never-studied ones as not known."""

    exam: dt.date
    days_left: int
    studied: int = 0
    new: int = 0
    recall_sum: float = 0.0  # sum of predicted recall on the exam date over studied cards
    below: int = 0  # studied cards under 0.8 then

    @property
    def cards(self) -> int:
        return self.studied + self.new

    @property
    def known(self) -> float | None:
        return ratio(self.recall_sum, self.cards)

    @property
    def new_per_day(self) -> int:
        """New cards a day, from today to the day before the exam, that would see every
        never-studied card in time."""
        return math.ceil(self.new / self.days_left) if self.new else 0


@dataclass
class Histogram:
    """Studied cards per bin of one quantity."""

    name: str
    unit: str
    labels: list[str]
    counts: list[int]


@dataclass
class StatsReport:
    """Every figure of the stats screen and `loopdrill stats`."""

    scope: Scope
    today: dt.date
    exam: dt.date | None
    period: str = DEFAULT_PERIOD
    desired_retention: float = 0.9
    headline: list[str] = field(default_factory=list)
    totals: Totals = field(default_factory=lambda: Totals(DEFAULT_PERIOD))
    studied_today: int = 0
    reviews_today: int = 0
    minutes_today: float = 0.0
    again_today: int = 0
    retention: list[Retention] = field(default_factory=list)
    period_retention: Retention = field(default_factory=lambda: Retention(DEFAULT_PERIOD))
    predicted_retention: float | None = None
    knowledge: float = 0.0
    studied_cards: int = 0
    backlog: int = 0
    forecast: list[int] = field(default_factory=lambda: [0] * 30)
    calendar: dict[str, int] = field(default_factory=dict)
    streak_current: int = 0
    streak_longest: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    deck_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    buttons: dict[str, list[int]] = field(default_factory=dict)
    minutes_per_day: dict[str, float] = field(default_factory=dict)
    hours: list[list[int]] = field(default_factory=lambda: [[0, 0] for _ in range(24)])
    histograms: list[Histogram] = field(default_factory=list)
    calibration: list[dict[str, Any]] = field(default_factory=list)
    log_loss: float | None = None
    rmse_bins: float | None = None
    calibration_reviews: int = 0
    decks: list[DeckLine] = field(default_factory=list)
    tags: list[DeckLine] = field(default_factory=list)
    leeches: list[dict[str, Any]] = field(default_factory=list)
    readiness: Readiness | None = None

    @property
    def empty(self) -> bool:
        return not self.calendar and not self.studied_cards and not self.streak_longest

    @property
    def retention_today(self) -> float | None:
        return self.retention[0].overall if self.retention else None
