"""Import boundaries between matcher's layers, checked on the source (AST) of every module.

An arrow in the STYLE guide's layer diagram means "may import". This table is that diagram: each
layer (a top-level module or subpackage of ``matcher``) with the layers it may import. Every layer may
also import itself, the base layers ``model``, ``errors`` and ``settings``, and ``__version__`` from
the ``matcher`` package. Base layers import only one another.

Imports inside functions and under ``TYPE_CHECKING`` count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BASE = frozenset({"model", "errors", "settings"})

ALLOWED: dict[str, frozenset[str]] = {
    # Base: anything may import these.
    "model": frozenset(),
    "errors": frozenset(),
    "settings": frozenset(),
    # Leaves: parse, store, describe, fetch and normalise without knowing about each other.
    "normalize": frozenset(),
    "sources": frozenset(),
    "store": frozenset(),
    "catalog": frozenset(),
    "fetch": frozenset(),
    # Matching core: pure, no I/O beyond the saved index.
    "kernels": frozenset(),
    "index": frozenset({"normalize", "kernels"}),
    "score": frozenset({"normalize"}),
    "engine": frozenset({"index", "score", "store", "normalize"}),
    # Orchestration: the one place fetch, parsers, store and index meet; screening over the engine.
    "refresh": frozenset({"catalog", "sources", "fetch", "store", "index"}),
    "bulk": frozenset({"engine", "normalize"}),
    "text_screen": frozenset({"engine", "normalize"}),
    "cache": frozenset({"engine"}),
    # Adapters: thin layers over the engine and the refresh.
    "api": frozenset({"engine", "refresh", "bulk", "text_screen", "cache", "store"}),
    # `matcher serve` starts the API (dev server or gunicorn) and `matcher keys` manages its keys.
    "cli": frozenset({"engine", "refresh", "bulk", "text_screen", "cache", "store", "api", "gunicorn_conf"}),
    "gunicorn_conf": frozenset({"api", "engine", "refresh", "bulk", "text_screen", "cache", "store"}),
    # The package facade (load_engine, match) and `python -m matcher`.
    "matcher": frozenset({"engine", "store"}),
    "__main__": frozenset({"cli"}),
}

#: Web, cache and command-line frameworks, and the only layers that may import them.
FRAMEWORKS = frozenset({"flask", "werkzeug", "redis", "click", "gunicorn"})
FRAMEWORK_LAYERS = frozenset({"api", "cache", "cli", "gunicorn_conf"})
#: What the core must not load at run time. click is left out: httpx (used by ``fetch``) imports it
#: for its own command line, which is no import of ours.
WEB_STACK = frozenset({"flask", "werkzeug", "redis", "gunicorn"})

PACKAGE = REPO / "matcher"
VERSION = "matcher.__version__"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str) -> bool:
    base = REPO.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def layer_of(module: str) -> str:
    """``matcher.normalize.text`` -> ``normalize``; ``matcher`` -> ``matcher``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imported_modules(module: str, source: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, dotted module) for every import in ``source``, relative imports resolved, and
    ``from package import submodule`` resolved to the submodule."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                dotted = f"{target}.{alias.name}"
                found.append((node.lineno, dotted if dotted == VERSION or is_module(dotted) else target))
    return found


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    """Every import in ``source`` (the text of ``module``) that the table does not allow."""
    layer = layer_of(module)
    allowed = ALLOWED[layer]
    out: list[str] = []
    for line, target in imported_modules(module, source, is_package):
        top = target.partition(".")[0]
        if top in FRAMEWORKS and layer not in FRAMEWORK_LAYERS:
            out.append(
                f"line {line}: {layer} imports {target} (only {', '.join(sorted(FRAMEWORK_LAYERS))} may)"
            )
        if top != "matcher" or target == VERSION:
            continue
        other = layer_of(target)
        if other == layer or other in BASE:
            continue
        if layer in BASE or other not in allowed:
            out.append(f"line {line}: {layer} imports {target}")
    return out


MODULES = sorted(PACKAGE.rglob("*.py"))
NAMES = [module_name(p) for p in MODULES]


def test_every_module_has_a_layer() -> None:
    unknown = sorted({layer_of(name) for name in NAMES} - set(ALLOWED))
    assert not unknown, f"add these layers to ALLOWED in {Path(__file__).name}: {unknown}"


@pytest.mark.parametrize("path", MODULES, ids=NAMES)
def test_imports_follow_the_layer_table(path: Path) -> None:
    name = module_name(path)
    if layer_of(name) not in ALLOWED:
        pytest.skip("no layer (see test_every_module_has_a_layer)")
    assert violations(name, path.read_text(encoding="utf-8"), path.name == "__init__.py") == []


# The checker itself must catch what it is meant to catch.

SNIPPET = """
import flask
from matcher.engine import Engine
from matcher import __version__, refresh
from . import text
from .phonetic import skeleton
from ..model import Entity
from ..sources.base import clean

def lazy():
    import redis
    from matcher.index import build_index
"""


def test_checker_resolves_every_import_form() -> None:
    assert imported_modules("matcher.normalize.names", SNIPPET) == [
        (2, "flask"),
        (3, "matcher.engine"),
        (4, "matcher.__version__"),
        (4, "matcher.refresh"),
        (5, "matcher.normalize.text"),
        (6, "matcher.normalize.phonetic"),
        (7, "matcher.model"),
        (8, "matcher.sources.base"),
        (11, "redis"),
        (12, "matcher.index"),
    ]


def test_checker_reports_each_forbidden_import() -> None:
    assert violations("matcher.normalize.names", SNIPPET) == [
        "line 2: normalize imports flask (only api, cache, cli, gunicorn_conf may)",
        "line 3: normalize imports matcher.engine",
        "line 4: normalize imports matcher.refresh",
        "line 8: normalize imports matcher.sources.base",
        "line 11: normalize imports redis (only api, cache, cli, gunicorn_conf may)",
        "line 12: normalize imports matcher.index",
    ]
    assert violations("matcher.cli", "import click\nfrom matcher.refresh import import_files\n") == []
    assert violations("matcher.model", "from matcher.settings import Settings\n") == []
    assert violations("matcher.model", "from matcher.store import Store\n") == [
        "line 1: model imports matcher.store"
    ]


@pytest.mark.parametrize(
    "module", ["matcher", "matcher.engine", "matcher.normalize", "matcher.refresh", "matcher.sources"]
)
def test_core_imports_without_the_web_stack(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        f"loaded = sorted(m for m in {sorted(WEB_STACK)!r} if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"importing {module} loads {done.stdout.strip()}"
