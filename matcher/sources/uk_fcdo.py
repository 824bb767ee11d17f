"""Parser for the FCDO "UK Sanctions List" CSV (format ``uk_fcdo``), the authoritative UK list.

Since 28 January 2026 the Foreign, Commonwealth & Development Office's UK Sanctions List replaces
OFSI's ConList as the list UK firms screen against (:mod:`matcher.sources.uk_ofsi` still reads the
older file). It is published as ``UK-Sanctions-List.csv`` (and as xml and ods with the same fields).

What the publisher's file looks like
    - line 1: ``Report Date: 13-Feb-2026`` (``DD-Mon-YYYY``);
    - line 2: 58 headers (:data:`HEADERS`, in the publisher's order);
    - then one line per name (and per address) of an entry; the lines share ``Unique ID``, the UK
      Sanctions List reference (``AFG0001``, ``RUS2001``). ``OFSI Group ID`` is the old ConList id
      and ``UN Reference Number`` (``TAe.010``) links UN-derived entries. ``Name 6`` is the surname
      or the entity's or ship's name, ``Name 1`` … ``Name 5`` the given names. ``Name type`` is
      ``Primary Name`` or ``Alias``; ``Alias strength`` qualifies aliases. ``Designation Type`` is
      ``Individual``, ``Entity`` or ``Ship``; ``Designation source`` ``UN`` or ``UK``; ``Sanctions
      Imposed`` is ``|``-separated (``Asset freeze|Travel Ban``). Dates are ``dd/mm/yyyy``.

    No real copy could be kept in the shared data (every copy is over the snapshot size limit);
    the layout above is from ``../shared/data/lists/SOURCES.md`` and was checked against test
    fixtures of public screening tools that quote the official header and lines of the 2026 files.

How it maps to :class:`~matcher.model.Entity`
    - id ``<source>:<Unique ID>`` (``uk:RUS0001``); Designation Type Individual / Entity / Ship ->
      person / organization / vessel.
    - Names: Name 1..5 then Name 6, as the list prints them; ``Primary Name`` -> primary, ``Alias``
      -> alias, or weak alias when its strength says weak or low; a type mentioning former/previous
      -> former. ``Name non-latin script`` -> ``original_script`` (script from the text, language
      to ISO 639 via ``rigour.langs``).
    - Identifiers: ``UN Reference Number`` and ``OFSI Group ID`` -> ``list_ref`` (the note says
      which), passports and national ids (numbered details paired as notes), ``Business
      registration number (s)`` -> registration, ``IMO number`` -> imo (digits only, the ``IMO``
      prefix dropped), ``Hull identification number (HIN)`` -> other, phone, website, email.
    - ``Regime Name`` -> programs, the earliest ``Date Designated`` -> listed_on, ``D.O.B``,
      ``Nationality(/ies)``, ``Gender`` (lower case), ``Town``/``Country of birth``, addresses
      (lines, postal code and country in one line), ``Current believed flag of ship`` (into
      countries), ``Other Information`` -> remarks. The rest (designation source, sanctions imposed,
      statement of reasons, position, type of entity, parent and subsidiaries, owners, ship details)
      go into ``extra`` under snake_case keys.

Why these choices
    The header must match the documented 58 columns (compared case- and space-insensitively):
    a renamed or dropped column would otherwise silently empty a field, so a mismatch is a
    :class:`~matcher.errors.FormatError` that names the missing columns. Lines are grouped by
    Unique ID in memory (the file is a few tens of thousands of lines; an entry's lines need not be
    adjacent) and merged without duplicates, with the helpers the ConList parser uses, because the
    two files share their conventions (name parts, inline ``(1) … (2) …`` numbering).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from matcher.errors import FormatError, ParseError
from matcher.model import (
    Address,
    Entity,
    EntityType,
    Identifier,
    IdentifierKind,
    Name,
    NameKind,
    detect_script,
)
from matcher.sources.base import ParseReport, Rejected, clean, parse_date
from matcher.sources.uk_ofsi import (
    Merged,
    add_person_facts,
    emit_groups,
    iso_date,
    join_name,
    parse_each,
    read_text_rows,
    script_name,
    split_numbered,
)

FORMAT = "uk_fcdo"

GIVEN_NAMES = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5")
ADDRESS_LINES = tuple(f"Address Line {i}" for i in range(1, 7))
HEADERS = (
    "Last Updated",
    "Unique ID",
    "OFSI Group ID",
    "UN Reference Number",
    "Name 6",
    *GIVEN_NAMES,
    "Name type",
    "Alias strength",
    "Title",
    "Name non-latin script",
    "Non-latin script type",
    "Non-latin script language",
    "Regime Name",
    "Designation Type",
    "Designation source",
    "Sanctions Imposed",
    "Other Information",
    "UK Statement of Reasons",
    *ADDRESS_LINES,
    "Address Postal Code",
    "Address Country",
    "Phone number",
    "Website",
    "Email address",
    "Date Designated",
    "D.O.B",
    "Nationality(/ies)",
    "National Identifier number",
    "National Identifier additional information",
    "Passport number",
    "Passport additional information",
    "Position",
    "Gender",
    "Town of birth",
    "Country of birth",
    "Type of entity",
    "Subsidiaries",
    "Parent company",
    "Business registration number (s)",
    "IMO number",
    "Current owner/operator (s)",
    "Previous owner/operator (s)",
    "Current believed flag of ship",
    "Previous flags",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year Built",
    "Hull identification number (HIN)",
)

DESIGNATION_TYPES = {
    "individual": EntityType.PERSON,
    "entity": EntityType.ORGANIZATION,
    "ship": EntityType.VESSEL,
}

# Columns kept verbatim in ``extra`` (column -> key).
EXTRA_COLUMNS = {
    "Designation source": "designation_source",
    "Sanctions Imposed": "sanctions_imposed",
    "UK Statement of Reasons": "statement_of_reasons",
    "Position": "position",
    "Type of entity": "type_of_entity",
    "Subsidiaries": "subsidiaries",
    "Parent company": "parent_company",
    "Current owner/operator (s)": "current_owners",
    "Previous owner/operator (s)": "previous_owners",
    "Current believed flag of ship": "flag",
    "Previous flags": "previous_flags",
    "Type of ship": "type_of_ship",
    "Tonnage of ship": "tonnage",
    "Length of ship": "length",
    "Year Built": "year_built",
}

_CONTACT_COLUMNS = {
    "Phone number": IdentifierKind.PHONE,
    "Website": IdentifierKind.WEBSITE,
    "Email address": IdentifierKind.EMAIL,
    "Business registration number (s)": IdentifierKind.REGISTRATION,
}
_REPORT_DATE = re.compile(r"^\s*Report Date:\s*(\d{1,2})[-\s]([A-Za-z]{3,9})[-\s](\d{4})\s*$", re.IGNORECASE)
_IMO_PREFIX = re.compile(r"^IMO[\s:.]*", re.IGNORECASE)

Row = dict[str, str | None]


def _key(header: str) -> str:
    return " ".join(header.split()).lower()


_HEADER_KEYS = {_key(h): h for h in HEADERS}


def _name_kind(name_type: str | None, strength: str | None) -> NameKind | None:
    kind = (name_type or "").strip().lower()
    if kind.startswith("primary"):
        return NameKind.PRIMARY
    if "former" in kind or "previous" in kind:
        return NameKind.FORMER
    if kind != "alias":
        return None
    strength = (strength or "").lower()
    return NameKind.WEAK_ALIAS if "weak" in strength or "low" in strength else NameKind.ALIAS


def _merge_line(merged: Merged, row: Row, report: ParseReport, uid: str) -> None:
    kind = _name_kind(row["Name type"], row["Alias strength"])
    if kind is None:
        report.warnings.append(f"{uid}: unknown Name type {row['Name type']!r}, read as alias")
        kind = NameKind.ALIAS
    value = join_name((row[k] for k in GIVEN_NAMES), row["Name 6"])
    if value is not None:
        merged.add_name(Name(value, kind, detect_script(value)))
    merged.add_name(script_name(row["Name non-latin script"], row["Non-latin script language"]))
    merged.add("designation_type", row["Designation Type"])
    merged.add("titles", *split_numbered(row["Title"]))
    for column, note in (("UN Reference Number", "UN Ref"), ("OFSI Group ID", "OFSI Group ID")):
        if ref := row[column]:
            merged.add("identifiers", Identifier(IdentifierKind.LIST_REF, ref, note=note))
    add_person_facts(
        merged,
        dob=row["D.O.B"],
        birth=(row["Town of birth"], row["Country of birth"]),
        nationality=row["Nationality(/ies)"],
        passport=(row["Passport number"], row["Passport additional information"]),
        national_id=(row["National Identifier number"], row["National Identifier additional information"]),
    )
    for column, id_kind in _CONTACT_COLUMNS.items():
        merged.add("identifiers", *(Identifier(id_kind, v) for v in split_numbered(row[column])))
    if imo := row["IMO number"]:
        merged.add("identifiers", Identifier(IdentifierKind.IMO, _IMO_PREFIX.sub("", imo)))
    if hin := row["Hull identification number (HIN)"]:
        merged.add("identifiers", Identifier(IdentifierKind.OTHER, hin, note="HIN"))
    country = row["Address Country"]
    parts = [p for p in (*(row[k] for k in ADDRESS_LINES), row["Address Postal Code"], country) if p]
    if parts:
        merged.add("addresses", Address(", ".join(parts), country))
        merged.add("countries", country)
    merged.add("countries", row["Current believed flag of ship"])
    merged.add("gender", (row["Gender"] or "").lower())
    merged.add("programs", row["Regime Name"])
    merged.add("remarks", row["Other Information"])
    merged.add("listed_on", parse_date(row["Date Designated"]))
    merged.add("last_updated", iso_date(row["Last Updated"]))
    for column, key in EXTRA_COLUMNS.items():
        merged.add(key, row[column])


def _build(source: str, uid: str, merged: Merged, source_file: str) -> Entity:
    names = merged.ordered_names()
    if not names:
        raise Rejected("no name on any line")
    types = merged.get("designation_type")
    if len(types) != 1 or types[0].lower() not in DESIGNATION_TYPES:
        raise Rejected(f"unknown or conflicting Designation Type {types!r}")
    extra: dict[str, str] = {}
    for key in (*EXTRA_COLUMNS.values(), "dob_unparsed", "passport_details", "national_id_details"):
        if value := merged.joined(key, "; "):
            extra[key] = value
    if updated := merged.get("last_updated"):
        extra["last_updated"] = max(updated)
    return merged.to_entity(
        f"{source}:{uid}", source, DESIGNATION_TYPES[types[0].lower()], names, source_file, extra
    )


def _header_index(cells: Sequence[str], path: Path, report: ParseReport) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, cell in enumerate(cells):
        key = _key(cell.lstrip("\ufeff"))
        canonical = _HEADER_KEYS.get(key)
        if canonical is None:
            if key:
                report.warnings.append(f"{path.name}: unknown column {cell!r} ignored")
        elif canonical not in index:
            index[canonical] = position
    missing = [h for h in HEADERS if h not in index]
    if missing:
        raise FormatError(
            f"not the UK Sanctions List layout; header is missing columns: {', '.join(missing)}", str(path)
        )
    return index


def _parse_file(source: str, path: Path, report: ParseReport) -> Iterator[Entity]:
    lines = read_text_rows(path, report)
    first = next(lines, None)
    if first is None:
        raise ParseError("no lines", str(path))
    _, cells = first
    if cells and (m := _REPORT_DATE.match(cells[0].lstrip("\ufeff"))):
        published = parse_date(f"{m[1]} {m[2]} {m[3]}")
        report.published = str(published) if published is not None else None
        header = next(lines, None)
        if header is None:
            raise ParseError("file ends after the Report Date line", str(path))
        cells = header[1]
    else:
        report.warnings.append(f"{path.name}: no 'Report Date:' line; publication date unknown")
    index = _header_index(cells, path, report)
    width = max(index.values()) + 1

    # Grouped in memory: the file is small, and an entry's lines need not be adjacent.
    groups: dict[str, Merged] = {}
    short_line: int | None = None
    for number, values in lines:
        if not any(v.strip() for v in values):
            continue
        short_line = number if len(values) < width else None
        if short_line is not None:
            report.warnings.append(f"{path.name}: line {number} has {len(values)} of {width} fields")
        row: Row = {h: clean(values[i]) if i < len(values) else None for h, i in index.items()}
        uid = row["Unique ID"]
        if uid is None:
            report.records += 1
            report.reject(f"line {number}", "no Unique ID")
            continue
        merged = groups.get(uid)
        if merged is None:
            merged = groups[uid] = Merged()
        _merge_line(merged, row, report, uid)
    if short_line is not None:
        raise ParseError(f"file ends inside line {short_line}: truncated", str(path))

    yield from emit_groups(groups, lambda key, merged: _build(source, key, merged, path.name), report)


def parse(source: str, paths: Sequence[Path], report: ParseReport) -> Iterator[Entity]:
    """Stream the entries of a UK Sanctions List CSV; see the module docstring."""
    return parse_each(paths, FORMAT, report, lambda path, rep: _parse_file(source, path, rep))
