"""Bulk CSV screening: rows/s per core (serial and with 2 workers), peak memory, and whether memory
stays flat as the file grows.

Data: every list in ``../shared/data/lists`` (beside the repo root), imported with
``refresh_sources(from_dir=...)`` into a temporary data directory, as ``matcher lists refresh
--from-dir`` does. The CSV files (fixed seed, written to a temporary directory) look like a customer
file: ``id,name,country`` where names are drawn from the loaded lists and perturbed (a deleted,
swapped or substituted letter, a dropped or reordered word, case changes) or invented names on no
list (30 %), both from ``bench/workload.py`` as in the speed benchmark. Customers recur, as they
do in payment and customer files: each file has ``--unique`` distinct customers (default 25 % of
its rows), each appearing on several rows with the same country. An all-unique file is measured
too, so the gain from dedup is visible and the engine-bound rate is on record.

Each measurement runs in a fresh process (so ``ru_maxrss`` is that job's peak) through the code
``matcher screen`` runs: :class:`matcher.bulk.BulkScreening` with a ``SerialScorer`` or a
``PoolScorer``. Engine loading and warm-up are not timed (they happen once per process, not per
row); the pool is timed from the moment every worker has its engine. Rows/s per core is rows
divided by wall seconds divided by the number of scoring processes.

Memory flatness: peak RSS of the screening process at 10,000 rows and at 100,000 rows (same recipe,
so the larger file also has ten times as many distinct names), and their ratio. The bulk pipeline
itself holds only the batches in flight and its bounded result cache; what else grows is the
engine's per-process memo tables (normalised names, token comparisons, decoded entities), which are
bounded too, so RSS levels off once they are full. ``--plateau ROWS`` adds a third, larger file to
show where it levels off (it takes minutes: most of its distinct names are new to the engine).

Prints one Markdown table; ``--json PATH`` writes the figures; ``--check`` exits 1 if a target is
missed. Run: ``python bench/bulk.py`` (add ``--data-dir DIR`` to reuse an imported data directory).
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED_LISTS = REPO.parent / "shared" / "data" / "lists"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from workload import mixed  # noqa: E402

from matcher.bulk import BulkOptions, BulkScreening, PoolScorer, SerialScorer  # noqa: E402
from matcher.engine import Engine  # noqa: E402
from matcher.refresh import refresh_sources  # noqa: E402
from matcher.settings import Settings  # noqa: E402
from matcher.store import Store  # noqa: E402

TARGETS = {"rows_per_s_per_core": 2000.0, "memory_ratio": 1.25}
COUNTRIES = ["", "", "", "RU", "CN", "IR", "GB", "US", "DE", "AE", "Syria", "Russia"]


def load_engine(data_dir: str) -> Engine:
    """Engine of a data directory (the pool initializer's loader; module level so it pickles)."""
    return Engine.load(Store(Path(data_dir)))


def write_csv(path: Path, names: list[str], rows: int, unique: float, seed: int) -> None:
    """``rows`` customer rows drawn from ``int(rows * unique)`` distinct customers."""
    rng = random.Random(seed)
    distinct = max(1, int(rows * unique))
    customers = []
    for i in range(distinct):
        customers.append((mixed(names, rng), rng.choice(COUNTRIES), i))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "name", "country"])
        for n in range(rows):
            name, country, _ = customers[n % distinct] if n < distinct else rng.choice(customers)
            writer.writerow([f"R{n:07d}", name, country])


def generate(config: dict[str, Any]) -> None:
    """Write the benchmark's CSV files (in a child process: the parent must stay small, because
    Linux carries a process's peak RSS into the children it starts)."""
    engine = load_engine(config["data_dir"])
    names = [r.name.value for ix in engine.indexes.values() for r in ix.records]
    for path, rows, unique, seed in config["files"]:
        write_csv(Path(path), names, rows, unique, seed)


def child(config: dict[str, Any]) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    workers = int(config["workers"])
    engine = None
    pool: PoolScorer | None = None
    if workers == 1:
        engine = load_engine(config["data_dir"])
        engine.warm_up()
        scorer: SerialScorer | PoolScorer = SerialScorer(engine)
    else:
        pool = scorer = PoolScorer(functools.partial(load_engine, config["data_dir"]), workers)
        pool.wait_ready()
    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    options = BulkOptions(batch_size=256 if workers == 1 else 1024)
    started = time.perf_counter()
    with open(config["csv"], "rb") as source:
        job = BulkScreening(source, scorer, options)
        written = sum(len(chunk) for chunk in job)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scorer.close()
    if pool is not None:
        children_kb = max(children_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    s = job.summary
    return {
        "workers": workers,
        "rows": s.rows,
        "scored": s.scored,
        "alerts": s.alerts,
        "errors": s.errors,
        "seconds": round(seconds, 3),
        "rows_per_s": round(s.rows / seconds, 1),
        "rows_per_s_per_core": round(s.rows / seconds / workers, 1),
        "peak_mb": round(peak_kb / 1024, 1),
        "after_load_mb": round(base_kb / 1024, 1),
        "worker_peak_mb": round(children_kb / 1024, 1) if pool is not None else None,
        "output_mb": round(written / 2**20, 1),
    }


def in_child(flag: str, config: dict[str, Any]) -> str:
    done = subprocess.run(
        [sys.executable, __file__, flag, json.dumps(config)], check=True, capture_output=True, text=True
    )
    return done.stdout


def measure(csv_path: Path, data_dir: Path, workers: int) -> dict[str, Any]:
    config = {"csv": str(csv_path), "data_dir": str(data_dir), "workers": workers}
    return dict(json.loads(in_child("--child", config).strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the large file")
    parser.add_argument("--small", type=int, default=10_000, help="rows of the small file (memory flatness)")
    parser.add_argument("--unique", type=float, default=0.25, help="distinct customers per row")
    parser.add_argument("--plateau", type=int, default=0, help="rows of an extra, larger file (memory)")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--data-dir", type=Path, help="reuse an already imported data directory")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    if args.generate:
        generate(json.loads(args.generate))
        return 0
    if args.data_dir is None and not SHARED_LISTS.is_dir():
        print(f"skipped: {SHARED_LISTS} is absent")
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        if args.data_dir is None:
            results = refresh_sources(Settings.from_env({}, data_dir=data_dir), from_dir=SHARED_LISTS)
            failed = [r for r in results if r.error]
            if failed:
                print("import failed:", "; ".join(f"{r.source}: {r.error}" for r in failed))
                return 1
        large, small, unique = Path(tmp) / "large.csv", Path(tmp) / "small.csv", Path(tmp) / "unique.csv"
        big = Path(tmp) / "plateau.csv"
        files = [
            (str(large), args.rows, args.unique, args.seed),
            (str(small), args.small, args.unique, args.seed),
            (str(unique), args.small, 1.0, args.seed + 1),
        ]
        if args.plateau:
            files.append((str(big), args.plateau, args.unique, args.seed))
        in_child("--generate", {"data_dir": str(data_dir), "files": files})

        serial = measure(large, data_dir, 1)
        parallel = measure(large, data_dir, 2)
        small_run = measure(small, data_dir, 1)
        unique_run = measure(unique, data_dir, 1)
        size_mb = large.stat().st_size / 2**20
        plateau_run = None
        if args.plateau:
            plateau_run = measure(big, data_dir, 1)

    ratio = serial["peak_mb"] / small_run["peak_mb"]
    figures = {
        "rows": args.rows,
        "unique_fraction": args.unique,
        "file_mb": round(size_mb, 1),
        "serial": serial,
        "workers_2": parallel,
        "small": small_run,
        "all_unique": unique_run,
        "rows_per_s_per_core": serial["rows_per_s_per_core"],
        "rows_per_s_per_core_2_workers": parallel["rows_per_s_per_core"],
        "memory_ratio": round(ratio, 3),
        "plateau": plateau_run,
    }
    rows = [
        ("rows in the large file", args.rows, ""),
        ("distinct customers (share of rows)", args.unique, ""),
        ("file size, MB", round(size_mb, 1), ""),
        (
            "serial: rows/s per core",
            serial["rows_per_s_per_core"],
            f">= {TARGETS['rows_per_s_per_core']:,.0f}",
        ),
        ("serial: queries scored", serial["scored"], ""),
        ("serial: alerts", serial["alerts"], ""),
        ("2 workers: rows/s (total)", parallel["rows_per_s"], ""),
        ("2 workers: rows/s per core", parallel["rows_per_s_per_core"], ""),
        ("all-unique 10k file: rows/s per core", unique_run["rows_per_s_per_core"], ""),
        (f"peak RSS, {args.small:,} rows, MB", small_run["peak_mb"], ""),
        (f"peak RSS, {args.rows:,} rows, MB", serial["peak_mb"], ""),
        ("RSS after engine load (100k run), MB", serial["after_load_mb"], ""),
        ("2 workers: main process peak, MB", parallel["peak_mb"], ""),
        ("2 workers: largest worker peak, MB", parallel["worker_peak_mb"], ""),
        ("peak RSS ratio 100k / 10k rows", round(ratio, 3), f"<= {TARGETS['memory_ratio']}"),
    ]
    if plateau_run is not None:
        rows += [
            (f"peak RSS, {args.plateau:,} rows, MB", plateau_run["peak_mb"], ""),
            (f"rows/s per core, {args.plateau:,} rows", plateau_run["rows_per_s_per_core"], ""),
            (
                f"peak RSS ratio {args.plateau:,} / {args.rows:,} rows",
                round(plateau_run["peak_mb"] / serial["peak_mb"], 3),
                "",
            ),
        ]
    print(f"Bulk screening, {args.rows:,} rows (seed {args.seed}, {args.unique:.0%} distinct)\n")
    print("| metric | value | target |\n|---|---:|---:|")
    for name, value, target in rows:
        print(f"| {name} | {value:,} | {target} |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    missed = []
    if serial["rows_per_s_per_core"] < TARGETS["rows_per_s_per_core"]:
        missed.append("rows_per_s_per_core")
    if ratio > TARGETS["memory_ratio"]:
        missed.append("memory_ratio")
    if args.check and missed:
        print(f"\nmissed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
