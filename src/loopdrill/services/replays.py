"""Replaying stored logs card by card, each from its newest manual baseline: what doctor,
rescheduling and the history import share (engine.replay does the replay itself).

A card's newest manual-log entry (forget, set-due, an Anki import of its schedule) is where
its state starts again: only the answers after it are replayed, from the state it left
(engine.replay.manual_start). Each deck's cards replay with its options and parameters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from loopdrill.core.timeutil import from_stamp, to_stamp
from loopdrill.engine.replay import (
    NEW_MEMORY,
    History,
    HistoryReplayer,
    MemoryRow,
    StepRow,
    batches,
    from_micros,
    manual_start,
    to_micros,
)
from loopdrill.services.params import ReplaySchedulers
from loopdrill.store.history import manual_baselines

Log = Sequence[tuple[int, int, int]]  # (time ms, rating, cram), oldest first
# what a caller passes per card: (its own key, card number, card id, deck, log)
Job = tuple[Any, int, str, str, Log]
HistoryJob = tuple[Any, int, str, str, History]  # the same with the log as a History


def _micros(log: Log) -> list[tuple[int, int, bool]]:
    """A log as engine.replay takes it: times in µs, cram as a bool."""
    return [(at * 1000, rating, bool(cram)) for at, rating, cram in log]


def stored_memory(memory: MemoryRow) -> tuple[Any, ...]:
    """A replayed memory as the cards table holds it (times as stamps), without the number."""
    state, step, s, d, due, last, reps, lapses = memory
    return (state, step, s, d, to_stamp(from_micros(due)) if due is not None else None,
            to_stamp(from_micros(last)) if last is not None else None, reps, lapses)


class Replays:
    """Replays stored logs: per deck a HistoryReplayer, per card its newest baseline."""

    def __init__(self, db: Database, *, rows: bool = False) -> None:
        self.schedulers = ReplaySchedulers(db)
        self.by_deck: dict[str, HistoryReplayer] = {}
        self.rows = rows  # whether the revlog columns are needed (an import writes them)
        self.baselines: dict[int, tuple[int, MemoryRow]] = {
            num: (to_micros(from_stamp(at)), manual_start(action, before, due))
            for num, at, action, before, due in manual_baselines(db)}

    def replayer(self, deck: str) -> HistoryReplayer:
        """The deck's replayer (its options and parameters; fuzz on the last answer)."""
        if deck not in self.by_deck:
            self.by_deck[deck] = HistoryReplayer(self.schedulers(deck)[1], rows=self.rows)
        return self.by_deck[deck]

    def run(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, list[StepRow], MemoryRow]]:
        """(job, revlog columns of each answer, memory after) per job, in order; the columns
        only with `rows` (empty otherwise)."""
        for (job, *_), rows, memory in self.run_histories(
                (job, job[1], job[2], job[3], _micros(job[4])) for job in jobs):
            yield job, rows, memory

    def run_histories(self, jobs: Iterable[HistoryJob]
                      ) -> Iterator[tuple[HistoryJob, list[StepRow], MemoryRow]]:
        """run() for jobs whose logs are histories already (times in µs)."""
        for chunk in batches(jobs, 4):
            yield from self._chunk(chunk)

    def _split(self, num: int, history: History) -> tuple[History, History, MemoryRow]:
        """A card's history as the answers before its newest baseline and those after it,
        and the state the replay of the latter starts from."""
        start, since = NEW_MEMORY, -1
        if num in self.baselines:
            since, start = self.baselines[num]
        after = [h for h in history if h[0] > since] if since >= 0 else history
        return history[:len(history) - len(after)], after, start

    def ending_with(self, job: Job, stability: float) -> MemoryRow:
        """The memory a job's replay leaves when its last answer's stability is `stability`
        (engine.replay.HistoryReplayer.replay's last_stability)."""
        _, num, card_id, deck, log = job
        _, after, start = self._split(num, _micros(log))
        return self.replayer(deck).replay(card_id, after, start, stability)[1]

    def _chunk(self, jobs: list[HistoryJob]
               ) -> Iterator[tuple[HistoryJob, list[StepRow], MemoryRow]]:
        by_deck: dict[str, list[tuple[int, str, History, MemoryRow]]] = defaultdict(list)
        for index, (_, num, card_id, deck, log) in enumerate(jobs):
            before, after, start = self._split(num, log)
            if self.rows and before:
                by_deck[deck].append((-1 - index, card_id, before, NEW_MEMORY))
            by_deck[deck].append((index, card_id, after, start))
        done: dict[int, tuple[list[StepRow], MemoryRow]] = {}
        for deck, work in by_deck.items():
            results = self.replayer(deck).replay_all((c, h, s) for _, c, h, s in work)
            done.update(zip((index for index, _, _, _ in work), results, strict=True))
        for index, job in enumerate(jobs):
            rows, memory = done.pop(index)
            earlier = done.pop(-1 - index, None)
            yield job, (earlier[0] + rows) if earlier else rows, memory
