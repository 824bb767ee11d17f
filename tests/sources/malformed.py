"""What every parser promises about a file it cannot read: the right error, which names the file.

The per-format tests list their malformed fixtures and the message each must give; the checking is
the same for every format, so it lives here once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import MatcherError
from matcher.sources import parse


def assert_fails_naming_the_file(fmt: str, path: Path, error: type[MatcherError], message: str) -> None:
    """Parsing ``path`` as ``fmt`` raises ``error``, its text contains ``message``, ``where`` is the path."""
    with pytest.raises(error) as info:
        list(parse(fmt, fmt, [path]))
    assert message in str(info.value), str(info.value)
    assert info.value.where == str(path), info.value.where
