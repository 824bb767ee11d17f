"""matcher.bulk: reading any CSV a back office exports, and screening it row for row.

Most tests screen against a real :class:`~matcher.engine.Engine` built from the hand-written
``tests/fixtures/screen/watchlist.csv`` (imported as list ``watch`` with the real ``user_csv`` parser),
wrapped in :class:`Counting` so dedup can be checked by counting engine calls. The parallel test
runs a real process pool whose workers load that engine from the data directory.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from matcher.bulk import (
    BulkError,
    BulkLimitError,
    BulkOptions,
    BulkScreening,
    PoolScorer,
    SerialScorer,
    neutralize,
    screen_csv,
    sniff_delimiter,
)
from matcher.engine import Engine, MatchResult, Query
from matcher.errors import QueryError
from matcher.model import EntityType, PartialDate
from matcher.refresh import import_files, open_store
from matcher.settings import Settings
from matcher.store import Store

SCREEN = Path(__file__).resolve().parent / "fixtures" / "screen"
ADDED = [
    "match_id",
    "match_name",
    "match_list",
    "match_score",
    "decision",
    "match_count",
    "explanation",
    "error",
]


def load_watch_engine(data_dir: str) -> Engine:
    """Pool initializer target (module level, so the process pool can pickle it)."""
    return Engine.load(Store(Path(data_dir)))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bulk") / "data"
    settings = Settings.from_env({}, data_dir=directory)
    result = import_files(settings, "watch", [SCREEN / "watchlist.csv"], fmt="user_csv")
    assert result.ok, result.error
    return directory


@pytest.fixture(scope="module")
def engine(data_dir: Path) -> Engine:
    return Engine.load(open_store(Settings.from_env({}, data_dir=data_dir)))


class Counting:
    """An engine wrapper that records every query it is asked."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.queries: list[Query] = []

    def match(
        self,
        query: Query | str,
        lists: Sequence[str] | None = None,
        types: Sequence[EntityType | str] | None = None,
        threshold: float | None = None,
        limit: int = 10,
    ) -> MatchResult:
        assert isinstance(query, Query)
        self.queries.append(query)
        return self.engine.match(query, lists=lists, types=types, threshold=threshold, limit=limit)


def run(engine: object, data: bytes, **options: object) -> tuple[list[list[str]], BulkScreening]:
    job = screen_csv(engine, io.BytesIO(data), BulkOptions(**options))  # type: ignore[arg-type]
    out = b"".join(job)
    text = out.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=job.delimiter)), job


def column(rows: list[list[str]], name: str) -> list[str]:
    index = rows[0].index(name)
    return [r[index] for r in rows[1:]]


# --- The fixture file, end to end ---------------------------------------------------------------


def test_customers_fixture_every_row_kept_with_decision_and_reason(engine: Engine) -> None:
    rows, job = run(engine, (SCREEN / "customers.csv").read_bytes())
    header = rows[0]
    assert header == [
        "Customer ID",
        "Customer Name",
        "Type",
        "Date of Birth",
        "Country",
        "Passport",
        *ADDED,
    ]
    # 12 records (the blank line is not one), each kept with its own cells, in order.
    assert column(rows, "Customer ID") == [f"C-{n:03d}" for n in range(1, 13)]
    assert all(len(r) == len(header) for r in rows)
    decisions = dict(zip(column(rows, "Customer ID"), column(rows, "decision"), strict=True))
    assert decisions == {
        "C-001": "match",
        "C-002": "match",
        "C-003": "no_match",
        "C-004": "match",
        "C-005": "no_match",
        "C-006": "error",
        "C-007": "match",
        "C-008": "match",
        "C-009": "error",
        "C-010": "error",
        "C-011": "error",
        "C-012": "match",
    }
    errors = dict(zip(column(rows, "Customer ID"), column(rows, "error"), strict=True))
    assert errors["C-006"] == "empty name"
    assert errors["C-009"].startswith("unknown type 'robot'")
    assert "31/12/1970" in errors["C-010"]
    assert errors["C-011"].startswith("the row has 7 fields, the header 6")
    ids = dict(zip(column(rows, "Customer ID"), column(rows, "match_id"), strict=True))
    assert ids["C-001"] == ids["C-002"] == ids["C-004"] == "watch:P-1"
    assert ids["C-008"] == "watch:V-2"  # found by its IMO number in the Passport column
    explanation = dict(zip(column(rows, "Customer ID"), column(rows, "explanation"), strict=True))
    assert "birth_date:match" in explanation["C-001"] and "country:match" in explanation["C-001"]
    assert "identifier:decisive" in explanation["C-008"]
    s = job.summary
    assert (s.rows, s.alerts, s.errors, s.blank_lines) == (12, 6, 4, 1)
    assert s.columns == {
        "name": ["Customer Name"],
        "type": "Type",
        "birth_date": "Date of Birth",
        "country": "Country",
        "nationality": None,
        "identifiers": ["Passport"],
        "client_id": "Customer ID",
    }


def test_match_columns_for_a_match_and_a_no_match(engine: Engine) -> None:
    data = b"name\nDmitry Peskov\nJane Example\n"
    rows, _ = run(engine, data)
    match, miss = rows[1], rows[2]
    assert match[1:6] == ["watch:P-1", "PESKOV, Dmitriy Sergeevich", "watch", "1.0000", "match"]
    assert match[6] == "1" and match[7].startswith("matched 'Dmitry PESKOV'") and match[8] == ""
    assert miss[1:7] == ["", "", "", "", "no_match", "0"]
    assert miss[7].startswith("no match at 0.80") or miss[7] == "no candidates"


# --- Encodings and delimiters -------------------------------------------------------------------

NAMES = ["Société Générale", "Jürgen Müller", "PESKOV, Dmitriy Sergeevich"]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("latin-1", "windows-1252"),
        ("cp1252", "windows-1252"),
        ("utf-16", "utf-16"),
    ],
)
def test_encodings_are_detected(engine: Engine, encoding: str, expected: str) -> None:
    text = "id,name\r\n" + "".join(f'{i},"{n}"\r\n' for i, n in enumerate(NAMES, 1))
    rows, job = run(engine, text.encode(encoding))
    assert column(rows, "name") == NAMES
    assert job.summary.encoding == expected
    assert column(rows, "decision") == ["no_match", "no_match", "match"]


def test_bom_is_written_back_so_excel_reads_utf8(engine: Engine) -> None:
    job = screen_csv(engine, io.BytesIO("name\nJürgen\n".encode("utf-8-sig")))
    assert b"".join(job).startswith(b"\xef\xbb\xbfname,")
    job = screen_csv(engine, io.BytesIO(b"name\nJurgen\n"))
    assert b"".join(job).startswith(b"name,")


def test_a_latin1_line_in_a_utf8_file_is_read_per_line(engine: Engine) -> None:
    data = "name\nJürgen Müller\n".encode() + "Société Générale\n".encode("latin-1")
    rows, job = run(engine, data)
    assert column(rows, "name") == ["Jürgen Müller", "Société Générale"]
    assert job.summary.decoded_as_latin == 1
    assert job.summary.encoding == "utf-8 + windows-1252"


def test_latin1_semicolon_crlf_fixture(engine: Engine) -> None:
    rows, job = run(engine, (SCREEN / "kunden_latin1.csv").read_bytes())
    assert job.delimiter == ";"
    assert column(rows, "Name") == ["Société Générale", "Jürgen Müller", "ROSOBORONEXPORT"]
    assert column(rows, "decision") == ["no_match", "no_match", "match"]
    assert job.summary.columns["client_id"] is None and job.summary.columns["country"] is None


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed_and_kept(engine: Engine, delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["client_id", "full_name", "dob"])
    writer.writerow(["1", "PESKOV, Dmitriy Sergeevich", "1967"])
    writer.writerow(["2", "Jane; Example | Tab", ""])
    rows, job = run(engine, buffer.getvalue().encode())
    assert job.delimiter == delimiter
    assert column(rows, "full_name") == ["PESKOV, Dmitriy Sergeevich", "Jane; Example | Tab"]
    assert column(rows, "decision") == ["match", "no_match"]


def test_sniff_fallbacks() -> None:
    assert sniff_delimiter("name\nDmitry Peskov\nJane\n") == ","
    assert sniff_delimiter("a;b;c\n") == ";"
    assert sniff_delimiter("") == ","


def test_delimiter_can_be_forced(engine: Engine) -> None:
    data = b"name|note\nPESKOV, Dmitriy|a,b\n"
    rows, job = run(engine, data, delimiter="|")
    assert job.delimiter == "|" and column(rows, "name") == ["PESKOV, Dmitriy"]


def test_old_mac_cr_line_ends(engine: Engine) -> None:
    rows, _ = run(engine, b"name\rDmitry Peskov\rJane Example\r")
    assert column(rows, "name") == ["Dmitry Peskov", "Jane Example"]


# --- Columns ------------------------------------------------------------------------------------


def test_columns_are_detected_and_passed_to_the_engine(engine: Engine) -> None:
    counting = Counting(engine)
    data = (
        b"Record ID,Entity Type,Full Name,DOB,Country of Residence,Nationality,IMO Number\n"
        b"r1,individual,Dmitry Peskov,1967-10,Russia,RU,\n"
        b"r2,ship,Ocean Pearl,,,,9321483\n"
    )
    run(counting, data)
    first, second = counting.queries
    assert first == Query(
        "Dmitry Peskov",
        type=EntityType.PERSON,
        birth_date=PartialDate(1967, 10),
        country="Russia",
        nationality="RU",
        id="r1",
    )
    assert second.type is EntityType.VESSEL and second.identifiers == ("9321483",)


def test_explicit_columns_and_first_last_names(engine: Engine) -> None:
    counting = Counting(engine)
    run(counting, b"a,b,c\nDmitry,Peskov,X\n", name_columns=("a", "b"), client_id_column="c")
    assert counting.queries[0].name == "Dmitry Peskov" and counting.queries[0].id == "X"
    counting = Counting(engine)
    run(counting, b"Surname,First Name,Middle Name\nPeskov,Dmitry,Sergeevich\n")
    assert counting.queries[0].name == "Dmitry Sergeevich Peskov"


def test_a_header_without_a_name_column_fails_before_any_output(engine: Engine) -> None:
    with pytest.raises(BulkError) as caught:
        screen_csv(engine, io.BytesIO(b"id,amount\n1,20\n"))
    assert "no name column found" in str(caught.value) and "'amount'" in str(caught.value)
    assert caught.value.status == 422
    with pytest.raises(BulkError, match="no column 'client' in the header"):
        screen_csv(engine, io.BytesIO(b"name\nx\n"), BulkOptions(name_columns=("client",)))


def test_an_empty_file_is_an_error_and_a_header_only_file_is_fine(engine: Engine) -> None:
    with pytest.raises(BulkError, match="the file is empty"):
        screen_csv(engine, io.BytesIO(b""))
    rows, job = run(engine, b"name,id\n")
    assert rows == [["name", "id", *ADDED]] and job.summary.rows == 0


def test_output_columns_never_collide_with_input_columns(engine: Engine) -> None:
    rows, _ = run(engine, b"name,decision,error\nJane,keep,me\n")
    assert rows[0][:3] == ["name", "decision", "error"]
    assert "screen_decision" in rows[0] and "screen_error" in rows[0]
    assert rows[1][1:3] == ["keep", "me"]


# --- Rows that cannot be screened ---------------------------------------------------------------


def test_bad_rows_are_kept_with_an_error_and_counted(engine: Engine) -> None:
    data = (
        b"name,type,birth_date\n"
        b",person,\n"  # empty name
        b"Jane,robot,\n"  # unknown type
        b"Jane,person,1980-13\n"  # impossible month
        b"Jane,person,,extra\n" + b"x" * 501 + b",,\n"  # too many fields  # longer than the engine accepts
        b"Short\n"  # too few fields: padded, screened
    )
    rows, job = run(engine, data)
    assert len(rows) - 1 == 6 == job.summary.rows
    assert column(rows, "decision") == ["error"] * 5 + ["no_match"]
    assert all(len(r) == len(rows[0]) for r in rows)
    assert column(rows, "error")[4] == "name is longer than 500 characters"
    assert job.summary.errors == 5


# --- Dedup --------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 2, 256])
def test_repeated_names_are_scored_once(engine: Engine, batch_size: int) -> None:
    counting = Counting(engine)
    names = [
        "Dmitry Peskov",
        "DMITRY PESKOV",
        "dmitry  peskov",
        "Jane Example",
        "Dmitry Peskov",
        "Jane Example",
    ]
    data = ("name\n" + "\n".join(names) + "\n").encode()
    rows, job = run(counting, data, batch_size=batch_size)
    assert [q.name for q in counting.queries] == ["Dmitry Peskov", "Jane Example"]
    assert column(rows, "decision") == ["match", "match", "match", "no_match", "match", "no_match"]
    assert (job.summary.scored, job.summary.cache_hits) == (2, 4)


def test_the_dedup_key_includes_the_qualifiers(engine: Engine) -> None:
    counting = Counting(engine)
    data = b"name,dob,country\nDmitry Peskov,1967,RU\nDmitry Peskov,1967,ru\nDmitry Peskov,1980,RU\n"
    run(counting, data)
    assert [str(q.birth_date) for q in counting.queries] == ["1967", "1980"]


def test_the_result_cache_is_bounded(engine: Engine) -> None:
    counting = Counting(engine)
    data = b"name\nAlpha\nBeta\nAlpha\n"
    run(counting, data, batch_size=1, cache_size=1)
    assert [q.name for q in counting.queries] == ["Alpha", "Beta", "Alpha"]


# --- Formula injection --------------------------------------------------------------------------


def test_formula_cells_are_neutralised_in_csv_but_not_in_json(engine: Engine) -> None:
    data = b'name,note\n=1+1,+SUM(A1)\n@cmd,-2\n"\tTab",\r\nplain,"=x"\n'
    rows, _ = run(engine, data)
    assert column(rows, "name") == ["'=1+1", "'@cmd", "'\tTab", "plain"]
    assert column(rows, "note") == ["'+SUM(A1)", "'-2", "", "'=x"]
    job = screen_csv(engine, io.BytesIO(data), BulkOptions(output="jsonl"))
    lines = [json.loads(line) for line in b"".join(job).decode().splitlines()]
    assert [x["input"]["name"] for x in lines] == ["=1+1", "@cmd", "\tTab", "plain"]


def test_neutralize() -> None:
    assert [neutralize(c) for c in ("=a", "+a", "-a", "@a", "\ta", "\ra", "a=", "", "'=a")] == [
        "'=a",
        "'+a",
        "'-a",
        "'@a",
        "'\ta",
        "'\ra",
        "a=",
        "",
        "'=a",
    ]


def test_a_header_cell_is_neutralised_too(engine: Engine) -> None:
    rows, _ = run(engine, b"name,=evil\nJane,1\n")
    assert rows[0][1] == "'=evil"


# --- Limits -------------------------------------------------------------------------------------


def test_row_limit(engine: Engine) -> None:
    data = b"name\n" + b"Jane\n" * 5
    rows, _ = run(engine, data, max_rows=5)
    assert len(rows) == 6
    job = screen_csv(engine, io.BytesIO(data), BulkOptions(max_rows=4))
    with pytest.raises(BulkLimitError, match="more than 4 rows") as caught:
        b"".join(job)
    assert caught.value.status == 413


def test_byte_limit(engine: Engine) -> None:
    data = b"name\n" + b"Jane Example\n" * 20_000
    with pytest.raises(BulkLimitError, match="larger than the limit"):
        job = screen_csv(engine, io.BytesIO(data), BulkOptions(max_bytes=100_000))
        b"".join(job)
    rows, _ = run(engine, data[:5000], max_bytes=5000)
    assert len(rows) > 300


def test_an_endless_line_is_refused(engine: Engine) -> None:
    data = b"name\n" + b"x" * (2 * 1024 * 1024)
    with pytest.raises(BulkError, match="longer than 1024 KB"):
        b"".join(screen_csv(engine, io.BytesIO(data)))


# --- JSON lines, progress, summary --------------------------------------------------------------


def test_jsonl_output(engine: Engine) -> None:
    data = b"id,name,name\n1,Dmitry Peskov,x\n2,,y\n"
    job = screen_csv(engine, io.BytesIO(data), BulkOptions(output="jsonl", name_columns=("name",)))
    assert job.media_type == "application/x-ndjson"
    lines = [json.loads(line) for line in b"".join(job).decode().splitlines()]
    assert [x["row"] for x in lines] == [1, 2]
    assert lines[0]["input"] == {"id": "1", "name": "Dmitry Peskov", "name_2": "x"}
    assert lines[0]["decision"] == "match" and lines[0]["match_id"] == "watch:P-1"
    assert lines[0]["match_score"] == 1.0 and lines[0]["error"] is None
    assert lines[1]["decision"] == "error" and lines[1]["error"] == "empty name"
    assert lines[1]["match_id"] is None and lines[1]["match_score"] is None


def test_progress_and_summary(engine: Engine) -> None:
    calls: list[tuple[int, int]] = []
    data = b"name\n" + b"Jane Example\n" * 10 + b"Dmitry Peskov\n"
    job = screen_csv(engine, io.BytesIO(data), BulkOptions(batch_size=4), progress=lambda *a: calls.append(a))
    b"".join(job)
    assert [rows for rows, _ in calls] == [4, 8, 11]
    assert calls[-1][1] == len(data)
    summary = job.summary.to_dict()
    assert summary["rows"] == 11 and summary["alerts"] == 1 and summary["errors"] == 0
    assert summary["scored"] == 2 and summary["cache_hits"] == 9
    assert summary["bytes"] == len(data) and summary["rows_per_second"] > 0
    assert job.summary.describe().startswith("11 rows screened: 1 alerts, 0 errors")


def test_options_are_validated() -> None:
    with pytest.raises(QueryError, match="csv or jsonl"):
        BulkOptions(output="xml")
    with pytest.raises(QueryError, match="threshold"):
        BulkOptions(threshold=1.5)


def test_threshold_decides(engine: Engine) -> None:
    rows, _ = run(engine, b"name\nRosoboronexpor\n", threshold=0.95)
    assert column(rows, "decision") == ["no_match"]
    rows, _ = run(engine, b"name\nRosoboronexpor\n", threshold=0.80)
    assert column(rows, "decision") == ["match"]


# --- Parallel -----------------------------------------------------------------------------------


def test_parallel_output_equals_serial_output(engine: Engine, data_dir: Path) -> None:
    names = ["Dmitry Peskov", "Jane Example", "Sea Dragon Holdings Ltd", "", "Rosoboronexport", "Ocean Pearl"]
    lines = [f"{i},{names[i % len(names)]}{'' if i % 4 else ' '},{1960 + i % 3}" for i in range(60)]
    data = ("id,name,dob\n" + "\n".join(lines) + "\n").encode()
    options = BulkOptions(batch_size=5)
    serial = b"".join(BulkScreening(io.BytesIO(data), SerialScorer(engine), options))
    loader = functools.partial(load_watch_engine, str(data_dir))
    with PoolScorer(loader, workers=2) as scorer:
        scorer.wait_ready()  # both workers have loaded their engine
        job = BulkScreening(io.BytesIO(data), scorer, options)
        parallel = b"".join(job)
    assert parallel == serial
    assert job.summary.rows == 60 and job.summary.errors == 10
    # Repeats are scored once in parallel too: 5 names x 2 spacings x 3 birth years at most.
    assert job.summary.scored <= 30


def test_a_record_the_csv_module_rejects_is_one_error_row(engine: Engine) -> None:
    # A field over csv.field_size_limit() (128 KB) makes the csv module raise for that record.
    data = b"name,id\n" + b"y" * 200_000 + b",1\nDmitry Peskov,2\n"
    rows, job = run(engine, data)
    assert column(rows, "decision") == ["error", "match"]
    assert column(rows, "error")[0].startswith("unreadable CSV: field larger than field limit")
    assert job.summary.rows == 2
