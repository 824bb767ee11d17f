"""The ``matcher`` command line: a thin click adapter over refresh, store and the matching engine.

::

    matcher [--data-dir DIR] lists refresh [SOURCE...] [--force] [--from-dir DIR]
    matcher lists import SOURCE PATH... [--format FMT] [--force]
    matcher lists status [--json]
    matcher lists diff SOURCE [--from V] [--to V] [--json]
    matcher lists rollback SOURCE [VERSION]
    matcher match NAME [--type T] [--birth-date D] [--country C] [--id ID]... [--list L]... [--json]
    matcher screen INPUT [-o OUTPUT] [--name-column C]... [--format csv|jsonl] [--workers N] ...
    matcher screen-text FILE|- [--html] [--json] [--threshold T]
    matcher serve [--host H] [--port P] [--workers N] [--threads N] [--preload] [--dev]
    matcher keys create --scope screen|admin [--name NAME] [--rate-limit N]
    matcher keys list [--json]
    matcher keys revoke PREFIX

Settings come from the environment (:meth:`Settings.from_env`); ``--data-dir`` overrides
``MATCHER_DATA_DIR``. Results go to stdout, progress and problems to stderr. Every deliberate error
(:class:`~matcher.errors.MatcherError`, or an ``OSError`` such as a full disk) ends the command with
exit status 1 and one line ``error: <what> (<where>)`` on stderr, never a traceback: the people
running a refresh from cron need the reason, not the stack.

Why the logic lives elsewhere: the HTTP API and scheduled jobs do the same things, so this module
only parses options and prints.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import click

from matcher import __version__
from matcher.bulk import BulkOptions, BulkScreening, PoolScorer, SerialScorer
from matcher.engine import Engine, Query, date_of, result_to_dict
from matcher.errors import MatcherError
from matcher.model import EntityType
from matcher.refresh import (
    OfflineError,
    RefreshResult,
    RefreshStatus,
    import_files,
    known_sources,
    open_store,
    refresh_sources,
)
from matcher.settings import Settings
from matcher.store import SnapshotMeta, Store
from matcher.text_screen import screen_text


class _Group(click.Group):
    """A click group that turns MatcherError / OSError into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader went away (`matcher lists diff un | head`): stop quietly, as Unix tools do.
            with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except (MatcherError, OSError) as exc:
            click.echo(f"error: {_describe(exc)}", err=True)
            ctx.exit(1)


def _describe(exc: BaseException) -> str:
    """``<what> (<where>)`` on one line."""
    if isinstance(exc, MatcherError):
        what, where = exc.message, exc.where
    elif isinstance(exc, OSError):
        what = exc.strerror or str(exc)
        where = str(exc.filename) if exc.filename is not None else None
    else:
        what, where = str(exc), None
    text = " ".join(str(what).split())
    return f"{text} ({where})" if where else text


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.find_object(Settings)
    assert settings is not None
    return settings


@click.group(cls=_Group)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data directory for list snapshots (overrides MATCHER_DATA_DIR).",
)
@click.version_option(__version__, prog_name="matcher")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """Self-hosted sanctions screening against the official lists."""
    overrides: dict[str, Any] = {"data_dir": data_dir} if data_dir is not None else {}
    ctx.obj = Settings.from_env(**overrides)


@cli.group("lists", cls=_Group)
def lists() -> None:
    """Refresh, import and inspect the sanctions lists."""


@lists.command("refresh")
@click.argument("sources", nargs=-1)
@click.option("--force", is_flag=True, help="Re-download and re-import even if unchanged; accept a shrink.")
@click.option(
    "--from-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Import from an offline mirror folder (DIR/<source>/...) instead of the network.",
)
@click.pass_context
def refresh_cmd(ctx: click.Context, sources: tuple[str, ...], force: bool, from_dir: Path | None) -> None:
    """Refresh SOURCES (default: every catalog source) from their publishers."""
    settings = _settings(ctx)
    with _ProgressBars(sys.stderr) as bars:
        results = refresh_sources(
            settings, list(sources) or None, force=force, from_dir=from_dir, progress=bars
        )
    _report(results)
    failed = [r for r in results if not r.ok]
    offline = failed and all(isinstance(r.error, OfflineError) for r in failed)
    if offline and not any(r.status is RefreshStatus.UPDATED for r in results):
        names = ", ".join(r.source for r in failed)
        click.echo(f"offline: no list publisher could be reached ({names}); nothing changed", err=True)
    if failed:
        ctx.exit(1)


@lists.command("import")
@click.argument("source")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", default=None, help="Parser format (required for a new user list).")
@click.option("--force", is_flag=True, help="Re-import unchanged content; accept a shrink.")
@click.pass_context
def import_cmd(
    ctx: click.Context, source: str, paths: tuple[Path, ...], fmt: str | None, force: bool
) -> None:
    """Import local files as a new version of SOURCE (a catalog source or your own list)."""
    result = import_files(_settings(ctx), source, list(paths), fmt=fmt, force=force)
    _report([result])


@lists.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def status_cmd(ctx: click.Context, as_json: bool) -> None:
    """Show the active version, dates and counts of every list."""
    settings = _settings(ctx)
    store = open_store(settings)
    rows = [_status_row(store, source, settings) for source in known_sources(settings)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    header = ("source", "version", "published", "fetched", "age", "entities", "names", "state")
    table = [header]
    for row in rows:
        table.append(
            (
                row["source"],
                row["version"] or "-",
                row["published"] or "-",
                (row["fetched_at"] or "-")[:16].replace("T", " "),
                _age(row["age_hours"]),
                f"{row['entities']:,}" if row["version"] else "-",
                f"{row['names']:,}" if row["version"] else "-",
                "missing" if not row["version"] else ("STALE" if row["stale"] else "ok"),
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


@lists.command("diff")
@click.argument("source")
@click.option("--from", "from_version", default=None, help="Older version (default: the one before --to).")
@click.option("--to", "to_version", default=None, help="Newer version (default: the active one).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with every id.")
@click.pass_context
def diff_cmd(
    ctx: click.Context, source: str, from_version: str | None, to_version: str | None, as_json: bool
) -> None:
    """Entities added, removed and changed between two versions of SOURCE."""
    diff = open_store(_settings(ctx)).diff(source, from_version, to_version)
    if as_json:
        click.echo(json.dumps(diff.to_dict(), indent=2))
        return
    click.echo(
        f"{source} {diff.from_version} -> {diff.to_version}: {len(diff.added)} added, "
        f"{len(diff.removed)} removed, {len(diff.changed)} changed"
    )
    for sign, ids in (("+", diff.added), ("-", diff.removed), ("~", diff.changed)):
        for entity_id in ids:
            click.echo(f"{sign} {entity_id}")


@lists.command("rollback")
@click.argument("source")
@click.argument("version", required=False)
@click.pass_context
def rollback_cmd(ctx: click.Context, source: str, version: str | None) -> None:
    """Make VERSION (default: the version before the active one) the active version of SOURCE."""
    store = open_store(_settings(ctx))
    current = store.active_version(source)
    if current is None:
        raise MatcherError(f"{source} has no active version to roll back", where=source)
    if version is None:
        previous = store.previous(source)
        if previous is None:
            raise MatcherError(f"{source} has no version older than {current}", where=source)
        version = previous.version
    meta = store.activate(source, version)
    click.echo(f"{source}: active version is now {meta.version} (was {current})")


# --- Helpers ----------------------------------------------------------------------------------


def _report(results: Sequence[RefreshResult]) -> None:
    for result in results:
        if result.ok:
            click.echo(result.describe())
        else:
            assert result.error is not None
            click.echo(f"error: {result.source}: {_describe(result.error)}", err=True)
        for warning in result.warnings:
            click.echo(f"warning: {result.source}: {warning}", err=True)


def _status_row(store: Store, source: str, settings: Settings) -> dict[str, Any]:
    meta: SnapshotMeta | None = store.active(source)
    if meta is None:
        return {
            "source": source,
            "version": None,
            "format": None,
            "published": None,
            "fetched_at": None,
            "checked_at": None,
            "age_hours": None,
            "entities": 0,
            "names": 0,
            "stale": True,
        }
    fresh = store.freshness(meta, settings.stale_hours)
    return {
        "source": source,
        "version": meta.version,
        "format": meta.format,
        "published": meta.published,
        "fetched_at": meta.fetched_at,
        "checked_at": fresh.checked_at.isoformat(timespec="seconds"),
        "age_hours": round(fresh.age_hours, 2),
        "entities": meta.counts.entities,
        "names": meta.counts.names,
        "stale": fresh.stale,
    }


def _age(hours: float | None) -> str:
    if hours is None:
        return "-"
    if hours < 1:
        return f"{int(hours * 60)}m"
    if hours < 48:
        return f"{hours:.0f}h"
    return f"{hours / 24:.0f}d"


@cli.command("match")
@click.argument("name")
@click.option(
    "--type",
    "entity_type",
    type=click.Choice([t.value for t in EntityType]),
    default=None,
    help="What the name is; unknown by default.",
)
@click.option("--birth-date", default=None, help="Birth date, YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--country", default=None, help="Country name or ISO code.")
@click.option("--nationality", default=None, help="Nationality (country name or ISO code).")
@click.option("--id", "identifiers", multiple=True, help="An identifier (passport, IMO, ...); repeatable.")
@click.option("--list", "lists", multiple=True, help="Only this list id; repeatable. Default: all loaded.")
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="Alert threshold 0..1 (default: MATCHER_THRESHOLD)",
)
@click.option("--limit", type=int, default=10, show_default=True, help="How many entities to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.pass_context
def match_cmd(
    ctx: click.Context,
    name: str,
    entity_type: str | None,
    birth_date: str | None,
    country: str | None,
    nationality: str | None,
    identifiers: tuple[str, ...],
    lists: tuple[str, ...],
    threshold: float | None,
    limit: int,
    as_json: bool,
) -> None:
    """Screen one NAME against the loaded lists and explain each result."""
    settings = _settings(ctx)
    engine = Engine.load(open_store(settings), threshold=settings.threshold)
    if not engine.indexes:
        raise MatcherError(
            "no lists are loaded: run `matcher lists refresh` (or `lists import`) first",
            where=str(settings.data_dir),
        )
    query = Query(
        name,
        type=EntityType(entity_type) if entity_type else None,
        birth_date=date_of(birth_date) if birth_date else None,
        country=country,
        nationality=nationality,
        identifiers=identifiers,
    )
    result = engine.match(query, lists=list(lists) or None, threshold=threshold, limit=limit)
    if as_json:
        click.echo(json.dumps(result_to_dict(result), ensure_ascii=False, indent=2))
        return
    if not result.matches:
        click.echo(f"no candidates for {name!r} (lists: {', '.join(result.list_versions)})")
        return
    for m in result.matches:
        flag = "MATCH" if m.is_match else "     "
        click.echo(f"{m.score:.3f} {flag} {m.entity_id:<28} {m.name}")
        click.echo(f"      {m.explanation.summary()}")
    click.echo(
        f"threshold {result.threshold:.2f}; algorithm {result.algorithm}; "
        + ", ".join(f"{k}@{v}" for k, v in result.list_versions.items())
    )


# --- Bulk and free-text screening ----------------------------------------------------------------


def _loaded_engine(settings: Settings, lists: Sequence[str]) -> Engine:
    engine = Engine.load(open_store(settings), threshold=settings.threshold)
    _check_lists(settings, list(engine.indexes), lists)
    engine.warm_up()
    return engine


def _engine_at(data_dir: str, retention: int) -> Engine:
    """Load the engine of a data directory: the initializer of each `matcher screen --workers` process
    (a module-level function, so the process pool can pickle it)."""
    return Engine.load(Store(Path(data_dir), retention=retention))


def _check_lists(settings: Settings, loaded: Sequence[str], wanted: Sequence[str]) -> None:
    if not loaded:
        raise MatcherError(
            "no lists are loaded: run `matcher lists refresh` (or `lists import`) first",
            where=str(settings.data_dir),
        )
    unknown = [s for s in wanted if s not in loaded]
    if unknown:
        raise MatcherError(
            f"unknown or unloaded list(s): {', '.join(unknown)} (loaded: {', '.join(sorted(loaded))})",
            where="--list",
        )


@cli.command("screen")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    default="-",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write the screened file (default: stdout).",
)
@click.option(
    "--name-column",
    "name_columns",
    multiple=True,
    help="Name column; repeat to join several (first, last). Default: detected from the header.",
)
@click.option("--type-column", default=None, help="Column with person / organization / vessel / aircraft.")
@click.option("--birth-date-column", default=None, help="Column with birth dates (YYYY[-MM[-DD]]).")
@click.option("--country-column", default=None, help="Column with a country name or ISO code.")
@click.option("--nationality-column", default=None, help="Column with a nationality.")
@click.option(
    "--id-column", "id_columns", multiple=True, help="Identifier column (passport, IMO, LEI...); repeatable."
)
@click.option("--client-id-column", default=None, help="Your own record id column (kept, not screened).")
@click.option("--list", "lists", multiple=True, help="Only this list id; repeatable. Default: all loaded.")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Alert threshold 0..1 (default: MATCHER_THRESHOLD).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option("--delimiter", default=None, help="Input delimiter (default: sniffed).")
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=None,
    help="Processes to score with (default: MATCHER_BULK_WORKERS).",
)
@click.pass_context
def screen_cmd(
    ctx: click.Context,
    input_path: str,
    output: str,
    name_columns: tuple[str, ...],
    type_column: str | None,
    birth_date_column: str | None,
    country_column: str | None,
    nationality_column: str | None,
    id_columns: tuple[str, ...],
    client_id_column: str | None,
    lists: tuple[str, ...],
    threshold: float | None,
    fmt: str,
    delimiter: str | None,
    workers: int | None,
) -> None:
    """Screen every row of the CSV file INPUT ("-": stdin) and write it back with match columns."""
    settings = _settings(ctx)
    threshold = settings.threshold if threshold is None else threshold
    workers = workers or settings.bulk_workers
    options = BulkOptions(
        name_columns=name_columns,
        type_column=type_column,
        birth_date_column=birth_date_column,
        country_column=country_column,
        nationality_column=nationality_column,
        id_columns=id_columns,
        client_id_column=client_id_column,
        threshold=threshold,
        lists=lists,
        output=fmt,
        max_bytes=int(settings.max_upload_mb * 2**20),
        max_rows=settings.max_rows,
        cache_size=settings.bulk_cache,
        delimiter=delimiter,
        batch_size=256 if workers == 1 else 1024,
    )
    scorer: SerialScorer | PoolScorer
    if workers > 1:
        _check_lists(settings, open_store(settings).sources(), lists)
        loader = functools.partial(_engine_at, str(settings.data_dir), settings.retention)
        scorer = PoolScorer(loader, workers, threshold, lists)
    else:
        scorer = SerialScorer(_loaded_engine(settings, lists), threshold, lists)
    with contextlib.ExitStack() as stack:
        stack.callback(scorer.close)
        source = (
            sys.stdin.buffer if input_path == "-" else stack.enter_context(open(input_path, "rb"))  # noqa: SIM115
        )
        size = None if input_path == "-" else os.path.getsize(input_path)
        bar = _ByteProgress(size)
        stack.callback(bar.close)
        job = BulkScreening(source, scorer, options, progress=bar)
        if output == "-":
            sink = sys.stdout.buffer
            for chunk in job:
                sink.write(chunk)
            sink.flush()
        else:
            _write_atomically(Path(output), job)
        bar.close()
    summary = job.summary
    click.echo(
        f"{summary.describe()} ({workers} worker{'s' if workers > 1 else ''}; "
        f"{summary.encoding}, delimiter {summary.delimiter!r})",
        err=True,
    )


def _write_atomically(path: Path, chunks: Iterable[bytes]) -> None:
    """Write to ``path`` only when every chunk was written: a failed job leaves no half file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


class _ByteProgress:
    """A click progress bar over the input's bytes, on stderr (nothing when the size is unknown)."""

    def __init__(self, size: int | None) -> None:
        self.bar: Any = None
        self.done = 0
        if size:
            self.bar = click.progressbar(length=size, label="screening", file=sys.stderr)
            self.bar.__enter__()

    def __call__(self, rows: int, bytes_read: int) -> None:
        if self.bar is not None:
            self.bar.update(bytes_read - self.done)
            self.done = bytes_read

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, else Latin-1: as bulk screening reads CSVs."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


@cli.command("screen-text")
@click.argument("source", metavar="FILE|-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--html", "is_html", is_flag=True, help="The input is HTML: screen its visible text.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Alert threshold 0..1 (default: MATCHER_THRESHOLD; single words use at least 0.95).",
)
@click.option("--list", "lists", multiple=True, help="Only this list id; repeatable. Default: all loaded.")
@click.pass_context
def screen_text_cmd(
    ctx: click.Context,
    source: str,
    is_html: bool,
    as_json: bool,
    threshold: float | None,
    lists: tuple[str, ...],
) -> None:
    """Find the persons, organisations and vessels a text names and screen each one."""
    settings = _settings(ctx)
    text = _decode_text(sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes())
    engine = _loaded_engine(settings, lists)
    result = screen_text(engine, text, html=is_html, threshold=threshold, lists=list(lists) or None)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    for party in result.parties:
        mentions = [result.mentions[i] for i in party.mentions]
        where = ", ".join(f"{m.start}-{m.end}" for m in mentions[:5]) + (" ..." if len(mentions) > 5 else "")
        flag = "MATCH" if party.flagged else "     "
        kind = party.type.value if party.type else "unknown"
        click.echo(f"{flag} {party.name} ({kind}; {len(mentions)} mention(s) at {where})")
        for m in party.matches:
            if m.is_match:
                click.echo(f"      {m.score:.3f} {m.entity_id:<28} {m.name}")
                click.echo(f"            {m.explanation.summary()}")
    click.echo(
        f"{len(result.mentions)} mentions of {len(result.parties)} parties; {len(result.flagged)} flagged "
        f"(threshold {result.threshold:.2f}, single words {result.single_token_threshold:.2f})"
    )


# --- HTTP service and API keys -------------------------------------------------------------------


@cli.command("serve")
@click.option("--host", default=None, help="Address to bind (default: MATCHER_HOST, 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=None, help="Port (default: MATCHER_PORT, 8000)."
)
@click.option("--workers", type=click.IntRange(1), default=None, help="Worker processes (MATCHER_WORKERS).")
@click.option("--threads", type=click.IntRange(1), default=None, help="Threads per worker (MATCHER_THREADS).")
@click.option(
    "--preload/--no-preload", default=None, help="Load the lists before forking workers (MATCHER_PRELOAD)."
)
@click.option(
    "--dev", is_flag=True, help="Run Flask's single-process development server instead of gunicorn."
)
@click.pass_context
def serve_cmd(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
    preload: bool | None,
    dev: bool,
) -> None:
    """Serve the HTTP API with gunicorn (see matcher/gunicorn_conf.py)."""
    given = {"host": host, "port": port, "workers": workers, "threads": threads, "preload": preload}
    overrides: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
    settings = Settings.from_env(data_dir=_settings(ctx).data_dir, **overrides)
    if settings.auth == "off" and settings.host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: MATCHER_AUTH=off on {settings.host}: anyone who can reach the port can use the "
            "API, refresh included; set MATCHER_AUTH=keys (see `matcher keys create`)",
            err=True,
        )
    if dev:
        from matcher.api import create_app

        create_app({"SETTINGS": settings}).run(settings.host, settings.port, threaded=True)
        return
    from matcher import gunicorn_conf

    gunicorn_conf.run(settings)


@cli.group("keys", cls=_Group)
def keys() -> None:
    """Create, list and revoke API keys (used when MATCHER_AUTH=keys)."""


@keys.command("create")
@click.option(
    "--scope",
    "scopes",
    type=click.Choice(["screen", "admin"]),
    multiple=True,
    required=True,
    help="screen: match, entities, lists. admin: also refresh. Repeatable.",
)
@click.option("--name", default=None, help="Who or what the key is for.")
@click.option(
    "--rate-limit",
    type=click.IntRange(0),
    default=None,
    help="Requests per minute for this key (default: MATCHER_RATE_LIMIT; 0: no limit).",
)
@click.pass_context
def keys_create_cmd(
    ctx: click.Context, scopes: tuple[str, ...], name: str | None, rate_limit: int | None
) -> None:
    """Create an API key and print it once (only its hash is kept)."""
    from matcher.api.keys import KeyStore

    token, key = KeyStore(_settings(ctx).data_dir).create(scopes, name=name, rate_limit=rate_limit)
    click.echo(token)
    click.echo(
        f"created key {key.prefix} (scope {', '.join(key.scopes)}); copy it now: it cannot be shown again",
        err=True,
    )


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def keys_list_cmd(ctx: click.Context, as_json: bool) -> None:
    """List API keys by prefix (the keys themselves are not stored)."""
    from matcher.api.keys import KeyStore

    found = KeyStore(_settings(ctx).data_dir).keys()
    if as_json:
        click.echo(json.dumps([k.to_dict(with_hash=False) for k in found], indent=2))
        return
    if not found:
        click.echo("no API keys (create one with `matcher keys create --scope screen`)", err=True)
        return
    table = [("prefix", "scopes", "name", "created", "rate/min", "state")]
    for k in found:
        limit = "default" if k.rate_limit is None else str(k.rate_limit)
        state = "active" if k.active else f"revoked {k.revoked_at}"
        table.append((k.prefix, ",".join(k.scopes), k.name or "-", k.created_at, limit, state))
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for r in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


@keys.command("revoke")
@click.argument("prefix")
@click.pass_context
def keys_revoke_cmd(ctx: click.Context, prefix: str) -> None:
    """Revoke the key with PREFIX (as shown by `keys list`); it stops working at once."""
    from matcher.api.keys import KeyStore

    key = KeyStore(_settings(ctx).data_dir).revoke(prefix)
    click.echo(f"revoked {key.prefix} ({key.revoked_at})")


class _ProgressBars:
    """Turns refresh progress callbacks into one click progress bar per download, on stderr."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.label: str | None = None
        self.bar: Any = None
        self.done = 0

    def __enter__(self) -> _ProgressBars:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def __call__(self, label: str, done: int, total: int | None) -> None:
        if label != self.label or done < self.done:
            self._close()
            self.label, self.done = label, 0
            if total:
                self.bar = click.progressbar(length=total, label=f"downloading {label}", file=self.stream)
                self.bar.__enter__()
            else:
                click.echo(f"downloading {label} ...", err=True)
        if self.bar is not None:
            self.bar.update(done - self.done)
        self.done = done

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``matcher``) and ``python -m matcher``."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="matcher")


__all__ = ["cli", "main"]
