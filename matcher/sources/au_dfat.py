"""Parser for Australia's DFAT Consolidated List, xlsx (format ``au_dfat``).

What the publisher's file looks like
    One worksheet; row 1 holds the headers ``Reference``, ``Name of Individual or Entity``,
    ``Type``, ``Name Type``, ``Date of Birth``, ``Place of Birth``, ``Citizenship``, ``Address``,
    ``Additional Information``, ``Listing Information``, ``Committees``, ``Control Date`` (the sheet
    declares 255 columns; the rest are empty). Each following row is one *name* of a target:

    - ``Reference`` ``2`` is the target's primary row, ``2a``, ``2b`` … (and ``34c1``) are its other
      names; the rows repeat the target's other cells. Excel stores the bare numbers as numbers.
    - ``Type`` is ``Individual`` or ``Entity`` and ``Name Type`` ``Primary Name``, ``aka``,
      ``Original Script``, ``Formerly known as`` or ``Previously listed as``, both with inconsistent
      case and trailing spaces.
    - ``Date of Birth`` is a date cell, a number (a year) or free text: ``Approximately 1955- 1958``,
      ``Between 1958 and 1963``, ``a) 01/01/1960; b) 1 Jan. 1967``, ``… (Hijri Calendar)``.
      ``Place of Birth``, ``Citizenship`` and ``Address`` list several values as ``a) … b) …``;
      ``NA`` means none.
    - ``Committees`` names the regime (``1988 (Taliban)``, ``Autonomous (Russia)``); ``Listing
      Information`` is prose (``Listed by UN 1267 Committee on 25 January 2001 (amended …)``);
      ``Control Date`` is an Excel date (a serial number when read without styles) telling when
      DFAT last changed the row.

How it maps to :class:`~matcher.model.Entity`
    - id ``<source>:<number>``, the Reference without its letter suffix; Type -> person /
      organization (read from the primary row).
    - Names as published: Primary Name -> primary, aka -> alias, Original Script ->
      ``original_script`` (script seen in the text), formerly known / previously listed -> former.
    - Birth dates from every parseable part of the cell (date ranges kept as ranges); the parts
      that cannot be read, Hijri dates among them, are kept verbatim in ``extra["dob_unparsed"]``.
    - Place of birth, citizenship (-> nationalities and countries), addresses (their text; an
      address is a single country name just as often as a street), Additional Information ->
      remarks, Committees -> programs, the first date in Listing Information -> listed_on (the text
      itself is kept in ``extra["listing_information"]``), the latest Control Date ->
      ``extra["control_date"]``.
    - ``report.published`` is the latest Control Date in the file: the xlsx carries no publication
      date, and the newest change DFAT made is the best lower bound for when it was published.

Why these choices
    The workbook is small (about 9,500 rows), so rows are grouped by reference number in memory,
    which also handles the odd alias row that is not next to its target. Values repeated across a
    target's rows are merged without duplicates. A row whose Reference cannot be read is rejected
    as ``row <n>``; a target without a readable Type or without a name is rejected by its number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from matcher.errors import FormatError
from matcher.model import Address, BirthDate, Entity, EntityType, Name, NameKind, PartialDate, detect_script
from matcher.sources.base import (
    ParseReport,
    Rejected,
    clean,
    excel_serial_date,
    iter_xlsx_rows,
    parse_birth_date_text,
    parse_date,
)
from matcher.sources.uk_ofsi import Merged, cell_text, emit_groups, parse_each

FORMAT = "au_dfat"

HEADERS = (
    "Reference",
    "Name of Individual or Entity",
    "Type",
    "Name Type",
    "Date of Birth",
    "Place of Birth",
    "Citizenship",
    "Address",
    "Additional Information",
    "Listing Information",
    "Committees",
    "Control Date",
)

TYPES = {"individual": EntityType.PERSON, "entity": EntityType.ORGANIZATION}

NAME_TYPES = {
    "primary name": NameKind.PRIMARY,
    "aka": NameKind.ALIAS,
    "original script": NameKind.ORIGINAL_SCRIPT,
    "formerly known as": NameKind.FORMER,
    "previously listed as": NameKind.FORMER,
}

_REFERENCE = re.compile(r"^(\d+)([A-Za-z]{1,3}\d*)?$")
_LETTERED = re.compile(r"(?:^|(?<=[\s;,.]))[a-z]\)\s*")
_DOB_SEPARATORS = re.compile(r";|\s>>\s|\s+or\s+", re.IGNORECASE)
_DOB_LABEL = re.compile(r"^(?:alt(?:ernative)?\.?\s*)?(?:DOB|date of birth)\s*:?\s*", re.IGNORECASE)
_DATE_IN_TEXT = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\b\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}\b")
_NONE = {"na", "n/a", "nil", "none", "unknown"}


def split_lettered(text: str | None) -> list[str]:
    """Split DFAT's ``a) … b) …`` lists; a cell without them is one value. ``NA`` is no value."""
    text = clean(text)
    if text is None or text.lower() in _NONE:
        return []
    if not re.match(r"^[a-z]\)", text):
        return [text.strip(" ;,") or text]
    return [part for part in (p.strip(" ;,") for p in _LETTERED.split(text)) if part]


def _birth_dates(value: Any) -> tuple[list[BirthDate], list[str]]:
    """Parsed birth dates, and the parts of the cell that could not be read."""
    if value is None:
        return [], []
    if isinstance(value, datetime | date):
        return [PartialDate(value.year, value.month, value.day)], []
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1000 <= value <= 2100 and float(value).is_integer():
            return [PartialDate(int(value))], []
        serial = excel_serial_date(value)
        return [PartialDate(serial.year, serial.month, serial.day)], []
    parsed: list[BirthDate] = []
    unparsed: list[str] = []
    for item in split_lettered(str(value)):
        for part in _DOB_SEPARATORS.split(item):
            part = _DOB_LABEL.sub("", part.strip(" ;,"))
            if not part:
                continue
            if "hijri" in part.lower():
                unparsed.append(part)
                continue
            date_ = parse_birth_date_text(_tidy_date(part))
            if date_ is not None:
                parsed.append(date_)
                continue
            # Several dates in one part ("5/06/1953 15/06/1953", "1 Jan. 1960 (as X)"): take each;
            # keep the text too unless nothing but separators is left around the dates.
            found = [(m, parse_date(_tidy_date(m[0]))) for m in _DATE_TOKEN.finditer(part)]
            parsed.extend(d for _, d in found if d is not None)
            residue = _DATE_TOKEN.sub("", part).strip(" ,;/")
            if residue or not found or any(d is None for _, d in found):
                unparsed.append(part)
    return parsed, unparsed


_MONTH_FIRST = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
_DATE_TOKEN = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{4}\b"
    r"|\b\d{1,2}[.\-\s]+[A-Za-z]{3,9}\.?[\-\s]*\d{4}\b"
    r"|\b[A-Za-z]{3,9}\.?\s+\d{1,2},\s+\d{4}\b"
)


def _tidy_date(text: str) -> str:
    """Spell DFAT's stray layouts the way :func:`parse_date` reads them: ``19-Dec-1992``,
    ``24 Jan.1973``, ``21. Jul 1997`` and ``March 16, 1972`` become ``19 Dec 1992`` and so on."""
    text = text.strip()
    if m := _MONTH_FIRST.match(text):
        return f"{m[2]} {m[1]} {m[3]}"
    if re.fullmatch(r"\d{1,2}[.\-\s]+[A-Za-z]{3,9}\.?[\-\s]*\d{4}", text):
        return " ".join(re.findall(r"\d+|[A-Za-z]+", text))
    return text


def _listed_on(value: Any) -> PartialDate | None:
    if isinstance(value, datetime | date):
        return PartialDate(value.year, value.month, value.day)
    text = cell_text(value)
    if text is None:
        return None
    match = _DATE_IN_TEXT.search(text)
    return parse_date(match[0]) if match else None


def _control_date(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial_date(value).isoformat()
    date_ = parse_date(cell_text(value))
    return str(date_) if date_ is not None else None


def _merge_row(merged: Merged, row: dict[str, Any], report: ParseReport, number: str) -> None:
    name_type = " ".join(str(row["Name Type"] or "").split()).lower()
    kind = NAME_TYPES.get(name_type)
    if kind is None:
        report.warnings.append(f"{number}: unknown Name Type {row['Name Type']!r}, read as alias")
        kind = NameKind.ALIAS
    value = cell_text(row["Name of Individual or Entity"])
    if value is not None:
        merged.add_name(Name(value, kind, detect_script(value)))
    type_ = (cell_text(row["Type"]) or "").lower()
    merged.add("primary_type" if kind is NameKind.PRIMARY else "other_type", type_)
    dates, unparsed = _birth_dates(row["Date of Birth"])
    merged.add("birth_dates", *dates)
    merged.add("dob_unparsed", *unparsed)
    merged.add("birth_places", *split_lettered(cell_text(row["Place of Birth"])))
    citizenship = split_lettered(cell_text(row["Citizenship"]))
    merged.add("nationalities", *citizenship)
    merged.add("countries", *citizenship)
    merged.add("addresses", *(Address(a) for a in split_lettered(cell_text(row["Address"]))))
    merged.add("remarks", cell_text(row["Additional Information"]))
    merged.add("listing_information", cell_text(row["Listing Information"]))
    merged.add("listed_on", _listed_on(row["Listing Information"]))
    merged.add("programs", cell_text(row["Committees"]))
    merged.add("control_date", _control_date(row["Control Date"]))


def _build(source: str, number: str, merged: Merged, source_file: str) -> Entity:
    names = merged.ordered_names()
    if not names:
        raise Rejected("no name in any row")
    types = merged.get("primary_type") or merged.get("other_type")
    if len(types) != 1 or types[0] not in TYPES:
        raise Rejected(f"unknown or conflicting Type {types!r}")
    extra: dict[str, str] = {}
    for key in ("dob_unparsed", "listing_information"):
        if value := merged.joined(key, "; "):
            extra[key] = value
    if control := merged.get("control_date"):
        extra["control_date"] = max(control)
    return merged.to_entity(f"{source}:{number}", source, TYPES[types[0]], names, source_file, extra)


def _parse_file(source: str, path: Path, report: ParseReport) -> Iterator[Entity]:
    rows = iter_xlsx_rows(path)
    header = next(rows, None)
    found = {" ".join(str(c).split()).lower(): i for i, c in enumerate(header or ()) if c is not None}
    missing = [h for h in HEADERS if h.lower() not in found]
    if missing:
        raise FormatError(
            f"not the DFAT consolidated list; header is missing columns: {', '.join(missing)}", str(path)
        )
    index = {h: found[h.lower()] for h in HEADERS}

    # Grouped in memory: the workbook is small, and an alias row may sit away from its target.
    groups: dict[str, Merged] = {}
    latest: str | None = None
    for row_number, cells in enumerate(rows, start=2):
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        row = {h: cells[i] if i < len(cells) else None for h, i in index.items()}
        reference = cell_text(row["Reference"]) or ""
        match = _REFERENCE.match(reference.replace(" ", ""))
        if match is None:
            report.records += 1
            report.reject(f"row {row_number}", f"unreadable Reference {reference!r}")
            continue
        merged = groups.get(match[1])
        if merged is None:
            merged = groups[match[1]] = Merged()
        _merge_row(merged, row, report, match[1])
        control = _control_date(row["Control Date"])
        if control is not None and (latest is None or control > latest):
            latest = control
    report.published = latest

    yield from emit_groups(groups, lambda key, merged: _build(source, key, merged, path.name), report)


def parse(source: str, paths: Sequence[Path], report: ParseReport) -> Iterator[Entity]:
    """Stream the targets of a DFAT consolidated list workbook; see the module docstring."""
    return parse_each(paths, FORMAT, report, lambda path, rep: _parse_file(source, path, rep))
