"""List status, refresh and entity records: ``/v1/lists``, ``/v1/lists/refresh``, ``/v1/entities/<id>``.

- ``GET /v1/lists``: every known source (catalog sources and user lists) with the version this
  worker serves, the active version in the data directory (they differ for a second or two after
  a refresh), publication and fetch dates, counts and staleness (no successful refresh within
  ``MATCHER_STALE_HOURS``, the same rule as ``matcher lists status``).
- ``POST /v1/lists/refresh`` (``admin`` scope): runs :func:`matcher.refresh.refresh_sources` in
  the request and answers with each source's outcome. Workers pick the new versions up by
  themselves (see :mod:`matcher.api`), so the answer does not wait for them. It takes as long as
  the downloads take; gunicorn's gthread workers keep their heartbeat meanwhile.
- ``GET /v1/entities/<id>``: the full stored record, names exactly as published, with its
  provenance: list version, publication date, fetch time, source file and content hash.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from flask import Blueprint, Response, jsonify

from matcher.api import Loaded, services
from matcher.api.auth import require
from matcher.api.errors import ApiError
from matcher.api.match import read_json_object
from matcher.api.schemas import EntityOut, RefreshRequest
from matcher.errors import CatalogError
from matcher.model import ALGORITHM_VERSION
from matcher.refresh import RefreshResult, RefreshStatus, known_sources, refresh_sources
from matcher.store import SnapshotMeta, Store

bp = Blueprint("lists", __name__)


@bp.get("/v1/lists")
@require("screen")
def list_sources() -> Response:
    """Every known list with its served and active versions, dates, counts and staleness."""
    svc = services()
    loaded = svc.loaded()
    rows = [
        _status(svc.store, source, loaded, svc.settings.stale_hours) for source in known_sources(svc.settings)
    ]
    return jsonify({"lists": rows, "stale_hours": svc.settings.stale_hours, "algorithm": ALGORITHM_VERSION})


def _status(store: Store, source: str, loaded: Loaded | None, stale_hours: float) -> dict[str, Any]:
    served = loaded.metas.get(source) if loaded is not None else None
    active = store.active_version(source)
    meta: SnapshotMeta | None = served
    if meta is None and active is not None:
        meta = store.active(source)
    if meta is None:
        return {
            "source": source,
            "loaded": False,
            "version": None,
            "active_version": None,
            "format": None,
            "published": None,
            "fetched_at": None,
            "checked_at": None,
            "age_hours": None,
            "stale": True,
            "counts": None,
        }
    fresh = store.freshness(meta, stale_hours)
    return {
        "source": source,
        "loaded": served is not None,
        "version": served.version if served is not None else None,
        "active_version": active,
        "format": meta.format,
        "published": meta.published,
        "fetched_at": meta.fetched_at,
        "checked_at": fresh.checked_at.isoformat(timespec="seconds"),
        "age_hours": round(fresh.age_hours, 3),
        "stale": fresh.stale,
        "counts": {
            "entities": meta.counts.entities,
            "names": meta.counts.names,
            "by_type": dict(meta.counts.by_type),
            "records": meta.counts.records,
            "rejected": meta.rejected.count,
        },
    }


@bp.post("/v1/lists/refresh")
@require("admin")
def refresh() -> Response:
    """Refresh catalog sources from their publishers (admin scope)."""
    svc = services()
    body = RefreshRequest.model_validate(read_json_object(empty_ok=True))
    try:
        results = refresh_sources(svc.settings, body.sources, force=body.force)
    except CatalogError as exc:
        raise ApiError(
            422, exc.message, errors=[{"field": "sources", "message": exc.message, "type": "unknown_source"}]
        ) from None
    out = [_refresh_out(r) for r in results]
    return jsonify({"ok": all(r.ok for r in results), "results": out})


def _refresh_out(result: RefreshResult) -> dict[str, Any]:
    meta = result.meta
    if result.status is RefreshStatus.FAILED and result.error is not None:
        error = result.error
        detail = f"{error.message} ({error.where})" if error.where else error.message
    else:
        detail = result.describe()
    return {
        "source": result.source,
        "status": result.status.value,
        "version": meta.version if meta is not None else None,
        "previous": result.previous,
        "entities": meta.counts.entities if meta is not None else None,
        "detail": detail,
        "warnings": list(result.warnings),
    }


@bp.get("/v1/entities/<path:entity_id>")
@require("screen")
def entity(entity_id: str) -> Response:
    """One listed entity with its provenance."""
    svc = services()
    loaded = svc.loaded()
    source = entity_id.partition(":")[0]
    if loaded is None or source not in loaded.engine.indexes:
        served = ", ".join(loaded.engine.indexes) if loaded is not None else ""
        raise ApiError(404, f"no list {source!r} is loaded (loaded: {served or 'none'})")
    found = loaded.engine.entity(entity_id)
    if found is None:
        version = loaded.engine.indexes[source].version
        raise ApiError(404, f"no entity {entity_id!r} in {source} version {version}")
    meta = loaded.metas[source]
    record = EntityOut.model_validate(found.to_dict()).model_dump(mode="json")
    provenance = {
        "list": source,
        "version": meta.version,
        "published": meta.published,
        "fetched_at": meta.fetched_at,
        "format": meta.format,
        "source_file": found.source_file,
        "content_hash": meta.content_hash,
        "origin": [_origin(o) for o in meta.origin],
        "files": [{"name": f.name, "sha256": f.sha256, "bytes": f.bytes} for f in meta.files],
    }
    return jsonify({"entity": record, "provenance": provenance})


def _origin(origin: str) -> str:
    """URLs as they are; a local import's path reduced to its file name (no server paths out)."""
    if origin.startswith(("http://", "https://")):
        return origin
    return f"local file {PurePath(origin).name}"


__all__ = ["bp"]
