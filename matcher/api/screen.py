"""Bulk and free-text screening over HTTP: ``POST /v1/screen/csv`` and ``POST /v1/screen/text``.

``POST /v1/screen/csv`` takes a CSV as a multipart upload (field ``file``, what a browser form
sends) or as the raw body (``Content-Type: text/csv``, what ``curl --data-binary @file.csv``
sends). Options come as query parameters or form fields: ``name_column`` (repeatable, or
comma-separated: the columns are joined), ``type_column``, ``birth_date_column``,
``country_column``, ``nationality_column``, ``id_column`` (repeatable), ``client_id_column``,
``threshold``, ``lists`` (repeatable or comma-separated) and ``format`` (``csv`` or ``jsonl``;
``Accept: application/x-ndjson`` also selects JSON lines). The answer is every input row with the
screening columns of :mod:`matcher.bulk`, streamed batch by batch (``stream_with_context``), so
the first rows arrive before the last are read and a worker's memory does not grow with the file.

Why errors are decided before the first byte: once the answer has started its status is 200, so
everything that can be checked up front is: the size (``Content-Length`` against
``MATCHER_MAX_UPLOAD_MB`` -> 413), the options (threshold, lists, format -> 422 naming the field)
and the header (an unknown column or no name column -> 422 naming the column field; this is why
:class:`~matcher.bulk.BulkScreening` reads the header in its constructor). A body without a
length (chunked) that grows past the limit mid-stream is cut off: the connection ends without the
final chunk, which every HTTP client reports as an error rather than a short file.
``MATCHER_MAX_BODY_MB`` (the JSON limit) does not apply here; ``MATCHER_MAX_UPLOAD_MB`` does.

``POST /v1/screen/text`` takes JSON (``{"text": ..., "html": false, "threshold": ..., "lists":
[...]}``) or the text itself as ``text/plain`` or ``text/html`` (options then as query
parameters) and answers with :meth:`matcher.text_screen.TextScreenResult.to_dict`: the plain
text, each mention with its offsets and its party's matches, and the parties with full
explanations. Both routes need the ``screen`` scope and answer 503 while no list is loaded.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

from flask import Blueprint, Response, jsonify, request, stream_with_context

from matcher.api import services
from matcher.api.auth import require
from matcher.api.errors import NO_LISTS_HINT, ApiError
from matcher.api.match import read_json_object
from matcher.api.schemas import TextScreenRequest
from matcher.bulk import BulkOptions, BulkScreening, screen_csv
from matcher.engine import Engine
from matcher.errors import QueryError
from matcher.text_screen import screen_text

bp = Blueprint("screen", __name__)

CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/octet-stream")
NDJSON = "application/x-ndjson"


def _engine() -> Engine:
    loaded = services().loaded()
    if loaded is None or not loaded.ready:
        raise ApiError(503, NO_LISTS_HINT, headers={"Retry-After": "10"})
    return loaded.engine


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(
        422, f"{field}: {message}", errors=[{"field": field, "message": message, "type": "value"}]
    )


def _check_lists(engine: Engine, lists: list[str]) -> None:
    unknown = [name for name in lists if name not in engine.indexes]
    if unknown:
        loaded = ", ".join(engine.indexes) or "none"
        message = f"unknown or unloaded list(s): {', '.join(unknown)} (loaded: {loaded})"
        raise ApiError(422, message, errors=[{"field": "lists", "message": message, "type": "unknown_list"}])


def _values(name: str) -> list[str]:
    """A repeatable option from the query string and the form, comma-separated values split."""
    raw = request.args.getlist(name) + (
        request.form.getlist(name) if request.mimetype.startswith("multi") else []
    )
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def _value(name: str) -> str | None:
    values = _values(name)
    if len(values) > 1:
        raise _invalid(name, "give this option once")
    return values[0] if values else None


def _threshold(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise _invalid("threshold", f"not a number: {raw!r}") from None
    if not 0.0 <= value <= 1.0:
        raise _invalid("threshold", "must be between 0 and 1")
    return value


def _output_format() -> str:
    given = _value("format")
    if given is None:
        best = request.accept_mimetypes.best_match(["text/csv", NDJSON], default="text/csv")
        return "jsonl" if best == NDJSON and request.accept_mimetypes[NDJSON] else "csv"
    if given not in ("csv", "jsonl"):
        raise _invalid("format", f"must be csv or jsonl, not {given!r}")
    return given


def _upload(limit: int) -> tuple[IO[bytes], str]:
    """The uploaded CSV as a byte stream and a file name for the result."""
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    request.max_content_length = limit  # instead of MATCHER_MAX_BODY_MB, before the body is read
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise _invalid("file", "send the CSV as the multipart field `file`")
        stem = (upload.filename or "upload").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "upload"
        # Flask closes the request's files when the view returns, before a streamed answer is
        # read: keep the spooled upload for the job (which closes it) and leave a stub behind.
        stream: IO[bytes] = upload.stream
        upload.stream = io.BytesIO()
        return stream, stem
    if request.mimetype not in CSV_TYPES:
        got = request.mimetype or "no Content-Type"
        raise ApiError(
            415,
            f"send the CSV as multipart/form-data (field `file`) or with Content-Type: text/csv (got {got})",
        )
    return request.stream, "upload"


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"the upload is larger than MATCHER_MAX_UPLOAD_MB ({limit / 1024 / 1024:g} MB)")


@bp.post("/v1/screen/csv")
@require("screen")
def screen_csv_view() -> Response:
    """Screen an uploaded CSV; stream the rows back with their screening columns."""
    settings = services().settings
    limit = int(settings.max_upload_mb * 1024 * 1024)
    engine = _engine()
    stream, stem = _upload(limit)
    lists = _values("lists")
    _check_lists(engine, lists)
    try:
        options = BulkOptions(
            name_columns=tuple(_values("name_column")),
            type_column=_value("type_column"),
            birth_date_column=_value("birth_date_column"),
            country_column=_value("country_column"),
            nationality_column=_value("nationality_column"),
            id_columns=tuple(_values("id_column")),
            client_id_column=_value("client_id_column"),
            threshold=_threshold(_value("threshold")),
            lists=tuple(lists),
            output=_output_format(),
            max_bytes=limit,
            max_rows=settings.max_rows or None,
            cache_size=settings.bulk_cache,
        )
        job = screen_csv(engine, stream, options)
    except QueryError as exc:
        where = (exc.where or "file").replace(" ", "_")
        raise ApiError(
            422, str(exc), errors=[{"field": where, "message": exc.message, "type": "bulk"}]
        ) from None
    response = Response(stream_with_context(_chunks(job, stream)), mimetype=job.media_type)
    extension = "csv" if options.output == "csv" else "jsonl"
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}-screened.{extension}"'
    response.headers["X-Screen-Columns"] = ",".join(job.output_header)
    response.headers["Cache-Control"] = "no-store"
    return response


def _chunks(job: BulkScreening, stream: IO[bytes]) -> Iterator[bytes]:
    try:
        yield from job
    finally:
        stream.close()


@bp.post("/v1/screen/text")
@require("screen")
def screen_text_view() -> Response:
    """Find the parties a text mentions and screen each one."""
    if request.mimetype in ("text/plain", "text/html"):
        raw = request.get_data(cache=False)
        charset = request.mimetype_params.get("charset", "utf-8")
        try:
            text = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise _invalid("body", f"the body is not valid {charset} text") from None
        body: dict[str, Any] = {
            "text": text,
            "html": request.mimetype == "text/html",
            "threshold": _value("threshold"),
            "lists": _values("lists") or None,
        }
        if _value("limit") is not None:
            body["limit"] = _value("limit")
    else:
        body = read_json_object()
    options = TextScreenRequest.model_validate(body)
    engine = _engine()
    lists = sorted(set(options.lists)) if options.lists else None
    if lists:
        _check_lists(engine, lists)
    result = screen_text(
        engine, options.text, html=options.html, threshold=options.threshold, lists=lists, limit=options.limit
    )

    return jsonify(result.to_dict())


__all__ = ["bp"]
