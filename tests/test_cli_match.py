"""`matcher match` through click's CliRunner, over a list imported with `matcher lists import`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from matcher.cli import cli
from matcher.model import ALGORITHM_VERSION

UN_INDIVIDUAL = Path(__file__).resolve().parent / "fixtures" / "un" / "individual.xml"

Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Invoke ``matcher --data-dir <fresh dir> ...`` with the repository's catalog."""
    runner = CliRunner()
    data_dir = tmp_path / "data"

    def invoke(*args: str) -> Result:
        env = {"MATCHER_CATALOG_DIR": "", "MATCHER_THRESHOLD": "0.80"}
        return runner.invoke(cli, ["--data-dir", str(data_dir), *args], env=env)

    return invoke


@pytest.fixture
def imported(run: Run) -> Run:
    result = run("lists", "import", "un", str(UN_INDIVIDUAL))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("un: updated to ")
    return run


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    return lines[0]


def test_match_prints_the_entity_id_and_the_explanation(imported: Run) -> None:
    result = imported("match", "Hamid Abdul Karim al-Testi")
    assert result.exit_code == 0, result.output
    first, explanation = result.stdout.splitlines()[:2]
    assert "un:QDi.901" in first and "MATCH" in first and "HAMID ABDUL KARIM AL-TESTI" in first
    assert "matched 'HAMID ABDUL KARIM AL-TESTI'" in explanation
    assert f"algorithm {ALGORITHM_VERSION}" in result.stdout.splitlines()[-1]


def test_match_json(imported: Run) -> None:
    result = imported("match", "Hamid Karim", "--json", "--birth-date", "1961-04-14", "--country", "Pakistan")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"]["name"] == "Hamid Karim" and data["query"]["birth_date"] == "1961-04-14"
    assert data["matches"] and data["matches"][0]["entity_id"] == "un:QDi.901"
    assert data["matches"][0]["matched_name"] == "Hamid Karim"
    assert {q["field"] for q in data["matches"][0]["explanation"]["qualifiers"]} == {"birth_date", "country"}
    assert list(data["list_versions"]) == ["un"]


def test_match_with_no_candidates_says_so(imported: Run) -> None:
    result = imported("match", "Olaf Scholz")
    assert result.exit_code == 0
    assert result.stdout.startswith("no candidates for 'Olaf Scholz'")


def test_match_without_lists_is_one_error_line(run: Run) -> None:
    line = one_error_line(run("match", "Hamid Karim"))
    assert "no lists are loaded" in line


def test_bad_birth_date_is_one_error_line_naming_birth_date(imported: Run) -> None:
    line = one_error_line(imported("match", "Hamid Karim", "--birth-date", "14/04/1961"))
    assert "birth_date" in line and "14/04/1961" in line


@pytest.mark.parametrize(
    ("options", "where"),
    [(["--list", "eu"], "lists"), (["--threshold", "2"], "threshold"), (["--limit", "0"], "limit")],
)
def test_bad_query_options_are_one_error_line(imported: Run, options: list[str], where: str) -> None:
    assert where in one_error_line(imported("match", "Hamid Karim", *options))


def test_empty_name_is_one_error_line_naming_name(imported: Run) -> None:
    assert "(name)" in one_error_line(imported("match", " "))
