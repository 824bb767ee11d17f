"""The `matcher lists` commands through click's CliRunner: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from matcher.cli import cli
from matcher.refresh import open_store
from tests.conftest import REPO, shared_path
from tests.listkit import ListServer, free_port, un_refs, un_xml, write, write_catalog


@pytest.fixture
def run(settings, tmp_path):
    """Invoke ``matcher --data-dir <fresh dir> ...`` with a test catalog (source ``un``, floor 3)."""
    catalog = write_catalog(tmp_path / "catalog", "un", min_count=3)
    runner = CliRunner()

    def invoke(*args: str, catalog_dir=catalog, **env_vars: str):
        env = {"MATCHER_CATALOG_DIR": str(catalog_dir), "MATCHER_HTTP_RETRIES": "1", **env_vars}
        return runner.invoke(cli, ["--data-dir", str(settings.data_dir), *args], env=env)

    return invoke


@pytest.fixture
def two_versions(run, tmp_path):
    old = write(tmp_path / "old" / "consolidated.xml", un_xml(un_refs(10)))
    new = write(tmp_path / "new" / "consolidated.xml", un_xml([*un_refs(9), "QDi.100", "QDi.101"]))
    assert run("lists", "import", "un", str(old)).exit_code == 0
    assert run("lists", "import", "un", str(new)).exit_code == 0
    return old, new


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    return lines[0]


def test_import_prints_the_new_version(run, tmp_path, settings):
    path = write(tmp_path / "consolidated.xml", un_xml(un_refs(5)))
    result = run("lists", "import", "un", str(path))
    assert result.exit_code == 0, result.output
    version = open_store(settings).active_version("un")
    assert result.stdout.strip().startswith(
        f"un: updated to {version} (5 entities, 5 names, published 2026-02-27"
    )
    again = run("lists", "import", "un", str(path))
    assert again.exit_code == 0 and "un: unchanged" in again.stdout


def test_import_user_list_with_format(run, tmp_path):
    path = write(tmp_path / "mine.csv", "id,name\n1,Jane Roe\n")
    assert run("lists", "import", "mylist", str(path), "--format", "user_csv").exit_code == 0
    missing = run("lists", "import", "other", str(path))
    assert missing.exit_code == 1
    assert "needs --format" in one_error_line(missing)


def test_import_errors_are_one_line_with_where(run, tmp_path):
    cut = write(tmp_path / "cut.xml", un_xml(un_refs(5))[:200])
    result = run("lists", "import", "un", str(cut))
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "truncated" in line and f"({cut}" in line
    assert result.stdout == ""


def test_shrink_needs_force(run, tmp_path):
    ten = write(tmp_path / "a" / "consolidated.xml", un_xml(un_refs(10)))
    five = write(tmp_path / "b" / "consolidated.xml", un_xml(un_refs(5)))
    run("lists", "import", "un", str(ten))
    refused = run("lists", "import", "un", str(five))
    assert refused.exit_code == 1 and "50% fewer" in one_error_line(refused)
    forced = run("lists", "import", "un", str(five), "--force")
    assert forced.exit_code == 0 and "5 entities" in forced.stdout
    assert "accepted because of --force" in forced.stderr


def test_status_table_and_json(run, two_versions, settings):
    table = run("lists", "status")
    assert table.exit_code == 0
    header, row = table.stdout.strip().splitlines()
    assert header.split() == [
        "source",
        "version",
        "published",
        "fetched",
        "age",
        "entities",
        "names",
        "state",
    ]
    assert row.split()[0] == "un" and row.split()[-1] == "ok" and "11" in row.split()
    data = json.loads(run("lists", "status", "--json").stdout)
    assert [r["source"] for r in data] == ["un"]
    assert data[0]["entities"] == 11 and data[0]["stale"] is False
    assert data[0]["version"] == open_store(settings).active_version("un")


def test_status_marks_stale_and_missing_lists(run, two_versions, tmp_path):
    write_catalog(tmp_path / "catalog", "absent", min_count=3)
    rows = {r["source"]: r for r in json.loads(run("lists", "status", "--json").stdout)}
    assert rows["absent"]["version"] is None and rows["un"]["stale"] is False
    stale = run("lists", "status", MATCHER_STALE_HOURS="0")
    states = {line.split()[0]: line.split()[-1] for line in stale.stdout.strip().splitlines()[1:]}
    assert states == {"absent": "missing", "un": "STALE"}


def test_diff_text_and_json(run, two_versions):
    text = run("lists", "diff", "un")
    assert text.exit_code == 0
    lines = text.stdout.strip().splitlines()
    assert lines[0].endswith("2 added, 1 removed, 0 changed")
    assert lines[1:] == ["+ un:QDi.100", "+ un:QDi.101", "- un:QDi.010"]
    data = json.loads(run("lists", "diff", "un", "--json").stdout)
    assert data["added"] == ["un:QDi.100", "un:QDi.101"] and data["removed"] == ["un:QDi.010"]
    back = json.loads(run("lists", "diff", "un", "--json", "--from", data["to"], "--to", data["from"]).stdout)
    assert back["removed"] == data["added"]


def test_rollback_default_previous_and_explicit(run, two_versions, settings):
    store = open_store(settings)
    newer, older = (m.version for m in store.versions("un"))
    result = run("lists", "rollback", "un")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"un: active version is now {older} (was {newer})"
    assert store.active_version("un") == older
    nothing = run("lists", "rollback", "un")
    assert nothing.exit_code == 1 and "no version older than" in one_error_line(nothing)
    assert run("lists", "rollback", "un", newer).exit_code == 0
    assert store.active_version("un") == newer
    bad = run("lists", "rollback", "un", "20990101T000000Z-00000000")
    assert bad.exit_code == 1 and "no version 20990101T000000Z-00000000 of un" in one_error_line(bad)


def test_errors_for_unknown_source_and_empty_store(run):
    result = run("lists", "refresh", "nope")
    assert result.exit_code == 1 and "unknown list source 'nope'" in one_error_line(result)
    diff = run("lists", "diff", "un")
    assert diff.exit_code == 1 and "no active version" in one_error_line(diff)
    rollback = run("lists", "rollback", "un")
    assert rollback.exit_code == 1 and "no active version" in one_error_line(rollback)


def test_bad_setting_is_a_one_line_error(run, settings):
    runner = CliRunner()
    result = runner.invoke(cli, ["lists", "status"], env={"MATCHER_MAX_SHRINK": "2"})
    assert result.exit_code == 1
    assert one_error_line(result) == "error: must be between 0 and 1 (MATCHER_MAX_SHRINK)"


def test_refresh_offline_says_nothing_changed(run, tmp_path):
    catalog = write_catalog(tmp_path / "offline", "un", urls=[f"http://127.0.0.1:{free_port()}/x.xml"])
    result = run("lists", "refresh", catalog_dir=catalog)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: un: ") and "looks offline" in lines[0]
    assert lines[-1].startswith("offline: ") and lines[-1].endswith("nothing changed")


def test_refresh_from_the_network_with_progress_then_unchanged(run, tmp_path):
    with ListServer() as server:
        url = server.serve("/un.xml", un_xml(un_refs(6)), etag='"e1"')
        catalog = write_catalog(tmp_path / "net", "un", urls=[url], url_files=["consolidated.xml"])
        first = run("lists", "refresh", "un", catalog_dir=catalog)
        assert first.exit_code == 0, first.output
        assert first.stdout.startswith("un: updated to") and "6 entities" in first.stdout
        assert "downloading consolidated.xml" in first.stderr
        second = run("lists", "refresh", catalog_dir=catalog)
        assert (
            second.exit_code == 0
            and second.stdout.startswith("un: unchanged (")
            and "HTTP 304" in second.stdout
        )


def test_refresh_failure_exits_1_with_one_line_per_failed_source(run, tmp_path):
    with ListServer() as server:
        catalog = write_catalog(tmp_path / "net", "un", urls=[server.url("/gone.xml")])
        write_catalog(catalog, "good", urls=[server.serve("/good.xml", un_xml(un_refs(4)))])
        result = run("lists", "refresh", catalog_dir=catalog)
    assert result.exit_code == 1
    assert result.stdout.startswith("good: updated to")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: un: server answered HTTP 404 ({server.url('/gone.xml')})"]


def test_refresh_from_dir(run, tmp_path):
    write(tmp_path / "mirror" / "un" / "consolidated.xml", un_xml(un_refs(4)))
    result = run("lists", "refresh", "--from-dir", str(tmp_path / "mirror"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("un: updated to") and "4 entities" in result.stdout


def test_python_dash_m_matcher_runs_the_cli(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "matcher", "--data-dir", str(tmp_path / "d"), "lists", "diff", "un"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: un has no active version; import or refresh it first (un)"
    ]


# --- The real lists in ../shared -------------------------------------------------------------


@pytest.mark.shared
def test_refresh_from_the_shared_mirror_imports_every_list(tmp_path):
    lists = shared_path("lists")
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path / "data"), "lists"]
    env = {"MATCHER_CATALOG_DIR": ""}
    result = runner.invoke(cli, [*args, "refresh", "--from-dir", str(lists)], env=env)
    assert result.exit_code == 0, result.output
    assert "uk: skipped" in result.stdout  # no FCDO file in the mirror
    status = {
        r["source"]: r for r in json.loads(runner.invoke(cli, [*args, "status", "--json"], env=env).stdout)
    }
    counts = {s: r["entities"] for s, r in status.items() if r["version"]}
    # Published counts (SOURCES.md): UN 1,003; SDN 14,965; OFAC consolidated 442; OFSI 4,688 targets;
    # Canada 4,759 records; DFAT 3,062 targets; the EU excerpt 5.
    assert counts == {
        "un": 1003,
        "ofac_sdn": 14965,
        "ofac_cons": 442,
        "uk_ofsi": 4688,
        "ca_sema": 4759,
        "au_dfat": 3062,
        "eu": 5,
    }
    assert status["un"]["published"] == "2026-02-27"
    assert status["uk"]["version"] is None
    assert "below the floor" in result.stderr  # the 5-entity EU sample is imported with a warning


@pytest.mark.shared
def test_un_diff_between_the_two_shared_publications(tmp_path):
    older = shared_path("lists", "un", "2025-04-19", "consolidated.xml")
    newer = shared_path("lists", "un", "consolidated.xml")
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path / "data"), "lists"]
    env = {"MATCHER_CATALOG_DIR": ""}
    assert runner.invoke(cli, [*args, "import", "un", str(older)], env=env).exit_code == 0
    assert runner.invoke(cli, [*args, "import", "un", str(newer)], env=env).exit_code == 0
    data = json.loads(runner.invoke(cli, [*args, "diff", "un", "--json"], env=env).stdout)
    assert len(data["added"]) == 130
    assert data["removed"] == ["un:IQi.074", "un:QDi.317", "un:QDi.328", "un:QDi.336"]
    assert sum(ref.startswith(("un:IRe.", "un:IRi.")) for ref in data["added"]) == 121
