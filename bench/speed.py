"""Screening speed: single-query latency, throughput per core, index build time and index memory.

Data: every list in ``../shared/data/lists`` (beside the repo root), imported with
``refresh_sources(from_dir=...)`` into a temporary data directory, exactly as
``matcher lists refresh --from-dir`` does. Queries (fixed seed): names drawn from the loaded lists and
perturbed (a deleted, swapped or substituted letter, a dropped or reordered word, case changes), plus
synthetic names that are on no list. Each pass uses fresh query strings, so normalisation caches do
not flatter the figures.

Baseline, in the same run: a brute-force rapidfuzz scan (``process.extract`` with ``WRatio`` over
every listed name) for a subset of the same queries. The speed-up is the ratio of median latencies.

The first row says whether the hot path runs compiled (``setup.py`` builds it with mypyc; a
``MATCHER_COMPILE=0`` install runs it as Python). Prints one Markdown table; ``--json PATH`` writes
the figures; ``--check`` exits 1 if a target is missed. Run: ``python bench/speed.py`` (or ``make
bench-speed``).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_LISTS = REPO.parent / "shared" / "data" / "lists"
sys.path.insert(0, str(REPO))

from workload import import_lists, mixed  # noqa: E402

import matcher.score  # noqa: E402
from matcher.engine import Engine, Query  # noqa: E402
from matcher.index import build_index  # noqa: E402
from matcher.settings import Settings  # noqa: E402
from matcher.store import Store  # noqa: E402

TARGETS = {"qps_per_core": 2000.0, "p99_ms": 5.0, "speedup_vs_bruteforce": 20.0, "index_mb": 300.0}


def make_queries(names: list[str], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [mixed(names, rng) for _ in range(n)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=2000, help="queries per pass")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--brute", type=int, default=150, help="queries for the brute-force baseline")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--data-dir", type=Path, help="reuse an already imported data directory")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.data_dir is None and not SHARED_LISTS.is_dir():
        print(f"skipped: {SHARED_LISTS} is absent")
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        settings = Settings.from_env({}, data_dir=data_dir)
        error = import_lists(settings, SHARED_LISTS) if args.data_dir is None else None
        if error:
            print(error)
            return 1
        store = Store(data_dir, settings.retention)
        sources = store.sources()

        # Index build time (untraced), then retained memory of indexes + engine (traced build).
        t0 = time.perf_counter()
        indexes = [build_index(s, store.active(s).version, store.load_entities(s)) for s in sources]  # type: ignore[union-attr]
        build_s = time.perf_counter() - t0
        del indexes
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        engine = Engine([build_index(s, store.active(s).version, store.load_entities(s)) for s in sources])  # type: ignore[union-attr]
        gc.collect()
        index_mb = (tracemalloc.get_traced_memory()[0] - base) / 2**20
        tracemalloc.stop()

        names = [r.name.value for ix in engine.indexes.values() for r in ix.records]
        entities = sum(ix.entity_count for ix in engine.indexes.values())
        engine.warm_up()
        for q in make_queries(names, 200, args.seed - 1):
            engine.match(Query(q))

        latencies: list[float] = []
        qps_runs: list[float] = []
        for p in range(args.passes):
            queries = make_queries(names, args.queries, args.seed + p)
            cpu0 = time.process_time()
            for q in queries:
                t = time.perf_counter()
                engine.match(Query(q), limit=10)
                latencies.append(time.perf_counter() - t)
            qps_runs.append(len(queries) / (time.process_time() - cpu0))

        from rapidfuzz import fuzz, process, utils

        choices = [utils.default_process(n) for n in names]
        brute: list[float] = []
        for q in make_queries(names, args.brute, args.seed + 99):
            t = time.perf_counter()
            process.extract(utils.default_process(q), choices, scorer=fuzz.WRatio, limit=10, processor=None)
            brute.append(time.perf_counter() - t)
        engine_sample: list[float] = []
        for q in make_queries(names, args.brute, args.seed + 99):
            t = time.perf_counter()
            engine.match(Query(q), limit=10)
            engine_sample.append(time.perf_counter() - t)

    p50 = statistics.median(latencies) * 1000
    p99 = percentile(latencies, 99) * 1000
    figures = {
        "compiled": not matcher.score.__file__.endswith(".py"),
        "lists": len(sources),
        "entities": entities,
        "names": len(names),
        "index_build_s": round(build_s, 2),
        "index_mb": round(index_mb, 1),
        "p50_ms": round(p50, 3),
        "p99_ms": round(p99, 3),
        "qps_per_core": round(statistics.median(qps_runs), 1),
        "bruteforce_p50_ms": round(statistics.median(brute) * 1000, 3),
        "speedup_vs_bruteforce": round(statistics.median(brute) / statistics.median(engine_sample), 1),
    }
    rows = [
        ("hot path compiled (setup.py)", "yes" if figures["compiled"] else "no", ""),
        ("lists loaded", figures["lists"], ""),
        ("entities", figures["entities"], ""),
        ("names indexed", figures["names"], ""),
        ("index build, s", figures["index_build_s"], ""),
        ("index memory, MB", figures["index_mb"], f"<= {TARGETS['index_mb']:.0f}"),
        ("latency p50, ms", figures["p50_ms"], ""),
        ("latency p99, ms", figures["p99_ms"], f"<= {TARGETS['p99_ms']:.0f}"),
        ("queries/s per core", figures["qps_per_core"], f">= {TARGETS['qps_per_core']:,.0f}"),
        ("brute-force rapidfuzz p50, ms", figures["bruteforce_p50_ms"], ""),
        (
            "speed-up vs brute force",
            figures["speedup_vs_bruteforce"],
            f">= {TARGETS['speedup_vs_bruteforce']:.0f}",
        ),
    ]
    print(f"Speed on {len(sources)} lists, {args.passes} x {args.queries} queries (seed {args.seed})\n")
    print("| metric | value | target |\n|---|---:|---:|")
    for name, value, target in rows:
        shown = value if isinstance(value, str) else f"{value:,}"
        print(f"| {name} | {shown} | {target} |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    missed = [
        k
        for k, limit in TARGETS.items()
        if (figures[k] > limit if k in ("p99_ms", "index_mb") else figures[k] < limit)
    ]
    if missed:
        print(f"\nmissed targets: {', '.join(missed)}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
