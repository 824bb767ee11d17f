"""Refresh and import lists: the one place where fetch, parse, checks and the store meet.

Every way a list gets into matcher goes through :func:`_import`, in this order:

1. **Files.** Download the source's ``urls`` (:mod:`matcher.fetch`, conditional GET), or take the
   files of an offline mirror (``--from-dir``: ``DIR/<one of local_dirs>/`` filtered by the ``files``
   globs), or the paths given to ``matcher lists import``.
2. **Content hash** over the files. Identical to the active version (and the same format): the result
   is ``unchanged`` and nothing is written. ``force`` re-imports anyway (after a parser fix, say).
3. **Parse** with a :class:`~matcher.sources.base.ParseReport`, streaming into
   :meth:`Store.commit <matcher.store.Store.commit>`. A parser error (truncated, unsafe, wrong
   format) aborts the import.
4. **Checks**, run on the finished snapshot *before* it becomes visible:
   zero entities -> rejected (wrong file); fewer than the catalog's ``min_count`` -> rejected as
   truncated or not the full list; more than ``MATCHER_MAX_SHRINK`` (default 20 %) fewer entities
   than the active version -> :class:`~matcher.errors.ShrinkError` unless ``force``.
5. **Index**: the matching index is built from the staged entities and saved inside the snapshot
   (:func:`_build_index`), still before the version becomes visible, so no worker ever loads a
   version without its index.
6. **Commit**: the new version becomes active.

The ``min_count`` floor is enforced on downloads from the publisher, which claim to be the full list.
Files from disk (``import`` and ``--from-dir``) below the floor are imported *with a warning* instead:
operators import excerpts and test files on purpose (../shared holds a 5-entity EU sample), and the
shrink check still stops a truncated local file from replacing a fuller active version.

Failures are contained per source: each failing source yields one :class:`RefreshResult` with one
clear error, the other sources still refresh, and the active version of a failed source is untouched
(the store only switches after a complete, checked snapshot).

HTTP cache validators (ETag / Last-Modified) are saved in ``sources/<id>/http.json`` only after a
successful refresh, together with the version they describe; they are ignored when another version
has become active since (a rollback or a manual import), so a 304 never hides a change.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from matcher.catalog import SourceSpec, check_slug, load_catalog
from matcher.errors import CatalogError, FormatError, MatcherError, ParseError, ShrinkError, SourceError
from matcher.fetch import FetchedFile, OfflineError, Progress, Validators, fetch_files
from matcher.index import build_index, save_index
from matcher.model import Entity
from matcher.settings import Settings
from matcher.sources import FORMATS, ParseReport, get_parser, parse
from matcher.store import SnapshotMeta, Store, atomic_write, hash_files

log = logging.getLogger(__name__)


class RefreshStatus(StrEnum):
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What happened to one source.

    ``meta`` is the new snapshot (updated) or the active one (unchanged); ``previous`` the version
    that was active before; ``error`` the reason of a failure; ``note`` why a source was skipped.
    """

    source: str
    status: RefreshStatus
    meta: SnapshotMeta | None = None
    previous: str | None = None
    error: MatcherError | None = None
    warnings: tuple[str, ...] = ()
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not RefreshStatus.FAILED

    def describe(self) -> str:
        """One line for people: what happened and the numbers that matter."""
        if self.status is RefreshStatus.FAILED:
            return f"{self.source}: failed: {self.error}"
        if self.status is RefreshStatus.SKIPPED:
            return f"{self.source}: skipped ({self.note})"
        assert self.meta is not None
        if self.status is RefreshStatus.UNCHANGED:
            extra = f", {self.note}" if self.note else ""
            return f"{self.source}: unchanged ({self.meta.version}{extra})"
        counts = self.meta.counts
        line = (
            f"{self.source}: updated to {self.meta.version} ({counts.entities:,} entities, "
            f"{counts.names:,} names, published {self.meta.published or 'date not stated'}"
        )
        if self.meta.rejected.count:
            line += f", {self.meta.rejected.count:,} records rejected"
        return line + ")"


def open_store(settings: Settings) -> Store:
    """The store of ``settings.data_dir`` with the configured retention."""
    return Store(settings.data_dir, retention=settings.retention)


def refresh_sources(
    settings: Settings,
    ids: Sequence[str] | None = None,
    *,
    force: bool = False,
    from_dir: Path | None = None,
    progress: Progress | None = None,
) -> list[RefreshResult]:
    """Refresh catalog sources (default: all) from their publishers, or from a mirror folder.

    Unknown ids raise :class:`CatalogError` before anything is fetched. With ``from_dir``, catalog
    sources with no folder in the mirror are skipped, unless they were asked for by id, which is a
    failure. ``force`` skips conditional GETs, re-imports unchanged content and overrides the
    shrink check.
    """
    catalog = load_catalog(settings.catalog_dir)
    unknown = [i for i in ids or () if i not in catalog]
    if unknown:
        known = ", ".join(sorted(catalog))
        raise CatalogError(f"unknown list source {unknown[0]!r} (catalog sources: {known})", where=unknown[0])
    targets = list(dict.fromkeys(ids)) if ids else sorted(catalog)
    if from_dir is not None and not Path(from_dir).is_dir():
        raise SourceError("mirror folder not found", where=str(from_dir))
    store = open_store(settings)
    results: list[RefreshResult] = []
    for source in targets:
        spec = catalog[source]
        try:
            if from_dir is not None:
                result = _refresh_from_dir(settings, store, spec, Path(from_dir), force, explicit=bool(ids))
            else:
                result = _refresh_from_network(settings, store, spec, force, progress)
        except Exception as exc:  # one source's failure must not stop the others
            result = RefreshResult(source, RefreshStatus.FAILED, error=_as_error(exc, source))
        results.append(result)
        log.info("%s", result.describe())
    return results


def import_files(
    settings: Settings,
    source: str,
    paths: Sequence[Path],
    *,
    fmt: str | None = None,
    force: bool = False,
) -> RefreshResult:
    """Import local files as a new version of ``source`` (a catalog source or a user list).

    A user list (any ``[a-z0-9_]+`` slug not in the catalog) needs ``fmt`` on its first import; later
    imports reuse the format stored with its active version. A folder in ``paths`` stands for its
    files that match the source's ``files`` globs. Raises the :class:`MatcherError` of a failed
    import; the active version is then untouched.
    """
    check_slug(source)
    catalog = load_catalog(settings.catalog_dir)
    store = open_store(settings)
    spec = catalog.get(source)
    if spec is not None:
        fmt = fmt or spec.format
        min_count = spec.min_count
    else:
        if fmt is None:
            active = store.active(source)
            if active is None:
                known = ", ".join(sorted(FORMATS))
                raise CatalogError(
                    f"{source} is not a catalog source, so its first import needs --format ({known})", source
                )
            fmt = active.format
        min_count = 1
    files = _expand(spec, [Path(p) for p in paths])
    return _import(
        settings,
        store,
        source,
        fmt,
        files,
        origin=[str(p.resolve()) for p in files],
        min_count=min_count,
        enforce_floor=False,
        force=force,
        where=str(files[0]),
    )


def known_sources(settings: Settings) -> list[str]:
    """Catalog sources and user lists with an active version, sorted (what ``status`` shows)."""
    return sorted(set(load_catalog(settings.catalog_dir)) | set(open_store(settings).sources()))


def mirror_files(spec: SourceSpec, from_dir: Path) -> tuple[Path | None, list[Path]]:
    """The folder of ``spec`` in a mirror (the first of its ``local_dirs`` that exists) and its files.

    Only files directly in that folder count: dated sub-folders of older publications (as in
    ../shared/data/lists/un/2025-04-19/) are not mixed in.
    """
    for name in spec.local_dirs:
        folder = from_dir / name
        if folder.is_dir():
            return folder, _matching(spec, folder)
    return None, []


def _build_index(stage: Path, meta: SnapshotMeta, entities: Callable[[], Iterator[Entity]]) -> None:
    """Store hook: build the matching index of a staged snapshot and save it inside the snapshot."""
    save_index(build_index(meta.source, meta.version, entities()), stage)


# --- Internals --------------------------------------------------------------------------------


def _refresh_from_dir(
    settings: Settings, store: Store, spec: SourceSpec, from_dir: Path, force: bool, *, explicit: bool
) -> RefreshResult:
    folder, files = mirror_files(spec, from_dir)
    if folder is None:
        looked = ", ".join(f"{d}/" for d in spec.local_dirs)
        if explicit:
            raise SourceError(
                f"no folder for {spec.id} in the mirror (looked for {looked})", where=str(from_dir)
            )
        return RefreshResult(spec.id, RefreshStatus.SKIPPED, note=f"no {looked} in {from_dir}")
    if not files:
        globs = ", ".join(spec.files)
        raise SourceError(f"no {spec.id} files ({globs}) in the folder", where=str(folder))
    return _import(
        settings,
        store,
        spec.id,
        spec.format,
        files,
        origin=[str(p.resolve()) for p in files],
        min_count=spec.min_count,
        enforce_floor=False,
        force=force,
        where=str(folder),
    )


def _refresh_from_network(
    settings: Settings, store: Store, spec: SourceSpec, force: bool, progress: Progress | None
) -> RefreshResult:
    active = store.active(spec.id)
    http_file = store.source_dir(spec.id) / "http.json"
    validators = {} if force or active is None else _load_validators(http_file, active.version)
    with tempfile.TemporaryDirectory(prefix=f"matcher-{spec.id}-") as tmp:
        downloads = list(zip(spec.urls, spec.url_files, strict=True))
        fetched = _fetch(settings, downloads, Path(tmp), validators, progress)
        if active is not None and all(f.unchanged for f in fetched):
            store.mark_checked(spec.id)
            return RefreshResult(spec.id, RefreshStatus.UNCHANGED, active, active.version, note="HTTP 304")
        files: list[FetchedFile] = []
        for item in fetched:
            raw = store.snapshot_dir(spec.id, active.version) / "raw" / item.file_name if active else None
            if item.path is not None:
                files.append(item)
            elif raw is not None and raw.is_file():
                # Not modified, but another file of the set was: reuse the active version's copy.
                files.append(FetchedFile(item.url, item.file_name, raw, item.validators))
            else:
                files.extend(_fetch(settings, [(item.url, item.file_name)], Path(tmp), {}, progress))
        paths = [f.path for f in files if f.path is not None]
        try:
            result = _import(
                settings,
                store,
                spec.id,
                spec.format,
                paths,
                origin=list(spec.urls),
                min_count=spec.min_count,
                enforce_floor=True,
                force=force,
                where=spec.urls[0],
            )
        except MatcherError as exc:
            # Name the URL, not the temporary file the download was parsed from.
            for item in files:
                if exc.where and item.path is not None and exc.where.startswith(str(item.path)):
                    exc.where = item.url
            raise
    assert result.meta is not None
    _save_validators(http_file, result.meta.version, {f.url: f.validators for f in files})
    return result


def _import(
    settings: Settings,
    store: Store,
    source: str,
    fmt: str,
    paths: Sequence[Path],
    *,
    origin: Sequence[str],
    min_count: int,
    enforce_floor: bool,
    force: bool,
    where: str,
) -> RefreshResult:
    get_parser(fmt)  # an unknown format fails here, before any work
    content_hash, _ = hash_files(paths)
    active = store.active(source)
    if active is not None and not force and active.content_hash == content_hash and active.format == fmt:
        store.mark_checked(source)
        return RefreshResult(source, RefreshStatus.UNCHANGED, active, active.version, note="same content")
    report = ParseReport(source)
    check = _Checks(settings, store, source, min_count, enforce_floor, force, where)
    meta = store.commit(
        source,
        parse(fmt, source, paths, report),
        fmt=fmt,
        content_hash=content_hash,
        origin=origin,
        files=paths,
        report=report,
        check=check,
        prepare=_build_index,
    )
    store.mark_checked(source)
    return RefreshResult(
        source,
        RefreshStatus.UPDATED,
        meta,
        previous=active.version if active else None,
        warnings=meta.warnings,
    )


@dataclass(frozen=True, slots=True)
class _Checks:
    """The plausibility checks on a finished snapshot; raising abandons it."""

    settings: Settings
    store: Store
    source: str
    min_count: int
    enforce_floor: bool
    force: bool
    where: str

    def __call__(self, meta: SnapshotMeta) -> list[str]:
        # Called under the store's writer lock: compare with what is active now, not at the start.
        active = self.store.active(self.source)
        count = meta.counts.entities
        warnings: list[str] = []
        if count == 0:
            raise FormatError(
                f"no entities could be read ({meta.counts.records:,} records seen, "
                f"{meta.rejected.count:,} rejected); is this the right file for {self.source}?",
                self.where,
            )
        if count < self.min_count:
            message = (
                f"only {count:,} entities, below the floor of {self.min_count:,} for {self.source}: "
                "the file looks truncated or is not the full list"
            )
            if self.enforce_floor:
                raise ParseError(message, self.where)
            warnings.append(f"{message} (imported anyway: local files are trusted to be what was meant)")
        if active is not None:
            before = active.counts.entities
            if before and count < before * (1 - self.settings.max_shrink):
                message = (
                    f"{count:,} entities is {1 - count / before:.0%} fewer than the active version "
                    f"{active.version} ({before:,}), more than MATCHER_MAX_SHRINK "
                    f"({self.settings.max_shrink:.0%}) allows"
                )
                if not self.force:
                    raise ShrinkError(f"{message}; use --force if the drop is real", self.where)
                warnings.append(f"{message}; accepted because of --force")
        return warnings


def _expand(spec: SourceSpec | None, paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            if spec is None:
                raise SourceError("give the list's files, not a folder, for a user list", where=str(path))
            found = _matching(spec, path)
            if not found:
                raise SourceError(
                    f"no {spec.id} files ({', '.join(spec.files)}) in the folder", where=str(path)
                )
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise SourceError("file not found", where=str(path))
    if not out:
        raise SourceError("no files given")
    return out


def _matching(spec: SourceSpec, folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and spec.matches(p.name)
    )


def _fetch(
    settings: Settings,
    downloads: Sequence[tuple[str, str]],
    dest: Path,
    validators: Mapping[str, Validators],
    progress: Progress | None,
) -> list[FetchedFile]:
    return fetch_files(
        downloads,
        dest,
        timeout=settings.http_timeout,
        retries=settings.http_retries,
        max_bytes=int(settings.max_download_mb * 1024 * 1024),
        validators=validators,
        progress=progress,
    )


def _load_validators(path: Path, active_version: str) -> dict[str, Validators]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != active_version:
        return {}
    urls = data.get("urls")
    if not isinstance(urls, dict):
        return {}
    return {url: Validators.from_dict(v) for url, v in urls.items() if isinstance(v, dict)}


def _save_validators(path: Path, version: str, validators: Mapping[str, Validators]) -> None:
    payload = {"version": version, "urls": {url: v.to_dict() for url, v in validators.items()}}
    atomic_write(path, (json.dumps(payload, indent=2) + "\n").encode())


def _as_error(exc: BaseException, source: str) -> MatcherError:
    if isinstance(exc, MatcherError):
        if exc.where is None:
            exc.where = source
        return exc
    if isinstance(exc, OSError):
        return SourceError(exc.strerror or str(exc), where=exc.filename or source)
    log.exception("unexpected error while refreshing %s", source)
    return SourceError(f"unexpected {type(exc).__name__}: {exc}", where=source)


__all__ = [
    "OfflineError",
    "RefreshResult",
    "RefreshStatus",
    "import_files",
    "known_sources",
    "mirror_files",
    "open_store",
    "refresh_sources",
]
