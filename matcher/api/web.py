"""``GET /openapi.json`` (OpenAPI 3.1) and ``GET /docs`` (the same, readable, offline).

The OpenAPI document is generated from the pydantic models in :mod:`matcher.api.schemas` (the
request models are the ones that validate requests) plus one table of operations below; the batch
limit is filled in from ``MATCHER_MAX_BATCH``. ``/docs`` renders that document with a small Jinja
template and inline CSS: no JavaScript, no CDN, so it works on an air-gapped host, and it lists
every problem type that ``type`` URIs in error answers point to (``/docs#problem-...``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from flask import Blueprint, Response, jsonify, render_template
from markupsafe import Markup, escape
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from matcher import __version__
from matcher.api import services
from matcher.api.errors import PROBLEM_DOCS, PROBLEMS
from matcher.api.schemas import (
    BatchMatchRequest,
    EntityResponse,
    Health,
    ListsResponse,
    MatchRequest,
    MatchResponse,
    Problem,
    Ready,
    RefreshRequest,
    RefreshResponse,
    TextScreenRequest,
    TextScreenResponse,
)
from matcher.model import ALGORITHM_VERSION
from matcher.settings import Settings

bp = Blueprint("web", __name__, template_folder="templates")

_REF = "#/components/schemas/{model}"
_MODELS: tuple[tuple[type[BaseModel], JsonSchemaMode], ...] = (
    (MatchRequest, "validation"),
    (BatchMatchRequest, "validation"),
    (RefreshRequest, "validation"),
    (MatchResponse, "serialization"),
    (ListsResponse, "serialization"),
    (RefreshResponse, "serialization"),
    (EntityResponse, "serialization"),
    (Health, "serialization"),
    (Ready, "serialization"),
    (Problem, "serialization"),
    (TextScreenRequest, "validation"),
    (TextScreenResponse, "serialization"),
)

DESCRIPTION = """Screen names against the official sanctions lists (UN, OFAC, EU, UK, Canada, Australia).

Every answer of `POST /v1/match` carries the list versions and the algorithm version that produced
it, so a screening decision can be reproduced. Errors are RFC 9457 problem details
(`application/problem+json`); their `type` points to the problem's section of `/docs`.

**Authentication** is off by default (`MATCHER_AUTH=off`, for a service bound to localhost). With
`MATCHER_AUTH=keys`, `/v1` routes need an API key from `matcher keys create`, sent as
`Authorization: Bearer <key>` or `X-API-Key: <key>`: scope `screen` for matching, entities and lists,
`admin` (which includes `screen`) for refreshing lists. Keys are rate limited per minute.
"""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


def _json(name: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": _ref(name)}}}


def _problems(*codes: int) -> dict[str, Any]:
    out = {}
    for code in codes:
        title = PROBLEMS[code][1]
        out[str(code)] = {
            "description": f"{title} (problem type `/docs#problem-{PROBLEMS[code][0]}`)",
            "content": {"application/problem+json": {"schema": _ref("Problem")}},
        }
    return out


_V1_AUTH: list[dict[str, list[str]]] = [{"bearer": []}, {"apiKey": []}]

_STR: dict[str, Any] = {"type": "string"}
_STRS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
#: Query parameters (or multipart form fields) of ``POST /v1/screen/csv``.
_SCREEN_CSV_PARAMETERS: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("name_column", _STRS, "Header of the name column; repeat it to join several (first, last)."),
    ("type_column", _STR, "Header of the column holding person / organization / vessel."),
    ("birth_date_column", _STR, "Header of the birth date column."),
    ("country_column", _STR, "Header of the country column."),
    ("nationality_column", _STR, "Header of the nationality column."),
    ("id_column", _STRS, "Header of an identifier column (passport, IMO...); repeatable."),
    ("client_id_column", _STR, "Header of your own reference column."),
    ("threshold", {"type": "number", "minimum": 0, "maximum": 1}, "Alert threshold (default 0.80)."),
    ("lists", _STRS, "Only these list ids; repeatable or comma-separated."),
    ("format", {"type": "string", "enum": ["csv", "jsonl"]}, "Output format (default csv)."),
)

#: path -> method -> operation (without the generated schemas)
OPERATIONS: dict[str, dict[str, dict[str, Any]]] = {
    "/v1/match": {
        "post": {
            "operationId": "match",
            "summary": "Screen one query, or a batch under `queries`",
            "description": "Send one query with its fields at the top level, or up to MATCHER_MAX_BATCH "
            "queries under `queries`, each with an optional `id` that comes back with its result. "
            "Options `lists`, `threshold` and `limit` apply to every query. `X-Cache` says whether "
            "the results came from the cache (`hit`, `miss`, `partial`). Scope: `screen`.",
            "security": _V1_AUTH,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"oneOf": [_ref("MatchRequest"), _ref("BatchMatchRequest")]},
                        "examples": {
                            "one": {"value": {"name": "Ali Hassan", "type": "person", "birth_date": "1970"}},
                            "batch": {
                                "value": {
                                    "queries": [
                                        {"id": "c-1", "name": "Ali Hassan"},
                                        {"id": "c-2", "name": "Acme Trading LLC", "type": "organization"},
                                    ],
                                    "threshold": 0.85,
                                    "limit": 5,
                                }
                            },
                        },
                    }
                },
            },
            "responses": {
                "200": {"description": "One result per query, in request order.", **_json("MatchResponse")},
                **_problems(400, 401, 403, 413, 415, 422, 429, 500, 503),
            },
        }
    },
    "/v1/entities/{entity_id}": {
        "get": {
            "operationId": "entity",
            "summary": "A listed entity's full record, with provenance",
            "description": "Names exactly as published; provenance gives the list version, its "
            "publication date, when it was fetched and the published file. Scope: `screen`.",
            "security": _V1_AUTH,
            "parameters": [
                {
                    "name": "entity_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "`<list>:<native id>`, as in match results (e.g. `un:QDi.001`).",
                }
            ],
            "responses": {
                "200": {"description": "The entity and its provenance.", **_json("EntityResponse")},
                **_problems(401, 403, 404, 429, 500),
            },
        }
    },
    "/v1/lists": {
        "get": {
            "operationId": "lists",
            "summary": "Every list: served and active version, dates, counts, staleness",
            "description": "Scope: `screen`.",
            "security": _V1_AUTH,
            "responses": {
                "200": {"description": "One entry per known list.", **_json("ListsResponse")},
                **_problems(401, 403, 429, 500),
            },
        }
    },
    "/v1/lists/refresh": {
        "post": {
            "operationId": "refresh",
            "summary": "Refresh lists from their publishers (admin)",
            "description": "Runs the refresh in the request and answers with each source's outcome; "
            "every worker serves new versions within seconds. The body may be empty (all catalog "
            "sources). Scope: `admin`.",
            "security": _V1_AUTH,
            "requestBody": {"required": False, **_json("RefreshRequest")},
            "responses": {
                "200": {"description": "The outcome per source.", **_json("RefreshResponse")},
                **_problems(400, 401, 403, 415, 422, 429, 500),
            },
        }
    },
    "/healthz": {
        "get": {
            "operationId": "healthz",
            "summary": "Liveness",
            "security": [],
            "responses": {"200": {"description": "The process answers.", **_json("Health")}},
        }
    },
    "/readyz": {
        "get": {
            "operationId": "readyz",
            "summary": "Readiness: lists loaded; stale lists and a degraded cache are reported",
            "security": [],
            "responses": {
                "200": {"description": "Serving (`ready` or `degraded`).", **_json("Ready")},
                "503": {
                    "description": "No list loaded yet; `detail` says how to load them.",
                    **_json("Ready"),
                },
            },
        }
    },
    "/v1/screen/csv": {
        "post": {
            "operationId": "screenCsv",
            "summary": "Screen a CSV file; the rows stream back with screening columns",
            "description": "Upload the CSV as multipart/form-data (field `file`) or as the body with "
            "`Content-Type: text/csv`. Encoding (UTF-8, UTF-8 with BOM, Windows-1252/Latin-1) and "
            "delimiter are detected. Options as query parameters or form fields: `name_column` "
            "(repeatable: the columns are joined), `type_column`, `birth_date_column`, `country_column`, "
            "`nationality_column`, `id_column` (repeatable), `client_id_column`, `threshold`, `lists`, "
            "`format` (`csv` or `jsonl`; `Accept: application/x-ndjson` also gives JSON lines). Every "
            "input row comes back, in order, with `match_id`, `match_name`, `match_list`, `match_score`, "
            "`decision` (match, no_match, error), `match_count`, `explanation` and `error`. CSV cells "
            "that start with = + - @ are prefixed with a quote (formula injection). Size limit: "
            "MATCHER_MAX_UPLOAD_MB. Scope: `screen`.",
            "security": _V1_AUTH,
            "parameters": [
                {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
                for name, schema, text in _SCREEN_CSV_PARAMETERS
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {"file": {"type": "string", "format": "binary"}},
                            "required": ["file"],
                        }
                    },
                    "text/csv": {"schema": {"type": "string"}},
                },
            },
            "responses": {
                "200": {
                    "description": "The screened rows, streamed.",
                    "content": {
                        "text/csv": {"schema": {"type": "string"}},
                        "application/x-ndjson": {"schema": {"type": "string"}},
                    },
                },
                **_problems(401, 403, 413, 415, 422, 429, 503),
            },
        }
    },
    "/v1/screen/text": {
        "post": {
            "operationId": "screenText",
            "summary": "Find the persons, organisations and vessels a text names, and screen them",
            "description": "Send JSON (`TextScreenRequest`) or the text itself as `text/plain` or "
            "`text/html` (options then as query parameters). Each mention has its offsets in `text`, "
            'a type guess and its party\'s matches; mentions of one party ("Dmitry Peskov" ... '
            '"Peskov") share a `party`. Scope: `screen`.',
            "security": _V1_AUTH,
            "requestBody": {"required": True, **_json("TextScreenRequest")},
            "responses": {
                "200": {"description": "Mentions, parties and their matches.", **_json("TextScreenResponse")},
                **_problems(400, 401, 403, 413, 415, 422, 429, 503),
            },
        }
    },
    "/metrics": {
        "get": {
            "operationId": "metrics",
            "summary": "Prometheus metrics (all workers)",
            "security": [],
            "responses": {
                "200": {
                    "description": "Prometheus text exposition format.",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "security": [],
            "responses": {
                "200": {"description": "OpenAPI 3.1.", "content": {"application/json": {"schema": {}}}}
            },
        }
    },
    "/docs": {
        "get": {
            "operationId": "docs",
            "summary": "This document as a web page (works offline)",
            "security": [],
            "responses": {
                "200": {"description": "HTML.", "content": {"text/html": {"schema": {"type": "string"}}}}
            },
        }
    },
}


@cache
def _component_schemas() -> dict[str, Any]:
    _, top = models_json_schema(_MODELS, ref_template=_REF)
    schemas: dict[str, Any] = top.get("$defs", {})
    return schemas


def openapi_document(settings: Settings) -> dict[str, Any]:
    """The OpenAPI 3.1 document of this service, for these settings."""
    schemas = json.loads(json.dumps(_component_schemas()))
    schemas["BatchMatchRequest"]["properties"]["queries"]["maxItems"] = settings.max_batch
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "matcher",
            "version": __version__,
            "description": DESCRIPTION,
            "x-algorithm-version": ALGORITHM_VERSION,
        },
        "paths": OPERATIONS,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key from `matcher keys`.",
                },
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(services().settings))


@bp.get("/docs")
def docs() -> str:
    svc = services()
    document = openapi_document(svc.settings)
    operations = [
        {"path": path, "method": method.upper(), "anchor": op["operationId"], **op}
        for path, methods in document["paths"].items()
        for method, op in methods.items()
    ]
    schemas = document["components"]["schemas"]
    problems = [
        {"status": status, "slug": slug, "title": title, "text": PROBLEM_DOCS.get(slug, "")}
        for status, (slug, title) in sorted(PROBLEMS.items())
    ]
    return render_template(
        "docs.html",
        doc=document,
        operations=operations,
        schemas=[(name, _fields(schema)) for name, schema in sorted(schemas.items())],
        problems=problems,
        auth=svc.settings.auth,
        max_batch=svc.settings.max_batch,
        max_body_mb=svc.settings.max_body_mb,
        describe=_type_of,
        md=_inline,
        pretty=lambda value: json.dumps(value, indent=2, ensure_ascii=False),
    )


def _inline(text: str) -> Markup:
    """The two bits of Markdown the descriptions use (`code` and **strong**), HTML-escaped first."""
    html = str(escape(text))
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
    html = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html)
    return Markup(html)


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", ()))
    if "enum" in schema:
        return [
            {
                "name": "(enum)",
                "type": " | ".join(json.dumps(v) for v in schema["enum"]),
                "required": False,
                "description": schema.get("description", ""),
                "default": None,
            }
        ]
    return [
        {
            "name": name,
            "type": _type_of(prop),
            "required": name in required,
            "description": prop.get("description", ""),
            "default": prop.get("default"),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _type_of(schema: dict[str, Any] | bool) -> str:
    """A short type expression for a JSON schema: ``string | null``, ``array of QueryIn``."""
    if not isinstance(schema, dict):
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_type_of(s) for s in schema[key])
    kind = schema.get("type")
    if kind == "array":
        return f"array of {_type_of(schema.get('items', {}))}"
    extra = schema.get("additionalProperties")
    if kind == "object" and isinstance(extra, dict):
        return f"object of {_type_of(extra)}"
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if isinstance(kind, list):
        return " | ".join(str(k) for k in kind)
    return str(kind or "any")


__all__ = ["OPERATIONS", "bp", "openapi_document"]
