"""Australia DFAT consolidated list xlsx: fixtures in tests/fixtures/au_dfat, real file in ../shared."""

from __future__ import annotations

import zipfile
from collections import Counter

import pytest

from matcher.errors import FormatError, ParseError
from matcher.model import Address, DateRange, EntityType, Name, NameKind, PartialDate
from matcher.sources import ParseReport, parse
from matcher.sources.au_dfat import split_lettered
from tests.conftest import FIXTURES, shared_path

HERE = FIXTURES / "au_dfat"


def load(path):
    report = ParseReport("au_dfat")
    return {e.id: e for e in parse("au_dfat", "au_dfat", [path], report)}, report


def test_targets_grouped_by_reference_number():
    entities, report = load(HERE / "regulation8_consolidated.xlsx")
    assert sorted(entities) == ["au_dfat:2", "au_dfat:3", "au_dfat:4", "au_dfat:5"]
    assert report.records == 6
    assert [(r.record, r.reason) for r in report.rejects] == [
        ("row 12", "unreadable Reference 'X7'"),
        ("6", "unknown or conflicting Type ['vessel']"),
    ]
    # The latest Control Date, stored as a bare serial number on target 3.
    assert report.published == "2024-11-11"


def test_name_types_in_any_case_and_spacing():
    entities, _ = load(HERE / "regulation8_consolidated.xlsx")
    assert entities["au_dfat:2"].names == (
        Name("MOHAMMAD EXAMPLE AKHUND", NameKind.PRIMARY, "Latn"),
        Name("محمد مثال آخوند", NameKind.ORIGINAL_SCRIPT, "Arab"),
        Name("Mullah Example", NameKind.ALIAS, "Latn"),
    )
    bank = entities["au_dfat:3"]
    assert bank.type is EntityType.ORGANIZATION
    # "3b" sits after target 4 in the sheet and is still merged into target 3.
    assert [(n.value, n.kind) for n in bank.names] == [
        ("EXAMPLE BANK OF IRAN", NameKind.PRIMARY),
        ("Bank Example Iran", NameKind.ALIAS),
        ("Former Example Bank", NameKind.FORMER),
    ]


def test_person_fields():
    entities, _ = load(HERE / "regulation8_consolidated.xlsx")
    person = entities["au_dfat:2"]
    assert person.type is EntityType.PERSON
    assert person.birth_dates == (DateRange(PartialDate(1955), PartialDate(1958)), PartialDate(1960, 1, 1))
    assert person.birth_places == ("Pashmul village, Kandahar Province, Afghanistan", "Kabul, Afghanistan")
    assert person.nationalities == ("Afghanistan",)
    assert person.addresses == ()  # "NA"
    assert person.programs == ("1988 (Taliban)",)
    assert person.listed_on == PartialDate(2001, 1, 25)
    assert person.remarks == "Title: Mullah. Member of the example council."
    assert person.extra["control_date"] == "2014-12-15"


def test_date_cells_and_hijri_dates():
    entities, _ = load(HERE / "regulation8_consolidated.xlsx")
    assert entities["au_dfat:5"].birth_dates == (PartialDate(1969), PartialDate(1970, 2, 5))
    hijri = entities["au_dfat:4"]
    assert hijri.birth_dates == (PartialDate(1982, 4, 19),)
    assert hijri.extra["dob_unparsed"] == "24/06/1402 (Hijri Calendar)"
    assert hijri.nationalities == ("Yemeni", "Saudi Arabian")
    assert hijri.listed_on == PartialDate(2019, 3, 1)


def test_addresses_split_on_letters():
    entities, _ = load(HERE / "regulation8_consolidated.xlsx")
    assert entities["au_dfat:3"].addresses == (Address("12 Example Road, Tehran, Iran"), Address("Iran"))
    assert split_lettered("a)9999 b)1960") == ["9999", "1960"]
    assert split_lettered("N/A") == []
    assert split_lettered("Kabul (previous address)") == ["Kabul (previous address)"]


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("truncated.xlsx", ParseError, "truncated or corrupt"),
        ("wrong_format.xlsx", FormatError, "missing columns: Reference, Name of Individual or Entity"),
        ("wrong_format.csv", FormatError, "no zip signature"),
        ("bomb.xlsx", ParseError, "declares a DTD or entities"),
        ("xxe.xlsx", ParseError, "declares a DTD or entities"),
    ],
)
def test_malformed_files_fail_naming_the_file(name, error, message):
    path = HERE / "malformed" / name
    with pytest.raises(error, match=message) as info:
        list(parse("au_dfat", "au_dfat", [path]))
    assert info.value.where == str(path)


@pytest.mark.shared
def test_real_list_counts():
    entities, report = load(shared_path("lists", "au_dfat", "regulation8_consolidated.xlsx"))
    assert len(entities) == report.records == 3062
    assert not report.rejects
    assert Counter(e.type for e in entities.values()) == {
        EntityType.PERSON: 2316,
        EntityType.ORGANIZATION: 746,
    }
    assert report.published == "2024-11-11"
    assert all(sum(n.kind is NameKind.PRIMARY for n in e.names) == 1 for e in entities.values())


def test_dtd_hidden_behind_a_long_comment_is_refused(tmp_path):
    comment = b"<!--" + b" <a " * 20000 + b"-->"  # pushes the DTD past the first 64 KiB
    padded = b'<?xml version="1.0"?>\n' + comment + b'\n<!DOCTYPE x [<!ENTITY a "b">]>\n<worksheet/>'
    path = tmp_path / "padded.xlsx"
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(HERE / "regulation8_consolidated.xlsx") as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, padded if info.filename == sheet else src.read(info))
    with pytest.raises(ParseError, match="no root element early on"):
        list(parse("au_dfat", "au_dfat", [path]))
