"""/healthz, /readyz and /metrics through the Flask test client."""

from __future__ import annotations

import re

from matcher.api.schemas import Health, Ready
from matcher.engine import Engine
from matcher.refresh import import_files
from matcher.settings import Settings
from tests.api.conftest import write_version
from tests.listkit import free_port


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$", line)
        if m is None or m.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(m.group(3))
    return 0.0


def test_healthz_always_answers(client, make_app, tmp_path):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    Health.model_validate(client.get("/healthz").get_json())
    empty = make_app(data=tmp_path / "empty").test_client()
    assert empty.get("/healthz").status_code == 200


def test_readyz_ready(client, data_dir):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    Ready.model_validate(body)
    assert body["status"] == "ready" and body["stale"] == [] and body["reload_error"] is None
    assert list(body["lists"]) == ["un"]
    assert body["cache"] == {"backend": "memory", "degraded": False}
    assert body["auth"] == "off" and body["rate_limit"]["enabled"] is False
    assert isinstance(body["worker"], int)


def test_readyz_503_until_lists_are_loaded(make_app, tmp_path):
    empty = tmp_path / "empty"
    app = make_app(data=empty)
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    Ready.model_validate(body)
    assert body["status"] == "not_ready" and "matcher lists refresh" in body["detail"]
    # Loading a list makes the running app ready, no restart.
    import_files(Settings.from_env({}, data_dir=empty), "un", [write_version(tmp_path / "v")])
    app.extensions["matcher"].holder.check()
    assert client.get("/readyz").status_code == 200


def test_readyz_reports_stale_lists(make_app):
    body = make_app(stale_hours=0.0000001).test_client().get("/readyz").get_json()
    assert body["status"] == "degraded" and body["stale"] == ["un"]
    assert "stale lists" in body["detail"]


def test_readyz_and_metrics_report_a_degraded_cache(make_app, caplog):
    unreachable = f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0"
    client = make_app(redis_url=unreachable).test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["cache"]["degraded"] is True and body["cache"]["serving_from"] == "memory"
    assert body["cache"]["redis"] == f"redis://:***@127.0.0.1:{unreachable.rsplit(':', 1)[1]}"
    assert body["rate_limit"]["degraded"] is True
    # Matching keeps working from memory.
    first = client.post("/v1/match", json={"name": "Ivan Sidorov"})
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    assert client.post("/v1/match", json={"name": "Ivan Sidorov"}).headers["X-Cache"] == "hit"
    text = client.get("/metrics").get_data(as_text=True)
    assert metric(text, "matcher_cache_degraded") == 1.0
    # Logged once, without the password.
    messages = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(messages) == 1
    assert "s3cret-pw" not in caplog.text and "s3cret-pw" not in response.get_data(as_text=True)


def test_readyz_reports_a_failed_reload_and_keeps_serving(app, client, data_dir, tmp_path, monkeypatch):
    before = client.get("/readyz").get_json()["lists"]["un"]
    import_files(Settings.from_env({}, data_dir=data_dir), "un", [write_version(tmp_path / "v2")])

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("matcher.api.load_or_build_index", broken)
    assert app.extensions["matcher"].holder.check() is False
    body = client.get("/readyz").get_json()
    assert body["status"] == "degraded" and "disk on fire" in body["reload_error"]
    assert body["lists"]["un"] == before
    assert client.post("/v1/match", json={"name": "Ivan Sidorov"}).status_code == 200
    monkeypatch.undo()
    holder = app.extensions["matcher"].holder
    assert holder.check() is False  # the same versions are not retried at once
    holder._failed = (holder._failed[0], 0.0)  # ... but after a while
    assert holder.check() is True
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready" and body["lists"]["un"] != before


def test_metrics(client, monkeypatch):
    client.post("/v1/match", json={"name": "Ivan Sidorov"})
    client.post("/v1/match", json={"name": "Ivan Sidorov"})
    client.post("/v1/match", json={"queries": [{"name": "Golden Crescent Exchange"}, {"name": "Zzyzx Qwv"}]})
    client.get("/v1/entities/un:nothing")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    assert metric(text, "matcher_queries_total") == 4
    assert metric(text, "matcher_cache_hits_total") == 1
    assert metric(text, "matcher_cache_misses_total") == 3
    assert metric(text, "matcher_alerts_total", list="un") >= 3
    assert metric(text, "matcher_matches_total", list="un") >= metric(text, "matcher_alerts_total", list="un")
    assert metric(text, "matcher_http_request_duration_seconds_count", route="/v1/match", method="POST") == 3
    assert (
        metric(text, "matcher_http_requests_total", route="/v1/entities/<path:entity_id>", status="404") == 1
    )
    assert metric(text, "matcher_cache_degraded") == 0
    assert metric(text, "matcher_list_entities", list="un") == 5
    assert 0 <= metric(text, "matcher_list_age_seconds", list="un") < 3600
    assert metric(text, "matcher_list_stale", list="un") == 0
    assert metric(text, "matcher_engine_reloads_total", outcome="ok") == 1
    # Unmatched URLs share one label instead of one series per URL.
    client.get("/no/such/path/1")
    client.get("/no/such/path/2")
    text = client.get("/metrics").get_data(as_text=True)
    assert metric(text, "matcher_http_requests_total", route="<unmatched>", status="404") == 2
    assert "/no/such/path" not in text


def test_match_counts_alerts_from_cached_results_too(client, monkeypatch):
    first = client.post("/v1/match", json={"name": "Ivan Sidorov"}).get_json()["results"][0]
    assert first["alerts"] >= 1
    monkeypatch.setattr(Engine, "match", lambda *a, **k: (_ for _ in ()).throw(AssertionError("cached")))
    assert client.post("/v1/match", json={"name": "Ivan Sidorov"}).headers["X-Cache"] == "hit"
    text = client.get("/metrics").get_data(as_text=True)
    assert metric(text, "matcher_alerts_total", list="un") == 2 * first["alerts"]
    assert metric(text, "matcher_matches_total", list="un") == 2 * len(first["matches"])
