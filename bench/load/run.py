"""HTTP load benchmark: 50 concurrent clients for 60 s against gunicorn, three ways.

What it measures
    Throughput (answered requests per second), latency percentiles p50 and p99 (milliseconds,
    client side, from sending the request to reading the whole answer) and the error count (any
    answer other than 200, or a connection error; the target is 0) of ``POST /v1/match`` with one
    query per request, under ``--clients`` concurrent clients (default 50), each on its own
    keep-alive connection, sending its next request as soon as the previous one is answered,
    for ``--duration`` seconds (default 60) per run. The ``hit %`` column is the share of answers
    with ``X-Cache: hit``.

The three runs, in this order, against one server
    1. **cache cold**: every request is a query never sent before (the result cache cannot help).
    2. **cache warm**: each client replays the queries it sent in run 1 (all in Redis by then).
    3. **Redis down**: the private ``redis-server`` is stopped, then the warm replay runs again;
       workers answer from their in-process caches (empty at first, ``MATCHER_CACHE_SIZE``
       entries each), so this shows the degraded mode, not a second warm run.

On what data
    Every list in ``../shared/data/lists`` (beside the repository), imported once with
    ``matcher lists refresh --from-dir`` into ``--data-dir`` (default: a temporary folder; give a
    folder to reuse the import between runs). Queries (fixed ``--seed``): names drawn from the
    loaded lists and varied as people type them (a dropped, swapped or substituted letter, a
    dropped or reordered word, lower case), mixed with invented names that are on no list (30 %).

Server
    ``matcher serve`` (gunicorn, gthread) with ``--workers`` and ``--threads`` (default 2 and 2,
    as ``MATCHER_WORKERS`` / ``MATCHER_THREADS``), auth off, and a private ``redis-server`` on a
    free port that this script starts and stops (the system Redis is never touched). The load
    generator runs on the same machine, so it takes some CPU from the server; its threads use
    ``http.client`` (light) rather than httpx.

Output: one Markdown table per run set; ``--json PATH`` writes the figures; ``--check`` exits 1
if any request failed. Run: ``python bench/load/run.py`` (``--duration 10`` for a quick look).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED_LISTS = REPO.parent / "shared" / "data" / "lists"
sys.path.insert(0, str(REPO))

from matcher.store import Store  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from workload import mixed  # noqa: E402


@dataclass
class RunResult:
    run: str
    requests: int
    errors: int
    seconds: float
    throughput: float
    p50_ms: float
    p99_ms: float
    hit_percent: float


# --- Queries --------------------------------------------------------------------------------------


def listed_names(data_dir: Path) -> list[str]:
    store = Store(data_dir)
    names = []
    for source in store.sources():
        for entity in store.load_entities(source):
            names.append(entity.primary_name.value)
    return names


def query_streams(names: list[str], clients: int, per_client: int, seed: int) -> list[list[str]]:
    """``clients`` lists of distinct queries, none shared between clients."""
    rng = random.Random(seed)
    seen: set[str] = set()
    streams: list[list[str]] = [[] for _ in range(clients)]
    for stream in streams:
        while len(stream) < per_client:
            query = mixed(names, rng)
            if query not in seen:
                seen.add(query)
                stream.append(query)
    return streams


# --- Processes ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class RedisProcess:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def pong() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")

        wait_for(pong, 10, "redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def ensure_lists(data_dir: Path, lists_dir: Path) -> None:
    if Store(data_dir).sources():
        return
    if not lists_dir.is_dir():
        raise SystemExit(f"no lists to load: {lists_dir} is absent")
    print(f"importing every list from {lists_dir} (once) ...", file=sys.stderr)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "matcher",
            "--data-dir",
            str(data_dir),
            "lists",
            "refresh",
            "--from-dir",
            str(lists_dir),
        ],
        cwd=REPO,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    if not Store(data_dir).sources():
        raise SystemExit("importing the lists failed")


def start_server(
    data_dir: Path, redis_url: str, workers: int, threads: int, log: Path, **extra: str
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATCHER_", "PROMETHEUS_"))}
    env.update(
        MATCHER_PORT=str(port),
        MATCHER_HOST="127.0.0.1",
        MATCHER_WORKERS=str(workers),
        MATCHER_THREADS=str(threads),
        MATCHER_AUTH="off",
        MATCHER_CACHE_TTL="86400",
        REDIS_URL=redis_url,
        MATCHER_REDIS_PREFIX="bench:",
        PYTHONPATH=str(REPO),
    )
    env.update(extra)
    process = subprocess.Popen(
        [sys.executable, "-m", "matcher", "--data-dir", str(data_dir), "serve"],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for(lambda: get(port, "/healthz")[0] == 200, 180, "matcher serve")
    seen: set[int] = set()

    def all_ready() -> bool:
        status, body = get(port, "/readyz")
        if status == 200:
            seen.add(json.loads(body)["worker"])
        return len(seen) >= workers

    wait_for(all_ready, 180, "every worker ready")
    return process, port


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --- Load -----------------------------------------------------------------------------------------


def run_load(
    port: int, streams: list[list[str]], duration: float, name: str, replay: list[int] | None
) -> tuple[RunResult, list[int]]:
    """Each client sends its stream (cycling through ``replay[i]`` queries when replaying)."""
    latencies: list[list[float]] = [[] for _ in streams]
    errors = [0] * len(streams)
    hits = [0] * len(streams)
    sent = [0] * len(streams)
    start = threading.Barrier(len(streams) + 1)
    stop_at = [0.0]

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        stream = streams[i]
        limit = replay[i] if replay is not None else len(stream)
        n = 0
        start.wait()
        while time.monotonic() < stop_at[0]:
            if limit == 0 or (replay is None and n >= len(stream)):
                break
            body = json.dumps({"name": stream[n % limit]})
            began = time.perf_counter()
            try:
                conn.request("POST", "/v1/match", body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - began
                if response.status != 200:
                    errors[i] += 1
                else:
                    latencies[i].append(elapsed)
                    hits[i] += response.getheader("X-Cache") == "hit"
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            n += 1
        sent[i] = n
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(len(streams))]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    stop_at[0] = began + duration
    start.wait()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - began
    every = sorted(x for per in latencies for x in per)
    answered = len(every)
    quantiles = statistics.quantiles(every, n=100) if len(every) >= 2 else [0.0] * 99
    result = RunResult(
        run=name,
        requests=answered + sum(errors),
        errors=sum(errors),
        seconds=round(seconds, 1),
        throughput=round(answered / seconds, 1),
        p50_ms=round(statistics.median(every) * 1000, 1) if every else 0.0,
        p99_ms=round(quantiles[98] * 1000, 1),
        hit_percent=round(100 * sum(hits) / answered, 1) if answered else 0.0,
    )
    return result, sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=None, help="Reuse this data directory.")
    parser.add_argument("--lists-dir", type=Path, default=SHARED_LISTS)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="Exit 1 if any request failed.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="matcher-load-") as tmp:
        work = Path(tmp)
        data_dir = args.data_dir or work / "data"
        ensure_lists(data_dir, args.lists_dir)
        names = listed_names(data_dir)
        # Enough distinct queries for the cold run at up to 3,000 requests per second.
        per_client = int(3000 * args.duration / args.clients) + 100
        streams = query_streams(names, args.clients, per_client, args.seed)
        redis_server = RedisProcess(work)
        redis_server.start()
        server = None
        try:
            server, port = start_server(
                data_dir,
                f"redis://127.0.0.1:{redis_server.port}/0",
                args.workers,
                args.threads,
                work / "server.log",
            )
            # Warm-up: a few seconds of other queries, so lazily built tables and connections exist.
            warm = query_streams(names, args.clients, 50, args.seed + 1)
            run_load(port, warm, 5, "warm-up", None)
            cold, sent = run_load(port, streams, args.duration, "cache cold", None)
            warm_run, _ = run_load(port, streams, args.duration, "cache warm", sent)
            redis_server.stop()
            down, _ = run_load(port, streams, args.duration, "Redis down", sent)
            _, ready = get(port, "/readyz")
            degraded = json.loads(ready)["cache"]["degraded"]
        finally:
            if server is not None:
                stop_server(server)
            redis_server.stop()
        results = [cold, warm_run, down]

    setup = f"{args.clients} clients x {args.duration:g} s per run"
    setup += f"; {args.workers} workers x {args.threads} threads"
    print(f"\n{setup}; {len(names):,} listed entities; Redis degraded in the last run: {degraded}\n")
    print("| run | requests | errors | req/s | p50 ms | p99 ms | cache hits |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        cells = [r.run, f"{r.requests:,}", str(r.errors), f"{r.throughput:,.1f}", f"{r.p50_ms:,.1f}"]
        cells += [f"{r.p99_ms:,.1f}", f"{r.hit_percent:.0f} %"]
        print("| " + " | ".join(cells) + " |")
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    failed = sum(r.errors for r in results)
    if args.check and failed:
        print(f"FAILED: {failed} requests failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
