"""FCDO UK Sanctions List CSV: hand-made fixture in tests/fixtures/uk (no real copy is available)."""

from __future__ import annotations

import pytest

from matcher.errors import FormatError, ParseError
from matcher.model import Address, EntityType, Identifier, IdentifierKind, Name, NameKind, PartialDate
from matcher.sources import ParseReport, parse
from matcher.sources.uk_fcdo import HEADERS
from tests.conftest import FIXTURES

HERE = FIXTURES / "uk"


def load(path, source="uk"):
    report = ParseReport(source)
    return {e.id: e for e in parse("uk_fcdo", source, [path], report)}, report


def test_header_is_the_documented_58_columns():
    assert len(HEADERS) == len(set(HEADERS)) == 58
    first_lines = (HERE / "UK-Sanctions-List.csv").read_text(encoding="utf-8-sig").splitlines()[:2]
    assert first_lines[0] == "Report Date: 13-Feb-2026"
    assert first_lines[1].split(",") == list(HEADERS)


def test_lines_grouped_by_unique_id_with_rejects():
    entities, report = load(HERE / "UK-Sanctions-List.csv")
    assert sorted(entities) == ["uk:AFG9001", "uk:RUS9001", "uk:RUS9002", "uk:RUS9003"]
    assert report.published == "2026-02-13"
    assert report.records == 6
    assert [(r.record, r.reason) for r in report.rejects] == [
        ("line 13", "no Unique ID"),
        ("CYB9001", "unknown or conflicting Designation Type ['Aircraft']"),
    ]
    assert report.warnings == []


def test_person_fields():
    entities, _ = load(HERE / "UK-Sanctions-List.csv")
    person = entities["uk:RUS9001"]
    assert person.type is EntityType.PERSON
    assert person.names == (
        Name("Ivan Sergeyevich PETROV", NameKind.PRIMARY, "Latn"),
        Name("Iwan PETROFF", NameKind.WEAK_ALIAS, "Latn"),
        Name("Иван Сергеевич ПЕТРОВ", NameKind.ORIGINAL_SCRIPT, "Cyrl", "rus"),
    )
    assert person.birth_dates == (PartialDate(1965), PartialDate(1967, 5, 12))
    assert person.birth_places == ("Yuzhno Sakhalinsk, Russia",)
    assert person.nationalities == ("Russia",)
    assert person.gender == "male"
    assert person.titles == ("Colonel",)
    assert person.listed_on == PartialDate(2023, 4, 21)
    assert person.programs == ("The Russia (Sanctions) (EU Exit) Regulations 2019",)
    assert person.identifiers == (
        Identifier(IdentifierKind.PASSPORT, "7512345678", note="Russian internal passport"),
        Identifier(IdentifierKind.PASSPORT, "100200300", note="Russian foreign passport"),
        Identifier(IdentifierKind.NATIONAL_ID, "771234567890", note="INN"),
    )
    assert person.extra["sanctions_imposed"] == "Asset freeze|Travel Ban|Trust services sanctions"
    assert person.extra["statement_of_reasons"].startswith('Colonel Ivan PETROV is an "involved person"')
    assert person.extra["last_updated"] == "2025-05-09"


def test_un_entity_has_list_refs_and_one_address_per_line():
    entities, _ = load(HERE / "UK-Sanctions-List.csv")
    exchange = entities["uk:AFG9001"]
    assert exchange.type is EntityType.ORGANIZATION
    assert Identifier(IdentifierKind.LIST_REF, "TAe.999", note="UN Ref") in exchange.identifiers
    assert Identifier(IdentifierKind.LIST_REF, "19001", note="OFSI Group ID") in exchange.identifiers
    assert Address("Chaman Central Bazaar, Baluchistan Province, Pakistan", "Pakistan") in exchange.addresses
    assert Address("Shah Zada Market, Chaman, Pakistan", "Pakistan") in exchange.addresses
    assert exchange.names[2] == Name("حاجی مثال صرافی", NameKind.ORIGINAL_SCRIPT, "Arab", "pus")
    assert exchange.extra["designation_source"] == "UN"


def test_ship_and_company_identifiers():
    entities, _ = load(HERE / "UK-Sanctions-List.csv")
    ship = entities["uk:RUS9002"]
    assert ship.type is EntityType.VESSEL
    assert ship.identifiers == (
        Identifier(IdentifierKind.IMO, "9826999"),
        Identifier(IdentifierKind.OTHER, "HIN-EX-0001", note="HIN"),
    )
    assert ship.countries == ("Gabon",)
    assert [n.kind for n in ship.names] == [NameKind.PRIMARY, NameKind.ALIAS]
    company = entities["uk:RUS9003"]
    assert [i.value for i in company.identifiers if i.kind is IdentifierKind.REGISTRATION] == [
        "OGRN 1021600000000",
        "INN 1650000000",
    ]
    assert company.addresses == (Address("12 Example Street, Kazan, 420000, Russia", "Russia"),)


def test_source_argument_names_the_ids():
    entities, _ = load(HERE / "UK-Sanctions-List.csv", source="uk_test")
    assert "uk_test:RUS9001" in entities


def test_missing_report_date_line_is_a_warning(tmp_path):
    lines = (HERE / "UK-Sanctions-List.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path = tmp_path / "no-date.csv"
    path.write_text("".join(lines[1:]), encoding="utf-8")
    entities, report = load(path)
    assert len(entities) == 4
    assert report.published is None
    assert report.warnings == ["no-date.csv: no 'Report Date:' line; publication date unknown"]


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("truncated.csv", ParseError, "truncated"),
        ("missing_columns.csv", FormatError, "missing columns: Gender, IMO number$"),
        ("wrong_format.csv", FormatError, "missing columns: Unique ID, OFSI Group ID"),
    ],
)
def test_malformed_files_fail_naming_the_file(name, error, message):
    path = HERE / "malformed" / name
    with pytest.raises(error, match=message) as info:
        list(parse("uk_fcdo", "uk", [path]))
    assert info.value.where == str(path)
