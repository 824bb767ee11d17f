"""``POST /v1/match``: screen one query or a batch against the loaded lists.

::

    {"name": "Ali Hassan", "type": "person", "birth_date": "1970", "limit": 5}
    {"queries": [{"id": "c-1", "name": "..."}, ...], "lists": ["un"], "threshold": 0.85}

The answer has one result per query (with its ``id`` echoed), each with its matches, plus the
``list_versions`` and ``algorithm`` that produced them, so a decision can be reproduced. A batch
is answered by one engine (one set of list versions), even if a refresh lands meanwhile.

Caching: each query's result is cached under :func:`matcher.cache.result_key` (the normalised
query, the options, the list versions, the algorithm), so a refresh invalidates by construction.
A batch looks its keys up in one round trip and computes each distinct missing query once.
``X-Cache`` says ``hit``, ``miss`` or ``partial``. Cached results are stored as JSON bytes and
spliced into the answer as they are, which keeps a warm batch cheap.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request

from matcher.api import Services, services
from matcher.api.auth import require
from matcher.api.errors import NO_LISTS_HINT, ApiError
from matcher.api.schemas import BatchMatchRequest, MatchRequest, QueryIn
from matcher.cache import result_key
from matcher.engine import Engine, Query
from matcher.model import ALGORITHM_VERSION, PartialDate

bp = Blueprint("match", __name__)


def read_json_object(*, empty_ok: bool = False) -> dict[str, Any]:
    """The request body as a JSON object: 415 if not JSON, 413 if too large, 400 if unreadable."""
    if empty_ok and not request.content_length and not request.headers.get("Transfer-Encoding"):
        return {}
    if not request.is_json:
        got = request.mimetype or "no Content-Type"
        raise ApiError(415, f"send the body as JSON with Content-Type: application/json (got {got})")
    raw = request.get_data(cache=False)
    if empty_ok and not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
        raise ApiError(400, f"the body is not valid JSON: {reason}") from None
    if not isinstance(body, dict):
        raise ApiError(400, f"the body must be a JSON object, not {type(body).__name__}")
    return body


@bp.post("/v1/match")
@require("screen")
def match() -> Response:
    """Screen one query (fields at the top level) or a batch (``queries``)."""
    svc = services()
    body = read_json_object()
    request_model: MatchRequest | BatchMatchRequest
    if "queries" in body:
        raw = body["queries"]
        if isinstance(raw, list) and len(raw) > svc.settings.max_batch:
            raise ApiError(
                413,
                f"a batch of {len(raw)} queries is more than MATCHER_MAX_BATCH ({svc.settings.max_batch}); "
                "split it into smaller requests",
            )
        request_model = BatchMatchRequest.model_validate(body)
        queries: list[QueryIn] = list(request_model.queries)
    else:
        request_model = MatchRequest.model_validate(body)
        queries = [request_model]
    loaded = svc.loaded()
    if loaded is None or not loaded.ready:
        raise ApiError(503, NO_LISTS_HINT, headers={"Retry-After": "10"})
    return _answer(svc, loaded.engine, request_model, queries)


def _answer(
    svc: Services, engine: Engine, options: MatchRequest | BatchMatchRequest, queries: list[QueryIn]
) -> Response:
    lists = sorted(set(options.lists)) if options.lists else None
    if lists:
        unknown = [name for name in lists if name not in engine.indexes]
        if unknown:
            loaded = ", ".join(engine.indexes) or "none"
            message = f"unknown or unloaded list(s): {', '.join(unknown)} (loaded: {loaded})"
            raise ApiError(
                422, message, errors=[{"field": "lists", "message": message, "type": "unknown_list"}]
            )
    threshold = svc.settings.threshold if options.threshold is None else options.threshold
    versions = {name: engine.indexes[name].version for name in (lists or engine.indexes)}
    opts = {"lists": lists, "threshold": threshold, "limit": options.limit}
    prefix = svc.settings.redis_prefix
    keys = [result_key(prefix, _query_fields(q), opts, versions) for q in queries]
    distinct = list(dict.fromkeys(keys))
    found = dict(zip(distinct, svc.cache.get_many(distinct), strict=True))
    computed: dict[str, bytes] = {}
    by_key = dict(zip(keys, queries, strict=True))
    for key in distinct:
        if found[key] is None:
            computed[key] = _compute(engine, by_key[key], lists, threshold, options.limit)
    if computed:
        svc.cache.set_many(computed)
    hits = sum(1 for key in keys if found[key] is not None)
    _count(svc, keys, found, computed, hits)
    parts = []
    for query, key in zip(queries, keys, strict=True):
        core = found[key] or computed[key]
        head = json.dumps({"id": query.id, "query": _echo(query)}, ensure_ascii=False).encode()
        parts.append(head[:-1] + b"," + core[1:])
    tail = {
        "threshold": threshold,
        "limit": options.limit,
        "list_versions": versions,
        "algorithm": ALGORITHM_VERSION,
    }
    body = b'{"results":[' + b",".join(parts) + b"]," + json.dumps(tail, ensure_ascii=False).encode()[1:]
    response = Response(body, mimetype="application/json")
    response.headers["X-Cache"] = "hit" if hits == len(keys) else ("miss" if hits == 0 else "partial")
    return response


def _query_fields(query: QueryIn) -> dict[str, Any]:
    return {
        "name": query.name,
        "type": query.type.value if query.type else None,
        "birth_date": query.birth_date,
        "country": query.country,
        "nationality": query.nationality,
        "identifiers": list(query.identifiers),
    }


def _echo(query: QueryIn) -> dict[str, Any]:
    return {"id": query.id, **_query_fields(query)}


def _compute(engine: Engine, query: QueryIn, lists: list[str] | None, threshold: float, limit: int) -> bytes:
    result = engine.match(
        Query(
            query.name,
            type=query.type,
            birth_date=PartialDate.parse(query.birth_date) if query.birth_date else None,
            country=query.country,
            nationality=query.nationality,
            identifiers=tuple(query.identifiers),
        ),
        lists=lists,
        threshold=threshold,
        limit=limit,
    )
    core = {"matches": [m.to_dict() for m in result.matches], "alerts": len(result.alerts)}
    return json.dumps(core, ensure_ascii=False, separators=(",", ":")).encode()


def _count(
    svc: Services, keys: list[str], found: dict[str, bytes | None], computed: dict[str, bytes], hits: int
) -> None:
    metrics = svc.metrics
    metrics.queries.inc(len(keys))
    if hits:
        metrics.cache_hits.inc(hits)
    if len(keys) - hits:
        metrics.cache_misses.inc(len(keys) - hits)
    decoded: dict[str, dict[str, Any]] = {}
    for key in keys:
        core = decoded.get(key)
        if core is None:
            core = decoded[key] = json.loads(found[key] or computed[key])
        for m in core["matches"]:
            metrics.matches.labels(m["list"]).inc()
            if m["match"]:
                metrics.alerts.labels(m["list"]).inc()


__all__ = ["bp", "read_json_object"]
