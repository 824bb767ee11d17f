"""The in-place compiled modules (setup.py) must never shadow a newer source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from matcher import _refuse_stale_compiled


def _touch(path: Path, mtime: float) -> None:
    path.write_text("")
    os.utime(path, (mtime, mtime))


def test_a_compiled_module_older_than_its_source_is_refused(tmp_path: Path) -> None:
    (tmp_path / "normalize").mkdir()
    _touch(tmp_path / "normalize" / "names.py", 2_000)
    _touch(tmp_path / "normalize" / "names.cpython-311-x86_64-linux-gnu.so", 1_000)
    with pytest.raises(ImportError, match=r"names\.py changed after it was compiled: run `make install`"):
        _refuse_stale_compiled(tmp_path)


def test_a_fresh_compiled_module_and_pure_sources_pass(tmp_path: Path) -> None:
    _touch(tmp_path / "score.py", 1_000)
    _touch(tmp_path / "score.cpython-311-x86_64-linux-gnu.so", 2_000)
    _touch(tmp_path / "engine.py", 3_000)
    _refuse_stale_compiled(tmp_path)
