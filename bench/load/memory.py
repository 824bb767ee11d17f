"""Memory of the HTTP service with and without gunicorn's preload: the measurement behind
``MATCHER_PRELOAD``'s default (see matcher/gunicorn_conf.py).

What it measures
    The proportional set size (PSS, from ``/proc/<pid>/smaps_rollup``: shared pages are split
    between the processes sharing them, so the sum is what the service really costs) of the
    gunicorn master and each worker, summed, at two moments: once every worker is ready, and
    after one list was refreshed (``matcher lists import un ... --force``) and every worker has
    loaded the new version. Each worker first answers ``--queries`` match requests, so the
    figures include what serving touches (copy-on-write pages, caches).

On what data
    Every list in ``../shared/data/lists``, imported once into ``--data-dir`` (default: a
    temporary folder) with ``matcher lists refresh --from-dir``. Linux only (``/proc``).

Output: one Markdown table; ``--json PATH`` writes the figures.
Run: ``python bench/load/memory.py`` (about two minutes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import REPO, SHARED_LISTS, ensure_lists, get, start_server, stop_server  # noqa: E402

from matcher.store import Store  # noqa: E402


def pss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def service_pids(launcher: int) -> tuple[int, list[int]]:
    """The gunicorn master is the ``matcher serve`` process itself; workers are its children."""
    return launcher, children(launcher)


def serve_queries(port: int, count: int) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(count):
        body = json.dumps({"name": f"Ivan Petrov {i}" if i % 2 else f"Trading Company {i}"})
        conn.request("POST", "/v1/match", body=body, headers={"Content-Type": "application/json"})
        conn.getresponse().read()
        if i % 20 == 0:  # new connections now and then, so both workers serve
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()


def measure(data_dir: Path, preload: bool, queries: int, log: Path) -> dict[str, float]:
    process, port = start_server(data_dir, "", 2, 2, log, MATCHER_PRELOAD="true" if preload else "false")
    try:
        serve_queries(port, queries)
        master, workers = service_pids(process.pid)
        boot = (pss_kb(master) + sum(pss_kb(w) for w in workers)) / 1024
        store = Store(data_dir)
        raw = store.snapshot_dir("un", store.active_version("un") or "") / "raw"
        files = sorted(str(p) for p in raw.iterdir())
        subprocess.run(
            [
                sys.executable,
                "-m",
                "matcher",
                "--data-dir",
                str(data_dir),
                "lists",
                "import",
                "un",
                *files,
                "--force",
            ],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        new = store.active_version("un")
        deadline = time.monotonic() + 120
        seen: set[int] = set()
        while time.monotonic() < deadline and len(seen) < 2:
            _, body = get(port, "/readyz")
            answer = json.loads(body)
            if answer["lists"].get("un") == new:
                seen.add(answer["worker"])
            time.sleep(0.05)
        time.sleep(3)  # let the old engines go
        serve_queries(port, queries)
        master, workers = service_pids(process.pid)
        after = (pss_kb(master) + sum(pss_kb(w) for w in workers)) / 1024
        return {
            "preload": preload,
            "boot_mb": round(boot),
            "after_refresh_mb": round(after),
            "master_mb": round(pss_kb(master) / 1024),
        }
    finally:
        stop_server(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--lists-dir", type=Path, default=SHARED_LISTS)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="matcher-memory-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        ensure_lists(data_dir, args.lists_dir)
        rows = [
            measure(data_dir, preload, args.queries, Path(tmp) / "server.log") for preload in (False, True)
        ]
    print("| preload | total PSS, workers ready (MB) | after one list refresh (MB) | master (MB) |")
    print("|---|---:|---:|---:|")
    for row in rows:
        cells = ["yes" if row["preload"] else "no", f"{row['boot_mb']:,}", f"{row['after_refresh_mb']:,}"]
        print("| " + " | ".join([*cells, f"{row['master_mb']:,}"]) + " |")
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
