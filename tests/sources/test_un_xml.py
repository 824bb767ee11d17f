"""The UN consolidated list parser: fixtures for each quirk, then the real published files."""

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
    Relation,
)
from matcher.sources import ParseReport, parse
from tests.conftest import shared_path
from tests.sources.malformed import assert_fails_naming_the_file

UN_REF = "UN Security Council reference"


def run(path: Path, source: str = "un") -> tuple[list[Entity], ParseReport]:
    report = ParseReport(source)
    return list(parse("un_xml", source, [path], report)), report


def test_individual_maps_every_field(fixtures: Path) -> None:
    entities, report = run(fixtures / "un" / "individual.xml")

    assert report.published == "2026-02-27"
    assert report.records == 1
    assert report.rejects == []
    [e] = entities
    assert e.id == "un:QDi.901"
    assert e.native_id == "QDi.901"
    assert e.type is EntityType.PERSON
    assert e.names == (
        Name("HAMID ABDUL KARIM AL-TESTI", NameKind.PRIMARY, "Latn"),
        Name("حامد عبد الكريم التستي", NameKind.ORIGINAL_SCRIPT, "Arab"),
        Name("Hamid Karim", NameKind.ALIAS, "Latn"),  # double space collapsed
        Name("Abu Test", NameKind.WEAK_ALIAS, "Latn"),
        Name("Hamid Testi", NameKind.ALIAS, "Latn"),
    )
    # The alias's own date and place of birth are kept after the entry's.
    assert e.birth_dates == (PartialDate(1961, 4, 14), PartialDate(1969, 2, 5))
    assert e.birth_places == ("Zurmat District, Paktia Province, Afghanistan", "Tripoli, Libya")
    assert e.nationalities == ("Afghanistan", "Pakistan")
    assert e.countries == ("Afghanistan", "Pakistan")
    assert e.addresses == (Address("12 Test Road, Peshawar, Pakistan", "Pakistan"),)
    assert e.programs == ("Al-Qaida",)
    assert e.listed_on == PartialDate(2006, 12, 23)  # "2006-12-23-05:00"
    assert e.gender == "male"
    assert e.titles == ("Mullah", "a) Director of Testing under the regime")
    assert e.remarks == "Associated with Test Front (QDe.901) and QDi.902. Also listed as QDi.901 elsewhere."
    assert e.related == (Relation("un:QDe.901"), Relation("un:QDi.902"))
    assert e.source_file == "individual.xml"
    assert e.extra == {
        "dataid": "900001",
        "unnumbered_documents": "National Identification Number: SSN 156-00-0000 (United States of America)",
    }


def test_documents_become_typed_identifiers(fixtures: Path) -> None:
    [e], _ = run(fixtures / "un" / "individual.xml")

    assert e.identifiers == (
        Identifier(IdentifierKind.LIST_REF, "QDi.901", note=UN_REF),
        Identifier(
            IdentifierKind.PASSPORT,
            "OA 123456",
            "Afghanistan",
            "issued 2010-02-18; in Kabul; Expired 18 Feb. 2013",
        ),
        # TYPE_OF_DOCUMENT2 is more specific than "National Identification Number".
        Identifier(IdentifierKind.PASSPORT, "9600133195", "Russian Federation", "national passport"),
        Identifier(IdentifierKind.PASSPORT, "381420754"),  # "Numéro de passeport"
        Identifier(IdentifierKind.NATIONAL_ID, "BC-77", note="Birth certificate"),
    )


def test_entity_alias_qualities_and_address(fixtures: Path) -> None:
    [e], report = run(fixtures / "un" / "entity.xml")

    assert report.published == "2025-04-19"
    assert e.id == "un:CDe.901"
    assert e.type is EntityType.ORGANIZATION
    assert [(n.value, n.kind) for n in e.names] == [
        ("TEST FRONT FOR TESTING", NameKind.PRIMARY),
        ("Front de Test", NameKind.ORIGINAL_SCRIPT),
        ("TFT", NameKind.ALIAS),
        ("Forces Démocratiques de Test", NameKind.FORMER),
        ("Test Front/Testing Army", NameKind.ALIAS),
    ]
    assert e.addresses == (
        Address(
            "Avenue du Test, Goma, North Kivu, 1234, Democratic Republic of the Congo",
            "Democratic Republic of the Congo",
        ),
    )
    assert e.countries == ("Democratic Republic of the Congo",)
    assert e.nationalities == ()
    assert e.programs == ("DRC",)
    assert e.remarks is None


def test_birth_date_forms(fixtures: Path) -> None:
    entities, report = run(fixtures / "un" / "dates.xml")

    assert report.published == "2026-01-28"
    by_id = {e.id: e for e in entities}
    # EXACT 1971 and APPROXIMATELY 1966 are both kept as years.
    assert by_id["un:TAi.901"].birth_dates == (PartialDate(1971), PartialDate(1966))
    assert by_id["un:TAi.902"].birth_dates == (DateRange(PartialDate(1955), PartialDate(1958)),)
    three = by_id["un:LYi.901"]
    assert three.birth_dates == (PartialDate(1973, 11),)  # NOTE "Nov. 1973 "
    assert three.extra["birth_date_notes"] == "30-35 years old"


def test_missing_generation_date_is_a_warning(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "un" / "dates.xml").read_text(encoding="utf-8")
    path = tmp_path / "undated.xml"
    path.write_text(text.replace(' dateGenerated="2026-01-28T00:00:05.001Z"', ""), encoding="utf-8")

    entities, report = run(path)

    assert len(entities) == 3
    assert report.published is None
    assert report.warnings == ["undated.xml: no readable dateGenerated on <CONSOLIDATED_LIST>"]


def test_rejects_are_counted_with_reasons(fixtures: Path) -> None:
    entities, report = run(fixtures / "un" / "rejects.xml")

    assert [e.id for e in entities] == ["un:IQi.901"]
    assert entities[0].primary_name.value == "FIRST COPY"
    assert report.records == 4
    assert [(r.record, r.reason) for r in report.rejects] == [
        ("DATAID 900301 in rejects.xml", "no REFERENCE_NUMBER"),
        ("IQi.901", "duplicate REFERENCE_NUMBER"),
        ("IQe.901", "no name"),
    ]


def test_ids_use_the_source_argument(fixtures: Path) -> None:
    [e], _ = run(fixtures / "un" / "individual.xml", source="un_mirror")

    assert e.id == "un_mirror:QDi.901"
    assert e.source == "un_mirror"
    assert e.related[0].target == "un_mirror:QDe.901"


def test_parse_streams(fixtures: Path) -> None:
    result = parse("un_xml", "un", [fixtures / "un" / "dates.xml"])

    assert isinstance(result, Iterator)
    assert next(result).id == "un:TAi.901"


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("truncated.xml", ParseError, "truncated or corrupt"),
        ("wrong_root.xml", FormatError, "expected <CONSOLIDATED_LIST> document, found <sdnList>"),
        ("wrong_format.csv", ParseError, "truncated or corrupt"),
        ("empty.xml", ParseError, "file is empty"),
        ("entity_bomb.xml", ParseError, "DTD or entities"),
        ("external_entity.xml", ParseError, "DTD or entities"),
    ],
)
def test_malformed_files_fail_naming_the_file(
    fixtures: Path, name: str, error: type[MatcherError], message: str
) -> None:
    assert_fails_naming_the_file("un_xml", fixtures / "un" / "malformed" / name, error, message)


def test_no_files_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="no files"):
        list(parse("un_xml", "un", []))


# --- Real published files --------------------------------------------------------------------


@pytest.mark.shared
def test_real_2026_list_counts() -> None:
    entities, report = run(shared_path("lists", "un", "consolidated.xml"))

    assert report.published == "2026-02-27"
    assert report.records == 1003
    assert report.rejects == []
    assert len(entities) == 1003
    assert sum(e.type is EntityType.PERSON for e in entities) == 730
    assert sum(e.type is EntityType.ORGANIZATION for e in entities) == 273
    assert len({e.id for e in entities}) == 1003


@pytest.mark.shared
def test_real_2025_list_and_the_change_since() -> None:
    old, report = run(shared_path("lists", "un", "2025-04-19", "consolidated.xml"))
    new, _ = run(shared_path("lists", "un", "consolidated.xml"))

    assert report.published == "2025-04-19"
    assert report.records == 877
    assert report.rejects == []
    assert len(old) == 877
    old_ids, new_ids = {e.id for e in old}, {e.id for e in new}
    assert len(new_ids - old_ids) == 130
    assert old_ids - new_ids == {"un:IQi.074", "un:QDi.317", "un:QDi.328", "un:QDi.336"}


@pytest.mark.shared
def test_real_entry_end_to_end() -> None:
    entities, _ = run(shared_path("lists", "un", "consolidated.xml"))
    by_id = {e.id: e for e in entities}

    e = by_id["un:TAi.085"]
    assert e.type is EntityType.PERSON
    assert e.names == (
        Name("AHMED JAN AKHUNDZADA WAZIR", NameKind.PRIMARY, "Latn"),
        Name("احمد جان آخوندزاده وزیر", NameKind.ORIGINAL_SCRIPT, "Arab"),
        Name("Haji Ahmad Jan", NameKind.ALIAS, "Latn"),
        Name("Ahmed Jan Akhund", NameKind.ALIAS, "Latn"),
    )
    assert e.birth_dates == (DateRange(PartialDate(1953), PartialDate(1958)),)
    assert e.birth_places == (
        "Kandahar Province, Afghanistan",
        "Tirin Kot District, Uruzgan Province, Afghanistan",
    )
    assert e.nationalities == ("Afghanistan",)
    assert e.programs == ("Taliban",)
    assert e.titles == ("Maulavi", "Minister of Water and Electricity under the Taliban regime")
    assert e.listed_on == PartialDate(2001, 1, 25)
    assert e.remarks is not None and e.remarks.startswith("Member of Taliban Supreme Military Council")
    assert e.extra["dataid"] == "111083"

    dorda = by_id["un:LYi.006"]
    assert (
        Identifier(
            IdentifierKind.PASSPORT,
            "FK117RK0",
            "Libya",
            "issued 2018-11-25; in Tripoli; Date of expiration: 24 Nov 2026",
        )
        in dorda.identifiers
    )

    adf = by_id["un:CDe.001"]
    assert adf.related == (Relation("un:CDi.015"), Relation("un:CDi.036"))
