"""Anki decks in an import: notes that moved between decks follow their guid with their
progress, a package's notes stay as it gave them when a text export of the deck comes, and
a package's media go beside the database."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sqlite_utils import Database

from loopdrill.core.cards import NOTE, card_id
from loopdrill.core.model import KINDS, SELF_GRADED, DeckSpec, Problem
from loopdrill.store.decks import deck_origin, item_kinds

if TYPE_CHECKING:
    from loopdrill.services.imports import Batch

ANKI_TEXT = (".txt", ".csv", ".tsv")
ANKI_PACKAGE = (".apkg", ".colpkg")
AUTO_GRADED = frozenset(KINDS) - SELF_GRADED  # numeric, choice, text, calc


def copy_media(db: Database, batch: Batch) -> None:
    """The packages' images and sounds, into the media folder beside the database."""
    from loopdrill.formats.anki_media import extract_media
    from loopdrill.services.media import media_folder

    folder = media_folder(db)
    if folder is None:
        return  # an in-memory database has no folder
    for package in batch.packages:
        try:
            written, skipped = extract_media(package, folder)
        except OSError as exc:
            batch.warnings.append(Problem(str(package), 0, f"media not copied to {folder} "
                                          f"({exc.strerror or exc})"))
            continue
        if written:
            batch.warnings.append(Problem(str(package), 0, f"{written:,} media file(s) copied "
                                          f"to {folder}"))
        if skipped:
            batch.warnings.append(Problem(str(package), 0, f"{skipped:,} media file(s) not "
                                          "copied (already there, unsafe name or too big)"))


def known_decks(db: Database, batch: Batch) -> None:
    """A deck of a text file named as Anki shows one of ours (its title path, as loopdrill's
    TSV export writes it: `AWS SLAs and limits`, `Every kind::Sub deck`) goes back to that
    deck, with its title, rather than to a new deck slugged from the name (a built-in deck
    then refuses a file that changes it, as always); a slug already in use stays. Its notes'
    GUIDs name our items by that deck's slug and their id (formats.export.anki_guid): they
    are read back as those ids; so is, in any Anki file, a GUID that names an item of ours
    whatever deck the file puts it in (a note moved in Anki: follow_guids moves its cards)."""
    from loopdrill.formats.export import anki_deck_names, item_id_of_guid
    from loopdrill.store.exported import deck_headers

    texts = [n for n, (spec, _) in enumerate(batch.decks) if spec.slug in batch.anki
             and spec.origin.lower().endswith(ANKI_TEXT)]
    if texts:
        known = deck_headers(db)
        names = anki_deck_names([DeckSpec(slug, title, ()) for slug, (title, _, _) in
                                 known.items()])
    for n in texts:
        spec, digest = batch.decks[n]
        found = [slug for slug, name in names.items() if name == spec.title]
        if len(found) == 1 and found[0] not in {s.slug for s, _ in batch.decks} \
                and deck_origin(db, spec.slug) is None:
            batch.anki.add(found[0])
            items = tuple(i._replace(id=item_id_of_guid(i.id, i.kind, found[0]))
                          for i in spec.items)
            batch.decks[n] = (replace(spec, slug=found[0], title=known[found[0]][0],
                                      items=items), digest)
    _our_guids(db, batch)


def _our_guids(db: Database, batch: Batch) -> None:
    """Items of Anki files whose GUID names an item of ours (`deck/item`: a note Anki made
    from our TSV export, which a package of Anki's then carries without our data), by that
    item's id, unless their deck has an item of that id already; their cards' states and
    reviews follow."""
    from loopdrill.store.moves import stored_items

    cards: dict[str, str] = {}  # card id with the GUID -> with the item id (no variant)
    for n, (spec, digest) in enumerate(batch.decks):
        if spec.slug not in batch.anki:
            continue
        ours = stored_items(db, [i.id for i in spec.items if "/" in i.id])
        taken = {i.id for i in spec.items}
        renamed = {guid: guid.partition("/")[2] for guid in ours
                   if guid.partition("/")[2] not in taken}
        if not renamed:
            continue
        cards.update((card_id(spec.slug, guid), card_id(spec.slug, item))
                     for guid, item in renamed.items())
        batch.decks[n] = (replace(spec, items=tuple(
            i._replace(id=renamed.get(i.id, i.id)) for i in spec.items)), digest)
    if cards and (batch.states or batch.reviews):
        def moved(cid: str) -> str:
            head, colon, variant = cid.rpartition(":")
            return cards.get(cid) or (f"{cards[head]}:{variant}" if colon and head in cards
                                      else cid)

        batch.states = {moved(cid): state for cid, state in batch.states.items()}
        batch.reviews = [r._replace(card_id=moved(r.card_id)) for r in batch.reviews]


def follow_guids(db: Database, spec: DeckSpec, batch: Batch) -> DeckSpec:
    """Notes of this deck that are already cards of one other deck move here with their
    progress (a note moved between decks in Anki: its guid is the same). Not when that deck
    also holds the note in this batch; and a text file does not take a note from a deck a
    package put it in (a text export names a card's filtered deck, a package its home deck):
    the note stays there and leaves this deck. Returns the deck left to write."""
    from loopdrill.store.moves import elsewhere, ensure_deck, move_items

    places = elsewhere(db, spec.slug, [item.id for item in spec.items])
    from_text = spec.origin.lower().endswith(ANKI_TEXT)
    if from_text:
        _kind_changes(db, spec, batch)
    if not places:
        return _package_notes_kept(db, spec, batch) if from_text else spec
    in_batch = {s.slug: {i.id for i in s.items} for s, _ in batch.decks}
    moves, stay = [], set()
    for item, (other, origin) in places.items():
        if item in in_batch.get(other, ()):
            continue
        if from_text and origin.lower().endswith(ANKI_PACKAGE):
            stay.add(item)
        else:
            moves.append((other, spec.slug, item))
    if moves:
        ensure_deck(db, spec.slug, spec.title)
        moved = move_items(db, moves)
        if moved:
            batch.warnings.append(Problem(spec.origin, 0, f"{moved:,} card(s) moved to deck "
                                          f"{spec.slug!r} with their progress (their notes "
                                          "were in another deck before)"))
    spec = _package_notes_kept(db, spec, batch) if from_text else spec
    if not stay:
        return spec
    batch.warnings.append(Problem(spec.origin, 0, f"{len(stay):,} note(s) of deck "
                                  f"{spec.title!r} stay in the deck their package gave them "
                                  "(a filtered deck in Anki?)"))
    return replace(spec, items=tuple(i for i in spec.items if i.id not in stay))


def _kind_changes(db: Database, spec: DeckSpec, batch: Batch) -> None:
    """One warning line when a text file makes auto-graded cards (numeric, choice, calc,
    text) another kind: a file that went through Anki has lost the `loopdrill item` column
    that kept their kind."""
    stored = item_kinds(db, spec.slug)
    changes: dict[str, int] = {}
    for item in spec.items:
        before = stored.get(item.id)
        cards = item.fields.get("cards") if item.kind == NOTE else None
        after = str(cards[0].get("kind")) if isinstance(cards, list) and cards else item.kind
        if before in AUTO_GRADED and after != before:
            changes[f"{before} -> {after}"] = changes.get(f"{before} -> {after}", 0) + 1
    if changes:
        what = ", ".join(f"{change}: {count:,}" for change, count in sorted(changes.items()))
        batch.warnings.append(Problem(spec.origin, 0, f"{sum(changes.values()):,} card(s) of "
                                      f"deck {spec.title!r} change kind ({what}): the file "
                                      "does not say their kind (loopdrill's TSV export keeps "
                                      "it in its `loopdrill item` column)"))


def _package_notes_kept(db: Database, spec: DeckSpec, batch: Batch) -> DeckSpec:
    """Notes a package brought (each card from its own template) are kept as the package
    gave them when a text file of this deck comes: a text export has no templates, and
    would leave a 3-card note with one card; and the package's notes the text leaves out
    (it names a filtered deck instead of their home deck) are not retired."""
    from loopdrill.services.export import load_decks

    origin = deck_origin(db, spec.slug)
    if origin is None or not origin.lower().endswith(ANKI_PACKAGE):
        return spec
    stored = {item.id: item for item in load_decks(db, [spec.slug])[0].items
              if item.kind == "anki"}
    kept = [stored.get(item.id, item) for item in spec.items]
    count = sum(1 for item in spec.items if item.id in stored  # a changed note only
                and (item.kind, item.fields) != (stored[item.id].kind, stored[item.id].fields))
    named = {item.id for item in spec.items}
    kept += [item for item_id, item in stored.items() if item_id not in named]  # not retired
    if count:
        batch.warnings.append(Problem(spec.origin, 0, f"{count:,} note(s) of deck "
                                      f"{spec.title!r} kept as their package gave them (a "
                                      "text file has no card templates)"))
    return replace(spec, items=tuple(kept), origin=origin)
