"""The HTTP service: a Flask application factory in front of the matching engine.

::

    create_app(config=None) -> Flask
        settings    Settings.from_env(), overridden by MATCHER_* / REDIS_URL keys in ``config``
                    (or a whole Settings under "SETTINGS"); other keys are Flask config (TESTING)
        services    app.extensions["matcher"]: EngineHolder, FallbackCache, Auth, Metrics
        blueprints  match (/v1/match), lists (/v1/lists, /v1/entities), health (/healthz,
                    /readyz, /metrics), web (/openapi.json, /docs), screen (/v1/screen/csv,
                    /v1/screen/text), page (the analyst page at /)
        errors      one table of handlers -> application/problem+json (matcher.api.errors)

**The engine holder.** Each process (each gunicorn worker) holds one :class:`~matcher.engine.Engine`
behind one reference. A poller thread reads :meth:`Store.state_token() <matcher.store.Store.state_token>`
every ``MATCHER_RELOAD_INTERVAL`` seconds (a few tiny file reads); when it changes, the thread
builds a new engine beside the old one from the saved indexes, warms it up, and swaps the
reference. A request takes the reference once and uses that engine to the end, so a batch is
answered by one set of list versions, no request waits for a reload, and none fails because of
one. If a load fails the old engine keeps serving, ``/readyz`` shows the error, and the same
versions are tried again after 30 s (a newer version at once). This is how a ``matcher lists
refresh`` or ``import`` from any process reaches every worker of every instance that shares the
data directory within a second or two (measured: under 1 s with two workers), without a restart.

The first load happens in :func:`create_app` (in the gunicorn master with preload, else in each
worker before it accepts connections); with no lists the app still starts, ``/readyz`` answers 503
and ``/v1/match`` answers 503 with the commands that load lists. The poller starts in the process
that serves (threads do not survive ``fork``): from gunicorn's ``post_worker_init``, or lazily.

Config keys besides settings: ``ENGINE_LOAD`` (default True: load at creation), ``ENGINE_POLL``
(default True: start the poller on first use).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, request

from matcher.api.auth import Auth, RateLimiter, add_rate_headers
from matcher.api.keys import KeyStore
from matcher.api.metrics import Metrics
from matcher.cache import FallbackCache, RedisLink, create_cache
from matcher.engine import Engine, load_or_build_index
from matcher.settings import SETTINGS, Settings
from matcher.store import SnapshotMeta, Store

log = logging.getLogger(__name__)

#: Seconds before list versions that failed to load are tried again (a new version: at once).
RETRY_FAILED_LOAD = 30.0


@dataclass(frozen=True, slots=True)
class Loaded:
    """One loaded set of lists: the engine, the metadata of each list version, and when."""

    engine: Engine
    token: str
    metas: dict[str, SnapshotMeta]
    loaded_at: datetime

    @property
    def ready(self) -> bool:
        return bool(self.engine.indexes)


class EngineHolder:
    """The engine of this process, hot-swapped when the store's active versions change."""

    def __init__(self, store: Store, threshold: float, interval: float = 1.0) -> None:
        self.store = store
        self.threshold = threshold
        self.interval = interval
        self.reload_error: str | None = None
        self.on_reload: list[Callable[[bool], None]] = []
        self._failed: tuple[str, float] | None = None  # token that failed to load, retry time
        self._current: Loaded | None = None
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._start_lock = threading.Lock()
        self._load_lock = threading.Lock()

    @property
    def current(self) -> Loaded | None:
        """The loaded lists (the reference requests use), or None before the first load."""
        return self._current

    def get(self, poll: bool = True) -> Loaded | None:
        """The current lists, starting this process's poller first if needed."""
        if poll and self._pid != os.getpid():
            self.start()
        return self._current

    def start(self) -> None:
        """Start the poller thread in this process (again after a fork)."""
        pid = os.getpid()
        if self._pid != pid:
            # After fork the parent's locks and thread are gone: start afresh in this process.
            self._start_lock = threading.Lock()
            self._load_lock = threading.Lock()
            self._stop = threading.Event()
            self._thread = None
            self._pid = pid
        with self._start_lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._poll, name="matcher-engine-reload", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def check(self) -> bool:
        """Load the lists if the active versions changed since the last load; True if swapped."""
        with self._load_lock:
            token = self.store.state_token()
            current = self._current
            if current is not None and current.token == token:
                return False
            if self._failed is not None and self._failed[0] == token and time.monotonic() < self._failed[1]:
                return False  # the same versions failed moments ago: do not reload every second
            try:
                loaded = self._load(token)
            except Exception as exc:
                self.reload_error = f"{type(exc).__name__}: {exc}"
                self._failed = (token, time.monotonic() + RETRY_FAILED_LOAD)
                self._notify(False)
                log.exception("loading the new list versions failed; still serving the previous ones")
                return False
            self._current = loaded
            self.reload_error = None
            self._failed = None
            self._notify(True)
            if current is not None:
                log.info(
                    "now serving %s", ", ".join(f"{s}@{v}" for s, v in loaded.engine.list_versions.items())
                )
            return True

    def _load(self, token: str) -> Loaded:
        # Every list is loaded from its saved index, also the unchanged ones: the engine keeps
        # only what it needs of each index (the postings live in its merged table), so an index
        # cannot be handed from one engine to the next.
        indexes = []
        metas: dict[str, SnapshotMeta] = {}
        for source in self.store.sources():
            meta = self.store.active(source)
            if meta is None:
                continue
            indexes.append(load_or_build_index(self.store, source, meta.version))
            metas[source] = meta
        engine = Engine(indexes, threshold=self.threshold)
        engine.warm_up()
        return Loaded(engine, token, metas, datetime.now(UTC))

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # the poller must outlive any single failure
                log.exception("list version check failed")

    def _notify(self, ok: bool) -> None:
        for callback in self.on_reload:
            callback(ok)


@dataclass(slots=True)
class Services:
    """Everything the views need, one instance per app (``app.extensions["matcher"]``)."""

    settings: Settings
    store: Store
    holder: EngineHolder
    cache: FallbackCache
    link: RedisLink | None
    auth: Auth
    metrics: Metrics
    poll: bool = True

    def loaded(self) -> Loaded | None:
        return self.holder.get(poll=self.poll)


def services() -> Services:
    """The services of the current app."""
    found: Services = current_app.extensions["matcher"]
    return found


def _settings_from(config: Mapping[str, Any]) -> Settings:
    given = config.get("SETTINGS")
    if isinstance(given, Settings):
        return given
    names = {s.env for s in SETTINGS}
    overrides = {k: str(v) for k, v in config.items() if k in names}
    if not overrides:
        return Settings.from_env()
    return Settings.from_env({**os.environ, **overrides})


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask application: settings from the environment, overridden by ``config``."""
    from matcher.api import errors, health, lists, match, page, screen, web

    config = dict(config or {})
    settings = _settings_from(config)
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=int(settings.max_body_mb * 1024 * 1024),
        ENGINE_LOAD=True,
        ENGINE_POLL=True,
    )
    app.config.update({k: v for k, v in config.items() if k != "SETTINGS"})
    app.json.sort_keys = False  # type: ignore[attr-defined]

    store = Store(settings.data_dir, settings.retention)
    holder = EngineHolder(store, settings.threshold, settings.reload_interval)
    link = RedisLink(settings.redis_url) if settings.redis_url else None
    cache = create_cache(settings, link)
    metrics = Metrics(store, settings.stale_hours)
    if link is not None:
        link.listeners.append(metrics.set_degraded)
    holder.on_reload.append(lambda ok: metrics.reloads.labels("ok" if ok else "failed").inc())
    auth = Auth(
        settings.auth,
        KeyStore(settings.data_dir),
        RateLimiter(link, settings.redis_prefix),
        settings.rate_limit,
    )
    app.extensions["matcher"] = Services(
        settings=settings,
        store=store,
        holder=holder,
        cache=cache,
        link=link,
        auth=auth,
        metrics=metrics,
        poll=bool(app.config["ENGINE_POLL"]),
    )
    if app.config["ENGINE_LOAD"]:
        holder.check()
        loaded = holder.current
        if loaded is None or not loaded.ready:
            log.warning("%s", errors.NO_LISTS_HINT)
    if auth.enabled and not auth.keys.has_active_keys():
        log.warning("MATCHER_AUTH=keys but no API key exists: create one with `matcher keys create`")

    errors.register_error_handlers(app)
    for blueprint in (match.bp, lists.bp, health.bp, web.bp, screen.bp, page.bp):
        app.register_blueprint(blueprint)

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        errors.request_id()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = errors.request_id()
        add_rate_headers(response)
        started = g.get("started")
        if started is not None:
            rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
            metrics.observe(rule, request.method, response.status_code, time.perf_counter() - started)
        return response

    return app


__all__ = ["EngineHolder", "Loaded", "Services", "create_app", "services"]
