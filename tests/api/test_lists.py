"""GET /v1/lists, POST /v1/lists/refresh and GET /v1/entities/<id> through the Flask test client."""

from __future__ import annotations

import json

from matcher.api.schemas import EntityResponse, ListsResponse, RefreshResponse
from matcher.store import Store
from tests.api.conftest import UN_SMALL, write_version
from tests.api.test_match import problem_of
from tests.listkit import ListServer, write_catalog


def test_lists_shows_versions_dates_counts_and_staleness(client, data_dir):
    response = client.get("/v1/lists")
    assert response.status_code == 200
    body = response.get_json()
    ListsResponse.model_validate(body)
    rows = {row["source"]: row for row in body["lists"]}
    un = rows["un"]
    meta = Store(data_dir).active("un")
    assert un["loaded"] is True
    assert un["version"] == un["active_version"] == meta.version
    assert un["published"] == "2026-02-27"
    assert un["fetched_at"] == meta.fetched_at
    assert un["counts"] == {
        "entities": 5,
        "names": 9,
        "by_type": {"organization": 2, "person": 3},
        "records": 5,
        "rejected": 0,
    }
    assert un["stale"] is False and 0 <= un["age_hours"] < 1
    # Catalog sources never imported are listed too, as missing and stale.
    assert rows["ofac_sdn"]["loaded"] is False and rows["ofac_sdn"]["version"] is None
    assert rows["ofac_sdn"]["stale"] is True and rows["ofac_sdn"]["counts"] is None
    assert body["stale_hours"] == 48


def test_lists_marks_old_lists_stale(make_app):
    body = make_app(stale_hours=0.0000001).test_client().get("/v1/lists").get_json()
    assert {row["source"]: row["stale"] for row in body["lists"]}["un"] is True


def test_lists_shows_a_version_not_served_yet(app, client, data_dir, tmp_path, settings):
    from matcher.refresh import import_files
    from matcher.settings import Settings

    old = Store(data_dir).active_version("un")
    import_files(Settings.from_env({}, data_dir=data_dir), "un", [write_version(tmp_path / "v2")])
    row = {r["source"]: r for r in client.get("/v1/lists").get_json()["lists"]}["un"]
    assert row["version"] == old and row["active_version"] != old
    app.extensions["matcher"].holder.check()
    row = {r["source"]: r for r in client.get("/v1/lists").get_json()["lists"]}["un"]
    assert row["version"] == row["active_version"] != old
    assert row["published"] == "2026-03-06" and row["counts"]["entities"] == 6


def test_entity_is_the_full_record_with_provenance(client, data_dir):
    response = client.get("/v1/entities/un:TLi.001")
    assert response.status_code == 200
    body = response.get_json()
    EntityResponse.model_validate(body)
    entity = body["entity"]
    assert entity["id"] == "un:TLi.001" and entity["type"] == "person"
    assert [n["value"] for n in entity["names"]] == [
        "IVAN PETROVICH SIDOROV",
        "Иван Петрович Сидоров",
        "Ivan Sidorov",
    ]
    assert entity["birth_dates"] == ["1961-05-01"]
    assert {"kind": "passport", "value": "TL0012345", "country": None, "note": None} in entity["identifiers"]
    meta = Store(data_dir).active("un")
    provenance = body["provenance"]
    assert provenance["list"] == "un" and provenance["version"] == meta.version
    assert provenance["published"] == "2026-02-27"
    assert provenance["fetched_at"] == meta.fetched_at
    assert provenance["source_file"] == "un_small.xml"
    assert provenance["format"] == "un_xml"
    assert provenance["content_hash"] == meta.content_hash
    assert provenance["origin"] == ["local file un_small.xml"]
    assert provenance["files"][0]["name"] == "un_small.xml"
    # No server path leaks into the answer.
    assert str(UN_SMALL.parent) not in response.get_data(as_text=True)
    assert str(data_dir) not in response.get_data(as_text=True)


def test_unknown_entities_and_lists_are_404(client):
    problem = problem_of(client.get("/v1/entities/un:QDi.000"), 404)
    assert "un:QDi.000" in problem["detail"]
    problem = problem_of(client.get("/v1/entities/ofac_sdn:36"), 404)
    assert "no list 'ofac_sdn' is loaded" in problem["detail"]
    problem_of(client.get("/v1/entities/"), 404)


def test_refresh_fetches_and_reports_each_source(make_app, data_dir, tmp_path):
    new = write_version(tmp_path / "v2").read_bytes()
    with ListServer() as server:
        url = server.serve("/un/consolidated.xml", new)
        catalog = write_catalog(tmp_path / "catalog", "un", urls=[url], min_count=3)
        app = make_app(catalog_dir=catalog)
        client = app.test_client()
        response = client.post("/v1/lists/refresh", json={"sources": ["un"]})
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        RefreshResponse.model_validate(body)
        assert body["ok"] is True
        [result] = body["results"]
        assert result["source"] == "un" and result["status"] == "updated"
        assert result["entities"] == 6 and result["version"] == Store(data_dir).active_version("un")
        assert result["previous"] is not None and result["previous"] != result["version"]
        # Unchanged on the second call (empty body: every catalog source).
        again = client.post("/v1/lists/refresh").get_json()
        assert [r["status"] for r in again["results"]] == ["unchanged"]
        # The app serves the new version once it looks.
        app.extensions["matcher"].holder.check()
        served = client.post("/v1/match", json={"name": "Oskar Vanderbilt-Newentry"}).get_json()
        assert served["list_versions"]["un"] == result["version"]


def test_refresh_failures_are_reported_per_source(make_app, tmp_path):
    with ListServer() as server:
        url = server.serve("/un/consolidated.xml", b"<html>not a list</html>")
        catalog = write_catalog(tmp_path / "catalog", "un", urls=[url], min_count=3)
        client = make_app(catalog_dir=catalog, http_retries=1).test_client()
        body = client.post("/v1/lists/refresh", json={"sources": ["un"], "force": True}).get_json()
    assert body["ok"] is False
    [result] = body["results"]
    assert result["status"] == "failed" and result["version"] is None
    assert "consolidated.xml" in result["detail"]


def test_refresh_validates_its_body(client):
    problem = problem_of(client.post("/v1/lists/refresh", json={"sources": ["nope"]}), 422)
    assert problem["errors"][0]["field"] == "sources" and "nope" in problem["detail"]
    problem = problem_of(client.post("/v1/lists/refresh", json={"sources": "un"}), 422)
    assert problem["errors"][0]["field"] == "sources"
    problem_of(
        client.post("/v1/lists/refresh", data=json.dumps({"force": 1}), content_type="text/plain"), 415
    )
    problem_of(client.post("/v1/lists/refresh", data="{", content_type="application/json"), 400)
    problem_of(client.get("/v1/lists/refresh"), 405)
