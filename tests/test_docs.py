"""The README stays true: every setting, every CLI command and the two quick-start commands."""

from __future__ import annotations

import re

import click
import pytest

from matcher.cli import cli
from matcher.settings import SETTINGS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("env", [s.env for s in SETTINGS])
def test_every_setting_is_documented(env: str) -> None:
    assert f"`{env}`" in README, f"{env} is missing from the README's configuration table"


def _commands(group: click.Group, prefix: str = "matcher") -> list[str]:
    out: list[str] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            out.extend(_commands(command, path))
        else:
            out.append(path)
    return out


@pytest.mark.parametrize("command", _commands(cli))
def test_every_cli_command_is_documented(command: str) -> None:
    words = command.split()[1:]
    pattern = r"matcher(?: \[[^\]]*\])? " + r" ".join(re.escape(w) for w in words) + r"\b"
    assert re.search(pattern, README), f"`{command}` is missing from the README"


def test_quick_start_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make serve" in quick and "make test" in quick
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
