"""Parse OFAC's legacy CSV sets: the SDN list and the consolidated (non-SDN) list.

What the publisher's format looks like (OFAC's "SDN data specification"; both sets share it):

=====================  ====================  ======================================================
SDN file               consolidated file     columns (no header row)
=====================  ====================  ======================================================
``sdn.csv``            ``cons_prim.csv``     ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
                                             Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks
``alt.csv``            ``cons_alt.csv``      ent_num, alt_num, alt_type, alt_name, alt_remarks
``add.csv``            ``cons_add.csv``      ent_num, add_num, address, city/state/postal, country,
                                             add_remarks
``sdn_comments.csv``   ``cons_comments.csv`` ent_num, remarks continuation
=====================  ====================  ======================================================

Quirks: ``-0-`` (written ``-0- `` with a trailing space) is null; records end in CRLF; the file ends
with a 0x1A (Ctrl-Z) byte; the text is ASCII (read as UTF-8, falling back to Latin-1 per line, so a
stray accented byte never aborts an import). ``SDN_Type`` is ``individual``, ``vessel``,
``aircraft`` or null, and null means an entity (-> organization). ``Program`` holds several programs
as ``SDGT] [IFSR`` (the outer brackets are OFAC's, the CSV keeps the inner ones): they are split.
Remarks are cut at 1,000 characters and the rest is published in the comments file, continuing
mid-word, so the pieces are concatenated exactly as published before parsing.

Mapping: the primary name and the ``alt.csv`` names (``aka``/``nka`` -> alias, ``fka`` -> former)
are kept as published, so an individual stays ``LAST, First Middle``; the weak AKAs OFAC puts in
quotes in Remarks, and every other remark item, are mapped by :mod:`matcher.sources.ofac_remarks`.
Title -> titles; Call_Sign -> a ``call_sign`` identifier; Vess_flag -> countries; Vess_type,
Tonnage, GRT, Vess_flag and Vess_owner -> ``extra`` (``vessel_type``, ``tonnage``,
``gross_registered_tonnage``, ``vessel_flag``, ``vessel_owner``). An address is one line: street,
city/state/postal and country joined by ``, `` (the country also goes to countries). The full remarks
text stays on the entity. Entity ids are ``<source>:<ent_num>``; the ent_num is the XML ``uid``.

Why this shape: the files of a set are chosen by name (case-insensitive) and only the primary file
is required, because OFAC publishes them separately and mirrors often keep only ``sdn.csv``. The
small side files are read into memory keyed by ent_num, then the primary file is streamed, so memory
is bounded by the side files. Without a comments file, a remark of 1,000 characters or more may be
cut: its last item is left unparsed (it would be a wrong alias or number) and a warning says how
many. The publication date is not in these files, so ``report.published`` stays unset.

Errors: a file that does not look like this format (a header row, XML/HTML, binary) is a
``FormatError``; broken quoting, or a last record cut short with no end-of-file marker, is a
``ParseError``; a record that cannot be mapped is rejected with its reason, and alias, address and
comment rows whose ent_num is not in the primary file are rejected too, never dropped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matcher.errors import FormatError, ParseError
from matcher.model import Address, Entity, EntityType, Identifier, IdentifierKind, Name, NameKind
from matcher.sources.base import ParseReport, clean, require_files
from matcher.sources.ofac_remarks import RemarkFacts

FORMAT = "ofac_csv"
REMARKS_LIMIT = 1000  # OFAC's Remarks column width; longer remarks continue in the comments file

_ROLES: dict[str, str] = {
    "sdn.csv": "primary",
    "cons_prim.csv": "primary",
    "alt.csv": "alt",
    "cons_alt.csv": "alt",
    "add.csv": "add",
    "cons_add.csv": "add",
    "sdn_comments.csv": "comments",
    "cons_comments.csv": "comments",
}
_COLUMNS = {"primary": 12, "alt": 5, "add": 6, "comments": 2}
_EOF = "\x1a"

_TYPES: dict[str | None, EntityType] = {
    "individual": EntityType.PERSON,
    None: EntityType.ORGANIZATION,
    "vessel": EntityType.VESSEL,
    "aircraft": EntityType.AIRCRAFT,
}
_ALT_KINDS = {"aka": NameKind.ALIAS, "nka": NameKind.ALIAS, "fka": NameKind.FORMER}
_VESSEL_EXTRA = ("vessel_type", "tonnage", "gross_registered_tonnage", "vessel_flag", "vessel_owner")


@dataclass(slots=True)
class _SideRow:
    """An alias, address or comment row waiting for its primary record."""

    record: str  # "alt.csv:220", for reject reasons
    value: Name | Address | str


@dataclass(slots=True)
class _Side:
    rows: dict[str, list[_SideRow]] = field(default_factory=dict)

    def add(self, ent_num: str, row: _SideRow) -> None:
        self.rows.setdefault(ent_num, []).append(row)

    def take(self, ent_num: str) -> list[_SideRow]:
        return self.rows.pop(ent_num, [])


def parse(source: str, paths: Sequence[Path], report: ParseReport) -> Iterator[Entity]:
    """Stream the entities of one OFAC CSV set (see the module docstring)."""
    require_files(paths, FORMAT)
    files = _assign_roles(paths)
    if "primary" not in files:
        names = ", ".join(p.name for p in paths)
        raise FormatError(f"no sdn.csv or cons_prim.csv among the files ({names})")
    primary = files["primary"]
    aliases = _read_aliases(files["alt"], report) if "alt" in files else _Side()
    addresses = _read_addresses(files["add"], report) if "add" in files else _Side()
    comments = _read_comments(files["comments"], report) if "comments" in files else _Side()
    has_comments = "comments" in files

    seen: set[str] = set()
    cut = 0
    for line, row in _rows(primary, _COLUMNS["primary"], report):
        report.records += 1
        record = f"{primary.name}:{line}"
        if len(row) != _COLUMNS["primary"]:
            report.reject(record, f"expected 12 columns, found {len(row)}")
            continue
        ent_num = row[0].strip()
        if not ent_num.isdigit():
            report.reject(record, f"ent_num {ent_num!r} is not a number")
            continue
        if ent_num in seen:
            report.reject(f"{primary.name}:{ent_num}", "duplicate ent_num")
            continue
        seen.add(ent_num)
        remarks = _raw(row[11]) + "".join(str(c.value) for c in comments.take(ent_num))
        truncated = not has_comments and len(remarks) >= REMARKS_LIMIT
        cut += truncated
        entity = _entity(
            source,
            row,
            remarks,
            truncated,
            [r.value for r in aliases.take(ent_num) if isinstance(r.value, Name)],
            [r.value for r in addresses.take(ent_num) if isinstance(r.value, Address)],
            primary.name,
            report,
        )
        if entity is not None:
            yield entity

    for side, what in ((aliases, "alias"), (addresses, "address"), (comments, "remarks continuation")):
        for ent_num, pending in side.rows.items():
            for leftover in pending:
                report.reject(leftover.record, f"{what} of ent_num {ent_num}, which is not in {primary.name}")
    if cut:
        report.warnings.append(
            f"{cut} entries have Remarks of {REMARKS_LIMIT}+ characters and no comments file was given; "
            "their remarks may be cut, so the last remark item of each was not parsed"
        )


def _entity(
    source: str,
    row: list[str],
    remarks: str,
    truncated: bool,
    aliases: list[Name],
    addresses: list[Address],
    file_name: str,
    report: ParseReport,
) -> Entity | None:
    ent_num = row[0].strip()
    record = f"{file_name}:{ent_num}"
    name = clean(row[1])
    if name is None:
        report.reject(record, "no SDN_Name")
        return None
    sdn_type = clean(row[2])
    entity_type = _TYPES.get(sdn_type.lower() if sdn_type else None)
    if entity_type is None:
        report.reject(record, f"unknown SDN_Type {sdn_type!r}")
        return None

    facts = RemarkFacts()
    facts.add_remarks(remarks, truncated=truncated)
    title, call_sign = clean(row[4]), clean(row[5])
    vessel = dict(zip(_VESSEL_EXTRA, (clean(row[i]) for i in (6, 7, 8, 9, 10)), strict=True))
    identifiers = [Identifier(IdentifierKind.CALL_SIGN, call_sign)] if call_sign else []
    countries = list(facts.countries)
    for country in [a.country for a in addresses] + [vessel["vessel_flag"]]:
        if country and country not in countries:
            countries.append(country)
    extra = facts.extra | {k: v for k, v in vessel.items() if v}

    return Entity(
        id=f"{source}:{ent_num}",
        source=source,
        type=entity_type,
        names=(Name(name), *aliases, *facts.names),
        birth_dates=tuple(facts.birth_dates),
        birth_places=tuple(facts.birth_places),
        nationalities=tuple(facts.nationalities),
        countries=tuple(countries),
        addresses=tuple(addresses),
        identifiers=tuple(identifiers + facts.identifiers),
        programs=split_programs(row[3]),
        gender=facts.gender,
        titles=(title,) if title else (),
        remarks=clean(remarks),
        related=tuple(facts.related),
        source_file=file_name,
        extra=extra,
    )


def split_programs(text: str | None) -> tuple[str, ...]:
    """``SDGT] [IFSR`` or ``[SDGT] [IFSR]`` -> ``("SDGT", "IFSR")``."""
    text = clean(text)
    if text is None:
        return ()
    parts = (clean(p.strip("[] ")) for p in text.split("] ["))
    return tuple(p for p in parts if p)


# --- side files ------------------------------------------------------------------------------


def _read_aliases(path: Path, report: ParseReport) -> _Side:
    side = _Side()
    for line, row in _rows(path, _COLUMNS["alt"], report):
        record = f"{path.name}:{row[1].strip() if len(row) > 1 else line}"
        if len(row) != _COLUMNS["alt"] or not row[0].strip().isdigit():
            report.reject(record, f"not an alias row (line {line})")
            continue
        name = clean(row[3])
        if name is None:
            report.reject(record, "alias row without alt_name")
            continue
        alt_type = (clean(row[2]) or "aka").lower().replace(".", "")
        kind = _ALT_KINDS.get(alt_type)
        if kind is None:
            report.warnings.append(f"{record}: unknown alt_type {row[2]!r}, kept as an alias")
            kind = NameKind.ALIAS
        note = (clean(row[4]) or "").lower()
        if "weak" in note or "low quality" in note:
            kind = NameKind.WEAK_ALIAS
        side.add(row[0].strip(), _SideRow(record, Name(name, kind)))
    return side


def _read_addresses(path: Path, report: ParseReport) -> _Side:
    side = _Side()
    for line, row in _rows(path, _COLUMNS["add"], report):
        record = f"{path.name}:{row[1].strip() if len(row) > 1 else line}"
        if len(row) != _COLUMNS["add"] or not row[0].strip().isdigit():
            report.reject(record, f"not an address row (line {line})")
            continue
        street, locality, country, note = (clean(v) for v in row[2:6])
        full = ", ".join(p for p in (street, locality, country) if p)
        if note:
            full = f"{full} ({note})" if full else note
        if full:
            side.add(row[0].strip(), _SideRow(record, Address(full, country)))
    return side


def _read_comments(path: Path, report: ParseReport) -> _Side:
    side = _Side()
    for line, row in _rows(path, _COLUMNS["comments"], report):
        record = f"{path.name}:{line}"
        if len(row) != _COLUMNS["comments"] or not row[0].strip().isdigit():
            report.reject(record, "not a comments row")
            continue
        side.add(row[0].strip(), _SideRow(record, _raw(row[1])))
    return side


# --- reading ---------------------------------------------------------------------------------


def _assign_roles(paths: Sequence[Path]) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in paths:
        role = _ROLES.get(path.name.lower())
        if role is None:
            known = ", ".join(_ROLES)
            raise FormatError(f"not a file of an OFAC CSV set (expected one of {known})", str(path))
        if role in files:
            raise FormatError(f"two {role} files given: {files[role].name} and {path.name}", str(path))
        files[role] = path
    return files


def _raw(value: str) -> str:
    """A cell as published, with OFAC's ``-0-`` null as the empty string (no other change)."""
    return "" if value.strip() == "-0-" else value


def _lines(path: Path, state: dict[str, bool]) -> Iterator[str]:
    """Decoded physical lines, stopping at the 0x1A end-of-file marker (``state["eof"]``)."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if number == 1:
                _check_head(path, raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
            if number == 1:
                text = text.removeprefix("\ufeff")
            if _EOF in text:
                head = text.split(_EOF, 1)[0]
                state["eof"] = True
                if head.strip():
                    yield head
                return
            yield text


def _check_head(path: Path, first: bytes) -> None:
    head = first.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<", b"{", b"[")):
        raise FormatError("looks like XML, HTML or JSON, not an OFAC CSV file", str(path))
    if b"\x00" in first or head.startswith(b"PK\x03\x04"):
        raise FormatError("binary data, not an OFAC CSV file", str(path))


def _rows(path: Path, columns: int, report: ParseReport) -> Iterator[tuple[int, list[str]]]:
    """Rows of one file with their line numbers.

    The first row must look like the format (``columns`` cells, a numeric ent_num), else the whole
    file is the wrong format. The last row is held back one step so that a short last row with no
    end-of-file marker (the file was cut) is a ``ParseError``, not a reject.
    """
    state = {"eof": False}
    reader = csv.reader(_lines(path, state), strict=True)
    held: tuple[int, list[str]] | None = None
    try:
        for row in reader:
            if not row or all(not cell.strip() for cell in row):
                continue
            if held is None and not (len(row) == columns and row[0].strip().isdigit()):
                raise FormatError(
                    f"first row is not an OFAC record of {columns} columns with a numeric ent_num "
                    f"(found {len(row)} columns starting {row[0][:20]!r})",
                    str(path),
                )
            if held is not None:
                yield held
            held = (reader.line_num, row)
    except csv.Error as exc:
        raise ParseError(f"CSV is truncated or corrupt at line {reader.line_num}: {exc}", str(path)) from exc
    if held is not None:
        if len(held[1]) != columns and not state["eof"]:
            raise ParseError(
                f"file is truncated: last record (line {held[0]}) has {len(held[1])} of {columns} columns "
                "and the end-of-file marker is missing",
                str(path),
            )
        yield held
    if not state["eof"]:
        report.warnings.append(f"{path.name}: no end-of-file marker (0x1A); the file may be truncated")


__all__ = ["FORMAT", "REMARKS_LIMIT", "parse", "split_programs"]
