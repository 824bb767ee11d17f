"""API keys (store, CLI, checks), scopes and per-key rate limits."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner

from matcher.api.auth import RateLimiter
from matcher.api.keys import KeyStore, hash_token
from matcher.cache import RedisLink
from matcher.cli import cli
from tests.api.test_match import problem_of
from tests.listkit import free_port


@pytest.fixture
def keyed(make_app, data_dir):
    """An app with MATCHER_AUTH=keys and a limit of 3 requests per minute, and its key store."""
    app = make_app(auth="keys", rate_limit=3)
    return app.test_client(), KeyStore(data_dir)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- Key store ----------------------------------------------------------------------------------


def test_keys_are_stored_hashed_with_a_prefix(data_dir):
    store = KeyStore(data_dir)
    token, key = store.create(["screen"], name="onboarding")
    assert token.startswith("mk_") and len(token) == 46
    assert key.prefix == token[:11] and key.sha256 == hash_token(token)
    text = store.path.read_text()
    assert token not in text and token[11:] not in text
    assert json.loads(text)["keys"][0]["sha256"] == hash_token(token)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.lookup(token) == key
    assert store.lookup(token + "x") is None and store.lookup("not-a-key") is None


def test_revocation_applies_to_a_running_lookup(data_dir):
    serving = KeyStore(data_dir)  # what a worker holds
    token, key = KeyStore(data_dir).create(["admin"])
    assert serving.lookup(token) is not None
    KeyStore(data_dir).revoke(key.prefix)  # what `matcher keys revoke` does, from another process
    assert serving.lookup(token) is None
    assert serving.keys()[0].revoked_at is not None


def test_key_store_rejects_bad_input(data_dir):
    store = KeyStore(data_dir)
    with pytest.raises(Exception, match="unknown scope 'root'"):
        store.create(["root"])
    with pytest.raises(Exception, match="at least one scope"):
        store.create([])
    with pytest.raises(Exception, match="no API key with prefix"):
        store.revoke("mk_nothing")


def test_admin_includes_screen(data_dir):
    _, admin = KeyStore(data_dir).create(["admin"])
    _, screen = KeyStore(data_dir).create(["screen"])
    assert admin.allows("screen") and admin.allows("admin")
    assert screen.allows("screen") and not screen.allows("admin")


def test_keys_cli_create_list_revoke(data_dir):
    runner = CliRunner()
    base = ["--data-dir", str(data_dir), "keys"]
    created = runner.invoke(cli, [*base, "create", "--scope", "screen", "--name", "crm", "--rate-limit", "5"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("mk_") and "\n" not in token
    assert "cannot be shown again" in created.stderr
    listed = runner.invoke(cli, [*base, "list"])
    assert listed.exit_code == 0
    assert token[:11] in listed.stdout and "crm" in listed.stdout and "active" in listed.stdout
    assert token[11:] not in listed.stdout
    as_json = json.loads(runner.invoke(cli, [*base, "list", "--json"]).stdout)
    assert as_json[0]["prefix"] == token[:11] and as_json[0]["rate_limit"] == 5 and "sha256" not in as_json[0]
    revoked = runner.invoke(cli, [*base, "revoke", token[:11]])
    assert revoked.exit_code == 0 and f"revoked {token[:11]}" in revoked.stdout
    assert "revoked" in runner.invoke(cli, [*base, "list"]).stdout
    missing = runner.invoke(cli, [*base, "revoke", "mk_missing1"])
    assert missing.exit_code == 1
    assert missing.stderr.strip().startswith("error: no API key with prefix 'mk_missing1'")
    assert runner.invoke(cli, [*base, "create"]).exit_code == 2  # --scope is required


# --- Authentication -----------------------------------------------------------------------------


def test_auth_off_needs_no_key(client):
    assert client.post("/v1/match", json={"name": "Ivan Sidorov"}).status_code == 200
    assert client.get("/v1/lists").status_code == 200


def test_missing_and_unknown_keys_are_401(keyed):
    client, _ = keyed
    problem = problem_of(client.post("/v1/match", json={"name": "x"}), 401)
    assert "Authorization: Bearer" in problem["detail"]
    response = client.get("/v1/lists")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="matcher"'
    problem_of(client.get("/v1/lists", headers=bearer("mk_" + "a" * 43)), 401)
    problem_of(client.get("/v1/lists", headers={"Authorization": "Basic dXNlcjpwdw=="}), 401)


def test_scopes(keyed, tmp_path):
    client, store = keyed
    screen, _ = store.create(["screen"], rate_limit=0)
    admin, _ = store.create(["admin"], rate_limit=0)
    assert client.post("/v1/match", json={"name": "Ivan Sidorov"}, headers=bearer(screen)).status_code == 200
    assert client.get("/v1/entities/un:TLi.001", headers={"X-API-Key": screen}).status_code == 200
    problem = problem_of(
        client.post("/v1/lists/refresh", json={"sources": ["nope"]}, headers=bearer(screen)), 403
    )
    assert "needs `admin`" in problem["detail"]
    # The admin key gets past authentication (and then fails validation, which proves it did).
    problem_of(client.post("/v1/lists/refresh", json={"sources": ["nope"]}, headers=bearer(admin)), 422)
    assert client.post("/v1/match", json={"name": "Ivan"}, headers=bearer(admin)).status_code == 200


def test_a_revoked_key_stops_working_at_once(keyed):
    client, store = keyed
    token, key = store.create(["screen"])
    assert client.get("/v1/lists", headers=bearer(token)).status_code == 200
    store.revoke(key.prefix)
    problem_of(client.get("/v1/lists", headers=bearer(token)), 401)


def test_probes_and_docs_stay_open(keyed):
    client, _ = keyed
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"):
        assert client.get(path).status_code == 200, path


def test_rate_limit_per_key(keyed):
    client, store = keyed
    token, key = store.create(["screen"])
    other, _ = store.create(["screen"])
    answers = [client.get("/v1/lists", headers=bearer(token)) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    refused = client.get("/v1/lists", headers=bearer(token))
    problem = problem_of(refused, 429)
    assert key.prefix in problem["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Remaining"] == "0"
    # Another key has its own budget; a key with its own limit of 0 has none.
    assert client.get("/v1/lists", headers=bearer(other)).status_code == 200
    unlimited, _ = store.create(["screen"], rate_limit=0)
    assert all(client.get("/v1/lists", headers=bearer(unlimited)).status_code == 200 for _ in range(6))


def test_rate_limiter_windows():
    limiter = RateLimiter(None, "t:")
    assert [limiter.hit("k", 2, now=120.0).allowed for _ in range(3)] == [True, True, False]
    state = limiter.hit("k", 2, now=150.0)
    assert not state.allowed and state.reset == 30
    assert limiter.hit("k", 2, now=180.0).allowed  # a new window
    assert limiter.backend == "memory" and not limiter.degraded


@pytest.mark.redis
def test_rate_limits_are_shared_through_redis(redis_prefix):
    link_a = RedisLink("redis://127.0.0.1:6379/0")
    link_b = RedisLink("redis://127.0.0.1:6379/0")
    worker_a, worker_b = RateLimiter(link_a, redis_prefix), RateLimiter(link_b, redis_prefix)
    states = [limiter.hit("mk_shared", 3, now=600.0) for limiter in (worker_a, worker_b, worker_a, worker_b)]
    assert [s.allowed for s in states] == [True, True, True, False]
    assert worker_a.backend == "redis" and not worker_a.degraded
    import redis

    assert redis.Redis(port=6379).get(f"{redis_prefix}rate:mk_shared:600") == b"4"


def test_rate_limits_fall_back_to_each_process_without_redis(caplog):
    limiter = RateLimiter(RedisLink(f"redis://127.0.0.1:{free_port()}/0"), "t:")
    assert [limiter.hit("k", 2, now=60.0).allowed for _ in range(3)] == [True, True, False]
    assert limiter.degraded
    assert sum("unreachable" in r.getMessage() for r in caplog.records) == 1
