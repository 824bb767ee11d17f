"""The result cache: keys, the in-process LRU, Redis, and falling back and recovering."""

from __future__ import annotations

import logging
import time

import pytest
import redis

from matcher.cache import (
    FallbackCache,
    MemoryCache,
    RedisCache,
    RedisLink,
    RedisUnavailable,
    create_cache,
    redact_url,
    result_key,
)
from matcher.model import ALGORITHM_VERSION
from matcher.settings import Settings
from tests.listkit import free_port
from tests.serverkit import private_redis, redis_available, redis_prefix, wait_until

__all__ = ["private_redis", "redis_prefix"]  # fixtures

QUERY = {"name": "Ivan Sidorov", "type": "person", "identifiers": ["B2", "A1"], "country": None}
OPTIONS = {"lists": ["un", "eu"], "threshold": 0.8, "limit": 10}
VERSIONS = {"un": "20260227T000000Z-aaaaaaaa"}


def test_equivalent_queries_share_a_key():
    key = result_key("p:", QUERY, OPTIONS, VERSIONS)
    assert key.startswith("p:result:") and len(key) == len("p:result:") + 64
    spaced = {**QUERY, "name": "  Ivan \t Sidorov ", "identifiers": ["A1", "B2"]}
    assert result_key("p:", spaced, {**OPTIONS, "lists": ["eu", "un"]}, VERSIONS) == key
    decomposed = result_key("p:", {"name": "Jose\u0301"}, OPTIONS, VERSIONS)  # e + combining acute
    assert decomposed == result_key("p:", {"name": "Jos\u00e9"}, OPTIONS, VERSIONS)


@pytest.mark.parametrize(
    "change",
    [
        {"query": {**QUERY, "name": "IVAN SIDOROV"}},  # case may matter to the engine: kept
        {"query": {**QUERY, "type": "organization"}},
        {"query": {**QUERY, "identifiers": ["A1"]}},
        {"options": {**OPTIONS, "threshold": 0.85}},
        {"options": {**OPTIONS, "limit": 5}},
        {"options": {**OPTIONS, "lists": ["un"]}},
        {"versions": {"un": "20260306T000000Z-bbbbbbbb"}},
        {"algorithm": ALGORITHM_VERSION + "-next"},
    ],
)
def test_anything_that_changes_the_answer_changes_the_key(change):
    base = result_key("p:", QUERY, OPTIONS, VERSIONS)
    changed = result_key(
        "p:",
        change.get("query", QUERY),
        change.get("options", OPTIONS),
        change.get("versions", VERSIONS),
        change.get("algorithm", ALGORITHM_VERSION),
    )
    assert changed != base


def test_redact_url():
    assert redact_url("redis://:hunter2@cache:6379/0") == "redis://:***@cache:6379/0"
    assert redact_url("redis://app:hunter2@cache/1") == "redis://app:***@cache/1"
    assert redact_url("redis://cache:6379/0") == "redis://cache:6379/0"


def test_memory_cache_evicts_least_recently_used():
    cache = MemoryCache(max_entries=2, ttl=60)
    cache.set_many({"a": b"1", "b": b"2"})
    assert cache.get_many(["a"]) == [b"1"]  # a is now the most recent
    cache.set_many({"c": b"3"})
    assert cache.get_many(["a", "b", "c"]) == [b"1", None, b"3"]
    assert len(cache) == 2


def test_memory_cache_expires(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache = MemoryCache(max_entries=10, ttl=30)
    cache.set_many({"a": b"1"})
    now[0] += 29
    assert cache.get_many(["a"]) == [b"1"]
    now[0] += 2
    assert cache.get_many(["a"]) == [None] and len(cache) == 0


def test_without_redis_url_the_cache_is_in_process(tmp_path):
    cache = create_cache(Settings.from_env({}, data_dir=tmp_path))
    assert cache.backend == "memory" and cache.redis is None and not cache.degraded
    cache.set_many({"k": b"v"})
    assert cache.get_many(["k", "x"]) == [b"v", None]
    assert cache.status() == {"backend": "memory", "degraded": False}


def test_unreachable_redis_degrades_logs_once_and_skips_redis(caplog):
    link = RedisLink(f"redis://:pw-123@127.0.0.1:{free_port()}/0", retry_after=60)
    cache = FallbackCache(MemoryCache(), RedisCache(link, ttl=60))
    states = []
    link.listeners.append(states.append)
    with caplog.at_level(logging.WARNING, logger="matcher.cache"):
        cache.set_many({"k": b"v"})
        started = time.perf_counter()
        for _ in range(200):
            assert cache.get_many(["k"]) == [b"v"]
        elapsed = time.perf_counter() - started
    assert cache.degraded and states == [True]
    assert elapsed < 0.5  # no connection attempt while the retry interval runs
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "redis://:***@127.0.0.1" in warnings[0].getMessage() and "pw-123" not in caplog.text
    with pytest.raises(RedisUnavailable):
        link.run(lambda client: client.ping())


@pytest.mark.redis
def test_redis_cache_is_shared_and_expires(redis_prefix):
    worker_a = create_cache(
        Settings.from_env({}, redis_url="redis://127.0.0.1:6379/0", cache_ttl=30, redis_prefix=redis_prefix)
    )
    worker_b = create_cache(
        Settings.from_env({}, redis_url="redis://127.0.0.1:6379/0", redis_prefix=redis_prefix)
    )
    key = result_key(redis_prefix, QUERY, OPTIONS, VERSIONS)
    worker_a.set_many({key: b'{"matches":[]}'})
    assert worker_b.get_many([key, key + "x"]) == [b'{"matches":[]}', None]
    assert 0 < redis.Redis(port=6379).ttl(key) <= 30
    assert worker_a.memory.get_many([key]) == [None]  # memory is only the fallback
    assert worker_a.status() == {"backend": "redis", "degraded": False, "redis": "redis://127.0.0.1:6379/0"}


@pytest.mark.redis
def test_falls_back_while_redis_is_down_and_recovers_by_itself(private_redis, caplog):
    server = private_redis
    with caplog.at_level(logging.WARNING, logger="matcher.cache"):
        link = RedisLink(server.url, retry_after=0.1)
        cache = FallbackCache(MemoryCache(), RedisCache(link, ttl=60))
        cache.set_many({"before": b"1"})
        assert cache.get_many(["before"]) == [b"1"] and not cache.degraded

        server.stop()
        assert cache.get_many(["before"]) == [None]  # Redis is gone, memory never had it
        assert cache.degraded
        cache.set_many({"during": b"2"})
        assert cache.get_many(["during"]) == [b"2"]  # answered from memory

        server.start()
        wait_until(lambda: cache.get_many(["before"]) == [None] and not cache.degraded, timeout=5)
        cache.set_many({"after": b"3"})
        assert redis.Redis(port=server.port).get("after") == b"3"
        assert redis.Redis(port=server.port).get("during") is None
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unreachable" in m for m in messages) == 1
    assert sum("reachable again" in m for m in messages) == 1


def test_system_redis_helper_reports_absence():
    assert redis_available(port=free_port()) is False
