"""Fixtures for the HTTP API tests (Flask test client, no server process).

Fixture strategy: one tiny UN-format list (``tests/fixtures/api/un_small.xml``, five entries with
distinct names) imported into a fresh data directory per test, which takes well under a second;
``make_app(**settings)`` builds an app over it with any setting overridden (each test gets its own
app, as Flask's factory pattern intends). The poller thread is off (``ENGINE_POLL=False``) so a
test decides when the app looks for new list versions (``holder.check()``); ``test_holder.py``
runs the real poller. Tests that need Redis use the system Redis on 127.0.0.1:6379 under a key
prefix of their own (``redis_prefix``), or a private ``redis-server`` (:mod:`tests.serverkit`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from matcher.api import create_app
from matcher.refresh import import_files
from matcher.settings import Settings
from tests.conftest import FIXTURES
from tests.serverkit import private_redis, redis_prefix

__all__ = ["private_redis", "redis_prefix"]  # fixtures shared with the API tests

UN_SMALL = FIXTURES / "api" / "un_small.xml"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory with ``un_small.xml`` imported as the list ``un``."""
    path = tmp_path / "data"
    import_files(Settings.from_env({}, data_dir=path), "un", [UN_SMALL])
    return path


@pytest.fixture
def make_app(data_dir: Path) -> Callable[..., Flask]:
    def make(data: Path | None = None, **settings: Any) -> Flask:
        resolved = Settings.from_env({}, data_dir=data or data_dir, **settings)
        return create_app({"SETTINGS": resolved, "TESTING": True, "ENGINE_POLL": False})

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> Any:
    return app.test_client()


def write_version(
    folder: Path, *, extra_ref: str = "TLi.099", generated: str = "2026-03-06T00:00:00.000Z"
) -> Path:
    """A new version of ``un_small.xml`` with one more individual and a new ``dateGenerated``."""
    text = UN_SMALL.read_text(encoding="utf-8")
    text = text.replace('dateGenerated="2026-02-27T00:00:09.554Z"', f'dateGenerated="{generated}"')
    entry = f"""    <INDIVIDUAL>
      <DATAID>919999</DATAID>
      <FIRST_NAME>OSKAR</FIRST_NAME>
      <SECOND_NAME>VANDERBILT-NEWENTRY</SECOND_NAME>
      <UN_LIST_TYPE>Testland</UN_LIST_TYPE>
      <REFERENCE_NUMBER>{extra_ref}</REFERENCE_NUMBER>
      <LISTED_ON>2026-03-05</LISTED_ON>
    </INDIVIDUAL>
  </INDIVIDUALS>"""
    text = text.replace("  </INDIVIDUALS>", entry, 1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "consolidated.xml"
    path.write_text(text, encoding="utf-8")
    return path
