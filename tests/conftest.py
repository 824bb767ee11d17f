"""Shared fixtures.

Fixture strategy (smallest data that shows the behaviour):

- ``tests/fixtures/<source_id>/``: tiny hand-written files in each official format, one quirk per
  file, described in that folder's README.md. Unit tests use these. ``malformed/`` subfolders hold
  truncated, wrong-format and hostile (XML bomb, external entity) files.
- ``shared_lists`` / ``shared_eval``: the real published files in ``../shared/data`` beside the repo.
  Tests that need them carry the ``shared`` marker and are skipped, with the reason, when the folder
  is absent. They assert the published counts.
- ``settings``: a :class:`matcher.settings.Settings` whose data directory is a fresh temp dir, so
  no test sees another's snapshots.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.settings import Settings

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data, skipping the calling test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (../shared/data is beside the repo in CI)")
    return path


@pytest.fixture
def shared_lists() -> Path:
    return shared_path("lists")


@pytest.fixture
def shared_eval() -> Path:
    return shared_path("eval")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({}, data_dir=tmp_path / "data")
