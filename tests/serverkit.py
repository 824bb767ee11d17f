"""Test helpers for the HTTP service: a gunicorn server and a private Redis, as real subprocesses.

Why subprocesses: the end-to-end tests are about what only a real deployment shows (several
worker processes, a real port, Redis going away), so they run ``python -m matcher serve`` and
``redis-server`` exactly as an operator would. Each helper owns the one process it started, stops
it by its pid (never by name), and always stops it, also when a test fails.

- :class:`RedisServer`: ``redis-server --port <free> --save ''`` that a test may stop and start
  again on the same port (the system Redis on 6379 is never touched).
- :class:`Server`: ``matcher serve`` on a free port, polled until it answers; ``all_workers_ready``
  polls ``/readyz`` until every worker has answered (each reports its pid).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.conftest import REPO
from tests.listkit import free_port


def wait_until(
    check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05, what: str = ""
) -> Any:
    """Call ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (OSError, httpx.HTTPError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what or check}: last {last!r}")


def redis_available(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A private ``redis-server`` on a free port (no persistence), stoppable and restartable."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: redis_available(port=self.port), timeout=10, what=f"redis-server on {self.port}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Server:
    """``python -m matcher serve`` on a free port with the given environment."""

    def __init__(self, data_dir: Path, log_path: Path, env: Mapping[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.log_path = log_path
        self.workers = workers
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("MATCHER_", "PROMETHEUS_"))},
            "MATCHER_PORT": str(self.port),
            "MATCHER_HOST": "127.0.0.1",
            "MATCHER_WORKERS": str(workers),
            "MATCHER_THREADS": "2",
            "PYTHONPATH": str(REPO),
            "REDIS_URL": "",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "matcher", "--data-dir", str(self.data_dir), "serve"],
            cwd=REPO,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(self._answers, timeout=90, interval=0.1, what=f"matcher serve on {self.port}")
        except AssertionError:
            self.stop()
            raise AssertionError(f"the server did not start; its log:\n{self.log()}") from None
        return self

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.log()}")
        return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200

    def worker_pids(self, timeout: float = 30.0, ready: bool = True) -> set[int]:
        """Poll ``/readyz`` on fresh connections until every worker answered (ready if asked)."""
        seen: set[int] = set()

        def all_seen() -> bool:
            response = httpx.get(f"{self.url}/readyz", timeout=5)
            if response.status_code == 200 or not ready:
                seen.add(int(response.json()["worker"]))
            return len(seen) >= self.workers

        wait_until(all_seen, timeout=timeout, interval=0.02, what=f"{self.workers} workers")
        return seen

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-6000:]
        except OSError:
            return ""

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                # The master and its workers share a session that this helper created.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix on the system Redis (127.0.0.1:6379), its keys deleted afterwards."""
    if not redis_available():
        pytest.skip("no Redis answers on 127.0.0.1:6379 (CI starts one; see .ci/run)")
    prefix = f"matcher-test-{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis(host="127.0.0.1", port=6379)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A ``redis-server`` of this test's own, which the test may stop and start."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()
