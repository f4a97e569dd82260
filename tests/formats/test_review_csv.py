"""Review-history CSV (formats.review_csv): reading, every bad row listed, writing back."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loopdrill.core.model import DeckError, Rating, ReviewRecord
from loopdrill.core.timeutil import to_ms
from loopdrill.formats import review_csv
from loopdrill.formats.review_csv import read_review_csv, review_rows, write_review_csv

HEADER = "card_id,reviewed_at,rating,duration_ms\n"
UTC = dt.UTC


def write(tmp_path: Path, text: str | bytes, name: str = "reviews.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def problems(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(DeckError) as caught:
        read_review_csv(path)
    return [(p.line, p.message) for p in caught.value.problems]


def test_reads_rows_in_utc(tmp_path: Path) -> None:
    text = (HEADER + "aws/s3,2026-01-02T03:04:05Z,3,8000\r\n"
            "aws/s3:r,2026-01-02T05:04:05+02:00,1,0\r\n\r\n"
            "slo/x:c2,2026-01-03T00:00:00.250+00:00,4,12\r\n")
    first, second, third = read_review_csv(write(tmp_path, text))
    assert first == ReviewRecord("aws/s3", dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                                 Rating.GOOD, 8000, line=2)
    assert second.reviewed_at == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert second.reviewed_at.tzinfo is UTC and second.rating is Rating.AGAIN
    assert third.reviewed_at.microsecond == 250_000 and third.line == 5


def test_columns_in_another_order_with_spaces_and_bom(tmp_path: Path) -> None:
    text = "\ufeffrating, card_id ,duration_ms,reviewed_at\n2, d/i ,  15, 2026-01-02T03:04:05Z\n"
    (record,) = read_review_csv(write(tmp_path, text))
    assert (record.card_id, record.rating, record.duration_ms) == ("d/i", Rating.HARD, 15)


def test_quoted_card_ids(tmp_path: Path) -> None:
    text = HEADER + '"d/a,b""c",2026-01-02T03:04:05Z,3,1\n d/e ,2026-01-02T03:04:05Z,3,1\n'
    first, second = read_review_csv(write(tmp_path, text))
    assert (first.card_id, second.card_id) == ('d/a,b"c', "d/e")


def test_every_bad_row_is_listed_with_its_line(tmp_path: Path) -> None:
    text = (HEADER + "ok,2026-01-02T03:04:05Z,3,1\n"
            ",2026-01-02T03:04:05Z,3,1\n"
            "a,2026-01-02 03:04:05,3,1\n"
            "a,yesterday,3,1\n"
            "a,2026-01-02T03:04:05Z,5,1\n"
            "a,2026-01-02T03:04:05Z,3,-1\n"
            "a,2026-01-02T03:04:05Z,3,1.5\n"
            "a,2026-01-02T03:04:05Z,3\n"
            "a,2026-01-02T03:04:05Z,3,1,extra\n")
    assert problems(write(tmp_path, text)) == [
        (3, "card_id is empty"),
        (4, "reviewed_at '2026-01-02 03:04:05' has no timezone (write UTC, e.g. "
            "2026-01-02T03:04:05Z)"),
        (5, "reviewed_at 'yesterday' is not an ISO-8601 time like 2026-01-02T03:04:05Z"),
        (6, "rating '5' is not 1, 2, 3 or 4"),
        (7, "duration_ms '-1' is not a whole number of milliseconds (0 or more)"),
        (8, "duration_ms '1.5' is not a whole number of milliseconds (0 or more)"),
        (9, "expected 4 fields, found 3"),
        (10, "expected 4 fields, found 5")]


@pytest.mark.parametrize("block", [64, 1 << 20])
def test_many_bad_rows_show_the_first_fifty_and_list_all_in_a_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """A history of 120 bad lines says the first 50, then one line naming a file that lists
    all 120 (as the import does for unknown ids): both readers, as columns or as rows."""
    monkeypatch.setattr(review_csv, "BLOCK_BYTES", block)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    path = write(tmp_path, HEADER + "".join(f"a,2026-01-02T03:04:{n % 60:02d}Z,9,1\n"
                                            for n in range(120)))
    for read in (read_review_csv, lambda p: list(review_rows(p))):
        with pytest.raises(DeckError) as caught:
            read(path)
        said = caught.value.problems
        assert [p.line for p in said[:50]] == list(range(2, 52))
        assert len(said) == 51 and said[-1].line == 0
        assert said[-1].message.startswith("... and 70 more; all 120 are listed in ")
        listing = Path(said[-1].message.rsplit(" ", 1)[1]).read_text(encoding="utf-8")
        assert listing.splitlines()[-1] == f"{path}:121: rating '9' is not 1, 2, 3 or 4"


def test_malformed_quoting_is_a_problem_with_its_line(tmp_path: Path) -> None:
    text = HEADER + 'a,2026-01-02T03:04:05Z,3,1\n"b"x,2026-01-02T03:04:05Z,3,1\n"never\n'
    assert [line for line, _ in problems(write(tmp_path, text))] == [3, 4]


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("\n\n", "the file is empty"),
    ("a,2026-01-02T03:04:05Z,3,1\n", "must be the header"),
    ("card_id,reviewed_at,rating,duration_ms,note\n", "unknown column(s) note"),
    ("card_id,reviewed_at,rating\n", "missing duration_ms"),
    ("card_id,card_id,rating,duration_ms\n", "missing reviewed_at"),
])
def test_bad_headers(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DeckError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_review_csv(write(tmp_path, text))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(DeckError, match="no such file"):
        read_review_csv(tmp_path / "missing.csv")
    with pytest.raises(DeckError, match="is a directory"):
        read_review_csv(tmp_path)
    with pytest.raises(DeckError, match="binary data"):
        read_review_csv(write(tmp_path, b"\x00\x01\x02"))
    with pytest.raises(DeckError, match="not UTF-8"):
        read_review_csv(write(tmp_path, HEADER.encode() + b"\xff,\n"))


def test_write_then_read_is_the_identity(tmp_path: Path) -> None:
    records = (
        ReviewRecord("aws/s3", dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), Rating.GOOD, 5),
        ReviewRecord('d/a,"b"', dt.datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=UTC),
                     Rating.EASY, 0),
        ReviewRecord("x/y:r", dt.datetime(2026, 1, 2, 5, 4, 5,
                                          tzinfo=dt.timezone(dt.timedelta(hours=2))),
                     Rating.AGAIN, 70, True),
        ReviewRecord("anki/N/qbuaE/q%:c2", dt.datetime(2026, 1, 3, tzinfo=UTC), Rating.HARD),
    )
    out = io.StringIO()
    write_review_csv(records, out)
    assert out.getvalue().splitlines()[:2] == ["card_id,reviewed_at,rating,duration_ms,cram",
                                               "aws/s3,2026-01-02T03:04:05Z,3,5,0"]
    back = read_review_csv(write(tmp_path, out.getvalue()))
    assert [(r.card_id, r.reviewed_at, r.rating, r.duration_ms, r.cram) for r in back] == \
        [(r.card_id, r.reviewed_at, r.rating, r.duration_ms, r.cram) for r in records]
    with pytest.raises(ValueError, match="naive"):
        write_review_csv([ReviewRecord("a/b", dt.datetime(2026, 1, 1), Rating.GOOD)], out)


RECORDS = st.builds(
    ReviewRecord,
    card_id=st.text(min_size=1, max_size=20).filter(lambda s: s.strip() == s and s.isprintable()),
    reviewed_at=st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(8999, 1, 1),
                             timezones=st.just(UTC)),
    rating=st.sampled_from(Rating), duration_ms=st.integers(0, 10**9), cram=st.booleans())
FIXTURE = [HealthCheck.function_scoped_fixture]  # the file is rewritten by every example


@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURE)
@given(st.lists(RECORDS, max_size=10))
def test_round_trip_of_any_records(tmp_path: Path, records: list[ReviewRecord]) -> None:
    out = io.StringIO()
    write_review_csv(records, out)
    path = write(tmp_path, out.getvalue())
    back = read_review_csv(path)
    assert [(r.card_id, r.reviewed_at, r.rating, r.duration_ms, r.cram) for r in back] == \
        [(r.card_id, r.reviewed_at, r.rating, r.duration_ms, r.cram) for r in records]


def test_cram_column_optional_and_checked(tmp_path: Path) -> None:
    text = ("rating,cram,card_id,duration_ms,reviewed_at\n3,1,d/a,5,2026-01-02T03:04:05Z\n"
            "4,0,d/b,5,2026-01-02T03:04:05Z\n")
    first, second = read_review_csv(write(tmp_path, text))
    assert (first.card_id, first.cram, second.cram) == ("d/a", True, False)
    with pytest.raises(DeckError, match=r":2: cram 'yes' is not 0 or 1"):
        read_review_csv(write(tmp_path, text.replace("3,1,", "3,yes,")))
    with pytest.raises(DeckError, match="expected 5 fields, found 4"):
        read_review_csv(write(tmp_path, text.replace("3,1,", "3,")))


@settings(max_examples=200, deadline=None, suppress_health_check=FIXTURE)
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda s: HEADER + s))
def test_any_input_gives_records_or_a_deck_error(tmp_path: Path, data: bytes | str) -> None:
    try:
        read_review_csv(write(tmp_path, data))
    except DeckError as exc:
        assert exc.problems


def _outcome(read: Callable[[], list[tuple[object, ...]]]) -> object:
    try:
        return read()
    except DeckError as exc:
        return [(p.line, p.message) for p in exc.problems]


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURE)
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda s: HEADER + s)
       | st.lists(st.tuples(st.sampled_from(["a/1", "b/2", '"c,3"']),
                            st.sampled_from(["2026-01-02T03:04:05Z", "2026-01-02T03:04:05.5+02:00",
                                             "bad", "2026-01-02T03:04:05"]),
                            st.sampled_from(["1", "4", "5"]), st.sampled_from(["0", "120", "x"])),
                  max_size=8).map(lambda rows: HEADER + "".join(",".join(r) + "\n"
                                                                for r in rows)))
def test_the_streaming_reader_reads_what_the_whole_file_reader_reads(tmp_path: Path,
                                                                      data: bytes | str) -> None:
    """review_rows (the history import's reader) gives the same rows, with times in ms, or
    the same problems."""
    path = write(tmp_path, data)
    whole = _outcome(lambda: [(r.card_id, to_ms(r.reviewed_at), int(r.rating), r.duration_ms,
                               int(r.cram), r.line) for r in read_review_csv(path)])
    assert _outcome(lambda: list(review_rows(path))) == whole


def test_usual_stamps_read_from_their_cached_hour_and_second_are_exact(tmp_path: Path) -> None:
    """review_rows reads `2026-01-02T03:04:05Z` stamps from caches of hours and of minutes and
    seconds filled by earlier stamps: each combination gives the time itself, a stamp in
    another form fills no cache, a bad one in the usual form is still refused."""
    stamps = ["2026-01-02T03:04:05Z", "2026-03-01T23:59:59Z", "2026-01-02T03:59:59Z",
              "2026-03-01T23:04:05Z", "2026-03-01T23:04:05+01:00", "2026-03-01T22:04:05Z",
              "2024-02-29T03:04:05Z"]
    path = write(tmp_path, HEADER + "".join(f"a/1,{s},3,10\n" for s in stamps))
    assert [at for _, at, *_ in review_rows(path)] == [
        to_ms(dt.datetime.fromisoformat(s)) for s in stamps]
    assert [type(r.cram) for r in read_review_csv(path)] == [bool] * len(stamps)
    bad = write(tmp_path, HEADER + "a/1,2026-01-02T03:04:05Z,3,10\na/1,2026-02-30T03:04:05Z,3,10\n",
                "bad.csv")
    with pytest.raises(DeckError) as caught:
        list(review_rows(bad))
    assert [p.line for p in caught.value.problems] == [3]
