"""Authentication and per-key rate limits for the HTTP API.

**Off by default.** ``MATCHER_AUTH=off`` (the embedded default) serves everyone, which is right for
a service bound to 127.0.0.1 (``MATCHER_HOST``'s default) inside one application. With
``MATCHER_AUTH=keys`` every ``/v1`` route needs an API key (:mod:`matcher.api.keys`), sent as
``Authorization: Bearer <key>`` or ``X-API-Key: <key>``:

- ``screen`` scope: ``POST /v1/match``, ``GET /v1/entities/<id>``, ``GET /v1/lists``;
- ``admin`` scope: all of those and ``POST /v1/lists/refresh``.

``/healthz``, ``/readyz``, ``/metrics``, ``/openapi.json`` and ``/docs`` stay open, as probes and
scrapers expect; restrict them at the network if needed.

**Rate limits** apply per key (``MATCHER_RATE_LIMIT`` requests per minute, or the key's own
limit), in fixed one-minute windows counted in Redis (``INCR`` + ``EXPIRE`` on
``<prefix>rate:<key prefix>:<window>``), so every worker and instance shares one count. Without
Redis, or while it is unreachable, each worker counts on its own: the effective limit is then up to
workers x limit, which ``/readyz`` reports (``rate_limit.degraded``) and the log says once. A fixed
window lets a client burst up to twice the limit across a window boundary; that is accepted for
its simplicity (one round trip, no scripts). Answers carry ``RateLimit-Limit``,
``RateLimit-Remaining`` and ``RateLimit-Reset``; a refused request gets 429 with ``Retry-After``.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import g, request

from matcher.api.errors import ApiError
from matcher.api.keys import ApiKey, KeyStore
from matcher.cache import RedisLink, RedisUnavailable

F = TypeVar("F", bound=Callable[..., Any])

WINDOW = 60


@dataclass(frozen=True, slots=True)
class RateState:
    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }


class RateLimiter:
    """Fixed one-minute windows per key, in Redis when configured, else (or meanwhile) in-process."""

    def __init__(self, link: RedisLink | None, prefix: str, window: int = WINDOW) -> None:
        self.link = link
        self.prefix = prefix
        self.window = window
        self._local: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    @property
    def backend(self) -> str:
        return "redis" if self.link is not None else "memory"

    @property
    def degraded(self) -> bool:
        return self.link is not None and self.link.down

    def hit(self, ident: str, limit: int, now: float | None = None) -> RateState:
        """Count one request of ``ident`` and say whether it is within ``limit``."""
        now = time.time() if now is None else now
        start = int(now) - int(now) % self.window
        reset = max(1, start + self.window - int(now))
        count = self._count(ident, start)
        return RateState(count <= limit, limit, max(0, limit - count), reset)

    def _count(self, ident: str, start: int) -> int:
        if self.link is not None:
            key = f"{self.prefix}rate:{ident}:{start}"

            def incr(client: Any) -> int:
                pipe = client.pipeline(transaction=False)
                pipe.incr(key)
                pipe.expire(key, self.window * 2)
                return int(pipe.execute()[0])

            try:
                return self.link.run(incr)
            except RedisUnavailable:
                pass
        with self._lock:
            for old in [k for k in self._local if k[1] < start]:
                del self._local[old]
            count = self._local.get((ident, start), 0) + 1
            self._local[(ident, start)] = count
        return count


class Auth:
    """Who may call what: the key store, the mode and the rate limiter of one app."""

    def __init__(self, mode: str, keys: KeyStore, limiter: RateLimiter, default_limit: int) -> None:
        self.mode = mode
        self.keys = keys
        self.limiter = limiter
        self.default_limit = default_limit

    @property
    def enabled(self) -> bool:
        return self.mode == "keys"

    def authenticate(self, scope: str) -> ApiKey | None:
        """The key of the current request, checked for ``scope`` and counted against its limit.

        Raises :class:`ApiError` 401, 403 or 429. Returns ``None`` when authentication is off.
        """
        if not self.enabled:
            return None
        token = _token_from_request()
        challenge = {"WWW-Authenticate": 'Bearer realm="matcher"'}
        if not token:
            raise ApiError(
                401,
                "an API key is required: send `Authorization: Bearer <key>` or `X-API-Key: <key>`",
                headers=challenge,
            )
        key = self.keys.lookup(token)
        if key is None:
            raise ApiError(401, "unknown or revoked API key", headers=challenge)
        if not key.allows(scope):
            raise ApiError(
                403,
                f"API key {key.prefix} has scope {', '.join(key.scopes)}; this needs `{scope}`",
            )
        limit = self.default_limit if key.rate_limit is None else key.rate_limit
        if limit > 0:
            state = self.limiter.hit(key.prefix, limit)
            g.rate_limit = state
            if not state.allowed:
                raise ApiError(
                    429,
                    f"API key {key.prefix} made more than {limit} requests this minute; "
                    f"retry in {state.reset} s",
                    headers={"Retry-After": str(state.reset), **state.headers()},
                )
        g.api_key = key
        return key


def _token_from_request() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    api_key = request.headers.get("X-API-Key", "").strip()
    return api_key or None


def require(scope: str) -> Callable[[F], F]:
    """View decorator: authenticate the request for ``scope`` (no-op when auth is off)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from matcher.api import services

            services().auth.authenticate(scope)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def add_rate_headers(response: Any) -> Any:
    """``after_request`` hook: the current key's RateLimit-* headers on every answer."""
    state: RateState | None = g.get("rate_limit")
    if state is not None:
        for name, value in state.headers().items():
            response.headers.setdefault(name, value)
    return response


__all__ = ["Auth", "RateLimiter", "RateState", "add_rate_headers", "require"]
