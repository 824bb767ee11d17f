"""Versioned list snapshots on disk: every import is kept, one per source is active, switching is atomic.

Layout under the data directory (``MATCHER_DATA_DIR``)::

    .lock                                   fcntl lock: one writer at a time, across processes
    .tmp/<source>.<random>/                 a snapshot being written (removed if the writer crashed)
    sources/<source>/
        active                              pointer file: the active version id
        checked.json                        when a refresh last succeeded (also when nothing changed)
        http.json                           ETag / Last-Modified per URL (written by refresh)
        versions/<version>/
            entities.jsonl.gz               one Entity.to_dict() per line
            meta.json                       SnapshotMeta: provenance, counts, rejects
            raw/<original files>            the files exactly as published, for audit and re-parsing

Version ids are ``<UTC yyyymmddThhmmssZ>-<first 8 hex of the content hash>``, so they sort by time and
say which content they hold. They are strictly increasing per source: if the clock has not moved past
the newest version (two imports in one second, or a clock set back), the new id takes the newest
second plus one. Sorting ids is therefore the same as sorting imports.

Why this shape (the yente "build beside, then swap" idea, on a filesystem):

- A snapshot is written completely into ``.tmp/`` (entities, raw files, meta, each fsynced), then
  renamed into ``versions/`` in one ``rename``; only then is the ``active`` pointer replaced (write a
  temp file, fsync, ``os.replace``, fsync the folder). A crash at any point leaves the previous
  active version untouched and readable; what it leaves in ``.tmp/`` is removed by the next commit.
- Readers take no lock: a version folder never changes after the rename, and the pointer is replaced
  atomically. Writers (commit, activate) hold an exclusive ``fcntl`` lock on ``.lock``, which the
  kernel releases when a writer dies, so a killed import never blocks the next one.
- Retention keeps the newest ``retention`` versions and always the active one (after a rollback the
  active version may be older than the newest ones); rollback is activating an older version.
- The raw files are kept with each version so a parser fix can re-import any past publication and
  an auditor can check the ``sha256`` in ``meta.json`` against the publisher's file.

This module knows nothing about parsers or the network: :mod:`matcher.refresh` feeds it entities.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from matcher import __version__
from matcher.errors import StoreError
from matcher.model import Entity

VERSION_RE = re.compile(r"^(\d{8}T\d{6}Z)-([0-9a-f]{8})$")
SOURCE_RE = re.compile(r"^[a-z0-9_]+$")
_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
_REJECT_SAMPLE = 20
_CHUNK = 1024 * 1024


# --- Metadata ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One input file as stored under ``raw/``."""

    name: str
    sha256: str
    bytes: int


@dataclass(frozen=True, slots=True)
class Counts:
    """What a snapshot holds: entities, names, entities per type, and records the parser saw."""

    entities: int
    names: int
    by_type: dict[str, int]
    records: int = 0


@dataclass(frozen=True, slots=True)
class RejectInfo:
    record: str
    reason: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """How many records the parser could not map, with the first reasons."""

    count: int = 0
    reasons: tuple[RejectInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class SnapshotMeta:
    """Provenance and counts of one snapshot, stored as ``meta.json`` beside its entities."""

    source: str
    version: str
    format: str
    content_hash: str
    published: str | None
    fetched_at: str
    origin: tuple[str, ...]
    files: tuple[FileInfo, ...]
    counts: Counts
    rejected: Rejected = field(default_factory=Rejected)
    created_by: str = f"matcher {__version__}"
    warnings: tuple[str, ...] = ()

    @property
    def fetched(self) -> datetime:
        return datetime.fromisoformat(self.fetched_at)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "version": self.version,
            "format": self.format,
            "content_hash": self.content_hash,
            "published": self.published,
            "fetched_at": self.fetched_at,
            "origin": list(self.origin),
            "files": [{"name": f.name, "sha256": f.sha256, "bytes": f.bytes} for f in self.files],
            "counts": {
                "entities": self.counts.entities,
                "names": self.counts.names,
                "by_type": dict(self.counts.by_type),
                "records": self.counts.records,
            },
            "rejected": {
                "count": self.rejected.count,
                "reasons": [{"record": r.record, "reason": r.reason} for r in self.rejected.reasons],
            },
            "created_by": self.created_by,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SnapshotMeta:
        counts = data["counts"]
        rejected = data.get("rejected", {})
        return cls(
            source=data["source"],
            version=data["version"],
            format=data["format"],
            content_hash=data["content_hash"],
            published=data.get("published"),
            fetched_at=data["fetched_at"],
            origin=tuple(data.get("origin", ())),
            files=tuple(FileInfo(f["name"], f["sha256"], int(f["bytes"])) for f in data.get("files", ())),
            counts=Counts(
                int(counts["entities"]),
                int(counts["names"]),
                {str(k): int(v) for k, v in counts.get("by_type", {}).items()},
                int(counts.get("records", 0)),
            ),
            rejected=Rejected(
                int(rejected.get("count", 0)),
                tuple(RejectInfo(r["record"], r["reason"]) for r in rejected.get("reasons", ())),
            ),
            created_by=data.get("created_by", ""),
            warnings=tuple(data.get("warnings", ())),
        )


@dataclass(frozen=True, slots=True)
class Freshness:
    """How long ago a list was last known to be current, and whether that is too long.

    ``checked_at`` is the later of the snapshot's import and the last successful refresh that found
    nothing new (``checked.json``): a publisher that has not changed its list does not make the list
    stale, only a refresh that has not succeeded for ``stale_hours`` does.
    """

    checked_at: datetime
    age_hours: float
    stale: bool


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    """Entity ids added, removed and changed between two versions of one source.

    "Changed" compares the whole stored entity except ``source_file`` (provenance, not content).
    """

    source: str
    from_version: str
    to_version: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "from": self.from_version,
            "to": self.to_version,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": list(self.changed),
        }


class ReportLike(Protocol):
    """What the store reads from a parser's report (:class:`matcher.sources.base.ParseReport`)."""

    @property
    def published(self) -> str | None: ...
    @property
    def records(self) -> int: ...
    @property
    def rejects(self) -> Sequence[Any]: ...
    @property
    def warnings(self) -> Sequence[str]: ...


Check = Callable[[SnapshotMeta], Iterable[str] | None]
Prepare = Callable[[Path, SnapshotMeta, Callable[[], Iterator[Entity]]], None]


# --- Helpers ----------------------------------------------------------------------------------


def hash_files(paths: Sequence[Path]) -> tuple[str, tuple[FileInfo, ...]]:
    """The content hash of a publication and the :class:`FileInfo` of each file.

    The content hash is the sha256 of the sorted ``<sha256>  <lower-case name>`` lines (the
    ``sha256sum`` layout), so it covers every byte and which file is which, but not the order the
    files were given in or where they were read from.
    """
    infos = tuple(_file_info(Path(p)) for p in paths)
    return _manifest_hash(infos), infos


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _file_info(path: Path) -> FileInfo:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileInfo(path.name, digest.hexdigest(), size)


def _manifest_hash(infos: Iterable[FileInfo]) -> str:
    lines = sorted(f"{info.sha256}  {info.name.lower()}\n" for info in infos)
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _now() -> datetime:
    return datetime.now(UTC)


def _fingerprint(data: dict[str, Any]) -> str:
    data.pop("source_file", None)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- The store --------------------------------------------------------------------------------


class Store:
    """Versioned snapshots of every list source under ``data_dir``."""

    def __init__(self, data_dir: Path, retention: int = 5) -> None:
        if retention < 1:
            raise StoreError("retention must keep at least one version", where="retention")
        self.data_dir = Path(data_dir)
        self.retention = retention

    # Paths -------------------------------------------------------------------------------------

    @property
    def _tmp_root(self) -> Path:
        return self.data_dir / ".tmp"

    def source_dir(self, source: str) -> Path:
        """The folder of one source (pointer, versions, refresh bookkeeping)."""
        if not SOURCE_RE.match(source):
            raise StoreError(f"invalid source id {source!r}", where=source)
        return self.data_dir / "sources" / source

    def snapshot_dir(self, source: str, version: str) -> Path:
        """The folder of one stored version (the matching index is saved beside the entities)."""
        path = self._version_dir(source, version)
        if not (path / "meta.json").is_file():
            raise StoreError(f"no version {version} of {source}", where=str(path))
        return path

    def _version_dir(self, source: str, version: str) -> Path:
        if not VERSION_RE.match(version):
            raise StoreError(f"invalid version id {version!r} (expected yyyymmddThhmmssZ-hash)", where=source)
        return self.source_dir(source) / "versions" / version

    # Reading -----------------------------------------------------------------------------------

    def sources(self) -> list[str]:
        """Sources that have an active version, sorted."""
        root = self.data_dir / "sources"
        if not root.is_dir():
            return []
        return sorted(d.name for d in root.iterdir() if SOURCE_RE.match(d.name) and (d / "active").is_file())

    def active_version(self, source: str) -> str | None:
        """The active version id of ``source`` without reading its metadata."""
        pointer = self.source_dir(source) / "active"
        try:
            version = pointer.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"cannot read the active pointer: {exc}", where=str(pointer)) from None
        if not VERSION_RE.match(version):
            raise StoreError(f"active pointer holds no version id ({version[:40]!r})", where=str(pointer))
        return version

    def active(self, source: str) -> SnapshotMeta | None:
        """Metadata of the active version of ``source``, or ``None`` if it was never imported."""
        version = self.active_version(source)
        if version is None:
            return None
        meta = self._read_meta(source, version)
        if meta is None:
            where = str(self._version_dir(source, version))
            raise StoreError(f"the active version {version} is missing", where=where)
        return meta

    def versions(self, source: str) -> list[SnapshotMeta]:
        """Every stored version of ``source``, newest first."""
        root = self.source_dir(source) / "versions"
        if not root.is_dir():
            return []
        metas = []
        for version in sorted((d.name for d in root.iterdir() if VERSION_RE.match(d.name)), reverse=True):
            meta = self._read_meta(source, version)
            if meta is not None:
                metas.append(meta)
        return metas

    def previous(self, source: str, version: str | None = None) -> SnapshotMeta | None:
        """The version stored just before ``version`` (default: the active one), or ``None``."""
        version = version or self.active_version(source)
        if version is None:
            return None
        older = [m for m in self.versions(source) if m.version < version]
        return older[0] if older else None

    def load_entities(self, source: str, version: str | None = None) -> Iterator[Entity]:
        """Stream the entities of one version (default: the active one)."""
        version = self._resolve(source, version)
        path = self.snapshot_dir(source, version) / "entities.jsonl.gz"
        return self._iter_entities(path)

    def diff(
        self, source: str, from_version: str | None = None, to_version: str | None = None
    ) -> SnapshotDiff:
        """Entities added, removed and changed from one version to another.

        Defaults: ``to_version`` is the active version, ``from_version`` the one stored before it.
        """
        to_version = self._resolve(source, to_version)
        if from_version is None:
            prev = self.previous(source, to_version)
            if prev is None:
                raise StoreError(f"no version of {source} older than {to_version} to compare with", source)
            from_version = prev.version
        old = self._fingerprints(source, from_version)
        new = self._fingerprints(source, to_version)
        return SnapshotDiff(
            source=source,
            from_version=from_version,
            to_version=to_version,
            added=tuple(sorted(new.keys() - old.keys())),
            removed=tuple(sorted(old.keys() - new.keys())),
            changed=tuple(sorted(k for k in new.keys() & old.keys() if new[k] != old[k])),
        )

    def state_token(self) -> str:
        """A short string that changes whenever any source's active pointer changes.

        Cheap (one small read per source), so serving workers can poll it and reload on change.
        """
        root = self.data_dir / "sources"
        parts: list[str] = []
        if root.is_dir():
            for folder in sorted(root.iterdir()):
                with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                    parts.append(f"{folder.name}={(folder / 'active').read_text(encoding='ascii').strip()}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def last_checked(self, source: str) -> datetime | None:
        """When a refresh of ``source`` last succeeded (updated or unchanged)."""
        path = self.source_dir(source) / "checked.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return datetime.fromisoformat(data["checked_at"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def freshness(self, meta: SnapshotMeta, stale_hours: float, now: datetime | None = None) -> Freshness:
        """The staleness rule, one place for `lists status`, `/v1/lists`, `/readyz` and `/metrics`.

        ``meta`` is the snapshot being judged: the active one, or the one an API worker still
        serves for a moment after a refresh. Stale means no import or successful refresh within
        ``stale_hours`` (``MATCHER_STALE_HOURS``).
        """
        checked = self.last_checked(meta.source)
        last = max(meta.fetched, checked) if checked else meta.fetched
        age_hours = ((now or _now()) - last).total_seconds() / 3600
        return Freshness(last, age_hours, age_hours > stale_hours)

    # Writing -----------------------------------------------------------------------------------

    def mark_checked(self, source: str, when: datetime | None = None) -> None:
        """Record a successful refresh that may not have changed anything (for the stale flag)."""
        when = when or _now()
        payload = {"checked_at": when.isoformat(timespec="seconds"), "version": self.active_version(source)}
        atomic_write(self.source_dir(source) / "checked.json", json.dumps(payload).encode())

    def commit(
        self,
        source: str,
        entities: Iterable[Entity],
        *,
        fmt: str,
        content_hash: str,
        published: str | None = None,
        origin: Sequence[str] = (),
        files: Sequence[Path] = (),
        report: ReportLike | None = None,
        check: Check | None = None,
        prepare: Prepare | None = None,
        fetched_at: datetime | None = None,
    ) -> SnapshotMeta:
        """Write a new version of ``source`` from ``entities`` and make it active.

        ``entities`` is consumed once (it may be a parser's generator; the parse happens here, while
        the entities stream into the snapshot). ``files`` are copied into ``raw/``; when given, their
        hash must equal ``content_hash`` (a file changed since it was hashed otherwise). ``published``
        is used when the report does not state a publication date. ``check`` is called with the
        finished metadata before anything becomes visible: it may raise to abandon the snapshot (the
        refresh checks use this) or return warnings to record in ``meta.json``. ``prepare`` is then
        called with the staged snapshot folder, the metadata and a function that streams the staged
        entities, to write derived files (the matching index) into the snapshot before it becomes
        visible, so readers never see a version without them. Any exception leaves the store as it
        was.
        """
        self.source_dir(source)
        if not re.fullmatch(r"[0-9a-f]{8,}", content_hash):
            raise StoreError(f"content hash must be lowercase hex, got {content_hash[:20]!r}", source)
        started = fetched_at or _now()
        with self._writer():
            stage = Path(tempfile.mkdtemp(prefix=f"{source}.", dir=self._tmp_root))
            try:
                infos = self._copy_raw(files, stage / "raw")
                if infos and _manifest_hash(infos) != content_hash:
                    raise StoreError("input files changed while being imported", where=files[0].parent.name)
                counts = self._write_entities(source, entities, stage / "entities.jsonl.gz", report)
                versions_dir = self.source_dir(source) / "versions"
                version = self._new_version(versions_dir, content_hash)
                rejects = list(report.rejects) if report is not None else []
                meta = SnapshotMeta(
                    source=source,
                    version=version,
                    format=fmt,
                    content_hash=content_hash,
                    published=(report.published if report is not None else None) or published,
                    fetched_at=started.astimezone(UTC).isoformat(timespec="seconds"),
                    origin=tuple(str(o) for o in origin),
                    files=infos,
                    counts=counts,
                    rejected=Rejected(
                        len(rejects),
                        tuple(RejectInfo(str(r.record), str(r.reason)) for r in rejects[:_REJECT_SAMPLE]),
                    ),
                    warnings=tuple(report.warnings) if report is not None else (),
                )
                if check is not None:
                    extra = check(meta)
                    if extra:
                        meta = replace(meta, warnings=meta.warnings + tuple(extra))
                self._write_file(stage / "meta.json", _dump_json(meta.to_dict()))
                if prepare is not None:
                    staged = stage / "entities.jsonl.gz"
                    prepare(stage, meta, lambda: self._iter_entities(staged))
                _fsync_dir(stage)
                versions_dir.mkdir(parents=True, exist_ok=True)
                os.rename(stage, versions_dir / version)
                _fsync_dir(versions_dir)
            except BaseException:
                shutil.rmtree(stage, ignore_errors=True)
                raise
            self._set_active(source, version)
            self._prune(source)
        return meta

    def activate(self, source: str, version: str) -> SnapshotMeta:
        """Make a stored version the active one (rollback, or roll forward again)."""
        with self._writer():
            meta = self._read_meta(source, version)
            if meta is None:
                known = ", ".join(m.version for m in self.versions(source)) or "none"
                raise StoreError(f"no version {version} of {source} (stored: {known})", where=source)
            self._set_active(source, version)
        return meta

    # Internals ---------------------------------------------------------------------------------

    def _resolve(self, source: str, version: str | None) -> str:
        if version is not None:
            return version
        active = self.active_version(source)
        if active is None:
            raise StoreError(f"{source} has no active version; import or refresh it first", where=source)
        return active

    def _read_meta(self, source: str, version: str) -> SnapshotMeta | None:
        path = self._version_dir(source, version) / "meta.json"
        try:
            return SnapshotMeta.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"unreadable snapshot metadata: {exc}", where=str(path)) from None

    def _iter_entities(self, path: Path) -> Iterator[Entity]:
        line_no = 0
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    line_no += 1
                    yield Entity.from_dict(json.loads(line))
        except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"corrupt snapshot: {exc}", where=f"{path}:{line_no}") from None

    def _fingerprints(self, source: str, version: str) -> dict[str, str]:
        path = self.snapshot_dir(source, version) / "entities.jsonl.gz"
        out: dict[str, str] = {}
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    data = json.loads(line)
                    out[data["id"]] = _fingerprint(data)
        except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"corrupt snapshot: {exc}", where=str(path)) from None
        return out

    @contextlib.contextmanager
    def _writer(self) -> Iterator[None]:
        """Hold the data directory's writer lock; clear what crashed writers left in ``.tmp/``."""
        with exclusive_lock(self.data_dir, ".lock"):
            self._tmp_root.mkdir(parents=True, exist_ok=True)
            # Holding the lock means no other writer is alive: anything in .tmp is a crash leftover.
            for leftover in self._tmp_root.iterdir():
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)
            yield

    def _copy_raw(self, files: Sequence[Path], dest: Path) -> tuple[FileInfo, ...]:
        if not files:
            return ()
        dest.mkdir()
        infos: list[FileInfo] = []
        for src in files:
            src = Path(src)
            target = dest / src.name
            if target.exists():
                raise StoreError(f"two input files are named {src.name}", where=str(src))
            digest = hashlib.sha256()
            size = 0
            with src.open("rb") as fin, target.open("xb") as fout:
                while chunk := fin.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    fout.write(chunk)
                fout.flush()
                os.fsync(fout.fileno())
            infos.append(FileInfo(src.name, digest.hexdigest(), size))
        _fsync_dir(dest)
        return tuple(infos)

    def _write_entities(
        self, source: str, entities: Iterable[Entity], path: Path, report: ReportLike | None
    ) -> Counts:
        seen: set[str] = set()
        names = 0
        by_type: dict[str, int] = {}
        with path.open("xb") as raw:
            # mtime=0: the same entities always give the same bytes.
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz:
                text = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
                for entity in entities:
                    if entity.source != source:
                        raise StoreError(f"entity {entity.id} belongs to {entity.source}", where=source)
                    if entity.id in seen:
                        raise StoreError(f"duplicate entity id {entity.id} in the new snapshot", where=source)
                    seen.add(entity.id)
                    names += len(entity.names)
                    by_type[entity.type.value] = by_type.get(entity.type.value, 0) + 1
                    text.write(json.dumps(entity.to_dict(), ensure_ascii=False, separators=(",", ":")))
                    text.write("\n")
                text.flush()
                text.detach()
            raw.flush()
            os.fsync(raw.fileno())
        records = report.records if report is not None else len(seen)
        return Counts(len(seen), names, dict(sorted(by_type.items())), records)

    def _write_file(self, path: Path, data: bytes) -> None:
        with path.open("xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def _new_version(self, versions_dir: Path, content_hash: str) -> str:
        now = _now().replace(microsecond=0)
        if versions_dir.is_dir():
            stamps = [m[1] for d in versions_dir.iterdir() if (m := VERSION_RE.match(d.name))]
            if stamps:
                newest = datetime.strptime(max(stamps), _TIME_FORMAT).replace(tzinfo=UTC)
                if newest >= now:
                    now = newest + timedelta(seconds=1)
        return f"{now.strftime(_TIME_FORMAT)}-{content_hash[:8]}"

    def _set_active(self, source: str, version: str) -> None:
        atomic_write(self.source_dir(source) / "active", f"{version}\n".encode("ascii"))

    def _prune(self, source: str) -> None:
        """Drop versions beyond retention, never the active one.

        Each is first renamed into ``.tmp/`` (atomic), so a crash mid-delete cannot leave a
        half-deleted version that looks valid.
        """
        active = self.active_version(source)
        for index, meta in enumerate(self.versions(source)):
            if index < self.retention or meta.version == active:
                continue
            doomed = Path(tempfile.mkdtemp(prefix=f"{source}.prune.", dir=self._tmp_root))
            os.rename(self._version_dir(source, meta.version), doomed / meta.version)
            shutil.rmtree(doomed, ignore_errors=True)


@contextlib.contextmanager
def exclusive_lock(directory: Path, name: str, mode: int = 0o644) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``directory/name`` (created, with ``directory``, if missing),
    so writers in other processes take turns; a directory that cannot be written is a StoreError."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / name, os.O_RDWR | os.O_CREAT, mode)
    except OSError as exc:
        raise StoreError(f"data directory is not writable: {exc.strerror}", where=str(directory)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _dump_json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


__all__ = [
    "Counts",
    "FileInfo",
    "Freshness",
    "RejectInfo",
    "Rejected",
    "SnapshotDiff",
    "SnapshotMeta",
    "Store",
    "atomic_write",
    "hash_files",
]
