"""The list-source catalog: one YAML file per official source in ``lists/``, read into :class:`SourceSpec`.

A catalog file says where a source comes from and how to check it::

    id: un                                   # the file stem, [a-z0-9_]+
    title: UN Security Council Consolidated List
    authority: United Nations Security Council
    publisher_page: https://www.un.org/...   # where a human checks the list
    format: un_xml                           # a key of matcher.sources.FORMATS
    urls: [https://scsanctions.un.org/resources/xml/en/consolidated.xml]
    files: [consolidated.xml]                # case-insensitive globs picking the files out of a folder
    local_dirs: [un]                         # folder names of this source in an offline mirror
    min_count: 500                           # floor that catches a truncated or wrong download
    ids: "un:<REFERENCE_NUMBER> ..."         # the entity-id scheme, in one sentence

A ``urls`` entry is a URL, or ``{url: ..., file: ...}`` when the URL's last path segment is not a file
name (the EU's ``.../content?token=...``). Why YAML and not Python: sources are data that operators
review and extend (a new URL, a different mirror folder) without touching code, and the comments in
each file say why a floor or a URL was chosen.

Why validation is strict (unknown keys are errors): a typo such as ``min_cout`` would otherwise silently
disable a safety check. Every error is a :class:`~matcher.errors.CatalogError` naming the file and the
field. Whether ``format`` names a known parser is checked where parsers are loaded (``refresh``), because
this module imports nothing from ``matcher`` beyond the model, errors and settings.

User lists (a firm's own list) are not in the catalog: they get a slug (:func:`check_slug`), and the
format given at their first import is remembered by the store.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import yaml

from matcher.errors import CatalogError

DEFAULT_CATALOG_DIR = Path(__file__).resolve().parent.parent / "lists"
SLUG_RE = re.compile(r"^[a-z0-9_]+$")

_REQUIRED = ("id", "title", "authority", "publisher_page", "format", "urls", "files", "min_count", "ids")
_OPTIONAL = ("local_dirs",)


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One official list source as the catalog describes it.

    ``urls`` and ``url_files`` are parallel: ``url_files[i]`` is the file name the download of
    ``urls[i]`` is saved under (what the parser and ``files`` globs see).
    """

    id: str
    title: str
    authority: str
    publisher_page: str
    format: str
    urls: tuple[str, ...]
    url_files: tuple[str, ...]
    files: tuple[str, ...]
    local_dirs: tuple[str, ...]
    min_count: int
    ids: str
    path: Path

    def matches(self, file_name: str) -> bool:
        """Whether ``file_name`` is one of this source's files (case-insensitive glob match)."""
        name = file_name.lower()
        return any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in self.files)


def check_slug(source: str) -> str:
    """Return ``source`` if it is a valid source id (``[a-z0-9_]+``), else raise CatalogError.

    Why so strict: the id becomes a folder name in the data directory and the prefix of every entity
    id, so it must never hold a path separator, a dot or a colon.
    """
    if not SLUG_RE.match(source):
        raise CatalogError(f"invalid source id {source!r}: use lowercase letters, digits and _", where=source)
    return source


def load_catalog(catalog_dir: Path | str | None = None) -> dict[str, SourceSpec]:
    """All sources in ``catalog_dir`` (default: the repository's ``lists/``), keyed by id.

    Files are read once per directory and cached; the returned dict is a fresh copy.
    """
    directory = Path(catalog_dir) if catalog_dir else DEFAULT_CATALOG_DIR
    return dict(_load_dir(directory.resolve()))


def get_source(source: str, catalog_dir: Path | str | None = None) -> SourceSpec:
    """The catalog entry of ``source``; CatalogError naming the known ids when there is none."""
    catalog = load_catalog(catalog_dir)
    try:
        return catalog[source]
    except KeyError:
        known = ", ".join(sorted(catalog))
        message = f"unknown list source {source!r} (catalog sources: {known})"
        raise CatalogError(message, where=source) from None


def clear_cache() -> None:
    """Forget cached catalogs (for tests and long-lived processes that edit ``lists/``)."""
    _load_dir.cache_clear()


@functools.cache
def _load_dir(directory: Path) -> Mapping[str, SourceSpec]:
    if not directory.is_dir():
        raise CatalogError("catalog directory not found", where=str(directory))
    specs: dict[str, SourceSpec] = {}
    for path in sorted(directory.glob("*.yml")):
        spec = _load_file(path)
        specs[spec.id] = spec
    if not specs:
        raise CatalogError("catalog directory has no *.yml source files", where=str(directory))
    return specs


def _load_file(path: Path) -> SourceSpec:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise CatalogError(f"not valid YAML: {getattr(exc, 'problem', exc)}", where=where) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read catalog file: {exc}", where=str(path)) from None
    if not isinstance(data, dict):
        raise CatalogError("a catalog file must be a mapping of fields", where=str(path))
    fields = _Fields(path, data)
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise CatalogError(f"unknown field(s) {', '.join(unknown)}", where=f"{path}: {unknown[0]}")
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise CatalogError(f"missing field(s) {', '.join(missing)}", where=f"{path}: {missing[0]}")

    source = fields.text("id")
    if not SLUG_RE.match(source):
        fields.fail("id", "must match [a-z0-9_]+")
    if source != path.stem:
        fields.fail("id", f"must equal the file name ({path.stem!r})")
    fmt = fields.text("format")
    if not SLUG_RE.match(fmt):
        fields.fail("format", "must be a format name such as un_xml")
    urls, url_files = fields.urls()
    files = fields.text_list("files")
    if not files:
        fields.fail("files", "needs at least one file-name glob")
    local_dirs = fields.text_list("local_dirs") if "local_dirs" in data else (source,)
    if not local_dirs or any("/" in d or "\\" in d or d in (".", "..") for d in local_dirs):
        fields.fail("local_dirs", "must be a list of plain folder names")
    min_count = data["min_count"]
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        fields.fail("min_count", "must be a whole number of at least 1 (the floor that catches truncation)")
    return SourceSpec(
        id=source,
        title=fields.text("title"),
        authority=fields.text("authority"),
        publisher_page=fields.url("publisher_page"),
        format=fmt,
        urls=urls,
        url_files=url_files,
        files=files,
        local_dirs=local_dirs,
        min_count=min_count,
        ids=fields.text("ids"),
        path=path,
    )


class _Fields:
    """Typed access to the fields of one catalog file, failing with file and field named."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def fail(self, field: str, message: str) -> NoReturn:
        raise CatalogError(message, where=f"{self.path}: {field}")

    def text(self, field: str) -> str:
        value = self.data.get(field)
        if not isinstance(value, str) or not value.strip():
            self.fail(field, "must be a non-empty string")
        return str(value).strip()

    def text_list(self, field: str) -> tuple[str, ...]:
        value = self.data.get(field)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(field, "must be a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def url(self, field: str) -> str:
        value = self.text(field)
        if not _is_http_url(value):
            self.fail(field, f"must be an http(s) URL, got {value!r}")
        return value

    def urls(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        value = self.data.get("urls")
        if not isinstance(value, list) or not value:
            self.fail("urls", "must be a non-empty list of download URLs")
        urls: list[str] = []
        names: list[str] = []
        for item in value:
            if isinstance(item, dict) and set(item) == {"url", "file"}:
                url, name = item["url"], item["file"]
            elif isinstance(item, str):
                url, name = item, urlsplit(item).path.rsplit("/", 1)[-1]
            else:
                self.fail("urls", "each entry must be a URL or a mapping with exactly url and file")
            if not isinstance(url, str) or not _is_http_url(url):
                self.fail("urls", f"not an http(s) URL: {url!r}")
            if not isinstance(name, str) or not name or "/" in name or name in (".", ".."):
                self.fail("urls", f"cannot derive a file name from {url!r}; give {{url: ..., file: ...}}")
            urls.append(url)
            names.append(name)
        if len({n.lower() for n in names}) != len(names):
            self.fail("urls", "two URLs would be saved under the same file name")
        return tuple(urls), tuple(names)


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


__all__ = [
    "DEFAULT_CATALOG_DIR",
    "SLUG_RE",
    "SourceSpec",
    "check_slug",
    "clear_cache",
    "get_source",
    "load_catalog",
]
