"""FollowTheMoney JSON lines: fixtures in tests/fixtures/user (a user-supplied format)."""

from __future__ import annotations

import pytest

from matcher.errors import FormatError, ParseError
from matcher.model import Address, EntityType, Identifier, IdentifierKind, Name, NameKind, PartialDate
from matcher.sources import ParseReport, parse
from tests.conftest import FIXTURES

HERE = FIXTURES / "user"


def load(path, source="os"):
    report = ParseReport(source)
    return {e.id: e for e in parse("ftm_jsonl", source, [path], report)}, report


def test_parties_load_helpers_merge_links_are_counted():
    entities, report = load(HERE / "entities.ftm.jsonl")
    assert list(entities) == ["os:NK-person-1", "os:NK-org-1", "os:NK-vessel-1", "os:NK-plane-1"]
    assert [e.type for e in entities.values()] == [
        EntityType.PERSON,
        EntityType.ORGANIZATION,
        EntityType.VESSEL,
        EntityType.AIRCRAFT,
    ]
    assert report.warnings == [
        "entities.ftm.jsonl: skipped 1 Family object(s), not parties to screen",
        "entities.ftm.jsonl: skipped 2 Ownership object(s), not parties to screen",
    ]
    assert report.records == 8
    assert [(r.record, r.reason) for r in report.rejects] == [
        ("line 13", "Organization NK-noname has no name"),
        ("line 14", "not a JSON object"),
        ("line 15", "no id"),
        ("line 16", "not JSON: Expecting ',' delimiter"),
    ]


def test_person_properties_and_merged_helpers():
    entities, _ = load(HERE / "entities.ftm.jsonl")
    person = entities["os:NK-person-1"]
    assert person.names == (
        Name("Vitaly Yurievich KUZMENKO", NameKind.PRIMARY, "Latn"),  # the caption comes first
        Name("Vitalij Kuzmenko", NameKind.PRIMARY, "Latn"),
        Name("Виталий Юрьевич КУЗЬМЕНКО", NameKind.PRIMARY, "Cyrl"),
        Name("V. Kuzmenko", NameKind.ALIAS, "Latn"),
        Name("Vitya", NameKind.WEAK_ALIAS, "Latn"),
    )
    assert person.birth_dates == (PartialDate(1971, 1, 22), PartialDate(1971))
    assert person.nationalities == ("ru",)
    assert person.gender == "male"
    assert person.titles == ("Colonel",)
    assert person.remarks == "Part of an example holding."
    assert person.extra == {"position": "General Director of an example plant", "topics": "sanction"}
    # Sanction objects: programmes and the earliest listing/start date.
    assert person.programs == ("EU Russia", "UK Russia")
    assert person.listed_on == PartialDate(2022, 3, 15)
    # Address entity referenced by id, Passport object pointing at the holder.
    assert person.addresses == (Address("Lenina 1, Moscow, Russia"),)
    assert person.identifiers == (
        Identifier(IdentifierKind.PASSPORT, "7512345678"),
        Identifier(IdentifierKind.TAX_ID, "366510784303"),
        Identifier(IdentifierKind.PASSPORT, "100200300", "ru", "foreign passport"),
    )


def test_company_nested_sanction_and_identifiers():
    entities, _ = load(HERE / "entities.ftm.jsonl")
    org = entities["os:NK-org-1"]
    assert [(n.value, n.kind) for n in org.names] == [
        ("LLC Inter Example", NameKind.PRIMARY),
        ("IE", NameKind.ALIAS),
        ("Old Example LLC", NameKind.FORMER),
    ]
    assert org.programs == ("BY autonomous", "EU Belarus")
    assert org.countries == ("by",)
    assert org.identifiers == (
        Identifier(IdentifierKind.REGISTRATION, "808000714"),
        Identifier(IdentifierKind.REGISTRATION, "1021600000000", note="ogrnCode"),
        Identifier(IdentifierKind.LEI, "5299000J2N45DDNE4Y28"),
        Identifier(IdentifierKind.BIC, "EXAMRUMM"),
        Identifier(IdentifierKind.LIST_REF, "KPe.999", note="UN SC id"),
    )


def test_vessel_and_airplane_identifiers():
    entities, _ = load(HERE / "entities.ftm.jsonl")
    vessel = entities["os:NK-vessel-1"]
    assert vessel.identifiers == (
        Identifier(IdentifierKind.IMO, "9123456"),
        Identifier(IdentifierKind.MMSI, "273000000"),
        Identifier(IdentifierKind.CALL_SIGN, "UBCD7"),
    )
    assert vessel.countries == ("pa",)
    plane = entities["os:NK-plane-1"]
    assert plane.identifiers == (
        Identifier(IdentifierKind.AIRCRAFT_TAIL, "EP-ABC"),
        Identifier(IdentifierKind.AIRCRAFT_SERIAL, "12345"),
    )


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("truncated.ftm.jsonl", ParseError, "file ends inside line 2: truncated"),
        ("wrong_format.ftm.jsonl", FormatError, "no FollowTheMoney entity"),
    ],
)
def test_malformed_files_fail_naming_the_file(name, error, message):
    path = HERE / "malformed" / name
    with pytest.raises(error, match=message) as info:
        list(parse("ftm_jsonl", "os", [path]))
    assert info.value.where == str(path)
