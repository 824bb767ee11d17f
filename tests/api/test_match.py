"""POST /v1/match through the Flask test client: results, options, batches, cache, errors."""

from __future__ import annotations

import logging

import pytest

from matcher.api.schemas import MatchResponse, Problem
from matcher.engine import Engine
from matcher.model import ALGORITHM_VERSION
from matcher.refresh import import_files
from matcher.settings import Settings
from matcher.store import Store
from tests.api.conftest import write_version


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    Problem.model_validate(body)
    assert body["status"] == status
    assert body["type"].startswith("/docs#problem-")
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def test_single_query_finds_the_listed_person(client, data_dir):
    response = client.post("/v1/match", json={"name": "Ivan Sidorov", "type": "person"})
    assert response.status_code == 200
    body = response.get_json()
    MatchResponse.model_validate(body)
    [result] = body["results"]
    best = result["matches"][0]
    assert best["entity_id"] == "un:TLi.001"
    assert best["list"] == "un"
    assert best["match"] is True and best["score"] >= 0.8
    assert best["name"] == "IVAN PETROVICH SIDOROV"
    assert best["matched_name"] == "Ivan Sidorov"
    assert best["type"] == "person"
    assert best["programs"] == ["Testland"]
    assert best["explanation"]["matched_name"] == "Ivan Sidorov"
    assert result["alerts"] == sum(m["match"] for m in result["matches"]) >= 1
    assert body["algorithm"] == ALGORITHM_VERSION
    assert body["list_versions"] == {"un": Store(data_dir).active_version("un")}
    assert body["threshold"] == 0.8 and body["limit"] == 10


def test_unrelated_name_gives_no_alert(client):
    body = client.post("/v1/match", json={"name": "Wilhelmina Oppenheimer-Zaragoza"}).get_json()
    assert body["results"][0]["alerts"] == 0
    assert all(not m["match"] for m in body["results"][0]["matches"])


def test_batch_keeps_order_and_echoes_ids(client):
    queries = [
        {"id": "c-1", "name": "Golden Crescent Exchange", "type": "organization"},
        {"id": 2, "name": "Hamza Yusuf al Rashid", "birth_date": "1975"},
        {"name": "Maria Elena Constantinescu", "nationality": "Romania", "identifiers": ["X1"]},
    ]
    response = client.post("/v1/match", json={"queries": queries, "limit": 3})
    assert response.status_code == 200
    body = response.get_json()
    MatchResponse.model_validate(body)
    assert [r["id"] for r in body["results"]] == ["c-1", 2, None]
    assert [r["query"]["name"] for r in body["results"]] == [q["name"] for q in queries]
    assert body["results"][1]["query"]["birth_date"] == "1975"
    assert body["results"][2]["query"]["identifiers"] == ["X1"]
    tops = [r["matches"][0]["entity_id"] for r in body["results"]]
    assert tops == ["un:QDe.951", "un:QDi.951", "un:TLi.002"]
    assert all(len(r["matches"]) <= 3 for r in body["results"])


def test_birth_date_is_a_qualifier_in_the_explanation(client):
    body = client.post(
        "/v1/match", json={"name": "Ivan Sidorov", "birth_date": "1961-05-01", "limit": 1}
    ).get_json()
    qualifiers = body["results"][0]["matches"][0]["explanation"]["qualifiers"]
    assert [q["field"] for q in qualifiers if q["outcome"] == "match"] == ["birth_date"]


def test_threshold_and_limit_options(client):
    strict = client.post("/v1/match", json={"name": "Ivan Sidorov", "threshold": 1.0}).get_json()
    assert strict["threshold"] == 1.0
    assert all(m["match"] is (m["score"] >= 1.0) for m in strict["results"][0]["matches"])
    one = client.post("/v1/match", json={"name": "Northwind", "limit": 1}).get_json()
    assert len(one["results"][0]["matches"]) == 1 and one["limit"] == 1


def test_lists_option_selects_lists(app, client, data_dir, fixtures):
    # A second list: the UN entity fixture imported as a user list of the same format.
    import_files(
        Settings.from_env({}, data_dir=data_dir), "watch", [fixtures / "un" / "entity.xml"], fmt="un_xml"
    )
    assert app.extensions["matcher"].holder.check() is True
    both = client.post("/v1/match", json={"name": "Test Front for Testing"}).get_json()
    assert set(both["list_versions"]) == {"un", "watch"}
    assert both["results"][0]["matches"][0]["entity_id"] == "watch:CDe.901"
    body = client.post("/v1/match", json={"name": "Test Front for Testing", "lists": ["un"]}).get_json()
    assert set(body["list_versions"]) == {"un"}
    assert all(m["list"] == "un" for m in body["results"][0]["matches"])
    unknown = client.post("/v1/match", json={"name": "Ivan Sidorov", "lists": ["un", "nope"]})
    problem = problem_of(unknown, 422)
    assert problem["errors"][0]["field"] == "lists"
    assert "nope" in problem["detail"] and "loaded: un, watch" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"name": ""}, "name", "at least 1 character"),
        ({"name": "   "}, "name", "must not be blank"),
        ({}, "name", "Field required"),
        ({"name": "x", "birth_date": "31/12/1970"}, "birth_date", "not an ISO date"),
        ({"name": "x", "birth_date": "1970-13"}, "birth_date", "not an ISO date"),
        ({"name": "x", "type": "company"}, "type", "person"),
        ({"name": "x", "birthdate": "1970"}, "birthdate", "Extra inputs are not permitted"),
        ({"name": "x", "threshold": 1.5}, "threshold", "less than or equal to 1"),
        ({"name": "x", "limit": 0}, "limit", "greater than or equal to 1"),
        ({"name": "x", "lists": ["un", "UN!"]}, "lists[1]", "should match pattern"),
        ({"name": "x" * 501}, "name", "at most 500"),
        ({"queries": []}, "queries", "at least 1 item"),
        ({"queries": [{"name": "a"}, {"name": "b", "birth_date": "soon"}]}, "queries[1].birth_date", "ISO"),
        ({"queries": [{"name": "a"}], "name": "b"}, "name", "Extra inputs"),
    ],
)
def test_validation_errors_name_the_field(client, body, field, reason):
    problem = problem_of(client.post("/v1/match", json=body), 422)
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert field in fields, fields
    assert reason in fields[field]
    assert field in problem["detail"]


def test_several_invalid_fields_are_all_listed(client):
    body = {"queries": [{"name": ""}, {"name": "ok"}, {"name": "x", "birth_date": "x", "type": "ship"}]}
    problem = problem_of(client.post("/v1/match", json=body), 422)
    assert [e["field"] for e in problem["errors"]] == [
        "queries[0].name",
        "queries[2].type",
        "queries[2].birth_date",
    ]
    assert problem["detail"].startswith("3 fields are invalid")


def test_batch_over_the_limit_is_413(make_app):
    client = make_app(max_batch=3).test_client()
    ok = client.post("/v1/match", json={"queries": [{"name": f"n{i}"} for i in range(3)]})
    assert ok.status_code == 200
    problem = problem_of(client.post("/v1/match", json={"queries": [{"name": "n"}] * 4}), 413)
    assert "MATCHER_MAX_BATCH (3)" in problem["detail"]


def test_body_over_the_limit_is_413(make_app):
    client = make_app(max_body_mb=0.01).test_client()
    problem = problem_of(client.post("/v1/match", json={"name": "x" * 20_000}), 413)
    assert "MATCHER_MAX_BODY_MB" in problem["detail"]


def test_non_json_bodies(client):
    problem = problem_of(client.post("/v1/match", data="name=x", content_type="text/plain"), 415)
    assert "application/json" in problem["detail"]
    problem_of(client.post("/v1/match", data="name=x"), 415)
    bad = problem_of(client.post("/v1/match", data="{nope", content_type="application/json"), 400)
    assert "not valid JSON" in bad["detail"]
    array = problem_of(client.post("/v1/match", json=[{"name": "x"}]), 400)
    assert "JSON object" in array["detail"]
    deep = problem_of(client.post("/v1/match", data="[" * 100_000, content_type="application/json"), 400)
    assert "not valid JSON" in deep["detail"]


def test_wrong_method_and_unknown_route(client):
    problem = problem_of(client.get("/v1/match"), 405)
    response = client.get("/v1/match")
    assert "POST" in response.headers["Allow"]
    assert problem["instance"] == "/v1/match"
    problem_of(client.get("/v1/nothing-here"), 404)


def test_no_lists_loaded_is_503_with_the_way_out(make_app, tmp_path):
    client = make_app(data=tmp_path / "empty").test_client()
    problem = problem_of(client.post("/v1/match", json={"name": "Ivan Sidorov"}), 503)
    assert "matcher lists refresh" in problem["detail"] and "lists import" in problem["detail"]
    assert client.post("/v1/match", json={"name": ""}).status_code == 422  # validation comes first


def test_unexpected_error_is_500_without_internals(client, monkeypatch, caplog):
    def broken(self, *args, **kwargs):
        raise RuntimeError("secret detail /srv/matcher/data password=hunter2")

    monkeypatch.setattr(Engine, "match", broken)
    with caplog.at_level(logging.ERROR, logger="matcher.api.errors"):
        response = client.post("/v1/match", json={"name": "Ivan Sidorov"}, headers={"X-Request-ID": "req-42"})
    problem = problem_of(response, 500)
    text = response.get_data(as_text=True)
    assert "secret" not in text and "hunter2" not in text and "RuntimeError" not in text
    assert problem["request_id"] == "req-42" and "req-42" in problem["detail"]
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "req-42" in logged
    assert any(r.exc_info and "hunter2" in str(r.exc_info[1]) for r in caplog.records)


def test_request_id_is_generated_or_kept(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "abc-1"}).headers["X-Request-ID"] == "abc-1"
    unsafe = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"}).headers["X-Request-ID"]
    assert unsafe != "bad id <script>" and len(unsafe) == 32


# --- Cache --------------------------------------------------------------------------------------


def test_cache_miss_then_hit_and_normalised_key(client):
    first = client.post("/v1/match", json={"name": "Ivan Sidorov"})
    assert first.headers["X-Cache"] == "miss"
    again = client.post("/v1/match", json={"name": "  Ivan   Sidorov "})
    assert again.headers["X-Cache"] == "hit"
    assert again.get_json()["results"][0]["matches"] == first.get_json()["results"][0]["matches"]
    assert again.get_json()["results"][0]["query"]["name"] == "  Ivan   Sidorov "
    other_options = client.post("/v1/match", json={"name": "Ivan Sidorov", "threshold": 0.9})
    assert other_options.headers["X-Cache"] == "miss"
    partial = client.post("/v1/match", json={"queries": [{"name": "Ivan Sidorov"}, {"name": "Maria"}]})
    assert partial.headers["X-Cache"] == "partial"


def test_duplicate_queries_in_a_batch_are_computed_once(client, monkeypatch):
    calls = []
    original = Engine.match

    def counting(self, query, *args, **kwargs):
        calls.append(query.name)
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(Engine, "match", counting)
    body = client.post(
        "/v1/match", json={"queries": [{"id": 1, "name": "Ivan Sidorov"}, {"id": 2, "name": "Ivan Sidorov"}]}
    ).get_json()
    assert calls == ["Ivan Sidorov"]
    assert [r["id"] for r in body["results"]] == [1, 2]
    assert body["results"][0]["matches"] == body["results"][1]["matches"]


def test_a_new_list_version_invalidates_the_cache(app, client, data_dir, tmp_path):
    before = client.post("/v1/match", json={"name": "Oskar Vanderbilt-Newentry"})
    assert before.headers["X-Cache"] == "miss"
    assert client.post("/v1/match", json={"name": "Oskar Vanderbilt-Newentry"}).headers["X-Cache"] == "hit"
    old_version = before.get_json()["list_versions"]["un"]
    import_files(Settings.from_env({}, data_dir=data_dir), "un", [write_version(tmp_path / "v2")])
    assert app.extensions["matcher"].holder.check() is True
    after = client.post("/v1/match", json={"name": "Oskar Vanderbilt-Newentry"})
    assert after.headers["X-Cache"] == "miss"
    body = after.get_json()
    assert body["list_versions"]["un"] != old_version
    assert body["results"][0]["matches"][0]["entity_id"] == "un:TLi.099"
    assert body["results"][0]["matches"][0]["match"] is True


@pytest.mark.redis
def test_results_are_shared_through_redis(make_app, redis_prefix):
    url = "redis://127.0.0.1:6379/0"
    worker_a = make_app(redis_url=url, redis_prefix=redis_prefix).test_client()
    worker_b = make_app(redis_url=url, redis_prefix=redis_prefix).test_client()
    assert worker_a.post("/v1/match", json={"name": "Ivan Sidorov"}).headers["X-Cache"] == "miss"
    assert worker_b.post("/v1/match", json={"name": "Ivan Sidorov"}).headers["X-Cache"] == "hit"
    import redis

    keys = list(redis.Redis(port=6379).scan_iter(match=f"{redis_prefix}result:*"))
    assert len(keys) == 1
    assert 0 < redis.Redis(port=6379).ttl(keys[0]) <= 3600
