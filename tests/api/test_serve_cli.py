"""`matcher serve`: options reach the server settings; bad settings fail in one line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from matcher import gunicorn_conf
from matcher.cli import cli


@pytest.fixture
def started(monkeypatch):
    """Replace the gunicorn run with a recorder of the settings it would serve with."""
    seen = []
    monkeypatch.setattr(gunicorn_conf, "run", lambda settings: seen.append(settings))
    return seen


def test_options_become_settings(started, tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "--data-dir",
            str(tmp_path),
            "serve",
            "--port",
            "9123",
            "--workers",
            "3",
            "--threads",
            "1",
            "--no-preload",
        ],
        env={"MATCHER_HOST": "127.0.0.1"},
    )
    assert result.exit_code == 0, result.output
    [settings] = started
    assert (settings.port, settings.workers, settings.threads, settings.preload) == (9123, 3, 1, False)
    assert settings.data_dir == tmp_path and settings.host == "127.0.0.1"
    assert result.stderr == ""
    options = gunicorn_conf.options(settings)
    assert options["bind"] == ["127.0.0.1:9123"] and options["workers"] == 3 and options["threads"] == 1
    assert options["worker_class"] == "gthread" and options["preload_app"] is False


def test_open_api_on_a_public_address_warns(started, tmp_path):
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0
    assert "warning: MATCHER_AUTH=off on 0.0.0.0" in result.stderr
    quiet = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "serve", "--host", "0.0.0.0"], env={"MATCHER_AUTH": "keys"}
    )
    assert quiet.stderr == ""


def test_bad_settings_fail_in_one_line(started, tmp_path):
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "serve"], env={"MATCHER_AUTH": "maybe"})
    assert result.exit_code == 1 and started == []
    assert result.stderr.strip() == "error: must be `off` or `keys` (MATCHER_AUTH)"
    bad_port = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "serve", "--port", "70000"])
    assert bad_port.exit_code == 2 and started == []
    bad_bool = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "serve"], env={"MATCHER_PRELOAD": "perhaps"}
    )
    assert bad_bool.exit_code == 1 and "MATCHER_PRELOAD" in bad_bool.stderr
