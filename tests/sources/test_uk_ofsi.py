"""OFSI ConList (2022 format): fixtures in tests/fixtures/uk_ofsi, real file in ../shared."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from matcher.errors import FormatError, ParseError
from matcher.model import EntityType, Identifier, IdentifierKind, Name, NameKind, PartialDate
from matcher.sources import ParseReport, parse
from matcher.sources.uk_ofsi import other_information_tags, split_numbered
from tests.conftest import FIXTURES, shared_path
from tests.sources.malformed import assert_fails_naming_the_file

HERE = FIXTURES / "uk_ofsi"


def load(path: Path) -> tuple[dict[str, object], ParseReport]:
    report = ParseReport("uk_ofsi")
    entities = {e.id: e for e in parse("uk_ofsi", "uk_ofsi", [path], report)}
    return entities, report


@pytest.mark.parametrize("name", ["ConList.xlsx", "ConList.csv"])
def test_groups_rows_by_group_id_and_reports_rejects(name):
    entities, report = load(HERE / name)
    assert sorted(entities) == ["uk_ofsi:9001", "uk_ofsi:9002", "uk_ofsi:9003"]
    assert report.published == "2025-04-14"
    assert report.records == 5
    assert [(r.record, r.reason) for r in report.rejects] == [
        ("row 14", "no Group ID"),
        ("9004", "unknown or conflicting Group Type ['Aircraft']"),
    ]


@pytest.mark.parametrize("name", ["ConList.xlsx", "ConList.csv"])
def test_person_merges_non_contiguous_rows(name):
    entities, _ = load(HERE / name)
    person = entities["uk_ofsi:9001"]
    assert person.type is EntityType.PERSON
    assert person.source_file == name
    assert person.names == (
        Name("Abdul Rahman HAQQANI", NameKind.PRIMARY, "Latn"),
        Name("Abdurrahman HAQANI", NameKind.ALIAS, "Latn"),
        Name("عبد الرحمن حقانی", NameKind.ORIGINAL_SCRIPT, "Arab", "fas"),
        Name("ABU RAHMAN", NameKind.WEAK_ALIAS, "Latn"),
        Name("Abdul Rahman HAQANEE", NameKind.ALIAS, "Latn"),
    )
    assert person.birth_dates == (PartialDate(1965), PartialDate(1967, 5, 12))
    assert person.birth_places == (
        "Baghlan Jadid District, Baghlan Province, Afghanistan",
        "Pul-e-Khumri, Afghanistan",
    )
    assert person.nationalities == ("Afghanistan", "Pakistan")
    assert person.titles == ("Mullah", "Maulavi")
    assert person.gender == "male"
    assert person.listed_on == PartialDate(2001, 1, 25)
    assert person.programs == ("Afghanistan",)
    assert person.identifiers == (
        Identifier(IdentifierKind.PASSPORT, "D000123", note="Afghan number"),
        Identifier(IdentifierKind.PASSPORT, "OR801168", note="Pakistan number, issued on 8 Sep. 2008"),
        Identifier(
            IdentifierKind.NATIONAL_ID, "44103-5251752-5", note="Pakistan national identity card number"
        ),
        Identifier(IdentifierKind.LIST_REF, "AFG0099", note="UK Sanctions List Ref"),
        Identifier(IdentifierKind.LIST_REF, "TAi.999", note="UN Ref"),
    )
    assert person.remarks is not None and person.remarks.startswith("(UK Sanctions List Ref):AFG0099.")
    assert person.extra["position"] == "(1) Deputy Minister (2) Governor of Example Province"


def test_entity_addresses_tags_and_former_name():
    entities, _ = load(HERE / "ConList.xlsx")
    org = entities["uk_ofsi:9002"]
    assert org.type is EntityType.ORGANIZATION
    assert [n.kind for n in org.names] == [NameKind.PRIMARY, NameKind.ALIAS, NameKind.FORMER]
    assert [a.full for a in org.addresses] == [
        "PO Box 21120, Baramkeh, Damascus, Syria",
        "PO Box 5966, Damascus, Syria",
    ]
    assert {(i.kind, i.value) for i in org.identifiers} == {
        (IdentifierKind.LIST_REF, "SYR9999"),
        (IdentifierKind.PHONE, "+963112121816"),
        (IdentifierKind.PHONE, "+963112121834"),
        (IdentifierKind.WEBSITE, "www.example-sy.test"),
        (IdentifierKind.REGISTRATION, "BR: 69987857"),
    }
    assert org.extra["type_of_entity"] == "Front company"


def test_ship_gets_imo_and_flag():
    entities, _ = load(HERE / "ConList.xlsx")
    ship = entities["uk_ofsi:9003"]
    assert ship.type is EntityType.VESSEL
    assert Identifier(IdentifierKind.IMO, "8660313") in ship.identifiers
    assert ship.countries == ("North Korea",)
    assert ship.extra["type_of_ship"] == "Oil tanker"
    assert ship.extra["year_built"] == "2005"


def test_split_numbered():
    assert split_numbered("(1) Germany. (2) Morocco") == ["Germany", "Morocco"]
    assert split_numbered("Tunisia number. Issued on 16 Nov. 1989.") == [
        "Tunisia number. Issued on 16 Nov. 1989."
    ]
    assert split_numbered("  ") == []


def test_other_information_tags_run_to_the_next_tag():
    text = "(UK Sanctions List Ref):RUS1831. Trust services. (Gender):Male (IMO number):7408873 "
    assert other_information_tags(text) == [
        ("UK Sanctions List Ref", "RUS1831. Trust services."),
        ("Gender", "Male"),
        ("IMO number", "7408873"),
    ]


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("truncated.xlsx", ParseError, "truncated or corrupt"),
        ("truncated.csv", ParseError, "truncated"),
        ("wrong_format.xlsx", FormatError, "cell A1 is not 'Last Updated'"),
        ("not_a_workbook.xlsx", FormatError, "no zip signature"),
        ("missing_columns.csv", FormatError, "missing columns: Name 2"),
        ("bomb.xlsx", ParseError, "declares a DTD or entities"),
        ("xxe.xlsx", ParseError, "declares a DTD or entities"),
    ],
)
def test_malformed_files_fail_naming_the_file(name, error, message):
    assert_fails_naming_the_file("uk_ofsi", HERE / "malformed" / name, error, message)


@pytest.mark.shared
def test_real_conlist_counts():
    entities, report = load(shared_path("lists", "uk_ofsi", "ConList.xlsx"))
    assert report.published == "2025-04-14"
    assert len(entities) == report.records == 4688
    assert not report.rejects
    assert Counter(e.type for e in entities.values()) == {
        EntityType.PERSON: 3663,
        EntityType.ORGANIZATION: 1010,
        EntityType.VESSEL: 15,
    }
    notes = Counter(
        i.note for e in entities.values() for i in e.identifiers if i.kind is IdentifierKind.LIST_REF
    )
    assert notes == {"UK Sanctions List Ref": 4685, "UN Ref": 862}
    assert sum(1 for e in entities.values() if any(i.kind is IdentifierKind.IMO for i in e.identifiers)) == 15
    assert len({e.id for e in entities.values()}) == 4688
