"""Test helpers for the store, fetch, refresh and CLI tests: tiny lists on demand and a local server.

Why generated files instead of fixture files: these tests are about counts (a 20 % shrink, a floor,
"130 added") and byte-level changes, so the number of entries must be a parameter. The generated
files are in the real UN consolidated-list format (root ``CONSOLIDATED_LIST``, ``INDIVIDUAL`` records
with ``REFERENCE_NUMBER``), parsed by the real ``un_xml`` parser.

:class:`ListServer` is a real HTTP server on 127.0.0.1 (a random port, in a thread) whose routes can
send ETag / Last-Modified and answer 304, fail with 500 a given number of times, stall, cut a body
short or answer 404, so :mod:`matcher.fetch` is tested against real sockets, never the internet.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from matcher.catalog import clear_cache
from matcher.model import Entity, EntityType, Name


def un_refs(count: int, start: int = 1) -> list[str]:
    return [f"QDi.{n:03d}" for n in range(start, start + count)]


def un_xml(refs: Sequence[str], *, generated: str = "2026-02-27T00:00:09.554Z", suffix: str = "") -> bytes:
    """A UN consolidated list with one individual per reference number."""
    records = "".join(
        f"""
    <INDIVIDUAL>
      <DATAID>{1000 + i}</DATAID>
      <FIRST_NAME>PERSON{suffix}</FIRST_NAME>
      <SECOND_NAME>NUMBER {ref}</SECOND_NAME>
      <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
      <REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>
      <LISTED_ON>2001-01-25</LISTED_ON>
    </INDIVIDUAL>"""
        for i, ref in enumerate(refs)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<CONSOLIDATED_LIST dateGenerated="{generated}">\n  <INDIVIDUALS>{records}\n  </INDIVIDUALS>\n'
        "  <ENTITIES/>\n</CONSOLIDATED_LIST>\n"
    ).encode()


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def write_catalog(
    directory: Path,
    source: str = "un",
    *,
    urls: Sequence[str] | None = None,
    url_files: Sequence[str] | None = None,
    files: Sequence[str] = ("consolidated.xml",),
    min_count: int = 3,
    fmt: str = "un_xml",
    local_dirs: Sequence[str] | None = None,
) -> Path:
    """Write one catalog file ``<directory>/<source>.yml`` and forget cached catalogs."""
    urls = list(urls or [f"http://127.0.0.1:9/{source}/consolidated.xml"])
    names = list(url_files or [u.rsplit("/", 1)[-1] for u in urls])
    lines = [
        f"id: {source}",
        f"title: Test list {source}",
        "authority: Test authority",
        "publisher_page: https://example.org/list",
        f"format: {fmt}",
        "urls:",
        *(f"  - url: {u}\n    file: {n}" for u, n in zip(urls, names, strict=True)),
        f"files: [{', '.join(json.dumps(f) for f in files)}]",
        f"min_count: {min_count}",
        f'ids: "{source}:<REFERENCE_NUMBER>"',
    ]
    if local_dirs is not None:
        lines.append(f"local_dirs: [{', '.join(local_dirs)}]")
    write(directory / f"{source}.yml", "\n".join(lines) + "\n")
    clear_cache()
    return directory


def person(source: str, native: str, name: str = "Some Body") -> Entity:
    return Entity(id=f"{source}:{native}", source=source, type=EntityType.PERSON, names=(Name(name),))


def free_port() -> int:
    """A port nothing listens on (bound, then released), for connection-refused tests."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Route:
    """How the server answers one path."""

    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    fail_first: int = 0
    status: int = 200
    delay: float = 0.0
    truncate_to: int | None = None


@dataclass
class ListServer:
    """A real HTTP server on 127.0.0.1 serving :class:`Route` s; records every request's headers."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def __enter__(self) -> ListServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self._send(404, b"not found")
                    return
                if route.fail_first > 0:
                    route.fail_first -= 1
                    self._send(500, b"try again")
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.status != 200:
                    self._send(route.status, b"no")
                    return
                if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
                ):
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(route.body)))
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                self.end_headers()
                body = route.body if route.truncate_to is None else route.body[: route.truncate_to]
                self.wfile.write(body)

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up (timeout tests) is expected

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def serve(self, path: str, body: bytes, **options: Any) -> str:
        self.routes[path] = Route(body, **options)
        return self.url(path)
