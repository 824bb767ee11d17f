"""The only network code in matcher: download a list's files from its publisher, carefully.

What it does for each URL of a source (see ``urls`` in ``lists/<source>.yml``):

- **Conditional GET.** The ``ETag`` and ``Last-Modified`` of the last successful download are sent
  back as ``If-None-Match`` / ``If-Modified-Since``; ``304 Not Modified`` means "unchanged" and
  nothing is downloaded. Every official publisher matcher uses answers these, and lists change at
  most daily, so a routine refresh costs a few 304s. (:mod:`matcher.refresh` stores the validators,
  and only after the new version was committed, so a failed import is retried in full next time.)
- **Timeouts and retries.** Each phase (connect, read, write) times out after
  ``MATCHER_HTTP_TIMEOUT`` seconds. Connection failures, timeouts, a body cut off mid-way and
  ``5xx``/``429`` answers are retried up to ``MATCHER_HTTP_RETRIES`` attempts in all, with exponential
  backoff; other ``4xx`` answers are not (asking again will not help).
- **Safe writes.** The body streams to ``<name>.part`` in the caller's folder and is renamed to
  ``<name>`` only when complete; a body shorter than its ``Content-Length`` is an error, and a body
  larger than ``MATCHER_MAX_DOWNLOAD_MB`` is refused (a misconfigured URL or hostile server must not
  fill the disk).
- **Offline.** When no URL of a source can even be connected to (DNS or connection failure on every
  one), :class:`OfflineError` says the machine looks offline and that nothing was changed, which is
  the message an operator running ``matcher lists refresh`` on a disconnected host needs.

Why httpx: one dependency gives timeouts per phase, streaming, redirects (OFAC's exports redirect to
signed storage URLs) and proxy settings from the environment. Why synchronous: a refresh downloads a
handful of files a day; simplicity beats concurrency here.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from matcher import __version__
from matcher.errors import DownloadError

Progress = Callable[[str, int, int | None], None]
"""Progress callback: ``(file name, bytes so far, total bytes or None when unknown)``."""

BACKOFF_SECONDS = 0.5
USER_AGENT = f"matcher/{__version__} (self-hosted sanctions screening; list refresh)"
_CHUNK = 64 * 1024
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class ConnectFailure(DownloadError):
    """No connection could be made to a URL (DNS failure, refused, unreachable, connect timeout)."""


class OfflineError(DownloadError):
    """No URL of a source could be connected to: the machine looks offline. Nothing was changed."""


@dataclass(frozen=True, slots=True)
class Validators:
    """The cache validators a server sent with a file, echoed back for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("etag", self.etag), ("last_modified", self.last_modified)) if v}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Validators:
        etag, modified = data.get("etag"), data.get("last_modified")
        return cls(etag if isinstance(etag, str) else None, modified if isinstance(modified, str) else None)


@dataclass(frozen=True, slots=True)
class FetchedFile:
    """The outcome for one URL: a downloaded file, or ``path=None`` when the server said 304."""

    url: str
    file_name: str
    path: Path | None
    validators: Validators
    size: int = 0

    @property
    def unchanged(self) -> bool:
        return self.path is None


def fetch_files(
    downloads: Sequence[tuple[str, str]],
    dest_dir: Path,
    *,
    timeout: float,
    retries: int,
    max_bytes: int,
    validators: Mapping[str, Validators] | None = None,
    progress: Progress | None = None,
    backoff: float = BACKOFF_SECONDS,
    transport: httpx.BaseTransport | None = None,
) -> list[FetchedFile]:
    """Download each ``(url, file name)`` into ``dest_dir``; conditional when validators are given.

    Raises :class:`OfflineError` when every URL failed to connect, otherwise :class:`DownloadError`
    for the first URL that failed. ``transport`` is for tests.
    """
    validators = validators or {}
    results: list[FetchedFile] = []
    connect_failures: list[ConnectFailure] = []
    with httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
        transport=transport,
    ) as client:
        for url, name in downloads:
            try:
                results.append(
                    fetch_url(
                        client,
                        url,
                        dest_dir / name,
                        validators=validators.get(url),
                        retries=retries,
                        max_bytes=max_bytes,
                        progress=progress,
                        backoff=backoff,
                    )
                )
            except ConnectFailure as exc:
                connect_failures.append(exc)
    if connect_failures and len(connect_failures) == len(downloads):
        hosts = sorted({urlsplit(str(e.where)).netloc for e in connect_failures})
        raise OfflineError(
            f"could not connect to {', '.join(hosts)} ({connect_failures[0].message}); the machine looks "
            "offline, nothing was changed",
            where=connect_failures[0].where,
        )
    if connect_failures:
        raise connect_failures[0]
    return results


def fetch_url(
    client: httpx.Client,
    url: str,
    dest: Path,
    *,
    validators: Validators | None = None,
    retries: int = 3,
    max_bytes: int = 512 * 1024 * 1024,
    progress: Progress | None = None,
    backoff: float = BACKOFF_SECONDS,
) -> FetchedFile:
    """Download one URL to ``dest`` with retries; see the module docstring for the rules."""
    attempts = max(1, retries)
    failure: DownloadError | None = None
    for attempt in range(attempts):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            return _attempt(client, url, dest, validators, max_bytes, progress)
        except _Retry as exc:
            failure = exc.error
    assert failure is not None
    failure.message = f"{failure.message} (after {attempts} attempt{'s' if attempts > 1 else ''})"
    raise failure


class _Retry(Exception):
    """An attempt failed in a way that another attempt may fix."""

    def __init__(self, error: DownloadError) -> None:
        super().__init__(error.message)
        self.error = error


def _attempt(
    client: httpx.Client,
    url: str,
    dest: Path,
    validators: Validators | None,
    max_bytes: int,
    progress: Progress | None,
) -> FetchedFile:
    headers = validators.headers() if validators else {}
    part = dest.with_name(f".{dest.name}.part")
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304 and headers:
                return FetchedFile(url, dest.name, None, validators or Validators())
            if response.status_code in _RETRY_STATUS:
                raise _Retry(DownloadError(f"server answered HTTP {response.status_code}", where=url))
            if response.status_code != 200:
                raise DownloadError(f"server answered HTTP {response.status_code}", where=url)
            total = _content_length(response)
            limit_mb = max_bytes / (1024 * 1024)
            if total is not None and total > max_bytes:
                raise DownloadError(
                    f"file is {total:,} bytes, over the MATCHER_MAX_DOWNLOAD_MB limit ({limit_mb:g} MB)", url
                )
            done = 0
            if progress:
                progress(dest.name, 0, total)
            with part.open("wb") as fh:
                for chunk in response.iter_raw(_CHUNK) if _is_identity(response) else response.iter_bytes():
                    done += len(chunk)
                    if done > max_bytes:
                        raise DownloadError(
                            f"download exceeds the MATCHER_MAX_DOWNLOAD_MB limit ({limit_mb:g} MB)", url
                        )
                    fh.write(chunk)
                    if progress:
                        progress(dest.name, done, total)
                fh.flush()
                os.fsync(fh.fileno())
            if total is not None and _is_identity(response) and done != total:
                raise _Retry(DownloadError(f"download was cut off: got {done:,} of {total:,} bytes", url))
            found = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
        os.replace(part, dest)
        return FetchedFile(url, dest.name, dest, found, done)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise _Retry(ConnectFailure(f"cannot connect: {_reason(exc)}", where=url)) from None
    except httpx.TimeoutException as exc:
        raise _Retry(DownloadError(f"timed out: {_reason(exc)}", where=url)) from None
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise _Retry(DownloadError(f"download was cut off: {_reason(exc)}", where=url)) from None
    except httpx.HTTPError as exc:
        raise DownloadError(f"download failed: {_reason(exc)}", where=url) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _is_identity(response: httpx.Response) -> bool:
    """True when the body is sent as-is (no gzip), so Content-Length counts the file's bytes."""
    return response.headers.get("content-encoding", "identity").strip().lower() in ("", "identity")


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


__all__ = [
    "BACKOFF_SECONDS",
    "ConnectFailure",
    "FetchedFile",
    "OfflineError",
    "Progress",
    "Validators",
    "fetch_files",
    "fetch_url",
]
