"""The in-place compiled modules (setup.py) must never shadow a newer source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from matcher import _refuse_stale_compiled


def _touch(path: Path, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    os.utime(path, (mtime, mtime))


def _checkout(tmp_path: Path) -> Path:
    """A source checkout: the package with setup.py beside it."""
    _touch(tmp_path / "setup.py", 500)
    return tmp_path / "matcher"


def test_a_compiled_module_older_than_its_source_is_refused(tmp_path: Path) -> None:
    package = _checkout(tmp_path)
    _touch(package / "normalize" / "names.py", 2_000)
    _touch(package / "normalize" / "names.cpython-311-x86_64-linux-gnu.so", 1_000)
    with pytest.raises(ImportError, match=r"names\.py changed after it was compiled: run `make install`"):
        _refuse_stale_compiled(package)


def test_a_fresh_compiled_module_and_pure_sources_pass(tmp_path: Path) -> None:
    package = _checkout(tmp_path)
    _touch(package / "score.py", 1_000)
    _touch(package / "score.cpython-311-x86_64-linux-gnu.so", 2_000)
    _touch(package / "engine.py", 3_000)
    _refuse_stale_compiled(package)


def test_an_installed_wheel_is_not_checked(tmp_path: Path) -> None:
    # pip writes a wheel's sources after its compiled modules; site-packages has no setup.py.
    package = tmp_path / "site-packages" / "matcher"
    _touch(package / "score.cpython-311-x86_64-linux-gnu.so", 1_000)
    _touch(package / "score.py", 1_001)
    _refuse_stale_compiled(package)
