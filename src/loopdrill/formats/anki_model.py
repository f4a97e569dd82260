"""The JSON an Anki collection of the legacy schema 11 keeps in its `col` row, for the .apkg
writer: note types (`models`), decks, deck presets (`dconf`) and the collection's `conf`.

Anki's stock note types are written as Anki 26 makes them (templates and css copied from a
collection it built), so a package's Basic or Cloze notes look as Anki's own do. Every key
Anki's schema-11 reader requires is present (rslib/src/notetype/schema11.rs,
decks/schema11.rs, deckconfig/schema11.rs)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from loopdrill.core.options import Options

CSS = (".card {\n    font-family: arial;\n    font-size: 20px;\n    line-height: 1.5;\n"
       "    text-align: center;\n    color: black;\n    background-color: white;\n}\n")
CLOZE_CSS = CSS + (".cloze {\n    font-weight: bold;\n    color: blue;\n}\n"
                   ".nightMode .cloze {\n    color: lightblue;\n}\n")
_ANSWER = "{{FrontSide}}\n\n<hr id=answer>\n\n"
LATEX_PRE = ("\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n"
             "\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n"
             "\\setlength{\\parindent}{0in}\n\\begin{document}\n")
FIELD_REF = re.compile(r"\{\{[#^/]?\s*(?:[\w-]+:)*([^}:#^/][^}]*?)\s*\}\}")


@dataclass(frozen=True)
class Model:
    """A note type as the package writes it; equal definitions share one note type."""

    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]  # (name, question, answer)
    cloze: bool = False
    css: str = CSS
    sortf: int = 0
    id: int = 0  # the id Anki gave it, for a note type that came from Anki; else derived

    def key(self) -> tuple[Any, ...]:
        """Equal definitions share one note type; one from Anki stays its own (its id)."""
        return (self.name, self.fields, self.templates, self.cloze, self.css, self.sortf,
                self.id)


BASIC = Model("Basic", ("Front", "Back"), (("Card 1", "{{Front}}", _ANSWER + "{{Back}}"),))
REVERSED = Model("Basic (and reversed card)", ("Front", "Back"), (
    ("Card 1", "{{Front}}", _ANSWER + "{{Back}}"),
    ("Card 2", "{{Back}}", _ANSWER + "{{Front}}")))
OPTIONAL = Model("Basic (optional reversed card)", ("Front", "Back", "Add Reverse"), (
    ("Card 1", "{{Front}}", _ANSWER + "{{Back}}"),
    ("Card 2", "{{#Add Reverse}}{{Back}}{{/Add Reverse}}", _ANSWER + "{{Front}}")))
TYPED = Model("Basic (type in the answer)", ("Front", "Back"), (
    ("Card 1", "{{Front}}\n\n{{type:Back}}", "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}"),))
CLOZE = Model("Cloze", ("Text", "Back Extra"), (
    ("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}"),), cloze=True,
    css=CLOZE_CSS)
STOCK = {m.name: m for m in (BASIC, REVERSED, OPTIONAL, TYPED, CLOZE)}


def note_model(note: dict[str, Any], cards: int) -> Model:
    """The note type of a note that came from Anki: as the package it came from defined it
    (`model`), else Anki's stock type of that name when the fields fit, else one whose first
    field asks and whose other fields answer, with a template for each of its `cards`."""
    name = str(note.get("notetype") or "Note")
    given = note.get("model")
    values = note.get("fields")
    known = [str(f) for f in values] if isinstance(values, dict) else []
    stock = STOCK.get(name)
    if stock and sorted(stock.fields) == sorted(known):  # a stock type's own order, also
        known = list(stock.fields)                       # for notes stored sorted before
    fields = tuple(known) or ("Front",)
    if isinstance(given, dict) and isinstance(given.get("templates"), list) \
            and given["templates"] and all(isinstance(t, dict) for t in given["templates"]):
        sortf = given.get("sortf")
        return Model(name, fields, tuple(
            (str(t.get("name") or f"Card {n}"), str(t.get("qfmt", "")), str(t.get("afmt", "")))
            for n, t in enumerate(given["templates"], start=1)),
            bool(given.get("cloze")), str(given.get("css") or CSS),
            sortf if isinstance(sortf, int) and 0 <= sortf < len(fields) else 0,
            given["id"] if isinstance(given.get("id"), int) else 0)
    if stock is not None and stock.fields == fields and len(stock.templates) >= cards:
        return stock
    rest = "<br>".join(f"{{{{{f}}}}}" for f in fields[1:])
    return Model(name, fields, tuple(
        (f"Card {n}", f"{{{{{fields[0]}}}}}", _ANSWER + rest) for n in range(1, cards + 1)))


def derived_id(text: str) -> int:
    """A stable id in Anki's range (milliseconds of a time in 2001-2033) for a name."""
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return 1_000_000_000_000 + digest % 1_000_000_000_000


def model_json(model: Model, mid: int, mod: int) -> dict[str, Any]:
    """One note type of `col.models`."""
    flds = [{"name": name, "ord": n, "sticky": False, "rtl": False, "font": "Arial",
             "size": 20, "description": "", "plainText": False, "collapsed": False,
             "excludeFromSearch": False} for n, name in enumerate(model.fields)]
    tmpls = [{"name": name, "ord": n, "qfmt": q, "afmt": a, "bqfmt": "", "bafmt": "",
              "did": None, "bfont": "", "bsize": 0} for n, (name, q, a) in
             enumerate(model.templates)]
    req = [[n, "any", sorted({model.fields.index(f) for f in FIELD_REF.findall(q)
                              if f in model.fields}) or [0]]
           for n, (_, q, _a) in enumerate(model.templates)]
    return {"id": mid, "name": model.name, "type": 1 if model.cloze else 0, "mod": mod,
            "usn": -1, "sortf": model.sortf, "did": None, "tmpls": tmpls, "flds": flds,
            "css": model.css, "latexPre": LATEX_PRE, "latexPost": "\\end{document}",
            "latexsvg": False, "req": req, "tags": [], "vers": []}


def deck_json(did: int, name: str, conf: int, mod: int, description: str = "") -> dict[str, Any]:
    """One deck of `col.decks`."""
    return {"id": did, "mod": mod, "name": name, "usn": -1, "lrnToday": [0, 0],
            "revToday": [0, 0], "newToday": [0, 0], "timeToday": [0, 0], "collapsed": False,
            "browserCollapsed": False, "desc": description, "dyn": 0, "conf": conf,
            "extendNew": 0, "extendRev": 0}


def dconf_json(cid: int, name: str, options: Options, parameters: Sequence[float],
               mod: int) -> dict[str, Any]:
    """One deck preset of `col.dconf`: loopdrill's options in Anki's names (steps in
    minutes, limits, maximum interval, leech threshold and action, desired retention) and
    the FSRS-6 parameters when there are 21 of them."""
    params = [round(float(p), 6) for p in parameters]
    return {
        "id": cid, "mod": mod, "name": name, "usn": -1, "maxTaken": 60, "autoplay": True,
        "timer": 0, "replayq": True, "dyn": False,
        "new": {"bury": options.bury_siblings, "delays": list(options.learning_steps),
                "initialFactor": 2500, "ints": [1, 4, 0], "order": 1,
                "perDay": options.new_per_day},
        "rev": {"bury": options.bury_siblings, "ease4": 1.3, "ivlFct": 1.0,
                "maxIvl": options.maximum_interval, "perDay": options.reviews_per_day,
                "hardFactor": 1.2},
        "lapse": {"delays": list(options.relearning_steps),
                  "leechAction": 0 if options.leech_action == "suspend" else 1,
                  "leechFails": options.leech_threshold, "minInt": 1, "mult": 0.0},
        "newMix": 0, "newPerDayMinimum": 0, "interdayLearningMix": 0, "reviewOrder": 0,
        "newSortOrder": 0, "newGatherPriority": 0, "buryInterdayLearning": False,
        "fsrsWeights": [], "fsrsParams5": [], "fsrsParams6": params if len(params) == 21 else [],
        "desiredRetention": options.desired_retention, "ignoreRevlogsBeforeDate": "",
        "easyDaysPercentages": [1.0] * 7, "stopTimerOnAnswer": False,
        "secondsToShowQuestion": 0.0, "secondsToShowAnswer": 0.0, "questionAction": 0,
        "answerAction": 0, "waitForAudio": True, "sm2Retention": 0.9, "weightSearch": ""}


def conf_json(rollover: int, creation_offset: int, deck: int, model: int) -> dict[str, Any]:
    """The collection's `conf`: the v3 scheduler, the rollover hour, and the creation time's
    offset (minutes west of UTC) by which Anki counts the collection's days."""
    return {"activeDecks": [deck], "curDeck": deck, "newSpread": 0, "collapseTime": 1200,
            "timeLim": 0, "estTimes": True, "dueCounts": True, "curModel": model,
            "nextPos": 1, "sortType": "noteFld", "sortBackwards": False, "addToCur": True,
            "schedVer": 2, "sched2021": True, "rollover": rollover,
            "creationOffset": creation_offset, "dayLearnFirst": False}
