"""Import benchmark: how long and how much memory it takes to import each real list into matcher.

What it measures
    For every list publication in ``../shared/data/lists`` (beside the repository; skipped with a
    message when absent): the wall time of :func:`matcher.refresh.import_files` (hash the files,
    parse, check, write the gzip snapshot with a copy of the raw files, activate) into a fresh,
    empty data directory, and the peak resident memory of the process doing it.

On what data
    Each catalog source's folder as ``matcher lists refresh --from-dir`` picks it (``un/``,
    ``ofac_sdn/``, ``ofac_consolidated/``, ``uk_ofsi/``, ``ca_sema/``, ``au_dfat/``, ``eu_fsf/``), the
    older dated copies in sub-folders (``un/2025-04-19/``, ``ofac_sdn/2021-04-25/`` with its
    alt/add files), and OFAC's consolidated list in its second published form, the ``cons_*.csv``
    set (format ``ofac_csv``). The EU file is a 5-entity excerpt, so its row says little about
    the full EU list (about 6,000 entities).

How
    Each import runs in its own child process, so its peak memory (``ru_maxrss`` of that child)
    is not inflated by earlier imports; the time is taken inside the child around the import call,
    so interpreter start-up is excluded. The table also gives the peak memory of a child that only
    imports matcher, so the cost of the import itself is the difference. One warm-up pass (file
    cache, bytecode) is discarded, then the median of ``--passes`` passes (default 3) is reported.

Output: one Markdown table ``| list | entities | seconds | peak MB |``; ``--json PATH`` also writes
the rows; ``--check`` exits non-zero if any import failed.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_LISTS = REPO.parent / "shared" / "data" / "lists"


@dataclass
class Job:
    label: str
    source: str
    fmt: str
    paths: list[Path]


@dataclass
class Row:
    list: str
    source: str
    format: str
    files: list[str]
    entities: int | None = None
    seconds: float | None = None
    peak_mb: float | None = None
    error: str | None = None


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def find_jobs(lists_dir: Path) -> list[Job]:
    """Every publication in the mirror, found with the catalog's own folder and file rules."""
    from matcher.catalog import load_catalog
    from matcher.refresh import mirror_files

    jobs: list[Job] = []
    for spec in load_catalog().values():
        folder, files = mirror_files(spec, lists_dir)
        if folder is None:
            continue
        if files:
            jobs.append(Job(spec.id, spec.id, spec.format, files))
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            dated = sorted(p for p in sub.iterdir() if p.is_file() and spec.matches(p.name))
            if dated:
                jobs.append(Job(f"{spec.id} ({sub.name})", spec.id, spec.format, dated))
        if spec.id == "ofac_cons":
            # The same list as CSV: the second format OFAC publishes it in.
            csv_set = sorted(folder.glob("cons_*.csv"))
            if csv_set:
                jobs.append(Job("ofac_cons (csv)", spec.id, "ofac_csv", csv_set))
    return jobs


def child(source: str, fmt: str, paths: list[str]) -> int:
    """Run one import in this process and print its result as JSON (the parent reads it)."""
    from matcher.errors import MatcherError
    from matcher.refresh import import_files
    from matcher.settings import Settings

    with tempfile.TemporaryDirectory(prefix="matcher-bench-") as tmp:
        settings = Settings.from_env({}, data_dir=Path(tmp) / "data")
        started = time.perf_counter()
        try:
            result = import_files(settings, source, [Path(p) for p in paths], fmt=fmt)
        except MatcherError as exc:
            print(json.dumps({"error": str(exc)}))
            return 1
        seconds = time.perf_counter() - started
    assert result.meta is not None
    print(json.dumps({"entities": result.meta.counts.entities, "seconds": seconds, "peak_mb": _peak_mb()}))
    return 0


def baseline() -> int:
    """Peak memory of a child that imports what an import needs, and does nothing."""
    import matcher.refresh  # noqa: F401
    import matcher.sources.un_xml  # noqa: F401

    print(json.dumps({"peak_mb": _peak_mb()}))
    return 0


def _run_child(args: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True, cwd=REPO
    )
    lines = done.stdout.strip().splitlines()
    if not lines:
        return {"error": (done.stderr.strip().splitlines() or ["child process failed"])[-1]}
    data: dict[str, object] = json.loads(lines[-1])
    return data


def measure(job: Job, passes: int) -> Row:
    row = Row(job.label, job.source, job.fmt, [p.name for p in job.paths])
    args = ["--child", job.source, job.fmt, *map(str, job.paths)]
    samples: list[dict[str, object]] = []
    for index in range(passes + 1):
        data = _run_child(args)
        if "error" in data:
            row.error = str(data["error"])
            return row
        if index:  # the first pass warms up and is discarded
            samples.append(data)
    row.entities = int(str(samples[0]["entities"]))
    row.seconds = statistics.median(float(str(s["seconds"])) for s in samples)
    row.peak_mb = statistics.median(float(str(s["peak_mb"])) for s in samples)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lists-dir", type=Path, default=DEFAULT_LISTS, help="mirror of the real lists")
    parser.add_argument("--passes", type=int, default=3, help="measured passes per list (median)")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON here")
    parser.add_argument("--check", action="store_true", help="exit 1 if any import fails")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    if options.child:
        source, fmt, *paths = options.child
        return child(source, fmt, paths)
    if options.baseline:
        return baseline()
    if not options.lists_dir.is_dir():
        print(f"skipped: the real lists are not available ({options.lists_dir} is absent)")
        return 0
    if options.passes < 1:
        parser.error("--passes must be at least 1")

    rows = [measure(job, options.passes) for job in find_jobs(options.lists_dir)]
    base = _run_child(["--baseline"])
    print("| list | entities | seconds | peak MB |\n|---|---:|---:|---:|")
    for row in rows:
        if row.error:
            print(f"| {row.list} | FAILED: {row.error} | | |")
        else:
            print(f"| {row.list} | {row.entities:,} | {row.seconds:,.2f} | {row.peak_mb:,.1f} |")
    base_mb = float(str(base.get("peak_mb", "nan")))
    print(f"\nMedian of {options.passes} passes after one warm-up; peak MB is the child's peak RSS, of which")
    print(f"{base_mb:,.1f} MB is the interpreter with matcher imported. Lists from {options.lists_dir}.")
    if options.json:
        payload = {
            "benchmark": "import_lists",
            "passes": options.passes,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "baseline_peak_mb": base_mb,
            "rows": [{**asdict(r), "files": r.files} for r in rows],
        }
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(payload, indent=2) + "\n")
    failed = [r for r in rows if r.error]
    if options.check and (failed or not rows):
        print(f"check failed: {len(failed)} of {len(rows)} imports failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
