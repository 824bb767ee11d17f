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
    # --- HTTP service (matcher serve, matcher.api) ---
    Setting("MATCHER_HOST", "127.0.0.1", "Address `matcher serve` binds to."),
    Setting("MATCHER_PORT", "8000", "Port `matcher serve` listens on."),
    Setting("MATCHER_WORKERS", "2", "Gunicorn worker processes; each holds the loaded lists in memory."),
    Setting("MATCHER_THREADS", "2", "Threads per worker (gthread): requests one worker runs at once."),
    Setting("MATCHER_TIMEOUT", "60", "Seconds before a hung worker is restarted; also the graceful timeout."),
    Setting(
        "MATCHER_PRELOAD",
        "true",
        "Load the lists once in the gunicorn master before forking workers (see matcher/gunicorn_conf.py).",
    ),
    Setting("MATCHER_AUTH", "off", "API authentication: `off` (embedded default) or `keys` (API keys)."),
    Setting("MATCHER_RATE_LIMIT", "600", "Requests per API key and minute (MATCHER_AUTH=keys); 0: no limit."),
    Setting("MATCHER_CACHE_TTL", "3600", "Seconds a cached match result is kept."),
    Setting("MATCHER_CACHE_SIZE", "10000", "Entries in each worker's in-process result cache."),
    Setting("MATCHER_MAX_BATCH", "1000", "Most queries in one POST /v1/match batch."),
    Setting("MATCHER_MAX_BODY_MB", "5", "Largest accepted request body, in MB."),
    Setting("MATCHER_RELOAD_INTERVAL", "1", "Seconds between checks for a new list version in each worker."),
    Setting("MATCHER_REDIS_PREFIX", "matcher:", "Prefix of every Redis key (cache and rate limits)."),
    # --- Bulk CSV screening (matcher screen, POST /v1/screen/csv) ---
    Setting("MATCHER_MAX_UPLOAD_MB", "200", "Largest CSV file a bulk screening accepts, in MB."),
    Setting("MATCHER_MAX_ROWS", "2000000", "Most rows a bulk screening accepts."),
    Setting("MATCHER_BULK_WORKERS", "1", "Processes `matcher screen` scores with (--workers overrides)."),
    Setting(
        "MATCHER_BULK_CACHE",
        "200000",
        "Distinct names whose results a bulk job keeps, so repeated names are scored once.",
    ),
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
    host: str
    port: int
    workers: int
    threads: int
    timeout: float
    preload: bool
    auth: str
    rate_limit: int
    cache_ttl: int
    cache_size: int
    max_batch: int
    max_body_mb: float
    reload_interval: float
    redis_prefix: str
    max_upload_mb: float
    max_rows: int
    bulk_workers: int
    bulk_cache: int

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
        if values["auth"] not in ("off", "keys"):
            raise MatcherError("must be `off` or `keys`", where="MATCHER_AUTH")
        for key in ("workers", "threads", "max_batch", "cache_size", "max_rows", "bulk_workers"):
            if values[key] < 1:
                raise MatcherError("must be at least 1", where=f"MATCHER_{key.upper()}")
        for key in ("timeout", "max_body_mb", "reload_interval", "max_upload_mb"):
            if values[key] <= 0:
                raise MatcherError("must be greater than 0", where=f"MATCHER_{key.upper()}")
        if values["bulk_cache"] < 0:
            raise MatcherError("must be 0 or more", where="MATCHER_BULK_CACHE")
        if not 0 <= values["port"] <= 65535:
            raise MatcherError("must be a port number (0-65535)", where="MATCHER_PORT")
        return cls(**values)


_BOOLS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False}
_BOOLS |= {"off": False, "": False}


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
        if kind in ("bool", bool):
            if isinstance(value, bool):
                return value
            return _BOOLS[str(value).lower()]
        return str(value)
    except (TypeError, ValueError, KeyError):
        raise MatcherError(f"invalid value {value!r}", where=env) from None


def describe(env: str) -> Setting:
    """The declaration of one setting (used by docs and ``--help`` texts)."""
    return _BY_ENV[env]
