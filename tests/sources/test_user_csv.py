"""matcher's user CSV format: fixtures in tests/fixtures/user."""

from __future__ import annotations

import pytest

from matcher.errors import FormatError, ParseError
from matcher.model import (
    Address,
    DateRange,
    EntityType,
    Identifier,
    IdentifierKind,
    Name,
    NameKind,
    PartialDate,
)
from matcher.sources import ParseReport, parse
from tests.conftest import FIXTURES

HERE = FIXTURES / "user"


def load(*paths, source="blocked"):
    report = ParseReport(source)
    return {e.id: e for e in parse("user_csv", source, list(paths), report)}, report


def test_good_lines_load_and_bad_lines_are_rejected_with_line_numbers():
    entities, report = load(HERE / "internal_list.csv")
    assert list(entities) == ["blocked:C-17", "blocked:C-18", "blocked:V-2", "blocked:C-19", "blocked:C-25"]
    assert report.records == 11
    assert [(r.record, r.reason) for r in report.rejects] == [
        ("line 7", "duplicate id 'C-17' (first on line 2 of internal_list.csv)"),
        ("line 8", "empty name"),
        ("line 9", "unknown type 'robot' (use person, organization, vessel or aircraft)"),
        ("line 10", "birth_date: month out of range: 13"),
        ("line 11", "unknown identifier kind 'licence'"),
        ("line 12", "15 values for 13 header columns"),
    ]
    assert report.published is None


def test_all_columns_map():
    entities, _ = load(HERE / "internal_list.csv")
    person = entities["blocked:C-17"]
    assert person.type is EntityType.PERSON
    assert person.names == (
        Name("Ivan PETROV", NameKind.PRIMARY, "Latn"),
        Name("Iwan Petrow", NameKind.ALIAS, "Latn"),
        Name("Ivan Petroff", NameKind.ALIAS, "Latn"),
    )
    assert person.birth_dates == (PartialDate(1971, 4),)
    assert person.nationalities == ("RU", "UA")
    assert person.countries == ("RU", "UA")
    assert person.identifiers == (
        Identifier(IdentifierKind.PASSPORT, "7512345678"),
        Identifier(IdentifierKind.TAX_ID, "771234567890"),
    )
    assert person.programs == ("internal fraud",)
    assert person.addresses == (Address("Lenina 1, Moscow"),)
    assert person.listed_on == PartialDate(2024, 3, 1)
    assert person.remarks == 'Chargeback fraud, "card not present"'
    assert person.extra == {"account manager": "J. Smith"}
    assert person.source_file == "internal_list.csv"


def test_type_default_and_synonyms():
    entities, _ = load(HERE / "internal_list.csv")
    assert entities["blocked:C-18"].type is EntityType.ORGANIZATION  # empty type
    assert entities["blocked:V-2"].type is EntityType.VESSEL  # "ship"
    assert entities["blocked:C-19"].type is EntityType.PERSON  # "individual"
    assert entities["blocked:C-25"].type is EntityType.ORGANIZATION  # "company"
    assert entities["blocked:C-19"].birth_dates == (DateRange(PartialDate(1960), PartialDate(1965)),)
    assert entities["blocked:C-19"].names[0] == Name("Олег Иванов", NameKind.PRIMARY, "Cyrl")
    assert entities["blocked:C-25"].names[0].value == "Multi-line Name Holdings"


def test_ids_are_unique_across_the_files_of_a_list():
    entities, report = load(HERE / "internal_list.csv", HERE / "internal_list.csv")
    assert len(entities) == 5
    # 1 duplicate inside the first copy, then all 6 ids of the second copy again.
    assert sum(r.reason.startswith("duplicate id") for r in report.rejects) == 7


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("wrong_format.csv", FormatError, r"missing required columns: id, name \(.*comma-separated\)"),
        ("duplicate_column.csv", FormatError, "names a column twice: name"),
        ("truncated.csv", ParseError, "cut short at line 2"),
        ("latin1.csv", ParseError, "not UTF-8 text: invalid continuation byte on line 2"),
    ],
)
def test_malformed_files_fail_naming_the_file(name, error, message):
    path = HERE / "malformed" / name
    with pytest.raises(error, match=message) as info:
        list(parse("user_csv", "blocked", [path]))
    assert info.value.where == str(path)
