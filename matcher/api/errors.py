"""Every error answer of the HTTP API, as RFC 9457 problem details (``application/problem+json``).

One table (:data:`HANDLERS`) maps exception classes to renderers, registered in one place by
:func:`register_error_handlers`; views raise, they never build error responses themselves.

=====  ===================================  ===============================================
code   problem type (``/docs#problem-...``)   raised by
=====  ===================================  ===============================================
400    ``bad-request``                      a body that is not JSON, or not a JSON object
401    ``unauthorized``                     no API key, or an unknown or revoked one
403    ``forbidden``                        the key lacks the scope (``admin`` for refresh)
404    ``not-found``                        an unknown route, entity or list source
405    ``method-not-allowed``               e.g. ``GET /v1/match`` (``Allow`` header set)
413    ``too-large``                        body over MATCHER_MAX_BODY_MB, batch over MATCHER_MAX_BATCH
415    ``unsupported-media-type``           a body that is not ``application/json``
422    ``validation-error``                 a field is invalid; ``errors`` lists each field path
429    ``rate-limited``                     the key's requests per minute are used up (``Retry-After``)
500    ``internal-error``                   a bug: logged with its traceback, answered generically
503    ``not-ready``                        no lists loaded yet (says how to load them)
=====  ===================================  ===============================================

Why relative type URIs: RFC 9457 resolves them against the request, so ``type`` points at this
server's own ``/docs`` page, which explains each problem and works offline.

A 500 never leaks internals: the client gets a generic detail and the request id
(``X-Request-ID``), the log gets the traceback under the same id. Errors the engine raises on
purpose (:class:`~matcher.errors.MatcherError`) carry their own status and field (``where``).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from matcher.api.schemas import field_path
from matcher.errors import MatcherError

log = logging.getLogger(__name__)

PROBLEM_MIME = "application/problem+json"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

#: status -> (type slug, title)
PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "Invalid request"),
    429: ("rate-limited", "Too many requests"),
    500: ("internal-error", "Internal server error"),
    502: ("upstream-error", "List publisher error"),
    503: ("not-ready", "Service not ready"),
}

PROBLEM_DOCS: dict[str, str] = {
    "bad-request": "The body could not be read as a JSON object. Send a JSON object.",
    "unauthorized": "Send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>` "
    "(MATCHER_AUTH=keys). Keys come from `matcher keys create`.",
    "forbidden": "The key is valid but lacks the scope: refreshing lists needs an `admin` key.",
    "not-found": "No such route, entity or list source.",
    "method-not-allowed": "The route exists but not for this method; the `Allow` header lists "
    "the methods it takes.",
    "conflict": "The request conflicts with the state of the lists (e.g. an implausible shrink).",
    "too-large": "The body is larger than MATCHER_MAX_BODY_MB, or the batch has more queries "
    "than MATCHER_MAX_BATCH. Split it.",
    "unsupported-media-type": "Send `Content-Type: application/json`.",
    "validation-error": "One or more fields are invalid. `errors` names each one by its path "
    "(e.g. `queries[3].birth_date`) with the reason.",
    "rate-limited": "This API key used up its requests for the current minute. Retry after the "
    "number of seconds in `Retry-After`.",
    "internal-error": "A bug. Nothing about it is in the answer; quote the `request_id` when "
    "reporting it: the log has the details under that id.",
    "upstream-error": "A list publisher could not be reached or sent an unusable file.",
    "not-ready": "No sanctions list is loaded yet. Load them with `matcher lists refresh` "
    "(from the publishers, or `--from-dir` from a mirror) or `matcher lists import`; running "
    "workers pick them up within seconds.",
}

NO_LISTS_HINT = (
    "no sanctions lists are loaded: run `matcher lists refresh` (or `matcher lists refresh "
    "--from-dir DIR`, or `matcher lists import SOURCE FILE...`) on this data directory; the "
    "service picks the lists up within seconds, without a restart"
)


class ApiError(Exception):
    """An error a view raises on purpose; rendered as a problem with ``status`` and ``detail``."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[Mapping[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})
        self.errors = list(errors) if errors is not None else None


def request_id() -> str:
    """The id of the current request: the client's ``X-Request-ID`` if sane, else a new one."""
    if not has_request_context():
        return uuid.uuid4().hex
    rid: str | None = g.get("request_id")
    if rid is None:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_id = rid
    return rid


def problem(
    status: int,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    errors: Sequence[Mapping[str, str]] | None = None,
) -> Response:
    """A ``application/problem+json`` response."""
    slug, title = PROBLEMS.get(status, ("about:blank", "Error"))
    body: dict[str, Any] = {
        "type": f"/docs#problem-{slug}" if slug != "about:blank" else slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if has_request_context():
        body["instance"] = request.path
        body["request_id"] = request_id()
    if errors is not None:
        body["errors"] = list(errors)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MIME)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Each pydantic error as ``{field, message, type}``, the field as a path."""
    out = []
    for err in exc.errors(include_url=False):
        message = str(err["msg"])
        if err["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        out.append({"field": field_path(tuple(err["loc"])), "message": message, "type": str(err["type"])})
    return out


def _summary(errors: Sequence[Mapping[str, str]]) -> str:
    shown = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    noun = "field is" if len(errors) == 1 else "fields are"
    return f"{len(errors)} {noun} invalid: {shown}{more}"


def _api_error(exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return problem(exc.status, exc.detail, headers=exc.headers, errors=exc.errors)


def _validation_error(exc: Exception) -> Response:
    assert isinstance(exc, ValidationError)
    errors = validation_errors(exc)
    return problem(422, _summary(errors), errors=errors)


def _matcher_error(exc: Exception) -> Response:
    assert isinstance(exc, MatcherError)
    if exc.status >= 500 and exc.status != 502:
        return _unexpected(exc)
    errors = None
    if exc.status == 422 and exc.where:
        errors = [{"field": exc.where, "message": exc.message, "type": type(exc).__name__}]
    detail = f"{exc.where}: {exc.message}" if exc.where and exc.status != 422 else exc.message
    return problem(exc.status, detail, errors=errors)


def _http_error(exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.code or 500
    if status >= 500:
        return _unexpected(exc)
    headers: dict[str, str] = {}
    allow = getattr(exc, "valid_methods", None)
    if status == 405 and allow:
        headers["Allow"] = ", ".join(sorted(allow))
    detail = exc.description or PROBLEMS.get(status, ("", "Error"))[1]
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        detail = f"the request body is larger than MATCHER_MAX_BODY_MB ({limit / 1024 / 1024:g} MB)"
    return problem(status, " ".join(str(detail).split()), headers=headers)


def _unexpected(exc: Exception) -> Response:
    rid = request_id()
    log.error("request %s failed: %s", rid, type(exc).__name__, exc_info=exc)
    return problem(
        500,
        f"the server could not answer this request; it was logged as request {rid}",
    )


HANDLERS: tuple[tuple[type[Exception], Callable[[Exception], Response]], ...] = (
    (ApiError, _api_error),
    (ValidationError, _validation_error),
    (MatcherError, _matcher_error),
    (HTTPException, _http_error),
    (Exception, _unexpected),
)


def register_error_handlers(app: Flask) -> None:
    """Install :data:`HANDLERS`: every error, including Flask's own 404/405/413, is problem+json."""
    for exc_class, handler in HANDLERS:
        app.register_error_handler(exc_class, handler)


__all__ = [
    "NO_LISTS_HINT",
    "PROBLEMS",
    "PROBLEM_DOCS",
    "PROBLEM_MIME",
    "ApiError",
    "problem",
    "register_error_handlers",
    "request_id",
    "validation_errors",
]
