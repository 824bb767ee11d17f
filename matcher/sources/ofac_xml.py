"""Parse OFAC's sdnList XML (``SDN.XML`` and ``CONSOLIDATED.XML``), serving ``ofac_sdn`` and ``ofac_cons``.

What the publisher's format looks like (OFAC's ``sdn.xsd``; both lists use it)::

    <sdnList xmlns="...">                      namespace differs by vintage (tempuri.org, treasury.gov,
      <publshInformation>                      sanctionslistservice.ofac.treas.gov): matched by local
        <Publish_Date>01/08/2026</Publish_Date>    name only. "publsh" is OFAC's spelling.
        <Record_Count>442</Record_Count>
      </publshInformation>
      <sdnEntry>
        <uid>9639</uid> <firstName>Ismail Abdul Salah</firstName> <lastName>HANIYA</lastName>
        <title/> <sdnType>Individual|Entity|Vessel|Aircraft</sdnType> <remarks/>
        <programList><program>NS-PLC</program></programList>
        <idList><id><idType/><idNumber/><idCountry/><issueDate/><expirationDate/></id></idList>
        <akaList><aka><type>a.k.a.|f.k.a.|n.k.a.</type><category>strong|weak</category>
                      <lastName/><firstName/></aka></akaList>
        <addressList><address><address1/>..<address3/><city/><stateOrProvince/><postalCode/>
                      <country/></address></addressList>
        <nationalityList><nationality><country/></nationality></nationalityList>
        <citizenshipList><citizenship><country/></citizenship></citizenshipList>
        <dateOfBirthList><dateOfBirthItem><dateOfBirth>12 Feb 1961</dateOfBirth></dateOfBirthItem>
        <placeOfBirthList><placeOfBirthItem><placeOfBirth/></placeOfBirthItem></placeOfBirthList>
        <vesselInfo><callSign/><vesselType/><vesselFlag/><vesselOwner/><tonnage/>
                    <grossRegisteredTonnage/></vesselInfo>
      </sdnEntry>

Mapping, and why it matches :mod:`matcher.sources.ofac_csv` field for field (the two formats of one
publication must give the same entities, so either can be used):

- Names are built the way OFAC's CSV prints them: ``lastName, firstName`` when there is a first name
  (``HANIYA, Ismail Abdul Salah``), else ``lastName`` alone — for the primary name and every aka. Both
  parts are kept exactly as published.
- ``aka``: ``category`` ``weak`` -> weak_alias (whatever the type, as in the CSV where weak AKAs are
  the quoted ones in Remarks); otherwise ``f.k.a.`` -> former, ``a.k.a.``/``n.k.a.`` -> alias.
- ``idList`` goes through the same tables as the CSV remarks (:meth:`RemarkFacts.add_id`): idType
  -> IdentifierKind (``Vessel Registration Identification`` with ``IMO 1234567`` -> imo, ``MMSI``,
  ``SWIFT/BIC``, ``Digital Currency Address - XBT`` -> crypto ...), the id country to countries;
  sanctions notes published as ids (``Secondary sanctions risk:``, directives, ``Organization
  Type:``) to ``extra``; ``Gender`` to gender. An idType the tables do not know is still an
  identifier, typed ``other``, with the idType as its note.
- Addresses are one line composed like the CSV's: address1-3, then ``city, state postal``, then
  country, joined by ``, ``. Nationality and citizenship -> nationalities and countries; dates of
  birth parse ``01 Jan 1960``, ``Jan 1960``, ``1960``, ``circa 1960`` and ``1960 to 1962``.
- vesselInfo: callSign -> a call_sign identifier; vesselFlag -> countries; all six fields -> the same
  ``extra`` keys as the CSV columns. ``remarks`` is kept whole and also parsed (it can carry
  ``(Linked To: NAME)``).
- Entity ids are ``<source>:<uid>``; the uid is the CSV's ent_num.

Checks: ``Publish_Date`` (mm/dd/yyyy) becomes ``report.published`` (ISO). ``Record_Count`` must equal
the number of ``sdnEntry`` elements read, else :class:`ParseError`: this is how a truncated file that
still closes its tags is caught. The XML is streamed with :func:`matcher.sources.base.iter_xml`, which
refuses DTDs and entities.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from lxml import etree

from matcher.errors import FormatError, ParseError
from matcher.model import Address, Entity, EntityType, Identifier, IdentifierKind, Name, NameKind
from matcher.sources.base import (
    ParseReport,
    child_text,
    children,
    clean,
    iter_xml,
    parse_birth_date_text,
    require_files,
)
from matcher.sources.ofac_remarks import RemarkFacts

FORMAT = "ofac_xml"

_TYPES = {
    "individual": EntityType.PERSON,
    "entity": EntityType.ORGANIZATION,
    "vessel": EntityType.VESSEL,
    "aircraft": EntityType.AIRCRAFT,
}
_AKA_KINDS = {"a.k.a.": NameKind.ALIAS, "n.k.a.": NameKind.ALIAS, "f.k.a.": NameKind.FORMER}
_VESSEL = (
    ("vesselType", "vessel_type"),
    ("tonnage", "tonnage"),
    ("grossRegisteredTonnage", "gross_registered_tonnage"),
    ("vesselFlag", "vessel_flag"),
    ("vesselOwner", "vessel_owner"),
)
_PUBLISH_INFO = ("publshInformation", "publishInformation")


def parse(source: str, paths: Sequence[Path], report: ParseReport) -> Iterator[Entity]:
    """Stream the entities of one sdnList XML file, then check ``Record_Count``."""
    require_files(paths, FORMAT)
    if len(paths) != 1:
        raise FormatError(f"{FORMAT} reads one XML file, got {len(paths)}: {', '.join(map(str, paths))}")
    path = paths[0]
    _check_is_xml(path)
    expected: int | None = None
    entries = 0
    seen: set[str] = set()
    for elem in iter_xml(path, ("sdnEntry", *_PUBLISH_INFO), root="sdnList"):
        if etree.QName(elem).localname != "sdnEntry":
            expected = _publish_info(elem, path, report)
            continue
        entries += 1
        report.records += 1
        entity = _entity(source, elem, path.name, seen, report)
        if entity is not None:
            yield entity
    if expected is None:
        report.warnings.append(
            f"{path.name}: no publshInformation/Record_Count to check the entry count against"
        )
    elif expected != entries:
        raise ParseError(
            f"Record_Count says {expected} entries but the file has {entries}; it is truncated or corrupt",
            str(path),
        )


def _check_is_xml(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        raise FormatError("not XML (an sdnList XML file starts with '<')", str(path))


def _publish_info(elem: etree._Element, path: Path, report: ParseReport) -> int | None:
    published = child_text(elem, "Publish_Date")
    if published is not None:
        try:
            report.published = datetime.strptime(published, "%m/%d/%Y").date().isoformat()
        except ValueError:
            report.warnings.append(f"{path.name}: Publish_Date {published!r} is not mm/dd/yyyy")
    count = child_text(elem, "Record_Count")
    if count is None:
        return None
    if not count.isdigit():
        raise ParseError(f"Record_Count {count!r} is not a number", str(path))
    return int(count)


def _entity(
    source: str, elem: etree._Element, file_name: str, seen: set[str], report: ParseReport
) -> Entity | None:
    uid = child_text(elem, "uid")
    if uid is None:
        report.reject(f"{file_name}:entry {report.records}", "sdnEntry without uid")
        return None
    record = f"{file_name}:{uid}"
    if uid in seen:
        report.reject(record, "duplicate uid")
        return None
    seen.add(uid)
    name = _name(elem)
    if name is None:
        report.reject(record, "sdnEntry without lastName or firstName")
        return None
    sdn_type = child_text(elem, "sdnType")
    entity_type = _TYPES.get((sdn_type or "").lower())
    if entity_type is None:
        report.reject(record, f"unknown sdnType {sdn_type!r}")
        return None

    facts = RemarkFacts()
    for item in _items(elem, "idList", "id"):
        facts.add_id(
            child_text(item, "idType"),
            child_text(item, "idNumber"),
            child_text(item, "idCountry"),
            child_text(item, "issueDate"),
            child_text(item, "expirationDate"),
        )
    remarks = child_text(elem, "remarks")
    facts.add_remarks(remarks)

    names = [Name(name)]
    for aka in _items(elem, "akaList", "aka"):
        value = _name(aka)
        if value is None:
            report.warnings.append(f"{record}: aka {child_text(aka, 'uid')} has no name")
            continue
        names.append(Name(value, _aka_kind(aka)))

    nationalities: list[str] = []
    for list_name, item_name in (("nationalityList", "nationality"), ("citizenshipList", "citizenship")):
        for item in _items(elem, list_name, item_name):
            country = child_text(item, "country")
            if country and country not in nationalities:
                nationalities.append(country)
    for country in facts.nationalities:
        if country not in nationalities:
            nationalities.append(country)

    birth_dates = []
    for item in _items(elem, "dateOfBirthList", "dateOfBirthItem"):
        text = child_text(item, "dateOfBirth")
        date = parse_birth_date_text(text)
        if date is not None:
            birth_dates.append(date)
        elif text is not None:
            report.warnings.append(f"{record}: date of birth {text!r} not understood, left out")
    birth_places = [
        place
        for item in _items(elem, "placeOfBirthList", "placeOfBirthItem")
        if (place := child_text(item, "placeOfBirth"))
    ]
    addresses = [a for item in _items(elem, "addressList", "address") if (a := _address(item))]

    identifiers: list[Identifier] = []
    extra: dict[str, str] = {}
    vessel_flag = None
    for info in children(elem, "vesselInfo"):
        call_sign = child_text(info, "callSign")
        if call_sign:
            identifiers.append(Identifier(IdentifierKind.CALL_SIGN, call_sign))
        for tag, key in _VESSEL:
            value = child_text(info, tag)
            if value:
                extra[key] = value
        vessel_flag = child_text(info, "vesselFlag")

    countries: list[str] = []
    for country in [*nationalities, *facts.countries, *(a.country for a in addresses), vessel_flag]:
        if country and country not in countries:
            countries.append(country)
    title = child_text(elem, "title")

    return Entity(
        id=f"{source}:{uid}",
        source=source,
        type=entity_type,
        names=(*names, *facts.names),
        birth_dates=(*birth_dates, *facts.birth_dates),
        birth_places=(*birth_places, *facts.birth_places),
        nationalities=tuple(nationalities),
        countries=tuple(countries),
        addresses=tuple(addresses),
        identifiers=(*identifiers, *facts.identifiers),
        programs=tuple(p for item in _items(elem, "programList", "program") if (p := clean(item.text))),
        gender=facts.gender,
        titles=(title,) if title else (),
        remarks=remarks,
        related=tuple(facts.related),
        source_file=file_name,
        extra=facts.extra | extra,
    )


def _name(elem: etree._Element) -> str | None:
    """``LAST, First`` as OFAC's CSV prints it, or whichever part is present."""
    last, first = child_text(elem, "lastName"), child_text(elem, "firstName")
    if last and first:
        return f"{last}, {first}"
    return last or first


def _aka_kind(aka: etree._Element) -> NameKind:
    if (child_text(aka, "category") or "").lower() == "weak":
        return NameKind.WEAK_ALIAS
    return _AKA_KINDS.get((child_text(aka, "type") or "").lower(), NameKind.ALIAS)


def _address(item: etree._Element) -> Address | None:
    street = ", ".join(p for tag in ("address1", "address2", "address3") if (p := child_text(item, tag)))
    city, state, postal = (child_text(item, tag) for tag in ("city", "stateOrProvince", "postalCode"))
    locality = ", ".join(p for p in (city, state) if p)
    if postal:
        locality = f"{locality} {postal}" if locality else postal
    country = child_text(item, "country")
    full = ", ".join(p for p in (street, locality, country) if p)
    return Address(full, country) if full else None


def _items(elem: etree._Element, list_name: str, item_name: str) -> list[etree._Element]:
    return [item for group in children(elem, list_name) for item in children(group, item_name)]


__all__ = ["FORMAT", "parse"]
