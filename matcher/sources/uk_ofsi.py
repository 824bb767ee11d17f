"""Parser for OFSI's Consolidated List of Financial Sanctions Targets, "2022 format" (format ``uk_ofsi``).

What the publisher's file looks like
    HM Treasury's Office of Financial Sanctions Implementation publishes the ConList as xlsx, csv
    and xml; this module reads the xlsx and the csv, which carry the same cells:

    - row 1: ``Last Updated`` and the publication date (``14/04/2025``);
    - row 2: 36 headers: ``Name 6`` (surname, or the whole name of an entity or ship), ``Name 1`` …
      ``Name 5`` (given names), ``Title``, ``Name Non-Latin Script`` with its ``Non-Latin Script
      Type``/``Language``, ``DOB`` (``dd/mm/yyyy`` with ``00`` for unknown parts, or ``yyyy``),
      ``Town of Birth``, ``Country of Birth``, ``Nationality``, ``Passport Number``/``Details``,
      ``National Identification Number``/``Details``, ``Position``, ``Address 1`` … ``Address 6``,
      ``Post/Zip Code``, ``Country``, ``Other Information``, ``Group Type`` (Individual / Entity /
      Ship), ``Alias Type`` (Primary name / Primary name variation / AKA / FKA), ``Alias Quality``
      (Good quality / Low quality / empty), ``Regime``, ``Listed On``, ``UK Sanctions List Date
      Designated``, ``Last Updated``, ``Group ID``;
    - then one row per *name variant* (times each address, times each birth date: the rows are a
      cross product), sharing the target's ``Group ID``. Rows of one target are not guaranteed to be
      contiguous (1,664 of the 4,688 targets of 14 April 2025 are split).

    Cells holding several values number them inline: ``(1) Germany. (2) Morocco``. ``Other
    Information`` is free text with tagged fields: ``(UK Sanctions List Ref):RUS1831.``,
    ``(UN Ref):QDi.001.``, ``(Gender):Male``, ``(IMO number):7408873``, ``(Phone number):…`` and so on.

How it maps to :class:`~matcher.model.Entity`
    - id ``<source>:<Group ID>``; Group Type Individual/Entity/Ship -> person/organization/vessel.
    - Name 1..5 then Name 6, joined with spaces, is the name as OFSI prints it. Alias Type ``Primary
      name`` -> primary, ``AKA``/``Primary name variation`` -> alias (``Low quality`` -> weak alias),
      ``FKA`` -> former. The non-Latin name -> ``original_script`` with the script seen in the text
      and the ISO 639 code of the stated language (via ``rigour.langs``).
    - Title, DOB, Town/Country of Birth, Nationality, passports and national ids (each number paired
      with its numbered detail as the identifier note), addresses (lines, post code and country in
      one line, the country also separate), Regime -> programs, the earliest Listed On -> listed_on.
    - Other Information is kept whole as ``remarks``; its tags also give identifiers (UK Sanctions
      List Ref and UN Ref -> ``list_ref`` with the tag as note, IMO number, phone, website, email,
      business registration), gender, the flag of ships (into countries), and the descriptive tags
      (type of entity, ship details, parent company, …) into ``extra``.
    - ``countries`` = nationalities, address countries and ship flags; the country of birth stays
      in ``birth_places`` only, because being born somewhere says little about whom one deals with.

Why these choices
    The file is small (about 19,000 rows), so rows are grouped by Group ID in memory; that is the
    simplest correct answer to non-contiguous groups, and each target is built once from all its
    rows. Values that repeat across a target's rows (which is most of them, because of the cross
    product) are merged in first-seen order without duplicates. Names stay exactly as published:
    the surname is often in capitals, and telling surname from given names is the scorer's job,
    with the raw text kept for explanations. A target that cannot be mapped (no name, unknown Group
    Type) is rejected with its reason; a row with no Group ID is rejected as ``row <n>``.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rigour.langs import iso_639_alpha3

from matcher.errors import FormatError, ParseError
from matcher.model import (
    Address,
    BirthDate,
    Entity,
    EntityType,
    Identifier,
    IdentifierKind,
    Name,
    NameKind,
    PartialDate,
    detect_script,
)
from matcher.sources.base import (
    ParseReport,
    Rejected,
    clean,
    is_zip,
    iter_xlsx_rows,
    parse_birth_date_text,
    parse_date,
    require_files,
)

FORMAT = "uk_ofsi"

Row = dict[str, str | None]

GIVEN_NAMES = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5")
ADDRESS_LINES = ("Address 1", "Address 2", "Address 3", "Address 4", "Address 5", "Address 6")
HEADERS = (
    "Name 6",
    *GIVEN_NAMES,
    "Title",
    "Name Non-Latin Script",
    "Non-Latin Script Type",
    "Non-Latin Script Language",
    "DOB",
    "Town of Birth",
    "Country of Birth",
    "Nationality",
    "Passport Number",
    "Passport Details",
    "National Identification Number",
    "National Identification Details",
    "Position",
    *ADDRESS_LINES,
    "Post/Zip Code",
    "Country",
    "Other Information",
    "Group Type",
    "Alias Type",
    "Alias Quality",
    "Regime",
    "Listed On",
    "UK Sanctions List Date Designated",
    "Last Updated",
    "Group ID",
)

GROUP_TYPES = {
    "individual": EntityType.PERSON,
    "entity": EntityType.ORGANIZATION,
    "ship": EntityType.VESSEL,
}

# How strongly each kind of name identifies the target; a name listed twice keeps its strongest kind.
NAME_RANK = {
    NameKind.PRIMARY: 0,
    NameKind.ALIAS: 1,
    NameKind.FORMER: 2,
    NameKind.WEAK_ALIAS: 3,
    NameKind.ORIGINAL_SCRIPT: 4,
}


ParseFile = Callable[[Path, ParseReport], Iterator[Entity]]


def emit_groups(
    groups: dict[str, Merged], build: Callable[[str, Merged], Entity], report: ParseReport
) -> Iterator[Entity]:
    """Build one entity per group of rows, counting each and reporting (never dropping silently)
    a group that cannot be mapped. Shared by the three row-per-name formats (OFSI, FCDO, DFAT)."""
    for key, merged in groups.items():
        report.records += 1
        try:
            yield build(key, merged)
        except Rejected as exc:
            report.reject(key, str(exc))


def parse_each(
    paths: Sequence[Path], fmt: str, report: ParseReport, parse_file: ParseFile
) -> Iterator[Entity]:
    """Check the files exist, then stream the entities of each in turn."""
    require_files(paths, fmt)
    for path in paths:
        yield from parse_file(path, report)


# --- Shared by the UK formats (uk_fcdo imports these) -----------------------------------------

_NUMBERED = re.compile(r"\(\d{1,2}\)\s*")


def split_numbered(text: str | None) -> list[str]:
    """Split an inline-numbered cell, ``(1) Germany. (2) Morocco`` -> ``["Germany", "Morocco"]``.

    A cell that does not start with ``(1)`` is one value. Separator punctuation left at either end
    of a value is dropped.
    """
    text = clean(text)
    if text is None:
        return []
    if not text.startswith("(1)"):
        return [text.strip(" ;,") or text]
    return [part for part in (p.strip(" .;,") for p in _NUMBERED.split(text)) if part]


def join_name(given: Iterable[str | None], surname: str | None) -> str | None:
    """The name as the UK lists print it: the given names, then ``Name 6``."""
    parts = [p for p in (clean(v) for v in (*given, surname)) if p]
    return " ".join(parts) if parts else None


def script_name(value: str | None, language: str | None) -> Name | None:
    """A non-Latin-script name, tagged with the script the text shows and the stated language."""
    value = clean(value)
    if value is None:
        return None
    lang = clean(language)
    return Name(value, NameKind.ORIGINAL_SCRIPT, detect_script(value), iso_639_alpha3(lang) if lang else None)


def paired_identifiers(
    kind: IdentifierKind, numbers: str | None, details: str | None
) -> tuple[list[Identifier], str | None]:
    """Identifiers from a numbers cell and its details cell, numbered alike (``(1) … (2) …``).

    Each number gets the detail with the same position as its note; a single detail applies to
    every number. Returns the identifiers and any detail text that could not be attached.
    """
    values, notes = split_numbered(numbers), split_numbered(details)
    if not values:
        return [], clean(details)
    pairs: list[tuple[str, str | None]]
    if len(notes) == len(values):
        pairs = list(zip(values, notes, strict=True))
    elif len(notes) == 1:
        pairs = [(v, notes[0]) for v in values]
    else:
        pairs = [(v, clean(details)) for v in values]
    return [Identifier(kind, value, note=note) for value, note in pairs], None


def birth_places(towns: str | None, country: str | None) -> list[str]:
    """``Town, Country`` for each numbered town of birth, or the country alone."""
    country = clean(country)
    places = split_numbered(towns)
    if not places:
        return [country] if country else []
    if country is None:
        return places
    return [p if p.endswith(country) else f"{p}, {country}" for p in places]


def iso_date(value: str | None) -> str | None:
    date_ = parse_date(value)
    return str(date_) if date_ is not None else None


def cell_text(value: Any) -> str | None:
    """One spreadsheet cell as cleaned text (xlsx cells may be numbers or dates when re-saved)."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(str(value))


def read_text_rows(path: Path, report: ParseReport) -> Iterator[tuple[int, list[str]]]:
    """Stream ``(line number, cells)`` from an official CSV export.

    UTF-8 (with or without BOM) is expected; a file that is not valid UTF-8 is read as
    Windows-1252, with a warning, since that is what Excel writes. Quoting is strict, so a file cut
    inside a quoted value raises :class:`ParseError` instead of yielding a half row.
    """
    encoding = "utf-8-sig" if _is_utf8(path) else "cp1252"
    if encoding == "cp1252":
        report.warnings.append(f"{path.name}: not valid UTF-8, read as Windows-1252")
    line = 1
    try:
        with path.open(encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, strict=True)
            for row in reader:
                yield line, row
                line = reader.line_num + 1
    except csv.Error as exc:
        raise ParseError(f"CSV is malformed or truncated at line {line}: {exc}", str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ParseError(f"undecodable bytes near line {line}: {exc.reason}", str(path)) from exc


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def header_keys(cells: Sequence[Any]) -> list[str]:
    """Header cells as keys: cleaned, with a repeated name suffixed `` #2`` so no column is lost."""
    keys: list[str] = []
    for index, cell in enumerate(cells):
        key = cell_text(cell) or f"column {index + 1}"
        while key in keys:
            key = f"{key} #2"
        keys.append(key)
    return keys


class Merged:
    """Values gathered from all rows of one target, each kept once, in first-seen order."""

    def __init__(self) -> None:
        self.names: dict[str, Name] = {}
        self.lists: dict[str, dict[Any, None]] = {}

    def add_name(self, name: Name | None) -> None:
        if name is None:
            return
        key = f"{name.kind is NameKind.ORIGINAL_SCRIPT}:{name.value}"
        seen = self.names.get(key)
        if seen is None or NAME_RANK[name.kind] < NAME_RANK[seen.kind]:
            self.names[key] = name

    def add(self, key: str, *values: Any) -> None:
        bucket = self.lists.setdefault(key, {})
        for value in values:
            if value is not None and value != "":
                bucket[value] = None

    def get(self, key: str) -> list[Any]:
        return list(self.lists.get(key, {}))

    def ordered_names(self) -> tuple[Name, ...]:
        """Primary names first, then the rest as first seen."""
        names = list(self.names.values())
        return tuple(sorted(names, key=lambda n: n.kind is not NameKind.PRIMARY))

    def joined(self, key: str, sep: str = "\n\n") -> str | None:
        values = self.get(key)
        return sep.join(values) if values else None

    def to_entity(
        self,
        entity_id: str,
        source: str,
        kind: EntityType,
        names: tuple[Name, ...],
        source_file: str,
        extra: dict[str, str],
    ) -> Entity:
        """The entity the gathered values describe (the fields every row-per-name format shares)."""
        listed: list[PartialDate] = self.get("listed_on")
        genders = self.get("gender")
        birth_dates: list[BirthDate] = self.get("birth_dates")
        return Entity(
            id=entity_id,
            source=source,
            type=kind,
            names=names,
            birth_dates=tuple(birth_dates),
            birth_places=tuple(self.get("birth_places")),
            nationalities=tuple(self.get("nationalities")),
            countries=tuple(self.get("countries")),
            addresses=tuple(self.get("addresses")),
            identifiers=tuple(self.get("identifiers")),
            programs=tuple(self.get("programs")),
            listed_on=min(listed) if listed else None,
            gender=genders[0] if len(genders) == 1 else None,
            titles=tuple(self.get("titles")),
            remarks=self.joined("remarks"),
            source_file=source_file,
            extra=extra,
        )


def add_person_facts(
    merged: Merged,
    *,
    dob: str | None,
    birth: tuple[str | None, str | None],
    nationality: str | None,
    passport: tuple[str | None, str | None],
    national_id: tuple[str | None, str | None],
) -> None:
    """Birth date, place of birth, nationalities, passports and national ids of one row: the
    fields OFSI and FCDO publish alike under different column names."""
    parsed = parse_birth_date_text(dob)
    if parsed is not None:
        merged.add("birth_dates", parsed)
    else:
        merged.add("dob_unparsed", dob)
    merged.add("birth_places", *birth_places(*birth))
    nationalities = split_numbered(nationality)
    merged.add("nationalities", *nationalities)
    merged.add("countries", *nationalities)
    for kind, (number, details), extra_key in (
        (IdentifierKind.PASSPORT, passport, "passport_details"),
        (IdentifierKind.NATIONAL_ID, national_id, "national_id_details"),
    ):
        identifiers, unattached = paired_identifiers(kind, number, details)
        merged.add("identifiers", *identifiers)
        merged.add(extra_key, unattached)


# --- OFSI ConList ------------------------------------------------------------------------------

_TAGS = (
    "UK Sanctions List Ref",
    "UK Statement of Reasons",
    "UN Ref",
    "Gender",
    "Phone number",
    "Tel",
    "Fax",
    "Website",
    "Email address",
    "Business Reg No",
    "Type of entity",
    "Parent company",
    "Subsidiaries",
    "IMO number",
    "Current owners",
    "Flag of ship",
    "Previous flags",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year built",
)
_TAG_RE = re.compile(r"\((" + "|".join(re.escape(t) for t in _TAGS) + r")\):", re.IGNORECASE)
_CANONICAL_TAG = {t.lower(): t for t in _TAGS}
_UK_REF_RE = re.compile(r"\s*([A-Z]{3}\d{4})\b")
_UN_REF_RE = re.compile(r"\s*(?:UN Ref\s*)?([A-Z]{2}[ie]\.\d{3})")
_TAG_IDENTIFIERS = {
    "Phone number": IdentifierKind.PHONE,
    "Tel": IdentifierKind.PHONE,
    "Fax": IdentifierKind.PHONE,
    "Website": IdentifierKind.WEBSITE,
    "Email address": IdentifierKind.EMAIL,
    "Business Reg No": IdentifierKind.REGISTRATION,
    "IMO number": IdentifierKind.IMO,
}
_TAG_EXTRA = {
    "Type of entity": "type_of_entity",
    "Parent company": "parent_company",
    "Subsidiaries": "subsidiaries",
    "Current owners": "current_owners",
    "Previous flags": "previous_flags",
    "Type of ship": "type_of_ship",
    "Tonnage of ship": "tonnage",
    "Length of ship": "length",
    "Year built": "year_built",
}


def other_information_tags(text: str | None) -> list[tuple[str, str]]:
    """The tagged fields of an ``Other Information`` cell as ``(tag, value)`` pairs, in order.

    A value runs to the next known tag; text before the first tag is not a field.
    """
    if not text:
        return []
    matches = list(_TAG_RE.finditer(text))
    out = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip()
        if value:
            out.append((_CANONICAL_TAG[match[1].lower()], value))
    return out


def _apply_tags(merged: Merged, text: str | None) -> None:
    for tag, value in other_information_tags(text):
        if tag == "UK Sanctions List Ref":
            if m := _UK_REF_RE.match(value):
                merged.add("identifiers", Identifier(IdentifierKind.LIST_REF, m[1], note=tag))
        elif tag == "UN Ref":
            if m := _UN_REF_RE.match(value):
                merged.add("identifiers", Identifier(IdentifierKind.LIST_REF, m[1], note=tag))
        elif tag == "Gender":
            merged.add("gender", value.rstrip(" .").lower())
        elif tag == "Flag of ship":
            merged.add("countries", value.rstrip(" ."))
            merged.add("flag", value.rstrip(" ."))
        elif kind := _TAG_IDENTIFIERS.get(tag):
            note = tag.lower() if tag == "Fax" else None
            for item in split_numbered(value):
                merged.add("identifiers", Identifier(kind, item, note=note))
        elif key := _TAG_EXTRA.get(tag):
            merged.add(key, clean(value))


def _name_kind(alias_type: str | None, quality: str | None) -> NameKind | None:
    kind = (alias_type or "").strip().lower()
    if kind == "primary name":
        return NameKind.PRIMARY
    if kind == "fka":
        return NameKind.FORMER
    if kind not in ("aka", "primary name variation"):
        return None
    return NameKind.WEAK_ALIAS if "low" in (quality or "").lower() else NameKind.ALIAS


def _merge_row(merged: Merged, row: Row, report: ParseReport, group_id: str) -> None:
    kind = _name_kind(row["Alias Type"], row["Alias Quality"])
    if kind is None:
        report.warnings.append(f"{group_id}: unknown Alias Type {row['Alias Type']!r}, read as alias")
        kind = NameKind.ALIAS
    value = join_name((row[k] for k in GIVEN_NAMES), row["Name 6"])
    if value is not None:
        merged.add_name(Name(value, kind, detect_script(value)))
    merged.add_name(script_name(row["Name Non-Latin Script"], row["Non-Latin Script Language"]))
    merged.add("group_type", row["Group Type"])
    merged.add("titles", *split_numbered(row["Title"]))
    add_person_facts(
        merged,
        dob=row["DOB"],
        birth=(row["Town of Birth"], row["Country of Birth"]),
        nationality=row["Nationality"],
        passport=(row["Passport Number"], row["Passport Details"]),
        national_id=(row["National Identification Number"], row["National Identification Details"]),
    )
    lines = [row[k] for k in (*ADDRESS_LINES, "Post/Zip Code")]
    country = row["Country"]
    parts = [p for p in (*lines, country) if p]
    if parts:
        merged.add("addresses", Address(", ".join(parts), country))
        merged.add("countries", country)
    merged.add("position", row["Position"])
    merged.add("remarks", row["Other Information"])
    merged.add("programs", row["Regime"])
    merged.add("listed_on", parse_date(row["Listed On"]))
    merged.add("uk_designated", iso_date(row["UK Sanctions List Date Designated"]))
    merged.add("last_updated", iso_date(row["Last Updated"]))


def _build(source: str, group_id: str, merged: Merged, source_file: str) -> Entity:
    names = merged.ordered_names()
    if not names:
        raise Rejected("no name in any row")
    types = merged.get("group_type")
    if len(types) != 1 or types[0].lower() not in GROUP_TYPES:
        raise Rejected(f"unknown or conflicting Group Type {types!r}")
    for remark in merged.get("remarks"):
        _apply_tags(merged, remark)
    extra: dict[str, str] = {}
    for key in (
        "position",
        "dob_unparsed",
        "passport_details",
        "national_id_details",
        "flag",
        *_TAG_EXTRA.values(),
    ):
        if value := merged.joined(key, "; "):
            extra[key] = value
    if designated := merged.get("uk_designated"):
        extra["uk_designated"] = min(designated)
    if updated := merged.get("last_updated"):
        extra["last_updated"] = max(updated)
    return merged.to_entity(
        f"{source}:{group_id}", source, GROUP_TYPES[types[0].lower()], names, source_file, extra
    )


def _rows(path: Path, report: ParseReport) -> Iterator[tuple[int, Sequence[Any]]]:
    if is_zip(path) or path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from enumerate(iter_xlsx_rows(path), start=1)
    else:
        yield from read_text_rows(path, report)


def _parse_file(source: str, path: Path, report: ParseReport) -> Iterator[Entity]:
    rows = _rows(path, report)
    first = next(rows, None)
    if first is None or cell_text(first[1][0] if first[1] else None) != "Last Updated":
        raise FormatError("not an OFSI ConList: cell A1 is not 'Last Updated'", str(path))
    published = parse_date(cell_text(first[1][1]) if len(first[1]) > 1 else None)
    report.published = str(published) if published is not None else None
    header = next(rows, None)
    keys = header_keys(header[1]) if header is not None else []
    missing = [h for h in HEADERS if h not in keys]
    if missing:
        raise FormatError(f"ConList header is missing columns: {', '.join(missing)}", str(path))

    # Grouped in memory: the file is small and a target's rows may be anywhere in it.
    groups: dict[str, Merged] = {}
    short_row: int | None = None
    for number, cells in rows:
        texts = [cell_text(c) for c in cells]
        if not any(texts):
            continue
        short_row = number if len(texts) < len(keys) else None
        if short_row is not None:
            report.warnings.append(f"{path.name}: row {number} has {len(texts)} of {len(keys)} cells")
            texts += [None] * (len(keys) - len(texts))
        row: Row = dict(zip(keys, texts, strict=False))
        group_id = row["Group ID"]
        if group_id is None:
            report.records += 1
            report.reject(f"row {number}", "no Group ID")
            continue
        merged = groups.get(group_id)
        if merged is None:
            merged = groups[group_id] = Merged()
        _merge_row(merged, row, report, group_id)
    if short_row is not None:
        raise ParseError(f"file ends inside row {short_row}: truncated", str(path))

    yield from emit_groups(groups, lambda key, merged: _build(source, key, merged, path.name), report)


def parse(source: str, paths: Sequence[Path], report: ParseReport) -> Iterator[Entity]:
    """Stream the targets of an OFSI ConList (xlsx or csv); see the module docstring."""
    return parse_each(paths, FORMAT, report, lambda path, rep: _parse_file(source, path, rep))
