"""Parser for FollowTheMoney entities as JSON lines (format ``ftm_jsonl``).

FollowTheMoney (FtM) is the data model of OpenSanctions and Aleph; OpenSanctions publishes its
datasets as ``entities.ftm.json``, one JSON object per line. This format lets a user screen against
any such export, or against their own data written in FtM.

What the file looks like
    One object per line: ``{"id": "NK-2Ka3…", "schema": "Person", "properties": {"name": [...],
    "birthDate": ["1971-01-22"], "nationality": ["ru"], ...}}``, optionally with ``caption``,
    ``datasets``, ``referents``, ``target``, ``first_seen`` … Every property value is a list of
    strings. Besides parties (``Person``, ``Company`` …) a file holds the things around them:
    ``Sanction`` (``entity`` -> the sanctioned party's id, ``program``, ``listingDate``),
    ``Address`` (referenced from a party's ``addressEntity``), ``Identification``/``Passport``
    (``holder``, ``number``), and links such as ``Ownership`` or ``Family``. "Nested" exports put
    those objects inline as property values instead of ids; both layouts are read.

How it maps to :class:`~matcher.model.Entity`
    - id ``<source>:<ftm id>``. Schemas ``Person`` -> person; ``Organization``, ``Company``,
      ``LegalEntity``, ``PublicBody`` -> organization; ``Vessel`` -> vessel; ``Airplane`` -> aircraft.
    - ``name`` -> primary names (FtM gives every name of an entity equal standing; the
      ``caption``, when it is one of them, comes first), ``alias`` and ``abbreviation`` -> alias,
      ``weakAlias`` -> weak alias, ``previousName`` -> former. Each name's script is read from its
      text.
    - Identifiers, per property: passportNumber, idNumber (national id), taxNumber, vatCode and
      innCode (tax id), registrationNumber, ogrnCode, okpoCode and uscCode (registration), leiCode,
      swiftBic, isinCode, imoNumber, mmsi, callSign, email, phone, website; for ``Airplane``,
      registrationNumber is the tail number and serialNumber the serial. vatCode, innCode,
      ogrnCode, okpoCode and uscCode keep their property name as the note (they share a kind with
      more common numbers); IMO numbers lose an ``IMO`` prefix, as in the UK parsers.
    - ``birthDate`` (ISO prefixes) -> birth_dates, ``birthPlace`` and ``birthCountry`` -> birth_places,
      ``nationality`` and ``citizenship`` -> nationalities, those plus ``country``,
      ``jurisdiction``, ``mainCountry`` and ``flag`` -> countries (FtM's ISO codes, as written),
      ``address`` -> addresses, ``program`` -> programs, ``gender``, ``title``, ``notes`` ->
      remarks, ``position`` and ``topics`` -> ``extra``.
    - Sanction, Address and Identification/Passport objects are merged into the party they point
      at: ``program`` into programs, the earliest ``listingDate``/``startDate`` into listed_on,
      ``unscId``/``authorityId`` into ``list_ref`` identifiers, ``full`` into addresses, the number
      into a passport or national id.

Why these choices
    Merging those few helper schemas is simple and recovers what screening needs, because in FtM a
    programme, an address or a passport is often its own object. It takes two passes over the
    file: the first keeps only the small facts of the helper objects (programmes, address lines,
    numbers) keyed by the party's id, the second streams the parties. Memory holds those facts,
    never the parties. Every other schema (``Ownership``, ``Directorship``, ``Family``, ``Vehicle``,
    ``Security``, …) is not a party to screen against: its objects are counted in
    ``report.warnings`` per schema, not rejected. A line that is not a JSON object with an id, a
    schema and properties, or a party without any name, is rejected as ``line <n>``.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from matcher.sources.base import ParseReport, clean, parse_date, require_files

FORMAT = "ftm_jsonl"

SCHEMAS = {
    "Person": EntityType.PERSON,
    "Organization": EntityType.ORGANIZATION,
    "Company": EntityType.ORGANIZATION,
    "LegalEntity": EntityType.ORGANIZATION,
    "PublicBody": EntityType.ORGANIZATION,
    "Vessel": EntityType.VESSEL,
    "Airplane": EntityType.AIRCRAFT,
}
HELPERS = ("Sanction", "Address", "Identification", "Passport")

NAME_PROPS = {
    "name": NameKind.PRIMARY,
    "alias": NameKind.ALIAS,
    "abbreviation": NameKind.ALIAS,
    "weakAlias": NameKind.WEAK_ALIAS,
    "previousName": NameKind.FORMER,
}
ID_PROPS = {
    "passportNumber": IdentifierKind.PASSPORT,
    "idNumber": IdentifierKind.NATIONAL_ID,
    "taxNumber": IdentifierKind.TAX_ID,
    "vatCode": IdentifierKind.TAX_ID,
    "innCode": IdentifierKind.TAX_ID,
    "registrationNumber": IdentifierKind.REGISTRATION,
    "ogrnCode": IdentifierKind.REGISTRATION,
    "okpoCode": IdentifierKind.REGISTRATION,
    "uscCode": IdentifierKind.REGISTRATION,
    "leiCode": IdentifierKind.LEI,
    "swiftBic": IdentifierKind.BIC,
    "isinCode": IdentifierKind.ISIN,
    "imoNumber": IdentifierKind.IMO,
    "mmsi": IdentifierKind.MMSI,
    "callSign": IdentifierKind.CALL_SIGN,
    "email": IdentifierKind.EMAIL,
    "phone": IdentifierKind.PHONE,
    "website": IdentifierKind.WEBSITE,
}
AIRPLANE_ID_PROPS = {
    "registrationNumber": IdentifierKind.AIRCRAFT_TAIL,
    "serialNumber": IdentifierKind.AIRCRAFT_SERIAL,
}
# Properties that share an identifier kind with a more common one keep their name as the note.
NOTED_ID_PROPS = {"vatCode", "innCode", "ogrnCode", "okpoCode", "uscCode"}
NATIONALITY_PROPS = ("nationality", "citizenship")
_IMO_PREFIX = re.compile(r"^IMO[\s:.]*", re.IGNORECASE)
COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry", "flag")


@dataclass(slots=True)
class Facts:
    """What the helper objects say about one party."""

    programs: list[str] = field(default_factory=list)
    listed: list[PartialDate] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


class BadLine(Exception):
    """A line that cannot be read; the message is the reason reported."""


def _values(props: dict[str, Any], key: str) -> list[str]:
    """The cleaned string values of one property (nested objects are skipped here)."""
    raw = props.get(key)
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    return [v for v in (clean(i) for i in items if isinstance(i, str)) if v]


def _nested(props: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Objects given inline as property values (the "nested" export layout)."""
    for raw in props.values():
        for item in raw if isinstance(raw, list) else [raw]:
            if isinstance(item, dict) and isinstance(item.get("properties"), dict):
                yield item


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """``(line number, object)`` per non-blank line, or ``(line number, reason)`` for a bad one."""
    try:
        with path.open(encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    if not line.endswith("\n"):  # only the last line of a file can lack one
                        raise ParseError(f"file ends inside line {number}: truncated", str(path)) from exc
                    yield number, f"not JSON: {exc.msg}"
                    continue
                if not isinstance(obj, dict):
                    yield number, "not a JSON object"
                elif not isinstance(obj.get("schema"), str) or not isinstance(obj.get("properties"), dict):
                    yield number, "no schema or no properties"
                elif not isinstance(obj.get("id"), str) or not obj["id"].strip():
                    yield number, "no id"
                else:
                    yield number, obj
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text: {exc.reason}", str(path)) from exc


def _targets(owner: str | None, props: dict[str, Any], key: str) -> list[str]:
    """The party a helper object is about: its container when nested, else the ids it names."""
    return [owner] if owner is not None else _values(props, key)


def _collect(obj: dict[str, Any], owner: str | None, facts: dict[str, Facts]) -> None:
    """Remember what a helper object says about its party (``owner`` for nested objects)."""
    schema, props = obj["schema"], obj["properties"]
    if schema == "Sanction":
        for target in _targets(owner, props, "entity"):
            fact = facts[target]
            fact.programs.extend(_values(props, "program"))
            dates = (parse_date(d) for d in (*_values(props, "listingDate"), *_values(props, "startDate")))
            fact.listed.extend(d for d in dates if d is not None)
            for key, note in (("unscId", "UN SC id"), ("authorityId", "authority id")):
                refs = _values(props, key)
                fact.identifiers.extend(Identifier(IdentifierKind.LIST_REF, v, note=note) for v in refs)
    elif schema == "Address":
        full = _values(props, "full")
        if full and owner:
            facts[owner].addresses.extend(full)
        elif full and isinstance(obj.get("id"), str):
            facts[f"address:{obj['id']}"].addresses.extend(full)
    elif schema in ("Identification", "Passport"):
        kind = IdentifierKind.PASSPORT if schema == "Passport" else IdentifierKind.NATIONAL_ID
        country = next(iter(_values(props, "country")), None)
        id_type = next(iter(_values(props, "type")), None)
        numbers = [*_values(props, "number"), *_values(props, "passportNumber")]
        for target in _targets(owner, props, "holder"):
            facts[target].identifiers.extend(Identifier(kind, n, country, id_type) for n in numbers)


def _names(obj: dict[str, Any]) -> list[Name]:
    props = obj["properties"]
    caption = clean(obj.get("caption")) if isinstance(obj.get("caption"), str) else None
    names: dict[str, Name] = {}
    primary = _values(props, "name")
    if caption is not None and caption in primary:
        primary = [caption, *(p for p in primary if p != caption)]
    for key, kind in NAME_PROPS.items():
        for value in primary if key == "name" else _values(props, key):
            names.setdefault(value, Name(value, kind, detect_script(value)))
    return list(names.values())


def _entity(source: str, obj: dict[str, Any], facts: dict[str, Facts], source_file: str) -> Entity:
    schema, props = obj["schema"], obj["properties"]
    names = _names(obj)
    if not names:
        raise BadLine(f"{schema} {obj['id']} has no name")
    fact = facts.get(obj["id"], Facts())
    id_props = {**ID_PROPS, **AIRPLANE_ID_PROPS} if schema == "Airplane" else ID_PROPS
    identifiers: dict[tuple[IdentifierKind, str], Identifier] = {}
    for key, kind in id_props.items():
        for value in _values(props, key):
            if kind is IdentifierKind.IMO:
                value = _IMO_PREFIX.sub("", value)
            note = key if key in NOTED_ID_PROPS else None
            identifiers.setdefault((kind, value), Identifier(kind, value, note=note))
    for identifier in fact.identifiers:
        identifiers.setdefault((identifier.kind, identifier.value), identifier)
    addresses = dict.fromkeys([*_values(props, "address"), *fact.addresses])
    for ref in _values(props, "addressEntity"):
        addresses.update(dict.fromkeys(facts.get(f"address:{ref}", Facts()).addresses))
    birth_dates: list[BirthDate] = []
    unparsed: list[str] = []
    for text in _values(props, "birthDate"):
        date_ = parse_date(text)
        if date_ is None:
            unparsed.append(text)
        else:
            birth_dates.append(date_)
    extra: dict[str, str] = {}
    for key, values in (
        ("position", _values(props, "position")),
        ("topics", _values(props, "topics")),
        ("birth_date_unparsed", unparsed),
    ):
        if values:
            extra[key] = "; ".join(dict.fromkeys(values))
    listed = [*fact.listed]
    genders = _values(props, "gender")
    notes = _values(props, "notes")
    return Entity(
        id=f"{source}:{obj['id']}",
        source=source,
        type=SCHEMAS[schema],
        names=tuple(names),
        birth_dates=tuple(dict.fromkeys(birth_dates)),
        birth_places=tuple(dict.fromkeys([*_values(props, "birthPlace"), *_values(props, "birthCountry")])),
        nationalities=tuple(dict.fromkeys(v for k in NATIONALITY_PROPS for v in _values(props, k))),
        countries=tuple(dict.fromkeys(v for k in COUNTRY_PROPS for v in _values(props, k))),
        addresses=tuple(Address(a) for a in addresses),
        identifiers=tuple(identifiers.values()),
        programs=tuple(dict.fromkeys([*_values(props, "program"), *fact.programs])),
        listed_on=min(listed) if listed else None,
        gender=genders[0].lower() if len(genders) == 1 else None,
        titles=tuple(dict.fromkeys(_values(props, "title"))),
        remarks="\n\n".join(dict.fromkeys(notes)) if notes else None,
        source_file=source_file,
        extra=extra,
    )


def _parse_file(source: str, path: Path, report: ParseReport) -> Iterator[Entity]:
    # Pass 1: the facts of the helper objects, keyed by the party they describe.
    facts: dict[str, Facts] = defaultdict(Facts)
    objects = 0
    for _, obj in _lines(path):
        if isinstance(obj, str):
            continue
        objects += 1
        if obj["schema"] in HELPERS:
            _collect(obj, None, facts)
        for nested in _nested(obj["properties"]):
            if nested.get("schema") in HELPERS:
                _collect(nested, obj["id"], facts)
    if objects == 0:
        raise FormatError(
            "no FollowTheMoney entity (a JSON object with id, schema and properties)", str(path)
        )

    # Pass 2: stream the parties.
    skipped: Counter[str] = Counter()
    facts = dict(facts)
    for number, obj in _lines(path):
        if isinstance(obj, str):
            report.records += 1
            report.reject(f"line {number}", obj)
            continue
        schema = obj["schema"]
        if schema not in SCHEMAS:
            if schema not in HELPERS:
                skipped[schema] += 1
            continue
        report.records += 1
        try:
            yield _entity(source, obj, facts, path.name)
        except BadLine as exc:
            report.reject(f"line {number}", str(exc))
    for schema, count in sorted(skipped.items()):
        report.warnings.append(f"{path.name}: skipped {count} {schema} object(s), not parties to screen")


def parse(source: str, paths: Sequence[Path], report: ParseReport) -> Iterator[Entity]:
    """Stream the parties of FtM JSON-lines files; see the module docstring."""
    require_files(paths, FORMAT)
    for path in paths:
        yield from _parse_file(source, path, report)
