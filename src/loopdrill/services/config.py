"""Options as the user sees them: defaults < global config < deck file < deck config."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlite_utils import Database

from loopdrill.core.options import GLOBAL_ONLY, NAMES, OptionError, Options, merge, parse_option
from loopdrill.core.text import shown
from loopdrill.store import settings
from loopdrill.store.decks import deck_family, deck_options, no_deck_named

RESCHEDULING = frozenset({"desired_retention", "learning_steps", "relearning_steps",
                          "maximum_interval"})


def global_options(db: Database) -> Options:
    """Options with only the global layer applied."""
    return merge(Options(), settings.get_options(db))


def options_for(db: Database, deck: str | None) -> Options:
    """The options in force for a deck (or globally when deck is None)."""
    layers: list[dict[str, Any]] = [settings.get_options(db)]
    if deck is not None:
        file_layer = {k: v for k, v in deck_options(db, deck).items() if k not in GLOBAL_ONLY}
        deck_layer = settings.get_options(db, deck)
        layers += [file_layer, deck_layer]
    return merge(Options(), *layers)


def describe(db: Database, deck: str | None) -> list[tuple[str, Any, str]]:
    """Every option with its value in force for one deck (or globally) and where that value
    comes from."""
    decks = deck_scope(db, deck)
    if deck is not None and deck not in decks:
        raise OptionError(f"--deck: {deck!r} is not a deck itself; its decks are "
                          + ", ".join(decks))
    defaults = asdict(Options())
    layers = [("global", settings.get_options(db))]
    if deck is not None:
        layers += [("deck file", deck_options(db, deck)), ("deck", settings.get_options(db, deck))]
    out = []
    for key in NAMES:
        value, origin = defaults[key], "default"
        for name, layer in layers:
            if key in layer and not (name != "global" and key in GLOBAL_ONLY):
                value, origin = parse_option(key, layer[key]), name
        out.append((key, value, origin))
    return out


def deck_scope(db: Database, deck: str | None) -> list[str]:
    """The decks `--deck DECK` reaches: the deck and every deck under it in its tree (a
    parent need not be a deck of its own), as every other command reads it; [] for the global
    scope (no --deck). OptionError when no deck has that name."""
    if deck is None:
        return []
    family = deck_family(db, deck)
    if not family:
        raise OptionError(no_deck_named(deck))
    return family


def set_value(db: Database, key: str, raw: str, deck: str | None) -> Any:
    """Check and store one option, globally or for every deck `deck` reaches (deck_scope);
    returns the value as stored."""
    decks = deck_scope(db, deck)
    value = parse_option(key, raw)
    if deck is not None and key in GLOBAL_ONLY:
        raise OptionError(f"option {key} is global; set it without --deck")
    stored = list(value) if isinstance(value, tuple) else value
    for scope in decks or [settings.GLOBAL]:
        settings.set_option(db, key, stored, scope)
    return value


def unset_value(db: Database, key: str, deck: str | None) -> bool:
    """Remove one option from a scope (from every deck `deck` reaches); whether it was set
    in any."""
    decks = deck_scope(db, deck)
    if key not in NAMES:
        raise OptionError(f"unknown option {shown(key, 40)}; known options: {', '.join(NAMES)}")
    removed = [settings.unset_option(db, key, scope) for scope in decks or [settings.GLOBAL]]
    return any(removed)
