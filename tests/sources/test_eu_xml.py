"""The EU Financial Sanctions Files (XML 1.1) parser: fixtures for each quirk, then the real sample."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from matcher.errors import FormatError, MatcherError, ParseError
from matcher.model import (
    Address,
    DateRange,
    Entity,
    EntityType,
    Identifier,
    IdentifierKind,
    Name,
    NameKind,
    PartialDate,
)
from matcher.sources import ParseReport, parse
from tests.conftest import shared_path
from tests.sources.malformed import assert_fails_naming_the_file

UN_REF = "UN Security Council reference"
IRAN = "IRAN (ISLAMIC REPUBLIC OF)"


def run(path: Path, source: str = "eu") -> tuple[list[Entity], ParseReport]:
    report = ParseReport(source)
    return list(parse("eu_xml", source, [path], report)), report


def test_person_maps_every_field(fixtures: Path) -> None:
    entities, report = run(fixtures / "eu" / "person.xml")

    assert report.published == "2026-08-05"
    assert report.records == 1
    assert report.rejects == []
    [e] = entities
    assert e.id == "eu:EU.9001.1"
    assert e.type is EntityType.PERSON
    assert e.birth_dates == (
        PartialDate(1982, 4, 19),
        PartialDate(1982, 4, 18),  # the Gregorian date the EU gives for an ISLAMIC entry
        DateRange(PartialDate(1953), PartialDate(1958)),
        PartialDate(1960, 3),
    )  # the ISLAMIC year 1380 on its own is not converted
    assert e.birth_places == ("Riyadh, SAUDI ARABIA", "Tirin Kot, Uruzgan Province, AFGHANISTAN")
    assert e.nationalities == ("SAUDI ARABIA",)  # UNKNOWN dropped
    assert e.countries == ("SAUDI ARABIA", "YEMEN")
    assert e.addresses == (Address("YEMEN", "YEMEN"),)
    assert e.programs == ("TAQA", "TERR")
    assert e.listed_on == PartialDate(2011, 3, 24)
    assert e.gender == "male"
    assert e.titles == ("Maulavi", "Head of testing")
    assert (
        e.remarks
        == "Believed to be in Testland as at March 2011.\nWanted by Testland\nBelieved status/location: Yemen"
    )
    assert e.source_file == "person.xml"
    assert e.extra == {"logical_id": "90001", "designation_details": "UN designation: 2011-03-24"}


def test_names_primary_quality_and_script(fixtures: Path) -> None:
    [e], _ = run(fixtures / "eu" / "person.xml")

    assert e.names == (
        Name("Hamid Abdul Al-Testi", NameKind.PRIMARY, "Latn", "en"),  # carries function and title
        Name("حامد عبد التستي", NameKind.ORIGINAL_SCRIPT, "Arab", "ar"),
        Name("Хамид Абдул Ал-Тести", NameKind.ALIAS, "Cyrl", "bg"),  # the EU's own transliteration
        Name("Abu Test", NameKind.WEAK_ALIAS, "Latn", "en"),  # remark "low quality aliias"
        Name("Testi", NameKind.WEAK_ALIAS, "Latn"),  # strong="false"
        Name("Hamid Testi", NameKind.ALIAS, "Latn"),  # built from firstName + lastName
    )  # the French repeat of the primary name is dropped


def test_identifiers(fixtures: Path) -> None:
    [e], _ = run(fixtures / "eu" / "person.xml")

    assert e.identifiers == (
        Identifier(IdentifierKind.LIST_REF, "QDi.901", note=UN_REF),
        Identifier(
            IdentifierKind.PASSPORT,
            "F654645",
            "SAUDI ARABIA",
            "National passport; known expired; expired on 7.3.2010",
        ),
        Identifier(IdentifierKind.NATIONAL_ID, "1028745097", "SAUDI ARABIA", "National identification card"),
        Identifier(IdentifierKind.OTHER, "D-1234", note="Driving licence"),
    )  # the passport with an empty number is not an identifier


def test_enterprise_addresses_contacts_and_fallback_id(fixtures: Path) -> None:
    entities, report = run(fixtures / "eu" / "enterprise.xml")

    assert report.published == "2025-01-31"
    assert [e.id for e in entities] == ["eu:EU.9002.2", "eu:90003"]
    company, bank = entities
    assert company.type is EntityType.ORGANIZATION
    assert company.primary_name == Name("Test Chemical Industries (TCI)", NameKind.PRIMARY, "Latn", "en")
    assert [n.kind for n in company.names] == [NameKind.PRIMARY, NameKind.ALIAS, NameKind.ORIGINAL_SCRIPT]
    assert company.addresses == (Address(f"2nd Floor, Test Bldg., 16765/358, Tehran, {IRAN}", IRAN),)
    assert company.identifiers == (
        Identifier(IdentifierKind.REGISTRATION, "892", IRAN, "Registration Number"),
        Identifier(IdentifierKind.BIC, "TESTIRTHXXX", IRAN, "SWIFT BIC"),
        Identifier(IdentifierKind.WEBSITE, "http://test.example/"),
        Identifier(IdentifierKind.PHONE, "+98 21 0000001"),
        Identifier(IdentifierKind.PHONE, "+98 21 0000002"),
        Identifier(IdentifierKind.EMAIL, "info@test.example"),
    )
    assert company.remarks == "Cooperative Company Registration No 892.\nHead Office."
    assert company.listed_on is None
    assert bank.primary_name.value == "Test Bank without reference"
    assert bank.programs == ("UKR",)


def test_rejects_are_counted_with_reasons(fixtures: Path) -> None:
    entities, report = run(fixtures / "eu" / "rejects.xml")

    assert [e.id for e in entities] == ["eu:EU.9003.4"]
    assert entities[0].primary_name.value == "First Copy"
    assert report.records == 5
    assert [(r.record, r.reason) for r in report.rejects] == [
        ("EU.9003.1", "unknown subjectType code 'vessel'"),
        ("EU.9003.2", "no name"),
        ("sanctionEntity #3 in rejects.xml", "no euReferenceNumber and no logicalId"),
        ("EU.9003.4", "duplicate euReferenceNumber"),
    ]


def test_ids_use_the_source_argument(fixtures: Path) -> None:
    [e], _ = run(fixtures / "eu" / "person.xml", source="eu_mirror")

    assert e.id == "eu_mirror:EU.9001.1"


def test_parse_streams(fixtures: Path) -> None:
    result = parse("eu_xml", "eu", [fixtures / "eu" / "enterprise.xml"])

    assert isinstance(result, Iterator)
    assert next(result).id == "eu:EU.9002.2"


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("truncated.xml", ParseError, "truncated or corrupt"),
        ("wrong_namespace.xml", FormatError, "not in the FSF namespace"),
        ("wrong_root.xml", FormatError, "expected <export> document, found <CONSOLIDATED_LIST>"),
        ("wrong_format.csv", ParseError, "truncated or corrupt"),
        ("empty.xml", ParseError, "file is empty"),
        ("entity_bomb.xml", ParseError, "DTD or entities"),
        ("external_entity.xml", ParseError, "DTD or entities"),
    ],
)
def test_malformed_files_fail_naming_the_file(
    fixtures: Path, name: str, error: type[MatcherError], message: str
) -> None:
    assert_fails_naming_the_file("eu_xml", fixtures / "eu" / "malformed" / name, error, message)


# --- Real published excerpt ------------------------------------------------------------------


@pytest.mark.shared
def test_real_sample_counts_and_ids() -> None:
    entities, report = run(shared_path("lists", "eu_fsf", "sample_eu_fsf.xml"))

    assert report.published == "2026-08-05"
    assert report.records == 5
    assert report.rejects == []
    assert [e.id for e in entities] == [
        "eu:EU.3579.2",
        "eu:EU.502.12",
        "eu:EU.3953.70",
        "eu:EU.3886.3",
        "eu:EU.3092.36",
    ]
    assert [e.type for e in entities].count(EntityType.ORGANIZATION) == 1  # EU.3953.70
    assert sum(len(e.names) for e in entities) == 45  # no nameAlias is lost


@pytest.mark.shared
def test_real_entry_end_to_end() -> None:
    entities, _ = run(shared_path("lists", "eu_fsf", "sample_eu_fsf.xml"))
    by_id = {e.id: e for e in entities}

    e = by_id["eu:EU.502.12"]
    assert e.type is EntityType.PERSON
    # The name carrying function and title is primary, although it has the highest logicalId.
    assert e.names == (
        Name("Ahmed Jan Akhundzada Wazir", NameKind.PRIMARY, "Latn"),
        Name("Haji Ahmad Jan", NameKind.ALIAS, "Latn"),
        Name("Ahmed Jan Akhund", NameKind.ALIAS, "Latn"),
    )
    assert e.birth_dates == (DateRange(PartialDate(1953), PartialDate(1958)),)
    assert e.birth_places == (
        "Tirin Kot District, Uruzgan Province, AFGHANISTAN",
        "Kandahar province, AFGHANISTAN",
    )
    assert e.nationalities == ("AFGHANISTAN",)
    assert e.programs == ("AFG",)
    assert e.titles == ("Maulavi", "Minister of Water and Electricity under the Taliban regime")
    assert e.listed_on == PartialDate(2001, 1, 25)
    assert e.remarks is not None and e.remarks.startswith(
        "Believed to be in Afghanistan/ Pakistan border area."
    )

    # Without a function, the oldest name (lowest logicalId) is primary.
    assert by_id["eu:EU.3579.2"].primary_name.value == "Khalid Sheikh MOHAMMED"
    asiri = by_id["eu:EU.3092.36"]
    weak = [n.value for n in asiri.names if n.kind is NameKind.WEAK_ALIAS]
    assert weak == ["Abu-Salaah", "Abosslah", "Abu Saleh"]  # "low quality alias" remarks


@pytest.mark.shared
def test_real_un_reference_ties_eu_to_un() -> None:
    eu, _ = run(shared_path("lists", "eu_fsf", "sample_eu_fsf.xml"))
    un_report = ParseReport("un")
    un = list(parse("un_xml", "un", [shared_path("lists", "un", "consolidated.xml")], un_report))

    def refs(entities: list[Entity]) -> dict[str, str]:
        return {i.value: e.id for e in entities for i in e.identifiers if i.kind is IdentifierKind.LIST_REF}

    eu_refs, un_refs = refs(eu), refs(un)
    assert eu_refs == {"LYi.006": "eu:EU.3886.3"}  # only one of the five carries unitedNationId
    assert un_refs["LYi.006"] == "un:LYi.006"
