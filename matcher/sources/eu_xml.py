"""Parser for the EU Financial Sanctions Files, XML 1.1 (format ``eu_xml``, source ``eu``).

The publisher's format (``xmlFullSanctionsList_1_1`` on the FSF site)::

    <export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-08-05T16:47:04.449+02:00">
      <sanctionEntity euReferenceNumber="EU.27.28" logicalId="13" unitedNationId="QDi.001"
                      designationDate="2001-01-25" designationDetails="">
        <remark/>*
        <regulation programme="TERR" publicationDate=".." entryIntoForceDate=".." numberTitle=".."/>*
        <subjectType code="person|enterprise" classificationCode="P|E"/>
        <nameAlias wholeName firstName middleName lastName title function gender="M|F"
                   nameLanguage="EN" strong="true|false" logicalId><remark/>*</nameAlias>*
        <citizenship countryIso2Code countryDescription/>*
        <birthdate birthdate="1965-04-14" year dayOfMonth monthOfYear circa yearRangeFrom yearRangeTo
                   calendarType="GREGORIAN|ISLAMIC" city place region zipCode countryDescription/>*
        <identification identificationTypeCode="passport|id|regnumber|.." number latinNumber
                        countryDescription knownFalse knownExpired diplomatic ..><remark/>*</identification>*
        <address street city poBox zipCode region place countryDescription>
          <contactInfo key="PHONE|FAX|EMAIL|WEB" value/>* <remark/>*</address>*
      </sanctionEntity>*
    </export>

Every element is in the ``http://eu.europa.ec/fpi/fsd/export`` namespace; a document whose root is
``export`` in another namespace is a :class:`~matcher.errors.FormatError`. The Commission's format
notes sit behind the FSF login; the attribute names here come from the real 5-entry excerpt in
``../shared`` and the code lists (identification types, contactInfo keys, the two subject types) from
the publicly documented configuration of an established FSF importer (OpenSanctions' ``eu_fsf``).

Mapping and why:

- Id ``<source>:<euReferenceNumber>`` (``eu:EU.27.28``): the reference number is what the EU
  publishes and what analysts quote. When an entry has none, the id falls back to its
  ``logicalId`` (``eu:13``); the two cannot collide because reference numbers start with ``EU.``.
- ``subjectType`` ``person`` -> person, ``enterprise`` -> organization. The FSF has no vessel or
  aircraft subject type; ships appear, if at all, as enterprises. An ``imo`` identification does not
  make an entry a vessel, because shipping companies carry IMO company numbers too. Any other code is
  rejected with the code as the reason.
- Names: the EU marks no name as primary. The primary is the first strong name that carries a
  ``function`` or ``title`` (the EU attaches those to the name the legal act lists), else the strong
  name with the lowest ``logicalId`` (the name recorded first), else the first name. Other names are
  aliases; ``strong="false"`` and names whose remark says "low quality" are weak aliases. Names in a
  non-Latin script are ``original_script`` unless their language is Bulgarian or Greek, the EU's own
  non-Latin languages, into which the EU transliterates names. ``nameLanguage`` becomes the name's
  lowercase language code. ``wholeName`` is used as published; when it is empty the name is built
  from firstName, middleName and lastName.
- Titles: each name's ``title`` and, for persons, its ``function`` (position). For enterprises
  ``function`` is a description and goes to the remarks.
- Birth dates: the ``birthdate`` attribute (the EU gives it in Gregorian even for ``ISLAMIC``
  entries), else ``yearRangeFrom``/``yearRangeTo`` as a range, else year/month/day parts for Gregorian
  entries. ``circa`` is not recorded: widening is for the scorer. Birth places join place, city,
  region and country.
- ``citizenship`` -> nationalities; countries are nationalities plus address countries. Countries are
  the publisher's ``countryDescription``; ``UNKNOWN`` (code ``00``) is dropped.
- ``identificationTypeCode``: passport -> passport; id, NRN, ssn -> national_id; regnumber ->
  registration; fiscalcode -> tax_id; swiftbic -> bic; imo -> imo; other codes (birthcert,
  drivinglicence, residentperm, tradelic, ...) -> other. The description, flags (known false, known
  expired, diplomatic, ...) and remarks go into the identifier's note. ``contactInfo`` PHONE/FAX,
  EMAIL and WEB become phone, email and website identifiers, split on ``;`` and ``,``.
- ``unitedNationId`` becomes a ``list_ref`` identifier, like the UN parser's own reference, so a
  UN-derived EU entry can be tied to its UN entry. (The EU often leaves it empty even for UN listings.)
- Programs: the ``programme`` of each regulation (``TERR``, ``IRN``, ...), in order, without repeats.
- Remarks: the entry's remarks, then name remarks that are not quality markers, then address
  remarks, one per line. ``designationDate`` is the listing date.

``report.published`` is the date part of ``generationDate`` on the root element.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

from lxml import etree

from matcher.errors import FormatError
from matcher.model import (
    Address,
    BirthDate,
    DateRange,
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
    UniqueIds,
    children,
    clean,
    iter_xml,
    parse_date,
    require_files,
)

FORMAT = "eu_xml"
ROOT = "export"
NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"

_SUBJECT_TYPES = {"person": EntityType.PERSON, "enterprise": EntityType.ORGANIZATION}
_ID_KINDS = {
    "passport": IdentifierKind.PASSPORT,
    "id": IdentifierKind.NATIONAL_ID,
    "nrn": IdentifierKind.NATIONAL_ID,
    "ssn": IdentifierKind.NATIONAL_ID,
    "regnumber": IdentifierKind.REGISTRATION,
    "fiscalcode": IdentifierKind.TAX_ID,
    "swiftbic": IdentifierKind.BIC,
    "imo": IdentifierKind.IMO,
}
_CONTACT_KINDS = {
    "PHONE": IdentifierKind.PHONE,
    "FAX": IdentifierKind.PHONE,
    "EMAIL": IdentifierKind.EMAIL,
    "WEB": IdentifierKind.WEBSITE,
}
_ID_FLAGS = (
    ("knownFalse", "known false"),
    ("knownExpired", "known expired"),
    ("diplomatic", "diplomatic"),
    ("reportedLost", "reported lost"),
    ("revokedByIssuer", "revoked by issuer"),
)
# The EU's own languages written in a non-Latin script: names in them are transliterations.
_TRANSLITERATED_LANGS = frozenset({"bg", "el"})
_LOW_QUALITY = re.compile(r"\blow?\s+quality\b", re.IGNORECASE)
_QUALITY_MARKER = re.compile(r"^\W*(?:good|high|low?|god)\s+quality\s+ali+as\W*$", re.IGNORECASE)
_CONTACT_SPLIT = re.compile(r"\s*[;,]\s*")
_T = TypeVar("_T")


def parse(source: str, paths: Sequence[Path], report: ParseReport) -> Iterator[Entity]:
    """Stream the entities of one EU FSF XML 1.1 export."""
    require_files(paths, FORMAT)
    ids = UniqueIds(
        report, missing="no euReferenceNumber and no logicalId", duplicate="duplicate euReferenceNumber"
    )
    for path in paths:
        checked = False
        for elem in iter_xml(path, ("sanctionEntity",), ROOT):
            if not checked:
                root = elem.getroottree().getroot()
                if etree.QName(root).namespace != NAMESPACE:
                    raise FormatError(f"<export> is not in the FSF namespace {NAMESPACE}", str(path))
                date = parse_date(root.get("generationDate"))
                if date is None:
                    report.warnings.append(f"{path.name}: no readable generationDate on <{ROOT}>")
                report.published = report.published or (str(date) if date is not None else None)
                checked = True
            report.records += 1
            native = clean(elem.get("euReferenceNumber")) or clean(elem.get("logicalId"))
            label = native or f"sanctionEntity #{report.records} in {path.name}"
            entity = ids.admit(native, label, partial(_map_entity, source, path.name, elem=elem))
            if entity is not None:
                yield entity


def _map_entity(source: str, file_name: str, native: str, elem: etree._Element) -> Entity:
    subject = children(elem, "subjectType")
    code = (subject[0].get("code") or "") if subject else ""
    entity_type = _SUBJECT_TYPES.get(code.strip().lower())
    if entity_type is None:
        raise Rejected(f"unknown subjectType code {code!r}")
    is_person = entity_type is EntityType.PERSON

    remarks = [t for t in (clean(r.text) for r in children(elem, "remark")) if t]
    names, titles, gender, name_remarks = _names(elem, is_person)
    if not names:
        raise Rejected("no name")
    remarks += name_remarks

    birth_dates: list[BirthDate] = []
    birth_places: list[str] = []
    for birth in children(elem, "birthdate"):
        date = _birth_date(birth)
        if date is not None:
            birth_dates.append(date)
        place = _join((_attr(birth, "place"), _attr(birth, "city"), _attr(birth, "region"), _country(birth)))
        if place:
            birth_places.append(place)

    nationalities = [c for c in (_country(n) for n in children(elem, "citizenship")) if c]
    identifiers: list[Identifier] = []
    un_ref = _attr(elem, "unitedNationId")
    if un_ref:
        identifiers.append(Identifier(IdentifierKind.LIST_REF, un_ref, note="UN Security Council reference"))
    for node in children(elem, "identification"):
        identifier = _identification(node)
        if identifier is not None:
            identifiers.append(identifier)

    addresses: list[Address] = []
    for node in children(elem, "address"):
        country = _country(node)
        parts = ("street", "poBox", "place", "city", "zipCode", "region")
        full = _join([_attr(node, p) for p in parts] + [country])
        if full:
            addresses.append(Address(full, country))
        for contact in children(node, "contactInfo"):
            kind = _CONTACT_KINDS.get((contact.get("key") or "").upper())
            for value in _CONTACT_SPLIT.split(clean(contact.get("value")) or ""):
                if kind is not None and value:
                    identifiers.append(Identifier(kind, value))
        remarks += [t for t in (clean(r.text) for r in children(node, "remark")) if t]

    programs = [p for p in (_attr(r, "programme") for r in children(elem, "regulation")) if p]
    extra = {"logical_id": _attr(elem, "logicalId"), "designation_details": _attr(elem, "designationDetails")}
    return Entity(
        id=f"{source}:{native}",
        source=source,
        type=entity_type,
        names=tuple(names),
        birth_dates=tuple(_unique(birth_dates)),
        birth_places=tuple(_unique(birth_places)),
        nationalities=tuple(_unique(nationalities)),
        countries=tuple(_unique(nationalities + [a.country for a in addresses if a.country])),
        addresses=tuple(_unique(addresses)),
        identifiers=tuple(_unique(identifiers)),
        programs=tuple(_unique(programs)),
        listed_on=parse_date(_attr(elem, "designationDate")),
        gender=gender,
        titles=tuple(_unique(titles)),
        remarks="\n".join(_unique(remarks)) or None,
        source_file=file_name,
        extra={k: v for k, v in extra.items() if v},
    )


def _names(elem: etree._Element, is_person: bool) -> tuple[list[Name], list[str], str | None, list[str]]:
    """Names (primary first), titles, gender and the non-quality name remarks of one entry."""
    candidates: list[tuple[Name, bool, bool, int]] = []  # name, strong, has function/title, logicalId
    titles: list[str] = []
    remarks: list[str] = []
    gender: str | None = None
    for node in children(elem, "nameAlias"):
        value = _attr(node, "wholeName") or _join(
            (_attr(node, "firstName"), _attr(node, "middleName"), _attr(node, "lastName")), " "
        )
        title, function = _attr(node, "title"), _attr(node, "function")
        titles += [t for t in (title, function if is_person else None) if t]
        if function and not is_person:
            remarks.append(function)
        if gender is None:
            gender = {"M": "male", "F": "female"}.get((node.get("gender") or "").strip().upper())
        weak = (node.get("strong") or "true").strip().lower() == "false"
        for remark in (clean(r.text) for r in children(node, "remark")):
            if remark and _LOW_QUALITY.search(remark):
                weak = True
            if remark and not _QUALITY_MARKER.match(remark):
                remarks.append(remark)
        if value is None:
            continue
        lang = (_attr(node, "nameLanguage") or "").lower() or None
        script = detect_script(value)
        if weak:
            kind = NameKind.WEAK_ALIAS
        elif script not in (None, "Latn") and lang not in _TRANSLITERATED_LANGS:
            kind = NameKind.ORIGINAL_SCRIPT
        else:
            kind = NameKind.ALIAS
        logical = _attr(node, "logicalId") or ""
        order = int(logical) if logical.isdigit() else 2**63
        candidates.append((Name(value, kind, script, lang), not weak, bool(title or function), order))
    if not candidates:
        return [], titles, gender, remarks
    strong = [c for c in candidates if c[1]]
    described = [c for c in strong if c[2]]
    if described:
        chosen = described[0]
    elif strong:
        chosen = min(strong, key=lambda c: c[3])
    else:
        chosen = candidates[0]
    first = chosen[0]
    primary = Name(first.value, NameKind.PRIMARY, first.script, first.lang)
    others = [c[0] for c in candidates if c is not chosen]
    return _unique_names([primary, *others]), titles, gender, remarks


def _birth_date(node: etree._Element) -> BirthDate | None:
    full = parse_date(_attr(node, "birthdate"))
    if full is not None:
        return full
    start, end = parse_date(_attr(node, "yearRangeFrom")), parse_date(_attr(node, "yearRangeTo"))
    if start is not None and end is not None and start <= end:
        return DateRange(start, end)
    if start is not None or end is not None:
        return start or end
    if (_attr(node, "calendarType") or "GREGORIAN").upper() != "GREGORIAN":
        return None  # a Hijri year alone cannot be placed on the Gregorian calendar
    year = _attr(node, "year")
    if year is None or not year.isdigit():
        return None
    month, day = _attr(node, "monthOfYear"), _attr(node, "dayOfMonth")
    try:
        return PartialDate(
            int(year),
            int(month) if month and month.isdigit() else None,
            int(day) if day and day.isdigit() and month else None,
        )
    except ValueError:
        return None


def _identification(node: etree._Element) -> Identifier | None:
    number = _attr(node, "number") or _attr(node, "latinNumber")
    if number is None:
        return None
    code = (_attr(node, "identificationTypeCode") or "").lower()
    kind = _ID_KINDS.get(code, IdentifierKind.OTHER)
    flags = [label for attr, label in _ID_FLAGS if (node.get(attr) or "").lower() == "true"]
    latin = _attr(node, "latinNumber")
    notes = [
        _attr(node, "identificationTypeDescription"),
        *flags,
        f"latin: {latin}" if latin and latin != number else None,
        *(clean(r.text) for r in children(node, "remark")),
    ]
    return Identifier(kind, number, _country(node), _join(notes, "; "))


def _country(node: etree._Element) -> str | None:
    if (node.get("countryIso2Code") or "").strip() == "00":
        return None
    description = _attr(node, "countryDescription")
    return None if description == "UNKNOWN" else description


def _attr(node: etree._Element, name: str) -> str | None:
    value = clean(node.get(name))
    return None if value == "-" else value


def _join(parts: Iterable[str | None], sep: str = ", ") -> str | None:
    """Join the non-empty parts, trimming the separators some parts already end with."""
    kept = [p.strip(" ,;") for p in (clean(x) for x in parts) if p and p.strip(" ,;")]
    return sep.join(kept) if kept else None


def _unique_names(names: Iterable[Name]) -> list[Name]:
    """Keep the first name of each spelling (the same name is often listed once per language)."""
    seen: set[str] = set()
    out: list[Name] = []
    for name in names:
        if name.value not in seen:
            seen.add(name.value)
            out.append(name)
    return out


def _unique(items: Iterable[_T]) -> list[_T]:
    """Drop repeats, keeping the first occurrence and the publisher's order."""
    seen: set[_T] = set()
    out: list[_T] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out
