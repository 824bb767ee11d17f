"""`matcher screen` and `matcher screen-text` through click's CliRunner, over the hand-written
watch list (``tests/fixtures/screen/watchlist.csv``) imported with `matcher lists import`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from matcher.cli import cli

SCREEN = Path(__file__).resolve().parent / "fixtures" / "screen"
CUSTOMERS = SCREEN / "customers.csv"

Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Invoke ``matcher --data-dir <fresh dir> ...``; keyword ``env`` adds environment variables."""
    runner = CliRunner()
    data_dir = tmp_path / "data"

    def invoke(*args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> Result:
        base = {"MATCHER_CATALOG_DIR": "", "MATCHER_THRESHOLD": "0.80", **(env or {})}
        return runner.invoke(cli, ["--data-dir", str(data_dir), *args], env=base, input=input)

    return invoke


@pytest.fixture
def loaded(run: Run) -> Run:
    result = run("lists", "import", "watch", str(SCREEN / "watchlist.csv"), "--format", "user_csv")
    assert result.exit_code == 0, result.output
    return run


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.strip().splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


# --- screen -------------------------------------------------------------------------------------


def test_screen_writes_every_row_and_a_summary(loaded: Run, tmp_path: Path) -> None:
    out = tmp_path / "screened.csv"
    result = loaded("screen", str(CUSTOMERS), "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    assert len(rows) == 13  # header + 12 records
    assert rows[0][-8:] == [
        "match_id",
        "match_name",
        "match_list",
        "match_score",
        "decision",
        "match_count",
        "explanation",
        "error",
    ]
    assert rows[5][1] == '\'=HYPERLINK("http://example.org")'
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith("12 rows screened: 6 alerts, 4 errors; 6 distinct queries scored;")
    assert "rows/s (1 worker; utf-8, delimiter ',')" in summary
    assert not list(tmp_path.glob(".*.partial"))


def test_screen_stdin_to_stdout_as_json_lines(loaded: Run) -> None:
    data = b"name,dob\nDmitry Peskov,1967\nJane Example,\n"
    result = loaded("screen", "-", "--format", "jsonl", input=data)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [x["decision"] for x in lines] == ["match", "no_match"]
    assert lines[0]["input"] == {"name": "Dmitry Peskov", "dob": "1967"}
    assert "2 rows screened" in result.stderr


def test_screen_column_options_and_threshold(loaded: Run, tmp_path: Path) -> None:
    data = tmp_path / "in.csv"
    data.write_text("ref;surname;given;kind\nA;Rosoboronexpor;;company\nB;Peskov;Dmitry;person\n")
    out = tmp_path / "out.csv"
    args = ["--name-column", "given", "--name-column", "surname", "--type-column", "kind"]
    result = loaded("screen", str(data), "-o", str(out), *args, "--client-id-column", "ref")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text()), delimiter=";"))
    assert [r[8] for r in rows[1:]] == ["match", "match"]
    result = loaded("screen", str(data), "-o", str(out), *args, "--threshold", "0.95")
    rows = list(csv.reader(io.StringIO(out.read_text()), delimiter=";"))
    assert [r[8] for r in rows[1:]] == ["no_match", "match"]


def test_screen_in_parallel_writes_the_same_file(loaded: Run, tmp_path: Path) -> None:
    serial, parallel = tmp_path / "serial.csv", tmp_path / "parallel.csv"
    assert loaded("screen", str(CUSTOMERS), "-o", str(serial)).exit_code == 0
    result = loaded("screen", str(CUSTOMERS), "-o", str(parallel), "--workers", "2")
    assert result.exit_code == 0, result.output
    assert parallel.read_bytes() == serial.read_bytes()
    assert "(2 workers;" in result.stderr


def test_screen_errors_are_one_line(loaded: Run, run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,amount\n1,2\n")
    line = one_error_line(loaded("screen", str(bad)))
    assert "no name column found" in line and "(name column)" in line
    line = one_error_line(loaded("screen", str(tmp_path / "missing.csv")))
    assert "No such file or directory" in line
    line = one_error_line(loaded("screen", str(CUSTOMERS), "--list", "nope"))
    assert "unknown or unloaded list(s): nope" in line
    empty = tmp_path / "empty-data"
    result = CliRunner().invoke(cli, ["--data-dir", str(empty), "screen", str(CUSTOMERS)])
    assert "no lists are loaded" in one_error_line(result)


def test_screen_limits_leave_no_partial_file(loaded: Run, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = loaded("screen", str(CUSTOMERS), "-o", str(out), env={"MATCHER_MAX_ROWS": "5"})
    assert "the file has more than 5 rows" in one_error_line(result)
    assert not out.exists() and not list(tmp_path.glob(".*.partial"))
    result = loaded("screen", str(CUSTOMERS), "-o", str(out), env={"MATCHER_MAX_UPLOAD_MB": "0.0001"})
    assert "larger than the limit" in one_error_line(result)


# --- screen-text --------------------------------------------------------------------------------


def test_screen_text_prints_flagged_parties(loaded: Run) -> None:
    result = loaded("screen-text", str(SCREEN / "article_ru.txt"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("MATCH Дмитрий Песков (person; 2 mention(s) at ")
    assert "watch:P-1" in lines[1]
    assert lines[-1] == "4 mentions of 3 parties; 3 flagged (threshold 0.80, single words 0.95)"


def test_screen_text_json_html_and_stdin(loaded: Run) -> None:
    html = (SCREEN / "article.html").read_bytes()
    result = loaded("screen-text", "-", "--html", "--json", input=html)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [m["text"] for m in data["mentions"]] == ["Dmitry Peskov", "Bank of Taizhou", "Peskov"]
    assert data["text"].startswith("Kremlin reacts")
    result = loaded("screen-text", "-", "--threshold", "0.99", input=b"Spokesman Dmitry PESKOV said.")
    assert result.exit_code == 0 and result.stdout.startswith("MATCH Dmitry PESKOV")


def test_screen_text_reads_latin1_and_reports_errors(loaded: Run, tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Société Générale said Dmitry Peskov was right.".encode("latin-1"))
    result = loaded("screen-text", str(latin))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("      Société Générale (unknown; 1 mention(s)")
    assert "MATCH Dmitry Peskov" in result.stdout
    assert "No such file or directory" in one_error_line(loaded("screen-text", str(tmp_path / "none.txt")))
    empty = tmp_path / "empty-data"
    result = CliRunner().invoke(cli, ["--data-dir", str(empty), "screen-text", str(latin)])
    assert "no lists are loaded" in one_error_line(result)
