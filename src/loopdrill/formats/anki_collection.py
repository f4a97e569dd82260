"""What an Anki collection says about its note types, decks and deck presets, from either
schema: the legacy one (JSON in `col`) and schema 18 (tables whose configs are protobuf
messages, read here field by field without the protobuf library)."""

from __future__ import annotations

import json
import sqlite3
import struct
from dataclasses import dataclass, field
from typing import Any

LEECH_ACTIONS = {0: "suspend", 1: "tag"}


@dataclass(frozen=True)
class Template:
    name: str
    qfmt: str
    afmt: str


@dataclass(frozen=True)
class NoteType:
    """A note type: its name, field names, templates, and whether it makes clozes."""

    name: str
    fields: tuple[str, ...]
    templates: tuple[Template, ...]
    cloze: bool
    css: str = ""
    id: int = 0  # the note type's id in its collection (kept so an export back matches it)
    sortf: int = 0

    @property
    def occlusion(self) -> bool:
        return ("image occlusion" in self.name.lower()
                or any("image-occlusion" in t.qfmt or "{{image-occlusion" in t.qfmt.lower()
                       for t in self.templates))


@dataclass(frozen=True)
class Deck:
    name: str
    preset: int = 1
    filtered: bool = False


@dataclass(frozen=True)
class Preset:
    """A deck preset: loopdrill options (as their YAML names) and FSRS parameters."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)
    parameters: tuple[float, ...] = ()
    historical_retention: float = 0.9  # of SM-2 reviews: the memory state of an SM-2 card


def text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def proto(blob: bytes) -> dict[int, list[Any]]:
    """A protobuf message's fields: varints as ints, length-delimited as bytes, fixed32 and
    fixed64 as their raw bytes. A damaged message gives what was read before the damage."""
    out: dict[int, list[Any]] = {}
    i = 0
    try:
        while i < len(blob):
            key, i = _varint(blob, i)
            number, wire = key >> 3, key & 7
            value: Any
            if wire == 0:
                value, i = _varint(blob, i)
            elif wire == 2:
                length, i = _varint(blob, i)
                value, i = blob[i:i + length], i + length
            elif wire == 5:
                value, i = blob[i:i + 4], i + 4
            elif wire == 1:
                value, i = blob[i:i + 8], i + 8
            else:
                break
            out.setdefault(number, []).append(value)
    except IndexError:
        pass
    return out


def _varint(blob: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = blob[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _floats(values: list[Any]) -> tuple[float, ...]:
    """A repeated float field: packed (bytes of 4-byte floats) or one value per entry."""
    out: list[float] = []
    for value in values:
        if isinstance(value, bytes) and len(value) % 4 == 0:
            out.extend(struct.unpack(f"<{len(value) // 4}f", value))
    return tuple(round(v, 6) for v in out)


def _one(fields: dict[int, list[Any]], number: int, default: Any = None) -> Any:
    values = fields.get(number)
    return values[-1] if values else default


def note_types(conn: sqlite3.Connection, modern: bool) -> dict[int, NoteType]:
    return _modern_types(conn) if modern else _legacy_types(conn)


def _legacy_types(conn: sqlite3.Connection) -> dict[int, NoteType]:
    (models,) = conn.execute("SELECT models FROM col").fetchone()
    types = {}
    for key, model in json.loads(text(models)).items():
        tmpls = model.get("tmpls", [])
        templates = tuple(Template(str(t.get("name", "")), str(t.get("qfmt", "")),
                                   str(t.get("afmt", ""))) for t in tmpls)
        names = tuple(str(f.get("name", f"Field {n + 1}"))
                      for n, f in enumerate(model.get("flds", [])))
        cloze = model.get("type") == 1 or any("{{cloze:" in t.qfmt for t in templates)
        sortf = model.get("sortf")
        types[int(key)] = NoteType(str(model.get("name", key)), names, templates, cloze,
                                   text(model.get("css")), int(key),
                                   sortf if isinstance(sortf, int) else 0)
    return types


def _modern_types(conn: sqlite3.Connection) -> dict[int, NoteType]:
    templates: dict[int, list[Template]] = {}
    for ntid, name, config in conn.execute(
            "SELECT ntid, name, config FROM templates ORDER BY ntid, ord"):
        parts = proto(bytes(config or b""))
        templates.setdefault(ntid, []).append(Template(
            text(name), text(_one(parts, 1, b"")), text(_one(parts, 2, b""))))
    names: dict[int, list[str]] = {}
    for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        names.setdefault(ntid, []).append(text(name))
    types = {}
    for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
        own = tuple(templates.get(ntid, []))
        parts = proto(bytes(config or b""))
        cloze = _one(parts, 1, 0) == 1 or any("{{cloze:" in t.qfmt for t in own)
        sortf = _one(parts, 2, 0)
        types[ntid] = NoteType(text(name), tuple(names.get(ntid, [])), own, cloze,
                               text(_one(parts, 3, b"")), int(ntid),
                               sortf if isinstance(sortf, int) else 0)
    return types


def decks(conn: sqlite3.Connection, modern: bool) -> dict[int, Deck]:
    if not modern:
        (raw,) = conn.execute("SELECT decks FROM col").fetchone()
        return {int(k): Deck(str(d.get("name", "")), int(d.get("conf", 1) or 1),
                             bool(d.get("dyn")))
                for k, d in json.loads(text(raw)).items()}
    columns = {r[1] for r in conn.execute("PRAGMA table_info(decks)")}
    kind = "kind" if "kind" in columns else "x''"
    out = {}
    for did, name, blob in conn.execute(f"SELECT id, name, {kind} FROM decks"):
        container = proto(bytes(blob or b""))
        normal = proto(_one(container, 1, b"") or b"")
        out[did] = Deck(text(name).replace("\x1f", "::"), int(_one(normal, 1, 1) or 1),
                        2 in container)
    return out


def presets(conn: sqlite3.Connection, modern: bool) -> dict[int, Preset]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if modern and "deck_config" in tables:
        return {cid: _modern_preset(text(name), proto(bytes(blob or b"")))
                for cid, name, blob in conn.execute("SELECT id, name, config FROM deck_config")}
    columns = {r[1] for r in conn.execute("PRAGMA table_info(col)")}
    if "dconf" not in columns:
        return {}
    (raw,) = conn.execute("SELECT dconf FROM col").fetchone()
    parsed = json.loads(text(raw) or "{}")
    return {int(k): _legacy_preset(v) for k, v in parsed.items() if isinstance(v, dict)}


def _modern_preset(name: str, parts: dict[int, list[Any]]) -> Preset:
    options: dict[str, Any] = {}
    steps = _floats(parts.get(1, []))
    if steps:
        options["learning_steps"] = list(steps)
    relearn = _floats(parts.get(2, []))
    if relearn:
        options["relearning_steps"] = list(relearn)
    for number, key in ((9, "new_per_day"), (10, "reviews_per_day"),
                        (16, "maximum_interval"), (22, "leech_threshold")):
        value = _one(parts, number)
        if isinstance(value, int):
            options[key] = value
    options["leech_action"] = LEECH_ACTIONS.get(int(_one(parts, 21, 0) or 0), "suspend")
    retention = _one(parts, 37)
    if isinstance(retention, bytes) and len(retention) == 4:
        options["desired_retention"] = round(struct.unpack("<f", retention)[0], 4)
    past = _one(parts, 40)
    return Preset(name, options, _floats(parts.get(6, [])), _retention(
        struct.unpack("<f", past)[0] if isinstance(past, bytes) and len(past) == 4 else None))


def _legacy_preset(conf: dict[str, Any]) -> Preset:
    options: dict[str, Any] = {}
    new, lapse, rev = conf.get("new") or {}, conf.get("lapse") or {}, conf.get("rev") or {}
    for source, key, name in ((new, "perDay", "new_per_day"), (rev, "perDay", "reviews_per_day"),
                              (rev, "maxIvl", "maximum_interval"),
                              (lapse, "leechFails", "leech_threshold")):
        if isinstance(source.get(key), int):
            options[name] = source[key]
    if new.get("delays"):
        options["learning_steps"] = [float(s) for s in new["delays"]]
    if lapse.get("delays"):
        options["relearning_steps"] = [float(s) for s in lapse["delays"]]
    if "leechAction" in lapse:
        options["leech_action"] = LEECH_ACTIONS.get(lapse["leechAction"], "suspend")
    if isinstance(conf.get("desiredRetention"), int | float):
        options["desired_retention"] = round(float(conf["desiredRetention"]), 4)
    params = conf.get("fsrsParams6") or (conf.get("fsrsWeights") if len(
        conf.get("fsrsWeights") or []) == 21 else None) or []
    return Preset(str(conf.get("name", "")), options,
                  tuple(round(float(p), 6) for p in params),
                  _retention(conf.get("sm2Retention")))  # schema 11's historical retention


def _retention(value: object) -> float:
    """A preset's historical retention as read, or Anki's default 0.9 when it has none."""
    return round(float(value), 4) if isinstance(value, int | float) and 0 < value < 1 else 0.9
