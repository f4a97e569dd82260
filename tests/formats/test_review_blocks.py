"""The history import's block reader (formats.review_fields via review_csv.review_blocks)
reads what the whole-file reader reads, whatever mix of plain and other lines a block holds
and wherever the blocks are cut."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loopdrill.core.model import DeckError
from loopdrill.core.timeutil import to_ms
from loopdrill.formats import review_csv
from loopdrill.formats.review_csv import read_review_csv, review_blocks, review_rows
from loopdrill.formats.review_fields import ReviewBlock

FIELDS = st.tuples(
    st.sampled_from(["a/1", "b/2", " a/1", "a/1 ", '"c,3"', "", "é/ü", "a/1\r", 'a"1', '"open',
                     '"x\ny"', '"x\r\ny"', '"q""q"']),
    st.sampled_from(["2026-01-02T03:04:05Z", "2024-02-29T23:59:59Z", "2026-02-29T03:04:05Z",
                     "1969-12-31T23:59:59Z", "2026-01-02T03:04:05.5+02:00", "2026-13-02T03:04:05Z",
                     "2026-01-02T24:04:05Z", "2026-01-02 03:04:05Z", "2026-01-02T03:04:05z",
                     " 2026-01-02T03:04:05Z", "8999-12-31T23:59:59Z", "9000-01-01T00:00:00Z"]),
    st.sampled_from(["1", "4", "0", "5", " 3", "33"]),
    st.sampled_from(["0", "120", "0012", "9999999999", "12345678901", "", "x", "1.5", " 7",
                     "٣"]),
    st.sampled_from(["0", "1", "", " 1", "2"]))
LINES = st.lists(FIELDS.map(",".join) | st.sampled_from(["", "  ", "a/1,2026-01-02T03:04:05Z,3",
                                                          "x,y,z,w,v,u"]), max_size=12)
HEADERS = st.sampled_from(["card_id,reviewed_at,rating,duration_ms,cram",
                           "cram,rating,card_id,duration_ms,reviewed_at",
                           "\ufeffcard_id,reviewed_at,rating,duration_ms,cram"])


def _outcome(path: Path, read: str) -> object:
    try:
        if read == "whole":
            return [(r.card_id, to_ms(r.reviewed_at), int(r.rating), r.duration_ms, int(r.cram),
                     r.line) for r in read_review_csv(path)]
        return list(review_rows(path))
    except DeckError as exc:
        return [(p.line, p.message) for p in exc.problems]


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(HEADERS, LINES, st.sampled_from(["\n", "\r\n"]), st.booleans(), st.integers(1, 200))
def test_blocks_read_what_the_whole_file_reader_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, header: str, lines: list[str],
        end: str, last_newline: bool, block: int) -> None:
    monkeypatch.setattr(review_csv, "BLOCK_BYTES", block)
    text = end.join([header, *lines]) + (end if last_newline else "")
    path = tmp_path / "reviews.csv"
    path.write_bytes(text.encode("utf-8"))
    assert _outcome(path, "blocks") == _outcome(path, "whole")


def test_plain_lines_are_read_as_columns(tmp_path: Path) -> None:
    """The usual export (every line plain) is read in blocks of columns, exactly."""
    path = tmp_path / "reviews.csv"
    stamps = ["2026-01-02T03:04:05Z", "2024-02-29T23:59:59Z", "1970-01-01T00:00:00Z"]
    path.write_text("card_id,reviewed_at,rating,duration_ms\n\n" + "".join(
        f"d/{n},{s},{n + 1},{n * 7}\n" for n, s in enumerate(stamps)), encoding="utf-8")
    blocks = list(review_blocks(path))
    assert [type(b) for b in blocks] == [ReviewBlock]
    assert list(review_rows(path)) == [
        (f"d/{n}", to_ms(dt.datetime.fromisoformat(s)), n + 1, n * 7, 0, n + 3)
        for n, s in enumerate(stamps)]


@pytest.mark.parametrize("block", [40, 1 << 20])
def test_crlf_lines_are_read_as_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        block: int) -> None:
    """A file with CRLF line ends (Excel's, Python's csv module's) is read in blocks of columns
    as its LF twin is, not line by line through csv, with the same reviews and lines."""
    monkeypatch.setattr(review_csv, "BLOCK_BYTES", block)
    text = "card_id,reviewed_at,rating,duration_ms,cram\n" + "".join(
        f"d/{n % 3},2026-01-{n + 1:02d}T03:04:05Z,{n % 4 + 1},{n * 7},{n % 2}\n" for n in range(9))
    lf, crlf = tmp_path / "lf.csv", tmp_path / "crlf.csv"
    lf.write_bytes(text.encode())
    crlf.write_bytes(text.replace("\n", "\r\n").encode())
    assert {type(b) for b in review_blocks(crlf)} == {ReviewBlock}
    assert list(review_rows(crlf)) == list(review_rows(lf)) == _outcome(crlf, "whole")


def test_blocks_after_a_quoted_line_are_read_as_columns(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """One quoted id near the top is read by csv in its own block (kept as columns); the plain
    blocks after it are still read as columns (not the rest of the file line by line through
    csv, which gives rows)."""
    monkeypatch.setattr(review_csv, "BLOCK_BYTES", 64)
    path = tmp_path / "reviews.csv"
    path.write_text("card_id,reviewed_at,rating,duration_ms\n"
                    '"d/0",2026-01-01T03:04:05Z,1,0\n' + "".join(
                        f"d/{n % 3},2026-01-{n + 2:02d}T03:04:05Z,{n % 4 + 1},{n}\n"
                        for n in range(12)), encoding="utf-8")
    blocks = list(review_blocks(path))
    assert len(blocks) > 1 and {type(b) for b in blocks} == {ReviewBlock}
    assert list(review_rows(path)) == _outcome(path, "whole")
