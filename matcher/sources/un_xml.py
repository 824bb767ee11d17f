"""Parser for the UN Security Council Consolidated List XML (format ``un_xml``, source ``un``).

The publisher's format (``https://scsanctions.un.org/resources/xml/en/consolidated.xml``, schema
``sc-sanctions.xsd``)::

    <CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
      <INDIVIDUALS><INDIVIDUAL>
        <DATAID/> <REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER> <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
        <FIRST_NAME/> <SECOND_NAME/> <THIRD_NAME/> <FOURTH_NAME/> <NAME_ORIGINAL_SCRIPT/>
        <LISTED_ON/> <GENDER/> <COMMENTS1/> <TITLE><VALUE/></TITLE> <DESIGNATION><VALUE/></DESIGNATION>
        <NATIONALITY><VALUE/></NATIONALITY>
        <INDIVIDUAL_ALIAS><QUALITY>Good|Low</QUALITY><ALIAS_NAME/><DATE_OF_BIRTH/>...</INDIVIDUAL_ALIAS>
        <INDIVIDUAL_ADDRESS><STREET/><CITY/><STATE_PROVINCE/><ZIP_CODE/><COUNTRY/><NOTE/></INDIVIDUAL_ADDRESS>
        <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT|APPROXIMATELY|BETWEEN</TYPE_OF_DATE>
          <DATE/> or <YEAR/> or <FROM_YEAR/><TO_YEAR/>, sometimes only a <NOTE/>
        </INDIVIDUAL_DATE_OF_BIRTH>
        <INDIVIDUAL_PLACE_OF_BIRTH/> <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT/><TYPE_OF_DOCUMENT2/><NUMBER/>
          <ISSUING_COUNTRY/><COUNTRY_OF_ISSUE/><DATE_OF_ISSUE/><NOTE/></INDIVIDUAL_DOCUMENT>
      </INDIVIDUAL></INDIVIDUALS>
      <ENTITIES><ENTITY> same header fields, name in FIRST_NAME, ENTITY_ALIAS (a.k.a./f.k.a.),
        ENTITY_ADDRESS </ENTITY></ENTITIES>
    </CONSOLIDATED_LIST>

Mapping and why:

- Id ``<source>:<REFERENCE_NUMBER>`` (``un:QDi.001``): the reference number is the UN's public,
  stable identifier, quoted by every other list (OFSI's ``(UN Ref)``, EU ``unitedNationId``); DATAID
  is internal and kept in ``extra["dataid"]``. The reference is also added as a ``list_ref``
  identifier so that entries on other lists carrying the same UN reference can be tied to it.
- Person name: FIRST_NAME..FOURTH_NAME joined in the published order (the UN does not say which part
  is the surname, so nothing is reordered). NAME_ORIGINAL_SCRIPT becomes an ``original_script`` name
  with its script detected from the text.
- Alias QUALITY: ``Good``/``a.k.a.`` -> alias, ``Low`` -> weak_alias, ``f.k.a.`` -> former. Alias
  elements whose ALIAS_NAME is empty are the UN's placeholder ``<QUALITY/><ALIAS_NAME/>`` and are
  skipped; they are not names. Dates and places of birth attached to an alias (the identity used on a
  false passport) are added to the entity's birth dates and places, since screening must find them.
- Birth dates: EXACT/APPROXIMATELY with DATE or YEAR -> a (partial) date; BETWEEN -> a range
  FROM_YEAR/TO_YEAR. ``APPROXIMATELY 1966`` stays the year 1966: widening is a matching decision,
  not a parsing one. A birth date given only as a NOTE ("Nov. 1973") is parsed when it can be,
  otherwise kept verbatim in ``extra["birth_date_notes"]``.
- Documents: the kind comes from TYPE_OF_DOCUMENT2 when it names one (it is the more specific
  label, e.g. "national passport" under "National Identification Number"), else TYPE_OF_DOCUMENT;
  the publisher writes them in English, French and Spanish. NUMBER is kept as published. A document
  with no NUMBER cannot be an identifier; its text is kept in ``extra["unnumbered_documents"]``.
- UN_LIST_TYPE (the sanctions regime, e.g. ``Al-Qaida``, ``DPRK``) is the program; it matches the
  regime letters of the reference number (QD, KP, ...).
- TITLE and DESIGNATION values become titles; COMMENTS1 is the remark. UN references quoted in
  COMMENTS1 (associated entities, e.g. ``CDe.001``) become ``linked_to`` relations.
- LISTED_ON is an ``xs:date`` and sometimes carries a timezone offset (``2006-12-23-05:00``); only
  the date is kept.

``report.published`` is the date part of ``dateGenerated`` on the root element.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

from lxml import etree

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
    Relation,
    detect_script,
)
from matcher.sources.base import (
    ParseReport,
    Rejected,
    UniqueIds,
    child_text,
    children,
    clean,
    iter_xml,
    parse_birth_date_text,
    parse_date,
    require_files,
)

FORMAT = "un_xml"
ROOT = "CONSOLIDATED_LIST"

_ALIAS_KIND = {
    "good": NameKind.ALIAS,
    "a.k.a.": NameKind.ALIAS,
    "low": NameKind.WEAK_ALIAS,
    "f.k.a.": NameKind.FORMER,
}
# Regime letters + i/e + three digits, as in QDi.001 or CDe.005.
_UN_REF = re.compile(r"\b[A-Z]{2}[ie]\.\d{3}\b")
_XSD_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
_GENDERS = {"male": "male", "female": "female"}
_T = TypeVar("_T")


def parse(source: str, paths: Sequence[Path], report: ParseReport) -> Iterator[Entity]:
    """Stream the entities of one UN consolidated list publication."""
    require_files(paths, FORMAT)
    ids = UniqueIds(report, missing="no REFERENCE_NUMBER", duplicate="duplicate REFERENCE_NUMBER")
    for path in paths:
        first = True
        for elem in iter_xml(path, ("INDIVIDUAL", "ENTITY"), ROOT):
            if first:
                first = False
                published = _published(elem)
                if published is None:
                    report.warnings.append(f"{path.name}: no readable dateGenerated on <{ROOT}>")
                report.published = report.published or published
            report.records += 1
            ref = child_text(elem, "REFERENCE_NUMBER")
            label = ref or f"DATAID {child_text(elem, 'DATAID') or '?'} in {path.name}"
            entity = ids.admit(ref, label, partial(_map_record, source, path.name, elem=elem))
            if entity is not None:
                yield entity


def _published(elem: etree._Element) -> str | None:
    generated = elem.getroottree().getroot().get("dateGenerated")
    date = _xsd_date(generated)
    return str(date) if date is not None else None


def _map_record(source: str, file_name: str, ref: str, elem: etree._Element) -> Entity:
    is_person = etree.QName(elem).localname == "INDIVIDUAL"
    prefix = "INDIVIDUAL" if is_person else "ENTITY"
    extra: dict[str, str] = {}
    dataid = child_text(elem, "DATAID")
    if dataid:
        extra["dataid"] = dataid

    parts = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME") if is_person else ("FIRST_NAME",)
    primary = _join((child_text(elem, p) for p in parts), " ")
    if primary is None:
        raise Rejected("no name")
    names = [Name(primary, NameKind.PRIMARY, detect_script(primary))]
    original = child_text(elem, "NAME_ORIGINAL_SCRIPT")
    if original:
        names.append(Name(original, NameKind.ORIGINAL_SCRIPT, detect_script(original)))

    alias_dates: list[BirthDate] = []
    alias_places: list[str] = []
    for alias in children(elem, f"{prefix}_ALIAS"):
        value = child_text(alias, "ALIAS_NAME")
        if value is None:
            continue  # the UN's empty placeholder alias
        quality = (child_text(alias, "QUALITY") or "").casefold()
        names.append(Name(value, _ALIAS_KIND.get(quality, NameKind.ALIAS), detect_script(value)))
        alias_dob = parse_date(child_text(alias, "DATE_OF_BIRTH"))
        if alias_dob is not None:
            alias_dates.append(alias_dob)
        alias_pob = _join((child_text(alias, "CITY_OF_BIRTH"), child_text(alias, "COUNTRY_OF_BIRTH")))
        if alias_pob:
            alias_places.append(alias_pob)

    birth_dates: list[BirthDate] = []
    notes: list[str] = []
    for dob in children(elem, "INDIVIDUAL_DATE_OF_BIRTH"):
        parsed, note = _birth_date(dob)
        if parsed is not None:
            birth_dates.append(parsed)
        elif note:
            notes.append(note)
    if notes:
        extra["birth_date_notes"] = "; ".join(notes)
    birth_places: list[str] = []
    for pob in children(elem, "INDIVIDUAL_PLACE_OF_BIRTH"):
        place = _join(child_text(pob, f) for f in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY"))
        if place:
            birth_places.append(place)

    addresses: list[Address] = []
    for addr in children(elem, f"{prefix}_ADDRESS"):
        full = _join(child_text(addr, f) for f in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"))
        if full:
            addresses.append(Address(full, child_text(addr, "COUNTRY")))

    identifiers = [Identifier(IdentifierKind.LIST_REF, ref, note="UN Security Council reference")]
    unnumbered: list[str] = []
    for doc in children(elem, "INDIVIDUAL_DOCUMENT"):
        identifier, text = _document(doc)
        if identifier is not None:
            identifiers.append(identifier)
        elif text:
            unnumbered.append(text)
    if unnumbered:
        extra["unnumbered_documents"] = " | ".join(unnumbered)

    nationalities = _values(elem, "NATIONALITY")
    countries = nationalities + [a.country for a in addresses if a.country]
    remarks = child_text(elem, "COMMENTS1")
    related = [
        Relation(f"{source}:{other}") for other in _unique(_UN_REF.findall(remarks or "")) if other != ref
    ]
    program = child_text(elem, "UN_LIST_TYPE")
    gender = child_text(elem, "GENDER")
    return Entity(
        id=f"{source}:{ref}",
        source=source,
        type=EntityType.PERSON if is_person else EntityType.ORGANIZATION,
        names=tuple(_unique(names)),
        birth_dates=tuple(_unique(birth_dates + alias_dates)),
        birth_places=tuple(_unique(birth_places + alias_places)),
        nationalities=tuple(_unique(nationalities)),
        countries=tuple(_unique(countries)),
        addresses=tuple(_unique(addresses)),
        identifiers=tuple(_unique(identifiers)),
        programs=(program,) if program else (),
        listed_on=_xsd_date(child_text(elem, "LISTED_ON")),
        gender=_GENDERS.get(gender.casefold(), gender) if gender else None,
        titles=tuple(_unique(_values(elem, "TITLE") + _values(elem, "DESIGNATION"))),
        remarks=remarks,
        related=tuple(related),
        source_file=file_name,
        extra=extra,
    )


def _birth_date(dob: etree._Element) -> tuple[BirthDate | None, str | None]:
    """One INDIVIDUAL_DATE_OF_BIRTH as a date or range, or ``None`` and its unparsed note."""
    kind = (child_text(dob, "TYPE_OF_DATE") or "").upper()
    note = child_text(dob, "NOTE")
    if kind == "BETWEEN":
        start = parse_date(child_text(dob, "FROM_YEAR"))
        end = parse_date(child_text(dob, "TO_YEAR"))
        if start is not None and end is not None and start <= end:
            return DateRange(start, end), None
        if start is not None or end is not None:
            return start or end, None
    for field in ("DATE", "YEAR"):
        value = parse_date(child_text(dob, field))
        if value is not None:
            return value, None
    return parse_birth_date_text(note), note


def _document(doc: etree._Element) -> tuple[Identifier | None, str | None]:
    """An identifier from INDIVIDUAL_DOCUMENT, or ``None`` and the document's text when unnumbered."""
    type1 = child_text(doc, "TYPE_OF_DOCUMENT")
    type2 = child_text(doc, "TYPE_OF_DOCUMENT2")
    number = child_text(doc, "NUMBER")
    note = child_text(doc, "NOTE")
    if number is None:
        return None, _join((type1, type2, note), ": ")
    kind = _document_kind(type2) or _document_kind(type1) or IdentifierKind.OTHER
    issued = child_text(doc, "DATE_OF_ISSUE")
    city = child_text(doc, "CITY_OF_ISSUE")
    details = _join(
        (
            type2 or (type1 if kind is IdentifierKind.OTHER else None),
            f"issued {issued}" if issued else None,
            f"in {city}" if city else None,
            note,
        ),
        "; ",
    )
    country = child_text(doc, "ISSUING_COUNTRY") or child_text(doc, "COUNTRY_OF_ISSUE")
    return Identifier(kind, number, country, details), None


def _document_kind(label: str | None) -> IdentifierKind | None:
    """Classify the publisher's document label (English, French or Spanish)."""
    if not label:
        return None
    text = label.casefold()
    if any(word in text for word in ("passport", "passeport", "pasaporte")):
        return IdentifierKind.PASSPORT
    if "fiscal code" in text or "tax" in text:
        return IdentifierKind.TAX_ID
    if any(word in text for word in ("identif", "identity", "social security", "national number")):
        return IdentifierKind.NATIONAL_ID
    return None


def _values(elem: etree._Element, name: str) -> list[str]:
    """The cleaned ``VALUE`` texts under every child ``name`` (TITLE, DESIGNATION, NATIONALITY)."""
    out: list[str] = []
    for holder in children(elem, name):
        for value in children(holder, "VALUE"):
            text = clean(value.text)
            if text:
                out.append(text)
    return out


def _xsd_date(text: str | None) -> PartialDate | None:
    """The date part of an ``xs:date``/``xs:dateTime`` (``2006-12-23-05:00``, ``...T00:00:09Z``)."""
    if not text:
        return None
    m = _XSD_DATE.match(text)
    return parse_date(m[1]) if m else parse_date(text)


def _join(parts: Iterable[str | None], sep: str = ", ") -> str | None:
    kept = [p for p in (clean(x) for x in parts) if p]
    return sep.join(kept) if kept else None


def _unique(items: Iterable[_T]) -> list[_T]:
    """Drop repeats, keeping the first occurrence and the publisher's order."""
    seen: set[_T] = set()
    out: list[_T] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out
