"""Probes and metrics: ``/healthz`` (liveness), ``/readyz`` (readiness), ``/metrics`` (Prometheus).

- ``/healthz`` answers 200 whenever the process can answer at all; it checks nothing else, so a
  Redis outage or a missing list never gets a worker restarted.
- ``/readyz`` answers 503 until this worker serves at least one list (the body says how to load
  lists), then 200 with ``status`` ``ready``, or ``degraded`` when a list is stale, the cache's
  Redis is unreachable or the last reload failed: still serving, but someone should look. It pings
  Redis (through the same :class:`~matcher.cache.RedisLink`, so an outage costs nothing), reports
  which worker answered and the list versions it serves.
- ``/metrics``: see :mod:`matcher.api.metrics`.

None of these need an API key: probes and scrapers do not carry one.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from flask import Blueprint, Response, jsonify

from matcher.api import services
from matcher.api.errors import NO_LISTS_HINT
from matcher.cache import RedisUnavailable
from matcher.model import ALGORITHM_VERSION

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the process answers."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Readiness: lists loaded (else 503), plus stale lists and cache state."""
    svc = services()
    if svc.link is not None:
        with contextlib.suppress(RedisUnavailable):
            svc.link.run(lambda client: client.ping())
    loaded = svc.loaded()
    stale: list[str] = []
    if loaded is not None:
        stale = [
            source
            for source, meta in loaded.metas.items()
            if svc.store.freshness(meta, svc.settings.stale_hours).stale
        ]
    cache = svc.cache.status()
    limiter = svc.auth.limiter
    reload_error = svc.holder.reload_error
    problems = []
    if stale:
        problems.append(f"stale lists (no refresh for {svc.settings.stale_hours:g} h): {', '.join(stale)}")
    if cache["degraded"]:
        problems.append("Redis is unreachable: serving from the in-process cache, per-worker rate limits")
    if reload_error:
        problems.append(f"the last list reload failed ({reload_error}); serving the previous versions")
    if loaded is None or not loaded.ready:
        status, code, detail = "not_ready", 503, NO_LISTS_HINT
    elif problems:
        status, code, detail = "degraded", 200, "; ".join(problems)
    else:
        status, code, detail = "ready", 200, "serving " + ", ".join(loaded.engine.indexes)
    body: dict[str, Any] = {
        "status": status,
        "detail": detail,
        "worker": os.getpid(),
        "lists": loaded.engine.list_versions if loaded is not None else {},
        "loaded_at": loaded.loaded_at.isoformat(timespec="seconds") if loaded is not None else None,
        "stale": stale,
        "reload_error": reload_error,
        "cache": cache,
        "rate_limit": {
            "enabled": svc.auth.enabled and svc.auth.default_limit > 0,
            "per_minute": svc.auth.default_limit,
            "backend": limiter.backend,
            "degraded": limiter.degraded,
        },
        "auth": svc.auth.mode,
        "algorithm": ALGORITHM_VERSION,
    }
    return jsonify(body), code


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus exposition (every worker's values under gunicorn)."""
    data, content_type = services().metrics.render()
    return Response(data, content_type=content_type)


__all__ = ["bp"]
