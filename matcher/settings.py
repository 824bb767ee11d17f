"""Every setting matcher reads, declared once as a (name, default, help) table.

Why one table: the CLI, the HTTP app and the README all read it, and ``tests/test_docs.py`` fails when
a setting is missing from the README. Values come from the environment (``MATCHER_*`` plus the
conventional ``REDIS_URL``) and can be overridden by keyword, which is how tests and
``create_app(config)`` configure a process without touching ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from matcher.errors import MatcherError


@dataclass(frozen=True, slots=True)
class Setting:
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "MATCHER_DATA_DIR",
        "./matcher-data",
        "Directory holding list snapshots, indexes and API keys (the embedded default).",
    ),
    Setting(
        "MATCHER_CATALOG_DIR",
        "",
        "Directory of list-source catalog files; empty means the repository's lists/.",
    ),
    Setting(
        "MATCHER_RETENTION", "5", "How many versions of each list to keep for diff and rollback (at least 2)."
    ),
    Setting(
        "MATCHER_MAX_SHRINK",
        "0.2",
        "Reject a refresh whose entity count falls by more than this fraction; --force overrides.",
    ),
    Setting("MATCHER_HTTP_TIMEOUT", "60", "Seconds before a list download times out."),
    Setting("MATCHER_HTTP_RETRIES", "3", "Download attempts per file before a refresh fails."),
    Setting(
        "MATCHER_MAX_DOWNLOAD_MB",
        "512",
        "Largest list file a refresh will download, in MB; a bigger response is refused as unsafe.",
    ),
    Setting("MATCHER_STALE_HOURS", "48", "A list whose last successful refresh is older is stale."),
    Setting(
        "MATCHER_THRESHOLD",
        "0.80",
        "Default match threshold: scores at or above it are reported as matches (alerts).",
    ),
    Setting("REDIS_URL", "", "Redis URL for the shared result cache; empty means in-process cache."),
)

_BY_ENV = {s.env: s for s in SETTINGS}


def _attr(env: str) -> str:
    return env.removeprefix("MATCHER_").lower()


@dataclass(frozen=True, slots=True)
class Settings:
    """Typed, resolved settings. Build with :meth:`from_env`."""

    data_dir: Path
    catalog_dir: Path
    retention: int
    max_shrink: float
    http_timeout: float
    http_retries: int
    max_download_mb: float
    stale_hours: float
    threshold: float
    redis_url: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Resolve every setting: keyword override, then environment, then default."""
        environ = os.environ if environ is None else environ
        raw: dict[str, Any] = {}
        for setting in SETTINGS:
            key = _attr(setting.env)
            raw[key] = overrides.pop(key) if key in overrides else environ.get(setting.env, setting.default)
        if overrides:
            raise MatcherError(f"unknown settings: {', '.join(sorted(overrides))}")
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            env = next(s.env for s in SETTINGS if _attr(s.env) == key)
            values[key] = _convert(env, types[key], value)
        if not values["catalog_dir"] or str(values["catalog_dir"]) == ".":
            values["catalog_dir"] = Path(__file__).resolve().parent.parent / "lists"
        if values["retention"] < 2:
            raise MatcherError("must be at least 2", where="MATCHER_RETENTION")
        if not 0 < values["max_shrink"] < 1:
            raise MatcherError("must be between 0 and 1", where="MATCHER_MAX_SHRINK")
        return cls(**values)


def _convert(env: str, kind: Any, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    try:
        if kind in ("Path", Path):
            return Path(value) if value else Path("")
        if kind in ("int", int):
            return int(value)
        if kind in ("float", float):
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise MatcherError(f"invalid value {value!r}", where=env) from None


def describe(env: str) -> Setting:
    """The declaration of one setting (used by docs and ``--help`` texts)."""
    return _BY_ENV[env]
