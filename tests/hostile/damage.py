"""A damage campaign (issue 15 item 7): damage a copy of a database one way at a time, run
the commands a user would (decks, stats, drill --plain, import, doctor) and sort what each
says: ok, a specific sentence, the generic "unexpected error" sentence, a traceback, a hang.
A drill that wrote into a file whose integrity check fails is counted too.

    python -m tests.hostile.damage --runs 95 --seed 15      # the whole campaign, ~10 min

tests/hostile/test_damage.py runs one sampled run per damage kind in the suite.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

NOW = "2026-12-05T09:00:00+00:00"
DECK = """deck: extra
title: Extra
items:
  - id: one
    front: One?
    back: "1"
"""
DRILL_INPUT = " \n3\n" * 6
COMMANDS: dict[str, list[str]] = {"decks": ["decks"], "stats": ["stats"],
                                  "drill": ["drill", "--plain", "--limit", "5"],
                                  "import": ["import"], "doctor": ["doctor"]}
Damage = Callable[[sqlite3.Connection, random.Random], str]


def drop_table(conn: sqlite3.Connection, rng: random.Random) -> str:
    table = rng.choice(["cards", "decks", "revlog", "review_days", "options", "meta",
                        "overrides", "manual_log", "review_cards", "revlog_typed"])
    conn.execute(f"DROP TABLE IF EXISTS {table}")
    return f"dropped table {table}"


def rename_column(conn: sqlite3.Connection, rng: random.Random) -> str:
    table, column = rng.choice([("cards", "due"), ("cards", "state"), ("cards", "content"),
                                ("cards", "deck"), ("cards", "stability"), ("cards", "num"),
                                ("decks", "title"), ("revlog", "at"), ("revlog", "rating"),
                                ("options", "value"), ("review_days", "n")])
    conn.execute(f"ALTER TABLE {table} RENAME COLUMN {column} TO {column}_renamed")
    return f"renamed {table}.{column}"


def bad_card_json(conn: sqlite3.Connection, rng: random.Random) -> str:
    bad = rng.choice(['{not json', '[]', '"text"', '', '{"front": 3', '{}', '{"front": null}'])
    many = rng.choice([3, 1000])  # a few cards (rarely met), or nearly all
    conn.execute("UPDATE cards SET content = ? WHERE rowid IN "
                 "(SELECT rowid FROM cards ORDER BY random() LIMIT ?)", (bad, many))
    return f"content {bad!r} in {min(many, 1000)} cards"


def bad_parameters(conn: sqlite3.Connection, rng: random.Random) -> str:
    value = rng.choice(["[0.4, 1.2, 3.1]", "[" + ", ".join(["0.5"] * 30) + "]", '"abc"',
                        "[null, 1]", "{bad"])
    key = rng.choice(["parameters", "parameters:aws-limits"])
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
    return f"meta {key} = {value[:20]}"


def non_iso_time(conn: sqlite3.Connection, rng: random.Random) -> str:
    table, column = rng.choice([("cards", "due"), ("cards", "last_review"),
                                ("cards", "buried_until"), ("cards", "as_of"),
                                ("manual_log", "at"), ("overrides", "created_at")])
    value = rng.choice(["yesterday", "2026-13-45", "12/05/2026", "", "2026-12-05T25:00"])
    if table == "cards":
        conn.execute(f"UPDATE cards SET {column} = ? WHERE rowid IN "
                     "(SELECT rowid FROM cards WHERE state > 0 OR ? ORDER BY random() LIMIT 3)",
                     (value, column in ("as_of", "buried_until")))
    else:
        conn.execute(f"UPDATE {table} SET {column} = ?", (value,))
    return f"{table}.{column} = {value!r}"


def raising_trigger(conn: sqlite3.Connection, rng: random.Random) -> str:
    event, table = rng.choice([("INSERT", "revlog"), ("UPDATE", "cards"),
                               ("INSERT", "cards"), ("UPDATE", "decks"),
                               ("DELETE", "revlog_undo"), ("INSERT", "review_days")])
    conn.execute(f"CREATE TRIGGER user_says_no BEFORE {event} ON {table} "
                 "BEGIN SELECT RAISE(ABORT, 'not today'); END")
    return f"trigger before {event} on {table}"


def garbage_pages(conn: sqlite3.Connection, rng: random.Random) -> str:
    """Marked for after the connection is closed: the pages are overwritten in the file."""
    return "garbage pages"


DAMAGES: dict[str, Damage] = {f.__name__: f for f in (
    drop_table, rename_column, bad_card_json, bad_parameters, non_iso_time, raising_trigger,
    garbage_pages)}


def overwrite_pages(path: Path, rng: random.Random, count: int = 20) -> str:
    size = path.stat().st_size
    with path.open("rb") as f:  # the page size, from the file's header
        f.seek(16)
        page = int.from_bytes(f.read(2), "big")
    pages = size // page
    chosen = rng.sample(range(1 if rng.random() < 0.9 else 0, pages), min(count, pages - 1))
    with path.open("r+b") as f:
        for number in chosen:
            f.seek(number * page)
            f.write(rng.randbytes(page))
    return f"{len(chosen)} of {pages} pages overwritten" + (" (page 1 too)" if 0 in chosen
                                                           else "")


def make_base(folder: Path, env: dict[str, str]) -> Path:
    """The built-in decks and a few days of answers."""
    base = folder / "base.db"
    for day in range(1, 5):
        day_env = dict(env, LOOPDRILL_DB=str(base),
                       LOOPDRILL_NOW=f"2026-12-0{day}T09:00:00+00:00")
        subprocess.run([sys.executable, "-m", "loopdrill", "drill", "--plain", "--limit", "12"],
                       input=" \n3\n 1\n" * 12, env=day_env, capture_output=True, text=True,
                       check=True)
    return base


def integrity(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return bool(conn.execute("PRAGMA quick_check").fetchone()[0] == "ok")
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def classify(rc: int | None, out: str, err: str) -> str:
    if rc is None:
        return "hang"
    if "Traceback" in out or "Traceback" in err:
        return "traceback"
    if "unexpected error" in err:
        return "generic"
    if rc == 0:
        return "ok"
    return "sentence"


def one_run(number: int, base: Path, folder: Path, env: dict[str, str], rng: random.Random,
            kind: str | None = None, timeout: float = 60.0) -> list[dict[str, object]]:
    """Damage a copy one way; run each command on a fresh copy of the damaged file."""
    kind = kind or rng.choice(list(DAMAGES))
    damaged = folder / f"damaged-{number}.db"
    shutil.copy(base, damaged)
    conn = sqlite3.connect(damaged, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    what = DAMAGES[kind](conn, rng)
    conn.close()
    if kind == "garbage_pages":
        what = overwrite_pages(damaged, rng, rng.choice([1, 2, 5, 20]))
    deck = folder / "extra.yaml"
    deck.write_text(DECK, encoding="utf-8")
    results = []
    for name, command in COMMANDS.items():
        target = folder / f"run-{number}-{name}.db"
        shutil.copy(damaged, target)
        args = command + ([str(deck)] if name == "import" else [])
        before = hashlib.sha256(target.read_bytes()).hexdigest()
        started = time.monotonic()
        try:
            done = subprocess.run([sys.executable, "-m", "loopdrill", "--db", str(target),
                                   *args], input=DRILL_INPUT if name == "drill" else "",
                                  env=dict(env, LOOPDRILL_NOW=NOW), capture_output=True,
                                  text=True, timeout=timeout)
            rc, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired:
            rc, out, err = None, "", ""
        wrote_damaged = (name == "drill" and not integrity(damaged)
                         and hashlib.sha256(target.read_bytes()).hexdigest() != before)
        said = next((line for line in err.splitlines() if line.startswith("error:")), "")
        results.append({"run": number, "kind": kind, "damage": what, "command": name,
                        "rc": rc, "class": classify(rc, out, err), "said": said[:300],
                        "seconds": round(time.monotonic() - started, 2),
                        "wrote_into_damaged": wrote_damaged,
                        "trace": err[-2000:] if "Traceback" in out + err else ""})
        for leftover in folder.glob(f"run-{number}-{name}.db*"):
            leftover.unlink()
    for leftover in folder.glob(f"damaged-{number}.db*"):
        leftover.unlink()
    return results


def environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HOME=str(folder / "home"), XDG_STATE_HOME=str(folder / "state"),
               XDG_DATA_HOME=str(folder / "data"))
    env.pop("LOOPDRILL_DEBUG", None)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=95)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--out", type=Path, default=None, help="JSON lines of every result")
    parser.add_argument("--kind", choices=list(DAMAGES), default=None, help="only this damage")
    opts = parser.parse_args()
    rng = random.Random(opts.seed)
    with tempfile.TemporaryDirectory(prefix="loopdrill-damage-") as tmp:
        folder = Path(tmp)
        env = environment(folder)
        base = make_base(folder, env)
        results = []
        for number in range(opts.runs):
            results += one_run(number, base, folder, env, rng, opts.kind)
            print(f"run {number + 1}/{opts.runs}: {results[-1]['damage']}", file=sys.stderr)
    if opts.out:
        opts.out.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    classes = collections.Counter(str(r["class"]) for r in results)
    print(f"{opts.runs} runs, {len(results)} commands: " + ", ".join(
        f"{n} {c}" for c, n in sorted(classes.items())))
    print(f"drill wrote into a damaged file: {sum(bool(r['wrote_into_damaged']) for r in results)}")
    by_kind: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for r in results:
        by_kind[str(r["kind"])][f"{r['command']}: {r['class']}: {r['said'] or 'ok'}"] += 1
    for kind, lines in sorted(by_kind.items()):
        print(f"\n== {kind}")
        for line, n in lines.most_common():
            print(f"  {n:3d}  {line[:230]}")


if __name__ == "__main__":
    main()
