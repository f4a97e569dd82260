"""Media files of an Anki package (the images and sounds its notes name) written into a
folder: the package's `media` map (JSON in legacy packages, a zstd protobuf list in newer
ones) names each numbered member. Only plain file names are written, each at most
MAX_FILE bytes, the whole at most MAX_TOTAL; a file already there is left as it is."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import zstandard

from loopdrill.formats.anki_collection import proto

MAX_FILE = 64 * 1024 * 1024
MAX_TOTAL = 512 * 1024 * 1024
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def media_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Member name -> media file name, as the package's `media` member says."""
    try:
        raw = archive.read("media")
    except KeyError:
        return {}
    if raw.startswith(ZSTD_MAGIC):
        data = zstandard.ZstdDecompressor().decompress(raw, max_output_size=MAX_FILE)
        names = {}
        for index, entry in enumerate(proto(data).get(1, [])):
            fields = proto(bytes(entry))
            name = fields.get(1, [b""])[-1]
            names[str(index)] = bytes(name).decode("utf-8", "replace")
        return names
    parsed = json.loads(raw.decode("utf-8", "replace") or "{}")
    return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def safe_name(name: str) -> bool:
    return (bool(name) and name == Path(name).name and not name.startswith(".")
            and "\\" not in name and "\x00" not in name and len(name) <= 255)


def extract_media(package: Path, folder: Path) -> tuple[int, int]:
    """Write the package's media into `folder`: (files written, files skipped: unsafe
    names, too big, damaged or already there)."""
    written = skipped = total = 0
    try:
        archive = zipfile.ZipFile(package)
    except (zipfile.BadZipFile, OSError):
        return 0, 0
    with archive:
        try:
            names = media_names(archive)
        except (ValueError, zstandard.ZstdError, zipfile.BadZipFile, OSError):
            return 0, 0
        members = {info.filename: info for info in archive.infolist()}
        for member, name in names.items():
            info = members.get(member)
            target = folder / name
            if info is None or not safe_name(name) or target.exists():
                skipped += 1
                continue
            try:
                data = archive.read(info) if info.file_size <= MAX_FILE else b""
                if data.startswith(ZSTD_MAGIC):
                    data = zstandard.ZstdDecompressor().decompress(data,
                                                                   max_output_size=MAX_FILE)
            except (zipfile.BadZipFile, zstandard.ZstdError, OSError, ValueError):
                skipped += 1
                continue
            if not data or total + len(data) > MAX_TOTAL:
                skipped += 1
                continue
            folder.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            total += len(data)
            written += 1
    return written, skipped
