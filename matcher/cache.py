"""The match-result cache of the HTTP service: Redis when configured, in-process memory otherwise.

::

    ResultCache (protocol)     get_many(keys) -> values or None; set_many({key: value})
    ├── MemoryCache            per-process LRU with a TTL (thread-safe)
    ├── RedisCache             shared by every worker and instance; raises RedisUnavailable
    └── FallbackCache          what the service uses: Redis when REDIS_URL is set, memory when it is
                               not or while Redis is unreachable
    RedisLink                  one Redis client plus its health, shared with the API's rate limiter

**Keys** (:func:`result_key`) are the SHA-256 of the normalised query, the options, the list versions
that answer it and :data:`~matcher.model.ALGORITHM_VERSION`. A refresh changes a list version, so it
invalidates every cached answer by construction: nothing is ever deleted, old entries just expire
(``MATCHER_CACHE_TTL``). The normalisation is deliberately light (Unicode NFC, collapsed whitespace,
sorted identifiers and lists): whatever could change the engine's answer, such as letter case,
stays in the key, so a hit is always the answer the engine would give.

**When Redis is unreachable** the service keeps answering: :class:`RedisLink` marks itself down on
the first failure, logs one warning (the URL with its password redacted; API keys are never
logged), and for ``retry_after`` seconds every call fails at once without touching the network, so
an outage costs no latency. After that one call tries Redis again; when it answers, the link logs
one recovery line and the shared cache is used again. Meanwhile :class:`FallbackCache` answers
from each worker's :class:`MemoryCache` and reports ``degraded`` (``/readyz``, ``/metrics``).
The in-process cache is only a fallback: it is not written while Redis is healthy, so an outage
starts with a cold memory cache (measured in bench/load).

The engine never sees this module; :mod:`matcher.api.match` wraps the engine with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from matcher.model import ALGORITHM_VERSION
from matcher.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds Redis calls wait for a connection or an answer. Redis answers a cache lookup in well under
#: a millisecond; anything slower is an outage, and a request must not wait for it.
REDIS_TIMEOUT = 0.25
#: Seconds after a failure before Redis is tried again (one request pays for the try).
REDIS_RETRY_AFTER = 1.0


class RedisUnavailable(Exception):
    """Redis did not answer (connection refused, timeout, error reply); the caller falls back."""


def redact_url(url: str) -> str:
    """``url`` without its password (``redis://:***@host:6379/0``), for logs and status pages."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user = parts.username or ""
        host = parts.hostname or ""
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))
    except ValueError:
        return "<unparseable Redis URL>"


def result_key(
    prefix: str,
    query: Mapping[str, Any],
    options: Mapping[str, Any],
    list_versions: Mapping[str, str],
    algorithm: str = ALGORITHM_VERSION,
) -> str:
    """The cache key of one query's result: ``<prefix>result:<sha256>``.

    ``query`` and ``options`` are the request's values (strings, lists, numbers or None); they are
    normalised here so two requests that must get the same answer share a key.
    """
    payload = {
        "q": _canonical(query),
        "o": _canonical(options),
        "v": dict(sorted(list_versions.items())),
        "a": algorithm,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{prefix}result:{hashlib.sha256(text.encode()).hexdigest()}"


def _canonical(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFC", value).split())
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items() if v is not None and v != [] and v != ()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_canonical(v) for v in value]
        # Order never changes an answer: identifiers are a set to the engine, lists a selection.
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


class ResultCache(Protocol):
    """What the API needs from a cache. Values are the serialised (JSON) results."""

    @property
    def backend(self) -> str: ...
    @property
    def degraded(self) -> bool: ...
    def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...
    def set_many(self, items: Mapping[str, bytes]) -> None: ...


class MemoryCache:
    """A per-process LRU cache whose entries expire after ``ttl`` seconds."""

    backend = "memory"
    degraded = False

    def __init__(self, max_entries: int = 10_000, ttl: float = 3600.0) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self.ttl = ttl
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        now = time.monotonic()
        out: list[bytes | None] = []
        with self._lock:
            for key in keys:
                found = self._data.get(key)
                if found is None:
                    out.append(None)
                elif found[0] <= now:
                    del self._data[key]
                    out.append(None)
                else:
                    self._data.move_to_end(key)
                    out.append(found[1])
        return out

    def set_many(self, items: Mapping[str, bytes]) -> None:
        expires = time.monotonic() + self.ttl
        with self._lock:
            for key, value in items.items():
                self._data[key] = (expires, value)
                self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class RedisLink:
    """One Redis client and whether Redis is reachable, shared by the cache and the rate limiter.

    Every Redis call goes through :meth:`run`, which turns any Redis failure into
    :class:`RedisUnavailable`, logs the first failure of an outage and the recovery once each,
    and skips Redis entirely for ``retry_after`` seconds after a failure. ``listeners`` are called
    with the new state (``True`` = down) on every change; the API updates its metrics with them.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = REDIS_TIMEOUT,
        retry_after: float = REDIS_RETRY_AFTER,
    ) -> None:
        self.url = url
        self.safe_url = redact_url(url)
        self.retry_after = retry_after
        self.client: redis.Redis = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            # One immediate retry replaces a pooled connection that died with a Redis restart;
            # no backoff, because a request is waiting.
            retry=Retry(NoBackoff(), 1),
        )
        self.listeners: list[Callable[[bool], None]] = []
        self._down_since: float | None = None
        self._next_try = 0.0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def run(self, call: Callable[[redis.Redis], T]) -> T:
        """``call(client)``, or :class:`RedisUnavailable` when Redis is (or was just found) down."""
        if self._down_since is not None and time.monotonic() < self._next_try:
            raise RedisUnavailable(f"Redis at {self.safe_url} is down")
        try:
            result = call(self.client)
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)
            raise RedisUnavailable(f"Redis at {self.safe_url} is down") from None
        if self._down_since is not None:
            self._recovered()
        return result

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            self._next_try = time.monotonic() + self.retry_after
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
        reason = self._describe(exc)
        log.warning(
            "Redis at %s is unreachable (%s): using in-process fallbacks until it answers again",
            self.safe_url,
            reason,
        )
        self._notify(True)

    def _recovered(self) -> None:
        with self._lock:
            if self._down_since is None:
                return
            outage = time.monotonic() - self._down_since
            self._down_since = None
        log.warning("Redis at %s is reachable again after %.1f s", self.safe_url, outage)
        self._notify(False)

    def _notify(self, down: bool) -> None:
        for listener in self.listeners:
            try:
                listener(down)
            except Exception:  # a metrics hook must never break a request
                log.exception("Redis state listener failed")

    def _describe(self, exc: BaseException) -> str:
        text = f"{type(exc).__name__}: {exc}"
        password = urlsplit(self.url).password if "@" in self.url else None
        if password:
            text = text.replace(password, "***")
        return " ".join(text.split())[:200]


class RedisCache:
    """Results in Redis under ``<prefix>result:<hash>``, expiring after ``ttl`` seconds."""

    backend = "redis"

    def __init__(self, link: RedisLink, ttl: int = 3600) -> None:
        self.link = link
        self.ttl = ttl

    @property
    def degraded(self) -> bool:
        return self.link.down

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        values: list[Any] = self.link.run(lambda client: client.mget(list(keys)))
        return [v if isinstance(v, bytes) else None for v in values]

    def set_many(self, items: Mapping[str, bytes]) -> None:
        if not items:
            return

        def write(client: redis.Redis) -> None:
            pipe = client.pipeline(transaction=False)
            for key, value in items.items():
                pipe.set(key, value, ex=self.ttl)
            pipe.execute()

        self.link.run(write)


class FallbackCache:
    """Redis when configured and reachable; the in-process cache otherwise (see the module docs)."""

    def __init__(self, memory: MemoryCache, redis_cache: RedisCache | None = None) -> None:
        self.memory = memory
        self.redis = redis_cache

    @property
    def backend(self) -> str:
        """``redis`` or ``memory``: what is configured, not what answers right now."""
        return "redis" if self.redis is not None else "memory"

    @property
    def degraded(self) -> bool:
        """Redis is configured but unreachable, so answers come from the per-process cache."""
        return self.redis is not None and self.redis.degraded

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if self.redis is not None:
            try:
                return self.redis.get_many(keys)
            except RedisUnavailable:
                pass
        return self.memory.get_many(keys)

    def set_many(self, items: Mapping[str, bytes]) -> None:
        if self.redis is not None:
            try:
                self.redis.set_many(items)
                return
            except RedisUnavailable:
                pass
        self.memory.set_many(items)

    def status(self) -> dict[str, Any]:
        """For ``/readyz``: the configured backend, whether it is degraded, and the Redis URL
        without its password."""
        out: dict[str, Any] = {"backend": self.backend, "degraded": self.degraded}
        if self.redis is not None:
            out["redis"] = self.redis.link.safe_url
            if self.degraded:
                out["serving_from"] = "memory"
        return out


def create_cache(settings: Settings, link: RedisLink | None = None) -> FallbackCache:
    """The cache ``settings`` ask for: memory only without ``REDIS_URL``, Redis with fallback with it."""
    memory = MemoryCache(settings.cache_size, settings.cache_ttl)
    if not settings.redis_url:
        return FallbackCache(memory)
    link = link or RedisLink(settings.redis_url)
    return FallbackCache(memory, RedisCache(link, settings.cache_ttl))


__all__ = [
    "FallbackCache",
    "MemoryCache",
    "RedisCache",
    "RedisLink",
    "RedisUnavailable",
    "ResultCache",
    "create_cache",
    "redact_url",
    "result_key",
]
