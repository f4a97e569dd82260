"""Editing one item in the user's editor, progress kept; local overrides of built-in items
that survive updates of the built-in decks; hiding and deleting decks.

The edited text is a deck file holding the one item, checked by the same parser as
`loopdrill check`. A built-in item's edit is kept as an override and applied again each time
the built-in decks are reloaded."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from loopdrill import paths
from loopdrill.core.cards import items_from_cards
from loopdrill.core.model import CardSpec, DeckError, Item, Problem
from loopdrill.core.timeutil import to_stamp
from loopdrill.formats.export import item_digest, item_document
from loopdrill.processes import scratch_dir
from loopdrill.store import items as store_items
from loopdrill.store.items import ItemPlace, Override
from loopdrill.store.rows import tags_from_text
from loopdrill.store.tx import transaction

HEADER = ("# loopdrill edit {card}: save and close to apply; empty the file to abandon.\n"
          "# Keep `deck:` and the item's `id:` (the card's progress follows the id).\n")


class EditError(Exception):
    """The card cannot be edited (unknown id, nothing to revert); one sentence."""


@dataclass(frozen=True)
class EditTarget:
    """The item a card belongs to, and the text the editor opens."""

    card_id: str
    place: ItemPlace
    item: Item
    text: str


def edit_target(db: Database, card_id: str) -> EditTarget:
    """The item of a card, as a one-item deck file."""
    place = store_items.item_place(db, card_id)
    if place is None:
        raise EditError(f"no card {card_id!r}; `loopdrill cards QUERY` finds ids")
    cards = [CardSpec(id=str(r[0]), deck=place.deck, item=place.item, variant=str(r[1]),
                      kind=str(r[2]), content=json.loads(str(r[3])),
                      tags=tags_from_text(str(r[4])), source=str(r[5]) if r[5] else None,
                      as_of=dt.date.fromisoformat(str(r[6])) if r[6] else None,
                      position=int(str(r[7])))
             for r in store_items.item_cards(db, place.deck, place.item)]
    if not cards:
        raise EditError(f"card {card_id!r} belongs to a retired item; it cannot be edited")
    item = items_from_cards(cards)[0]
    text = HEADER.format(card=card_id) + item_document(place.deck, place.title, item)
    return EditTarget(card_id, place, item, text)


def check_text(target: EditTarget, text: str) -> Item | None:
    """The edited item, or None when the file was emptied (abandon); DeckError lists every
    problem, as `loopdrill check` would."""
    if not any(line.strip() and not line.lstrip().startswith("#")
               for line in text.splitlines()):
        return None
    name = f"edit of {target.card_id}"
    from loopdrill.formats.native import parse_deck  # YAML and the graded kinds: only here

    deck = parse_deck(text, name)
    problems = []
    if deck.slug != target.place.deck:
        problems.append(Problem(name, 0, f"keep `deck: {target.place.deck}` (an edit cannot "
                                         "move an item to another deck)"))
    if len(deck.items) != 1:
        problems.append(Problem(name, 0, f"the file must hold exactly one item, not "
                                         f"{len(deck.items)}"))
    elif deck.items[0].id != target.place.item:
        problems.append(Problem(name, deck.items[0].line, f"keep `id: {target.place.item}`: "
                                                          "the card's progress follows it"))
    if problems:
        raise DeckError(problems)
    return deck.items[0]


def save(db: Database, target: EditTarget, item: Item, text: str, now: dt.datetime) -> bool:
    """Write the edited item (progress kept); a built-in item's edit becomes an override.
    False when the item did not change."""
    if item_digest(item) == item_digest(target.item):
        return False
    with transaction(db):
        store_items.replace_item(db, target.place.deck, item, target.place.position, now)
        if target.place.builtin:
            shipped = shipped_items().get((target.place.deck, item.id))
            store_items.set_override(db, Override(
                target.place.deck, item.id, text, item_digest(shipped) if shipped else "",
                to_stamp(now)))
    return True


def edit_loop(db: Database, card_id: str, now: dt.datetime, run_editor: Callable[[Path], None],
              again: Callable[[DeckError], bool]) -> str:
    """Open the item in the editor until it is saved valid, emptied, or abandoned after an
    error (`again` shows the problems and says whether to edit again; EditError when not);
    what happened, in a line."""
    target = edit_target(db, card_id)
    with scratch_dir("loopdrill-edit-") as folder:  # swept by a later edit if killed
        path = folder / f"{target.place.deck}-{target.place.item}.yaml"
        path.write_text(target.text, encoding="utf-8")
        while True:
            run_editor(path)
            text = path.read_text(encoding="utf-8", errors="replace")
            try:
                item = check_text(target, text)
            except DeckError as exc:
                if again(exc):
                    continue
                raise EditError("edit abandoned: it had errors; nothing changed") from None
            if item is None:
                return "abandoned: the file was empty; nothing changed"
            if not save(db, target, item, text, now):
                return "no change"
            kept = " as a local override of the built-in deck" if target.place.builtin else ""
            return f"saved {target.place.deck}/{target.place.item}{kept}; progress kept"


def editor_command() -> list[str]:
    """$VISUAL, else $EDITOR, else nano, else vi."""
    for variable in ("VISUAL", "EDITOR"):
        chosen = os.environ.get(variable, "").strip()
        if chosen:
            try:
                return shlex.split(chosen)
            except ValueError:
                raise EditError(f"${variable}={chosen!r} is not a command line") from None
    for fallback in ("nano", "vi"):
        if shutil.which(fallback):
            return [fallback]
    raise EditError("no editor: set $EDITOR (nano and vi are not installed either)")


def run_editor(path: Path) -> None:
    """Open `path` in the user's editor and wait for it to close."""
    command = editor_command()
    try:
        subprocess.run([*command, str(path)], check=False)
    except OSError as exc:
        raise EditError(f"cannot run the editor {command[0]!r}: {exc.strerror}") from None


def shipped_items(folder: Path | None = None) -> dict[tuple[str, str], Item]:
    """Every item of the built-in deck files, by (deck, item id)."""
    from loopdrill.formats.native import read_deck

    found: dict[tuple[str, str], Item] = {}
    for path in sorted((folder or paths.builtin_decks()).glob("*.yaml")):
        try:
            deck = read_deck(path)
        except DeckError:
            continue
        found.update(((deck.slug, item.id), item) for item in deck.items)
    return found


def reapply_overrides(db: Database, deck: str, now: dt.datetime) -> int:
    """Write a built-in deck's overrides over the text just loaded from its file (the caller
    holds the transaction); how many."""
    from loopdrill.formats.native import parse_deck

    count = 0
    for override in store_items.overrides(db, deck):
        try:
            item = parse_deck(override.text).items[0]
        except (DeckError, IndexError):
            continue  # checked when saved; a later loopdrill may refuse it: shipped text stays
        current = store_items.item_cards(db, deck, item.id)
        position = int(str(current[0][7])) if current else 0
        store_items.replace_item(db, deck, item, position, now)
        count += 1
    return count


def revert(db: Database, card_id: str, now: dt.datetime) -> str:
    """Drop the override of a built-in card's item and bring back the shipped text."""
    place = store_items.item_place(db, card_id)
    if place is None:
        raise EditError(f"no card {card_id!r}; `loopdrill cards QUERY` finds ids")
    shipped = shipped_items().get((place.deck, place.item))
    with transaction(db):
        if not store_items.drop_override(db, place.deck, place.item):
            raise EditError(f"{place.deck}/{place.item} has no local override to revert")
        if shipped is not None:
            store_items.replace_item(db, place.deck, shipped, place.position, now)
    return f"reverted {place.deck}/{place.item} to the shipped text; progress kept"


def changed_overrides(db: Database, folder: Path | None = None) -> list[str]:
    """One line per override whose shipped item changed (or went) since it was made."""
    shipped = shipped_items(folder)
    lines = []
    for override in store_items.overrides(db):
        now_shipped = shipped.get((override.deck, override.item))
        if now_shipped is None:
            lines.append(f"{override.deck}/{override.item}: your local edit overrides an item "
                         "the built-in deck no longer ships")
        elif item_digest(now_shipped) != override.shipped:
            lines.append(f"{override.deck}/{override.item}: the built-in card changed since "
                         "you edited it; `loopdrill edit ID --revert` takes the new text")
    return lines
