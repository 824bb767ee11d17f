"""What every list parser shares: the parser contract, the parse report, safe XML, dates.

A parser is a module in :mod:`matcher.sources` with a function::

    def parse(source: str, paths: Sequence[Path], report: ParseReport) -> Iterator[Entity]

``source`` is the source id the entities are filed under (``ofac_xml`` serves both ``ofac_sdn`` and
``ofac_cons``), ``paths`` the files of one publication. A parser streams entities; a record it cannot
map is *counted and reported* in ``report.rejects`` with a reason, never silently dropped: the mapping
code raises :class:`Rejected` where it finds the problem, and the loop reports it under the record's
label (:class:`UniqueIds` does that for parsers with one id per record, and also refuses a missing or
repeated id). A file that is not the expected format raises :class:`~matcher.errors.FormatError`; a
truncated, corrupt or unsafe one raises :class:`~matcher.errors.ParseError`. Either aborts the whole
import.

Parsers do not normalise names for matching: they keep the publisher's text (trimmed of layout
whitespace) so explanations can quote the list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from lxml import etree

from matcher.errors import FormatError, ParseError
from matcher.model import BirthDate, DateRange, Entity, PartialDate


class Parser(Protocol):
    def __call__(self, source: str, paths: Sequence[Path], report: ParseReport) -> Iterator[Entity]: ...


@dataclass(slots=True)
class Reject:
    """One record a parser could not map, and why."""

    record: str
    reason: str


@dataclass(slots=True)
class ParseReport:
    """What a parse saw: the publication date the file states, counts, and every rejected record."""

    source: str
    published: str | None = None
    records: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def reject(self, record: str, reason: str) -> None:
        self.rejects.append(Reject(record, reason))


class Rejected(Exception):
    """A record (or target) that cannot be mapped; the message is the reason given to
    :meth:`ParseReport.reject`.

    Raised deep in a parser's mapping code, where the problem is found, and caught where the
    record's label is known, so the reason names the field and the label names the record.
    """


@dataclass(slots=True)
class UniqueIds:
    """The ids one parse has emitted, so a record without an id or with a repeated one is rejected.

    Ids are unique across all the files of one publication. ``missing`` and ``duplicate`` are the
    reasons reported, in the publisher's field names (``"duplicate REFERENCE_NUMBER"``), because
    they are what a user reads in ``matcher lists status`` and the import log.
    """

    report: ParseReport
    missing: str
    duplicate: str
    seen: set[str] = field(default_factory=set)

    def admit(self, native: str | None, label: str, build: Callable[[str], Entity]) -> Entity | None:
        """``build(native)``, or ``None`` with the record reported under ``label`` as rejected.

        Rejected when ``native`` is ``None`` or already emitted, or when ``build`` raises
        :class:`Rejected`; only an emitted record's id is remembered, so a rejected first record
        does not make a later valid one with the same id a duplicate.
        """
        try:
            if native is None:
                raise Rejected(self.missing)
            if native in self.seen:
                raise Rejected(self.duplicate)
            entity = build(native)
        except Rejected as exc:
            self.report.reject(label, str(exc))
            return None
        self.seen.add(native)
        return entity


def clean(text: str | None) -> str | None:
    """Collapse layout whitespace; ``None`` for empty text and the OFAC ``-0-`` null."""
    if text is None:
        return None
    text = " ".join(text.split())
    if not text or text == "-0-":
        return None
    return text


# --- Safe XML --------------------------------------------------------------------------------

_DTD_RE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_xml_safe(path: Path) -> None:
    """Refuse XML that declares a DTD or entities.

    No official list uses a DTD, and a DTD is how entity-expansion bombs and external-entity reads
    get in; refusing it up front is simpler to reason about than trusting every parser flag.
    """
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    if _DTD_RE.search(head):
        raise ParseError("XML declares a DTD or entities, which is not allowed", where=str(path))


def iter_xml(path: Path, tags: Sequence[str], root: str) -> Iterator[etree._Element]:
    """Stream the elements named ``tags`` (local names, any namespace) from ``path``.

    The parser never resolves entities, loads DTDs or touches the network. Each yielded element is
    cleared after the caller is done with it, so memory stays flat on large files. ``root`` is the
    expected local name of the document element; anything else is a :class:`FormatError`.
    """
    check_xml_safe(path)
    wanted = set(tags)
    seen_root = False
    # The file is opened here, not by lxml, so it is closed when parsing stops early (an error, or
    # a caller that stops iterating) rather than whenever the garbage collector gets to it.
    with path.open("rb") as fh:
        context = etree.iterparse(
            fh,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
        )
        try:
            for event, elem in context:
                name = etree.QName(elem).localname
                if not seen_root:
                    if name != root:
                        raise FormatError(f"expected <{root}> document, found <{name}>", str(path))
                    seen_root = True
                    continue
                if event == "end" and name in wanted:
                    yield elem
                    elem.clear(keep_tail=False)
                    parent = elem.getparent()
                    if parent is not None:
                        while elem.getprevious() is not None:
                            del parent[0]
        except etree.XMLSyntaxError as exc:
            raise ParseError(f"XML is truncated or corrupt: {exc}", where=str(path)) from exc
    if not seen_root:
        raise ParseError("empty XML document", where=str(path))


def child_text(elem: etree._Element, name: str) -> str | None:
    """Text of the first direct child with local name ``name`` (any namespace), cleaned."""
    for child in elem:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return clean(child.text)
    return None


def children(elem: etree._Element, name: str) -> list[etree._Element]:
    """All direct children with local name ``name`` (any namespace)."""
    return [c for c in elem if isinstance(c.tag, str) and etree.QName(c).localname == name]


# --- Dates -----------------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T.*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_TEXT_DMY = re.compile(r"^(?:(\d{1,2})\s+)?([A-Za-z]{3,9})\.?,?\s+(\d{4})$")
_RANGE = re.compile(r"^(?:between\s+)?(.+?)\s*(?:to|and|-|–)\s*(.+)$", re.IGNORECASE)
_APPROX = re.compile(r"^(?:circa|approximately|approx\.?|about|ca\.?|c\.)\s*", re.IGNORECASE)


def _make(year: int, month: int | None, day: int | None) -> PartialDate | None:
    if month == 0:
        month, day = None, None
    if day == 0:
        day = None
    try:
        return PartialDate(year, month, day)
    except ValueError:
        return None


def parse_date(text: str | None) -> PartialDate | None:
    """Parse one (partial) date in the layouts official lists use.

    Handles ISO (``1965``, ``1965-04``, ``1965-04-29``, with a time), ``dd/mm/yyyy`` (OFSI, DFAT,
    with ``00`` for unknown parts), ``mm/yyyy``, and ``29 Apr 1965`` / ``Apr 1965`` (OFAC).
    """
    text = clean(text)
    if text is None:
        return None
    text = _APPROX.sub("", text).strip()
    if m := _ISO.match(text):
        return _make(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)
    if m := _DMY.match(text):
        return _make(int(m[3]), int(m[2]), int(m[1]))
    if m := _MY.match(text):
        return _make(int(m[2]), int(m[1]), None)
    if m := _TEXT_DMY.match(text):
        month = _MONTHS.get(m[2].lower())
        if month is None:
            return None
        return _make(int(m[3]), month, int(m[1]) if m[1] else None)
    return None


def parse_birth_date_text(text: str | None) -> BirthDate | None:
    """Parse a date or a range ("1960 to 1965", "between 1960 and 1965", "circa 1965")."""
    text = clean(text)
    if text is None:
        return None
    single = parse_date(text)
    if single is not None:
        return single
    if m := _RANGE.match(_APPROX.sub("", text)):
        start, end = parse_date(m[1]), parse_date(m[2])
        if start is not None and end is not None and start <= end:
            return DateRange(start, end)
    return None


def excel_serial_date(value: float) -> date:
    """Excel's 1900 date system (DFAT's Control Date column is stored as a serial number)."""
    return (datetime(1899, 12, 30) + timedelta(days=float(value))).date()


def require_files(paths: Sequence[Path], fmt: str) -> None:
    """Fail early, naming the path, when a file is missing or empty."""
    if not paths:
        raise FormatError(f"no files given for format {fmt}")
    for path in paths:
        if not path.is_file():
            raise ParseError("file not found", where=str(path))
        if path.stat().st_size == 0:
            raise ParseError("file is empty", where=str(path))


# --- Safe xlsx -------------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_XLSX_MAX_UNPACKED = 1 << 30  # the largest real list (OFSI ConList) unpacks to about 17 MB
_XML_ROOT_RE = re.compile(rb"<[A-Za-z_]")
_XML_PROLOG_RE = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)  # comments and processing instructions


def is_zip(path: Path) -> bool:
    """Whether ``path`` starts with the zip magic bytes (xlsx files are zip archives)."""
    with path.open("rb") as fh:
        return fh.read(4) == _ZIP_MAGIC


def check_xlsx_safe(path: Path) -> None:
    """Refuse an xlsx that is not a zip (:class:`FormatError`), is a damaged one, would unpack
    implausibly large, or has a part that declares a DTD or entities (the same rule as
    :func:`check_xml_safe`, applied to every part, since openpyxl parses them with the standard
    library); those raise :class:`ParseError`."""
    import zipfile
    import zlib

    if not is_zip(path):
        raise FormatError("not an xlsx workbook (no zip signature)", str(path))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > _XLSX_MAX_UNPACKED:
                raise ParseError("xlsx would unpack to more than 1 GiB; refusing it", where=str(path))
            for info in infos:
                if info.is_dir() or info.file_size == 0:
                    continue
                with archive.open(info) as member:
                    head = member.read(64 * 1024)
                if _DTD_RE.search(head):
                    raise ParseError(
                        f"xlsx part {info.filename} declares a DTD or entities, which is not allowed",
                        where=str(path),
                    )
                prolog = _XML_PROLOG_RE.sub(b"", head).lstrip()
                if head.lstrip().startswith(b"<") and not _XML_ROOT_RE.match(prolog):
                    raise ParseError(f"xlsx part {info.filename} has no root element early on", str(path))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ParseError(f"not a readable xlsx (zip) file, truncated or corrupt: {exc}", str(path)) from exc


def iter_xlsx_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    """Stream the cell values of the first worksheet of ``path``, row by row.

    openpyxl runs in read-only mode, so memory stays flat; the archive is checked first with
    :func:`check_xlsx_safe`. A zip that is not a workbook raises :class:`FormatError`; corruption
    found while reading raises :class:`ParseError`. Both name the file.
    """
    import zipfile
    import zlib
    from xml.etree.ElementTree import ParseError as XMLParseError

    import openpyxl

    check_xlsx_safe(path)
    with path.open("rb") as fh:  # a handle, so openpyxl does not judge the file by its extension
        try:
            workbook = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except KeyError as exc:
            raise FormatError(f"zip archive is not an xlsx workbook: {exc}", str(path)) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, XMLParseError, ValueError) as exc:
            raise ParseError(f"xlsx workbook is corrupt: {exc}", str(path)) from exc
        try:
            if not workbook.worksheets:
                raise FormatError("xlsx workbook has no worksheet", str(path))
            yield from workbook.worksheets[0].iter_rows(values_only=True)
        except (zipfile.BadZipFile, zlib.error, EOFError, XMLParseError) as exc:
            raise ParseError(f"xlsx worksheet is truncated or corrupt: {exc}", str(path)) from exc
        finally:
            workbook.close()
