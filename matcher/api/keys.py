"""API keys: created and revoked with ``matcher keys``, checked by :mod:`matcher.api.auth`.

A key is ``mk_`` followed by 43 URL-safe characters (32 random bytes from :mod:`secrets`). It is
printed once, when it is created, and never stored: ``<data dir>/api_keys.json`` keeps only its
SHA-256 and its first 11 characters (the *prefix*, e.g. ``mk_Xq3v9LpA``), which names the key in
``keys list``, ``keys revoke``, rate limits and logs. A plain SHA-256 is enough because the
token is 256 random bits: there is no dictionary to try against the hash, so a slow password hash
would only slow down every request.

Scopes: ``screen`` (match, entities, lists) and ``admin`` (also ``POST /v1/lists/refresh``);
``admin`` includes ``screen``. A key may carry its own per-minute rate limit, overriding
``MATCHER_RATE_LIMIT``.

The file is replaced atomically (:func:`matcher.store.atomic_write`, mode 0600) under an
``fcntl`` lock, so two ``matcher keys`` commands never lose each other's change, and a serving
worker notices a change at its next request by the file's size, mtime and inode: a revoked key
stops working at once, without a restart.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matcher.errors import MatcherError, StoreError
from matcher.store import atomic_write, exclusive_lock

SCOPES = ("screen", "admin")
TOKEN_PREFIX = "mk_"
PREFIX_LENGTH = 11
KEYS_FILE = "api_keys.json"


class ApiKeyError(MatcherError):
    """A key command that cannot be done as asked (unknown prefix, bad scope)."""

    STATUS = 422


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One stored key: never the token itself."""

    prefix: str
    sha256: str
    scopes: tuple[str, ...]
    name: str | None
    created_at: str
    revoked_at: str | None = None
    rate_limit: int | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        """``admin`` includes ``screen``."""
        return self.active and (scope in self.scopes or "admin" in self.scopes)

    def to_dict(self, *, with_hash: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "prefix": self.prefix,
            "name": self.name,
            "scopes": list(self.scopes),
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
            "rate_limit": self.rate_limit,
        }
        if with_hash:
            out["sha256"] = self.sha256
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ApiKey:
        limit = data.get("rate_limit")
        return cls(
            prefix=str(data["prefix"]),
            sha256=str(data["sha256"]),
            scopes=tuple(str(s) for s in data["scopes"]),
            name=data.get("name"),
            created_at=str(data["created_at"]),
            revoked_at=data.get("revoked_at"),
            rate_limit=int(limit) if limit is not None else None,
        )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class KeyStore:
    """The API keys of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / KEYS_FILE
        self._lock = threading.Lock()
        self._signature: tuple[int, int, int] | None = None
        self._by_hash: dict[str, ApiKey] = {}

    # Reading -----------------------------------------------------------------------------------

    def keys(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        return self._read()

    def lookup(self, token: str) -> ApiKey | None:
        """The active key ``token`` belongs to, or ``None``.

        Re-reads the file only when it changed (one ``stat`` per call), so revocations apply at
        once in every worker.
        """
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self._lock:
            signature = self._stat()
            if signature != self._signature:
                self._by_hash = {k.sha256: k for k in self._read() if k.active}
                self._signature = signature
            found = self._by_hash.get(hash_token(token))
        return found

    def has_active_keys(self) -> bool:
        return any(k.active for k in self._read())

    # Writing -----------------------------------------------------------------------------------

    def create(
        self, scopes: Iterable[str], name: str | None = None, rate_limit: int | None = None
    ) -> tuple[str, ApiKey]:
        """A new key: returns the token (show it once) and what is stored."""
        wanted = tuple(dict.fromkeys(scopes))
        if not wanted:
            raise ApiKeyError("give at least one scope (screen or admin)", where="scope")
        unknown = [s for s in wanted if s not in SCOPES]
        if unknown:
            raise ApiKeyError(f"unknown scope {unknown[0]!r} (scopes: {', '.join(SCOPES)})", where="scope")
        if rate_limit is not None and rate_limit < 0:
            raise ApiKeyError("rate limit must be 0 (none) or more requests per minute", where="rate_limit")
        with self._writing() as keys:
            taken = {k.prefix for k in keys}
            while True:
                token = TOKEN_PREFIX + secrets.token_urlsafe(32)
                if token[:PREFIX_LENGTH] not in taken:
                    break
            key = ApiKey(
                prefix=token[:PREFIX_LENGTH],
                sha256=hash_token(token),
                scopes=wanted,
                name=name,
                created_at=_now(),
                rate_limit=rate_limit,
            )
            keys.append(key)
        return token, key

    def revoke(self, prefix: str) -> ApiKey:
        """Revoke the key whose prefix is ``prefix`` (the full token is accepted too)."""
        prefix = prefix.strip()[:PREFIX_LENGTH]
        with self._writing() as keys:
            for i, key in enumerate(keys):
                if key.prefix == prefix:
                    if not key.active:
                        return key
                    keys[i] = replace(key, revoked_at=_now())
                    return keys[i]
        raise ApiKeyError(f"no API key with prefix {prefix!r} (see `matcher keys list`)", where="prefix")

    # Internals ---------------------------------------------------------------------------------

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _read(self) -> list[ApiKey]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [ApiKey.from_dict(k) for k in data["keys"]]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"unreadable API key file: {exc}", where=str(self.path)) from None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[list[ApiKey]]:
        """Read, let the caller change, write back atomically, all under an exclusive lock."""
        with exclusive_lock(self.data_dir, ".keys.lock", 0o600):
            keys = self._read()
            yield keys
            payload = {"keys": [k.to_dict() for k in keys]}
            atomic_write(self.path, (json.dumps(payload, indent=2) + "\n").encode())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


__all__ = ["SCOPES", "ApiKey", "ApiKeyError", "KeyStore", "hash_token"]
