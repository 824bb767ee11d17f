"""Servers for the end-to-end tests: ``matcher serve`` (gunicorn, 2 workers) on free real ports.

Fixture strategy: two servers per test session, each started once for its module (a start costs
a few seconds, mostly warming up the normalisation tables in each worker):

- ``keyed_server``: ``MATCHER_AUTH=keys``, no preload (each worker loads the lists), the system
  Redis on 127.0.0.1:6379 under a key prefix of its own (deleted afterwards), small limits (5
  requests per minute, 50 queries per batch, 50 KB bodies) so the limits are cheap to reach, and
  a catalog whose ``un`` source is served by a local HTTP server
  (:class:`tests.listkit.ListServer`), so ``POST /v1/lists/refresh`` runs for real without the
  internet. It starts with ``tests/fixtures/api/un_small.xml`` imported.
- ``bare_server``: no auth, preload (the default), a private ``redis-server`` the tests stop and
  start, and an empty data directory (it must start and say how to load lists).

Both check for new list versions every 0.5 s. Servers and Redis are always stopped, by pid.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from matcher.api.keys import KeyStore
from matcher.refresh import import_files
from matcher.settings import Settings
from tests.api.conftest import UN_SMALL
from tests.listkit import ListServer, write_catalog
from tests.serverkit import RedisServer, Server, redis_available


@dataclass
class Keyed:
    server: Server
    data_dir: Path
    prefix: str
    admin: str
    screen: str
    keys: KeyStore
    lists: ListServer
    catalog: Path


@dataclass
class Bare:
    server: Server
    data_dir: Path
    redis: RedisServer


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keyed]:
    if not redis_available():
        pytest.skip("no Redis answers on 127.0.0.1:6379 (CI starts one; see .ci/run)")
    root = tmp_path_factory.mktemp("keyed")
    data_dir = root / "data"
    prefix = f"matcher-e2e-{uuid.uuid4().hex[:10]}:"
    with ListServer() as lists:
        lists.serve("/un/consolidated.xml", UN_SMALL.read_bytes())
        catalog = write_catalog(root / "catalog", "un", urls=[lists.url("/un/consolidated.xml")], min_count=3)
        settings = Settings.from_env({}, data_dir=data_dir, catalog_dir=catalog)
        import_files(settings, "un", [UN_SMALL])
        keys = KeyStore(data_dir)
        admin, _ = keys.create(["admin"], name="e2e admin", rate_limit=0)
        screen, _ = keys.create(["screen"], name="e2e screen", rate_limit=0)
        env = {
            "MATCHER_AUTH": "keys",
            "MATCHER_PRELOAD": "false",  # the other server runs with the default, preload
            "MATCHER_RATE_LIMIT": "5",
            "MATCHER_MAX_BATCH": "50",
            "MATCHER_MAX_BODY_MB": "0.05",
            "MATCHER_RELOAD_INTERVAL": "0.5",
            "MATCHER_CATALOG_DIR": str(catalog),
            "MATCHER_HTTP_RETRIES": "1",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "MATCHER_REDIS_PREFIX": prefix,
        }
        server = Server(data_dir, root / "server.log", env, workers=2)
        try:
            server.start()
            yield Keyed(server, data_dir, prefix, admin, screen, keys, lists, catalog)
        finally:
            server.stop()
            client = redis.Redis(host="127.0.0.1", port=6379)
            stale = list(client.scan_iter(match=f"{prefix}*"))
            if stale:
                client.delete(*stale)
            client.close()


@pytest.fixture(scope="module")
def bare_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bare]:
    import shutil

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    root = tmp_path_factory.mktemp("bare")
    data_dir = root / "data"
    with RedisServer(root / "redis") as private:
        env = {"MATCHER_RELOAD_INTERVAL": "0.5", "REDIS_URL": private.url, "MATCHER_REDIS_PREFIX": "bare:"}
        server = Server(data_dir, root / "server.log", env, workers=2)
        try:
            server.start()
            yield Bare(server, data_dir, private)
        finally:
            server.stop()
