"""The service as deployed: gunicorn with two workers on a real port, real Redis, real HTTP.

Covers every endpoint over HTTP, the error answers, API keys and rate limits shared by the
workers, the Redis result cache (hit, miss, invalidation by a refresh), Redis stopping and coming
back, and a refresh (CLI import and ``POST /v1/lists/refresh``) reaching every worker within 5 s
while a client keeps querying, with no failed request.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import redis

from matcher.api.schemas import EntityResponse, ListsResponse, MatchResponse, Problem, Ready
from matcher.store import Store
from tests.api.conftest import write_version
from tests.api.test_health import metric
from tests.conftest import REPO
from tests.serverkit import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.redis]

PROPAGATION_SECONDS = 5.0


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    Problem.model_validate(body)
    return body


# --- Endpoints, errors, auth ---------------------------------------------------------------------


def test_every_endpoint_over_http(keyed_server):
    url, key = keyed_server.server.url, keyed_server.screen
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{url}/readyz")
    assert ready.status_code == 200
    Ready.model_validate(ready.json())
    assert ready.json()["cache"] == {
        "backend": "redis",
        "degraded": False,
        "redis": "redis://127.0.0.1:6379/0",
    }
    assert ready.json()["auth"] == "keys"

    lists = httpx.get(f"{url}/v1/lists", headers=auth(key))
    assert lists.status_code == 200
    ListsResponse.model_validate(lists.json())
    assert {r["source"]: r["loaded"] for r in lists.json()["lists"]} == {"un": True}

    entity = httpx.get(f"{url}/v1/entities/un:TLi.001", headers=auth(key))
    assert entity.status_code == 200
    EntityResponse.model_validate(entity.json())
    assert entity.json()["provenance"]["published"] == "2026-02-27"

    one = httpx.post(f"{url}/v1/match", json={"name": "Ivan Petrovich Sidorov"}, headers=auth(key))
    assert one.status_code == 200
    MatchResponse.model_validate(one.json())
    assert one.json()["results"][0]["matches"][0]["entity_id"] == "un:TLi.001"
    batch = httpx.post(
        f"{url}/v1/match",
        json={
            "queries": [
                {"id": "a", "name": "Golden Crescent Exchange"},
                {"id": "b", "name": "Hamza al Rashid"},
            ]
        },
        headers={"X-API-Key": key},
    )
    assert batch.status_code == 200
    assert [r["id"] for r in batch.json()["results"]] == ["a", "b"]

    metrics = httpx.get(f"{url}/metrics")
    assert metrics.status_code == 200
    assert metric(metrics.text, "matcher_list_entities", list="un") == 5
    assert (
        metric(metrics.text, "matcher_http_requests_total", route="/v1/match", method="POST", status="200")
        >= 2
    )
    assert httpx.get(f"{url}/openapi.json").json()["openapi"] == "3.1.0"
    docs = httpx.get(f"{url}/docs")
    assert docs.status_code == 200 and "POST" in docs.text and "<script" not in docs.text


def test_metrics_add_up_across_workers(keyed_server):
    url, key = keyed_server.server.url, keyed_server.screen
    before = metric(httpx.get(f"{url}/metrics").text, "matcher_queries_total")
    for i in range(12):  # fresh connections: both workers answer some
        assert (
            httpx.post(f"{url}/v1/match", json={"name": f"Count Me {i}"}, headers=auth(key)).status_code
            == 200
        )
    samples = {metric(httpx.get(f"{url}/metrics").text, "matcher_queries_total") for _ in range(6)}
    assert samples == {before + 12}  # whichever worker answers the scrape


def test_errors_over_http(keyed_server):
    url, key = keyed_server.server.url, keyed_server.screen
    headers = auth(key)
    problem(
        httpx.post(
            f"{url}/v1/match", content=b"{oops", headers={**headers, "Content-Type": "application/json"}
        ),
        400,
    )
    problem(httpx.post(f"{url}/v1/match", json={"name": "x"}), 401)
    problem(httpx.post(f"{url}/v1/lists/refresh", json={}, headers=headers), 403)
    problem(httpx.get(f"{url}/v1/entities/un:none", headers=headers), 404)
    assert "POST" in problem_response(httpx.get(f"{url}/v1/match", headers=headers), 405).headers["allow"]
    big = problem(httpx.post(f"{url}/v1/match", json={"name": "x" * 60_000}, headers=headers), 413)
    assert "MATCHER_MAX_BODY_MB" in big["detail"]
    many = problem(
        httpx.post(f"{url}/v1/match", json={"queries": [{"name": "x"}] * 51}, headers=headers), 413
    )
    assert "MATCHER_MAX_BATCH (50)" in many["detail"]
    problem(
        httpx.post(f"{url}/v1/match", content=b"name=x", headers={**headers, "Content-Type": "text/plain"}),
        415,
    )
    invalid = problem(
        httpx.post(
            f"{url}/v1/match",
            json={"queries": [{"name": "a"}, {"name": "b", "birth_date": "x"}]},
            headers=headers,
        ),
        422,
    )
    assert invalid["errors"][0]["field"] == "queries[1].birth_date"


def problem_response(response: httpx.Response, status: int) -> httpx.Response:
    problem(response, status)
    return response


def test_rate_limit_is_shared_by_the_workers(keyed_server):
    url = keyed_server.server.url
    token, key = keyed_server.keys.create(["screen"], name="limited")  # MATCHER_RATE_LIMIT=5
    answers = [httpx.get(f"{url}/v1/lists", headers=auth(token)) for _ in range(5)]  # fresh connections
    assert [a.status_code for a in answers] == [200] * 5
    assert sorted(int(a.headers["RateLimit-Remaining"]) for a in answers) == [0, 1, 2, 3, 4]
    refused = httpx.get(f"{url}/v1/lists", headers=auth(token))
    body = problem(refused, 429)
    assert key.prefix in body["detail"] and int(refused.headers["Retry-After"]) >= 1
    counters = list(redis.Redis(port=6379).scan_iter(match=f"{keyed_server.prefix}rate:{key.prefix}:*"))
    assert len(counters) == 1 and int(redis.Redis(port=6379).get(counters[0])) == 6
    # Revoking works at once in every worker.
    keyed_server.keys.revoke(key.prefix)
    assert {httpx.get(f"{url}/v1/lists", headers=auth(token)).status_code for _ in range(4)} == {401}


def test_cache_is_shared_by_the_workers(keyed_server):
    url, key = keyed_server.server.url, keyed_server.screen
    query = {"name": "Maria Elena Constantinescu", "birth_date": "1970"}
    first = httpx.post(f"{url}/v1/match", json=query, headers=auth(key))
    assert first.headers["x-cache"] == "miss"
    # Fresh connections land on both workers; every one is a hit from Redis.
    assert {
        httpx.post(f"{url}/v1/match", json=query, headers=auth(key)).headers["x-cache"] for _ in range(8)
    } == {"hit"}
    assert list(redis.Redis(port=6379).scan_iter(match=f"{keyed_server.prefix}result:*"))


# --- Refresh propagation -------------------------------------------------------------------------


@dataclass
class Traffic:
    """Clients querying the server on fresh connections (so every worker gets requests)."""

    url: str
    key: str
    readyz: list[tuple[float, int, str]] = field(default_factory=list)  # time, worker, un version
    matches: list[tuple[float, str]] = field(default_factory=list)  # time, un version
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                ready = httpx.get(f"{self.url}/readyz", timeout=10)
                body = ready.json()
                if ready.status_code != 200:
                    self.failures.append(f"readyz {ready.status_code}: {ready.text[:200]}")
                else:
                    self.readyz.append((time.monotonic(), body["worker"], body["lists"]["un"]))
                answer = httpx.post(
                    f"{self.url}/v1/match",
                    json={"queries": [{"name": "Oskar Vanderbilt-Newentry"}, {"name": "Ivan Sidorov"}]},
                    headers=auth(self.key),
                    timeout=10,
                )
                if answer.status_code != 200:
                    self.failures.append(f"match {answer.status_code}: {answer.text[:200]}")
                else:
                    self.matches.append((time.monotonic(), answer.json()["list_versions"]["un"]))
            except Exception as exc:  # a failed request is what this test must not see
                self.failures.append(f"{type(exc).__name__}: {exc}")

    def workers_on(self, version: str, since: float) -> dict[int, float]:
        """For each worker, when it first reported ``version`` (at or after ``since``)."""
        first: dict[int, float] = {}
        for when, worker, seen in self.readyz:
            if seen == version and when >= since and worker not in first:
                first[worker] = when
        return first


def watch_activation(store: Store, old: str) -> tuple[threading.Thread, list[float]]:
    """Record the moment the active version of ``un`` changes from ``old``."""
    when: list[float] = []

    def poll() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not when:
            if store.active_version("un") != old:
                when.append(time.monotonic())
            time.sleep(0.005)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    return thread, when


def assert_propagated(traffic: Traffic, workers: set[int], new: str, activated: float) -> None:
    wait_until(
        lambda: set(traffic.workers_on(new, activated)) >= workers,
        timeout=PROPAGATION_SECONDS + 5,
        interval=0.05,
        what=f"every worker serving {new}",
    )
    switched = traffic.workers_on(new, activated)
    delays = {worker: when - activated for worker, when in switched.items()}
    assert all(delay <= PROPAGATION_SECONDS for delay in delays.values()), delays
    # Once a worker serves the new version it never answers with the old one again.
    for when, worker, seen in traffic.readyz:
        if worker in switched and when > switched[worker]:
            assert seen == new, (worker, seen)
    settled = max(switched.values())
    assert all(version == new for when, version in traffic.matches if when > settled + 0.2)


def test_refresh_reaches_every_worker_within_5s_without_failures(keyed_server, tmp_path):
    server, store = keyed_server.server, Store(keyed_server.data_dir)
    workers = server.worker_pids()
    assert len(workers) == 2
    traffic = Traffic(server.url, keyed_server.screen)
    threads = [threading.Thread(target=traffic.run, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        wait_until(
            lambda: {w for _, w, _ in traffic.readyz} >= workers, timeout=10, what="traffic to both workers"
        )

        # 1. `matcher lists import` of a modified file, from another process.
        old = store.active_version("un")
        watcher, activated = watch_activation(store, old)
        imported = subprocess.run(
            [
                sys.executable,
                "-m",
                "matcher",
                "--data-dir",
                str(keyed_server.data_dir),
                "lists",
                "import",
                "un",
                str(write_version(tmp_path / "v2")),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            env={**server.env, "MATCHER_CATALOG_DIR": str(keyed_server.catalog)},
        )
        assert imported.returncode == 0, imported.stderr
        watcher.join(timeout=30)
        v2 = store.active_version("un")
        assert v2 != old and activated
        assert_propagated(traffic, workers, v2, activated[0])

        # 2. POST /v1/lists/refresh (admin) fetching a third version from the "publisher".
        keyed_server.lists.serve(
            "/un/consolidated.xml",
            write_version(
                tmp_path / "v3", extra_ref="TLi.098", generated="2026-03-13T00:00:00.000Z"
            ).read_bytes(),
        )
        watcher, activated = watch_activation(store, v2)
        refreshed = httpx.post(
            f"{server.url}/v1/lists/refresh",
            json={"sources": ["un"]},
            headers=auth(keyed_server.admin),
            timeout=60,
        )
        assert refreshed.status_code == 200, refreshed.text
        assert refreshed.json()["results"][0]["status"] == "updated"
        watcher.join(timeout=30)
        v3 = store.active_version("un")
        assert refreshed.json()["results"][0]["version"] == v3 and activated
        assert_propagated(traffic, workers, v3, activated[0])
    finally:
        traffic.stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert traffic.failures == []
    assert len(traffic.matches) > 20

    # The refresh invalidated cached results by construction: a new key, computed once.
    query = {"name": "Oskar Vanderbilt-Newentry", "limit": 3}
    fresh = httpx.post(f"{server.url}/v1/match", json=query, headers=auth(keyed_server.screen))
    assert fresh.headers["x-cache"] == "miss" and fresh.json()["list_versions"]["un"] == v3
    again = httpx.post(f"{server.url}/v1/match", json=query, headers=auth(keyed_server.screen))
    assert again.headers["x-cache"] == "hit"


# --- Without lists, and Redis going away ----------------------------------------------------------


def test_starts_without_lists_and_loads_them_without_restart(bare_server, tmp_path):
    url = bare_server.server.url
    ready = httpx.get(f"{url}/readyz")
    assert ready.status_code == 503 and ready.json()["status"] == "not_ready"
    assert "matcher lists refresh" in ready.json()["detail"]
    body = problem(httpx.post(f"{url}/v1/match", json={"name": "Ivan Sidorov"}), 503)
    assert "matcher lists import" in body["detail"]
    load_lists(bare_server, tmp_path)
    answer = httpx.post(f"{url}/v1/match", json={"name": "Ivan Sidorov"})
    assert (
        answer.status_code == 200 and answer.json()["results"][0]["matches"][0]["entity_id"] == "un:TLi.001"
    )


def load_lists(bare, tmp_path) -> None:
    if Store(bare.data_dir).active_version("un") is None:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "matcher",
                "--data-dir",
                str(bare.data_dir),
                "lists",
                "import",
                "un",
                str(write_version(tmp_path / "v1")),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
    bare.server.worker_pids(timeout=PROPAGATION_SECONDS + 5)  # every worker ready


def test_redis_stopping_and_coming_back(bare_server, tmp_path):
    load_lists(bare_server, tmp_path)
    url, private = bare_server.server.url, bare_server.redis
    workers = bare_server.server.worker_pids()
    before = httpx.post(f"{url}/v1/match", json={"name": "Northwind Shipping"})
    assert before.status_code == 200
    assert httpx.post(f"{url}/v1/match", json={"name": "Northwind Shipping"}).headers["x-cache"] == "hit"
    stored = redis.Redis(port=private.port).dbsize()
    assert stored >= 1

    private.stop()
    # Every request still succeeds, from each worker's in-process cache.
    with httpx.Client() as same_worker:  # keep-alive: one connection, one worker
        statuses = [same_worker.post(f"{url}/v1/match", json={"name": "Golden Crescent"}) for _ in range(3)]
    assert [s.status_code for s in statuses] == [200, 200, 200]
    assert [s.headers["x-cache"] for s in statuses] == ["miss", "hit", "hit"]
    assert all(
        httpx.post(f"{url}/v1/match", json={"name": f"Outage {i}"}).status_code == 200 for i in range(10)
    )
    degraded = wait_for_workers(url, workers, lambda body: body["cache"]["degraded"] is True)
    assert all(
        body["status"] == "degraded" and body["cache"]["serving_from"] == "memory" for body in degraded
    )
    assert metric(httpx.get(f"{url}/metrics").text, "matcher_cache_degraded") == 1

    private.start()  # same port, empty (no persistence)
    recovered = wait_for_workers(url, workers, lambda body: body["cache"]["degraded"] is False)
    assert all(body["status"] == "ready" for body in recovered)
    assert metric(httpx.get(f"{url}/metrics").text, "matcher_cache_degraded") == 0
    assert httpx.post(f"{url}/v1/match", json={"name": "Northwind Shipping"}).headers["x-cache"] == "miss"
    assert redis.Redis(port=private.port).dbsize() >= 1  # results go to Redis again
    assert httpx.post(f"{url}/v1/match", json={"name": "Northwind Shipping"}).headers["x-cache"] == "hit"
    # Each worker logged the outage once and the recovery once, with its pid.
    log = bare_server.server.log().splitlines()
    down = [line for line in log if "is unreachable" in line]
    back = [line for line in log if "is reachable again" in line]
    assert sorted(int(line.split("[")[2].split("]")[0]) for line in down) == sorted(workers)
    assert sorted(int(line.split("[")[2].split("]")[0]) for line in back) == sorted(workers)


def wait_for_workers(url: str, workers: set[int], condition) -> list[dict[str, Any]]:
    """Poll /readyz until every worker's answer meets ``condition``; return those answers."""
    latest: dict[int, dict[str, Any]] = {}

    def check() -> bool:
        body = httpx.get(f"{url}/readyz", timeout=5).json()
        if condition(body):
            latest[body["worker"]] = body
        else:
            latest.pop(body["worker"], None)
        return set(latest) >= workers

    wait_until(check, timeout=15, interval=0.02, what="every worker's readiness")
    return list(latest.values())
