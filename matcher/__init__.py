"""matcher: self-hosted sanctions screening against official lists.

The Python API is two functions over the loaded list snapshots::

    engine = matcher.load_engine()                 # MATCHER_DATA_DIR, or data_dir=...
    result = matcher.match("Dmitry Peskov", types=["person"])

Layout (one concern per module, see README "Architecture"): ``model`` (one entity model),
``sources`` (one parser per official format), ``store`` (versioned list snapshots), ``refresh``
(fetch, parse, check, commit), ``normalize`` / ``index`` / ``score`` / ``engine`` (matching, pure),
and the thin ``cli`` and ``api`` adapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"


def _refuse_stale_compiled(package: Path = Path(__file__).parent) -> None:
    """The install compiles the hot modules in place (see ``setup.py``); after an edit the compiled
    module would shadow the new source and silently run old code, so stop with the fix instead.

    Only in a source checkout (``setup.py`` beside the package): an installed wheel writes its
    sources after its compiled modules, and nobody edits it in place."""
    from importlib.machinery import EXTENSION_SUFFIXES

    if not (package.parent / "setup.py").is_file():
        return
    for built in package.rglob("*.so"):
        suffix = next((s for s in EXTENSION_SUFFIXES if built.name.endswith(s)), ".so")
        source = built.with_name(built.name[: -len(suffix)] + ".py")
        if source.is_file() and source.stat().st_mtime > built.stat().st_mtime:
            raise ImportError(
                f"{source} changed after it was compiled: run `make install` (or `pip install -e .`) "
                f"to rebuild it, or delete {built} to run it as Python"
            )


_refuse_stale_compiled()

if TYPE_CHECKING:
    from matcher.engine import Engine, MatchResult, Query
    from matcher.model import EntityType

_ENGINE: Engine | None = None


def load_engine(data_dir: Path | str | None = None) -> Engine:
    """Load the active version of every list in the data directory (MATCHER_DATA_DIR by default)
    and make it the engine :func:`match` uses."""
    global _ENGINE
    from matcher.engine import Engine
    from matcher.settings import Settings
    from matcher.store import Store

    overrides: dict[str, Any] = {"data_dir": Path(data_dir)} if data_dir is not None else {}
    settings = Settings.from_env(**overrides)
    _ENGINE = Engine.load(Store(settings.data_dir, settings.retention), threshold=settings.threshold)
    return _ENGINE


def match(
    query: Query | str,
    lists: Sequence[str] | None = None,
    types: Sequence[EntityType | str] | None = None,
    threshold: float | None = None,
    limit: int = 10,
) -> MatchResult:
    """Screen one query (a name or a :class:`matcher.engine.Query`) against the loaded lists."""
    engine = _ENGINE if _ENGINE is not None else load_engine()
    return engine.match(query, lists=lists, types=types, threshold=threshold, limit=limit)


__all__ = ["__version__", "load_engine", "match"]
