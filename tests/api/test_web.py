"""GET /openapi.json and GET /docs."""

from __future__ import annotations

import re

from matcher.api.errors import PROBLEMS
from matcher.api.schemas import BatchMatchRequest, MatchRequest, RefreshRequest
from matcher.model import ALGORITHM_VERSION

ENDPOINTS = {
    ("/v1/match", "post"),
    ("/v1/entities/{entity_id}", "get"),
    ("/v1/lists", "get"),
    ("/v1/lists/refresh", "post"),
    ("/v1/screen/csv", "post"),
    ("/v1/screen/text", "post"),
    ("/healthz", "get"),
    ("/readyz", "get"),
    ("/metrics", "get"),
    ("/openapi.json", "get"),
    ("/docs", "get"),
}


def test_openapi_document(make_app):
    doc = make_app(max_batch=250).test_client().get("/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["x-algorithm-version"] == ALGORITHM_VERSION
    assert {(p, m) for p, ops in doc["paths"].items() for m in ops} == ENDPOINTS
    schemas = doc["components"]["schemas"]
    # Generated from the models that validate requests.
    for model in (MatchRequest, BatchMatchRequest, RefreshRequest):
        assert set(schemas[model.__name__]["properties"]) == set(model.model_fields)
    assert schemas["MatchRequest"]["additionalProperties"] is False
    assert schemas["BatchMatchRequest"]["properties"]["queries"]["maxItems"] == 250
    body = doc["paths"]["/v1/match"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {
        "oneOf": [
            {"$ref": "#/components/schemas/MatchRequest"},
            {"$ref": "#/components/schemas/BatchMatchRequest"},
        ]
    }
    # Every $ref resolves.
    text = str(doc)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in schemas, name
    responses = doc["paths"]["/v1/match"]["post"]["responses"]
    assert {"200", "400", "401", "403", "413", "415", "422", "429", "500", "503"} <= set(responses)
    assert "application/problem+json" in responses["422"]["content"]
    assert set(doc["components"]["securitySchemes"]) == {"bearer", "apiKey"}


def test_docs_page_works_offline_and_covers_everything(client):
    response = client.get("/docs")
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    html = response.get_data(as_text=True)
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="https://www.rfc-editor.org', ""))
    for path, _ in ENDPOINTS:
        assert f"<code>{path}</code>" in html, path
    for slug, _title in PROBLEMS.values():
        assert f'id="problem-{slug}"' in html, slug
    for name in ("MatchRequest", "QueryIn", "MatchOut", "Problem", "EntityOut"):
        assert f'id="schema-{name}"' in html, name
    assert "queries[3].birth_date" in html
    assert "matcher keys create --scope screen" in html


def test_problem_types_point_at_the_docs(client):
    problem = client.get("/v1/nothing").get_json()
    html = client.get("/docs").get_data(as_text=True)
    anchor = problem["type"].split("#", 1)[1]
    assert problem["type"] == "/docs#problem-not-found" and f'id="{anchor}"' in html
