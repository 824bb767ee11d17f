"""OFAC legacy CSV sets: the fixtures' quirks, malformed files, and the published counts of the real files."""

from __future__ import annotations

import shutil
import types
from collections import Counter
from pathlib import Path

import pytest

from matcher.errors import FormatError, ParseError
from matcher.model import (
    Address,
    Entity,
    EntityType,
    Identifier,
    IdentifierKind,
    Name,
    NameKind,
    PartialDate,
    Relation,
)
from matcher.sources import get_parser, ofac_csv, parse
from matcher.sources.base import ParseReport
from matcher.sources.ofac_csv import split_programs
from tests.conftest import shared_path

K = IdentifierKind
SDN_SET = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")


def _parse(paths: list[Path], source: str = "ofac_sdn") -> tuple[dict[str, Entity], ParseReport]:
    report = ParseReport(source)
    entities = {e.native_id: e for e in parse("ofac_csv", source, paths, report)}
    return entities, report


@pytest.fixture
def sdn_dir(fixtures: Path) -> Path:
    return fixtures / "ofac_sdn"


@pytest.fixture
def sdn_set(sdn_dir: Path) -> tuple[dict[str, Entity], ParseReport]:
    return _parse([sdn_dir / name for name in SDN_SET])


def test_registry_and_streaming(sdn_dir: Path) -> None:
    assert get_parser("ofac_csv") is ofac_csv.parse
    stream = parse("ofac_csv", "ofac_sdn", [sdn_dir / "sdn.csv"])
    assert isinstance(stream, types.GeneratorType)
    assert next(stream).id == "ofac_sdn:1001"


def test_full_set_counts(sdn_set: tuple[dict[str, Entity], ParseReport]) -> None:
    entities, report = sdn_set
    assert list(entities) == ["1001", "1002", "1003", "1004", "1005", "1006"]
    assert report.records == 6
    assert report.rejects == []
    assert report.warnings == []
    assert report.published is None  # the CSV carries no publication date
    assert {e.source_file for e in entities.values()} == {"sdn.csv"}


def test_sdn_type_maps_to_entity_type(sdn_set: tuple[dict[str, Entity], ParseReport]) -> None:
    entities, _ = sdn_set
    assert {k: e.type for k, e in entities.items()} == {
        "1001": EntityType.PERSON,
        "1002": EntityType.ORGANIZATION,  # SDN_Type "-0- "
        "1003": EntityType.VESSEL,
        "1004": EntityType.AIRCRAFT,
        "1005": EntityType.ORGANIZATION,
        "1006": EntityType.PERSON,
    }


def test_individual(sdn_set: tuple[dict[str, Entity], ParseReport]) -> None:
    person = sdn_set[0]["1001"]
    assert person.id == "ofac_sdn:1001"
    assert person.names == (
        Name("DOE, John Michael"),  # "LAST, First Middle", as published
        Name("DOE, Johnny", NameKind.ALIAS),  # alt.csv aka
        Name("SMITH, John", NameKind.ALIAS),  # alt.csv nka
        Name("THE FOX", NameKind.WEAK_ALIAS),  # quoted in Remarks
    )
    assert person.programs == ("SDGT", "IFSR")
    assert person.titles == ("Commander of the Example Brigade",)
    assert person.birth_dates == (PartialDate(1960, 1, 1), PartialDate(1961))
    assert person.birth_places == ("Springfield, Canada",)
    assert person.nationalities == ("Canada", "Iran")
    assert person.countries == ("Canada", "Iran")
    assert person.gender == "male"
    assert person.identifiers == (
        Identifier(K.PASSPORT, "A1234567", "Canada", "Passport; issued 02 Feb 2010; expires 01 Feb 2020"),
        Identifier(K.NATIONAL_ID, "9876543", "Canada", "National ID No."),
    )
    assert person.addresses == (Address("Springfield, Canada", "Canada"),)
    assert person.related == (Relation("ACME TRADING CO."),)
    assert person.remarks is not None and person.remarks.startswith("DOB 01 Jan 1960; alt. DOB 1961;")


def test_entity_aliases_and_address(sdn_set: tuple[dict[str, Entity], ParseReport]) -> None:
    org = sdn_set[0]["1002"]
    assert org.names == (
        Name("ACME TRADING CO."),
        Name("ACME GENERAL TRADING LLC", NameKind.FORMER),  # fka
        Name("ACME", NameKind.WEAK_ALIAS),  # aka whose alt_remarks says "low quality"
        Name("ACME IMPORT-EXPORT", NameKind.WEAK_ALIAS),  # quoted f.k.a. in Remarks
    )
    assert org.addresses == (Address("12 Example Street, Floor 3, Tehran 1234, Iran", "Iran"),)
    assert {i.kind for i in org.identifiers} == {K.TAX_ID, K.REGISTRATION, K.BIC, K.LEI, K.WEBSITE, K.EMAIL}
    assert org.extra["organization_established"] == "1999"
    assert org.related == (Relation("DOE, John Michael"),)


def test_vessel_columns(sdn_set: tuple[dict[str, Entity], ParseReport]) -> None:
    vessel = sdn_set[0]["1003"]
    assert vessel.identifiers == (
        Identifier(K.CALL_SIGN, "9HXY7"),
        Identifier(K.IMO, "9123456", None, "Vessel Registration Identification"),
        Identifier(K.MMSI, "215123456", None, "MMSI"),
    )
    assert vessel.countries == ("Malta",)
    assert vessel.addresses == ()  # its add.csv row is all "-0- "
    assert vessel.extra == {
        "vessel_type": "Crude Oil Tanker",
        "tonnage": "150,000",
        "gross_registered_tonnage": "80,000",
        "vessel_flag": "Malta",
        "vessel_owner": "ACME TRADING CO.",
        "former_vessel_flag": "Panama",
    }


def test_aircraft(sdn_set: tuple[dict[str, Entity], ParseReport]) -> None:
    aircraft = sdn_set[0]["1004"]
    assert [(i.kind, i.value) for i in aircraft.identifiers] == [
        (K.AIRCRAFT_SERIAL, "0579"),
        (K.AIRCRAFT_SERIAL, "579"),
        (K.AIRCRAFT_TAIL, "EP-ABC"),
    ]
    assert aircraft.extra["aircraft_model"] == "A300B4-605R"
    assert aircraft.related == (Relation("SKY AIR"),)


def test_comments_continue_remarks_mid_word(sdn_set: tuple[dict[str, Entity], ParseReport]) -> None:
    entity = sdn_set[0]["1005"]
    assert Identifier(K.REGISTRATION, "1027700342890", "Russia", "Registration Number") in entity.identifiers
    assert Identifier(K.TAX_ID, "7700000000", "Russia", "Tax ID No.") in entity.identifiers
    assert entity.related == (Relation("ACME TRADING CO."),)
    assert entity.remarks is not None and "Registration Number 1027700342890 (Russia)" in entity.remarks
    assert entity.names[1] == Name("ABU-'UMAR GROUP", NameKind.WEAK_ALIAS)


def test_without_comments_file_the_cut_item_is_not_parsed(sdn_dir: Path) -> None:
    entities, report = _parse([sdn_dir / "sdn.csv"])
    entity = entities["1005"]
    assert not [i for i in entity.identifiers if i.kind is K.REGISTRATION]  # not "10277"
    assert entity.related == ()
    assert entity.remarks is not None and entity.remarks.endswith("Registration Number 10277")
    assert len(report.warnings) == 1 and "1 entries" in report.warnings[0]
    # only the primary file is required: the weak aliases in Remarks are still there
    assert [n.kind for n in entities["1001"].names] == [NameKind.PRIMARY, NameKind.WEAK_ALIAS]


def test_null_remarks_and_source_argument(sdn_dir: Path) -> None:
    entities, _ = _parse([sdn_dir / "sdn.csv"], source="my_ofac")
    roe = entities["1006"]
    assert roe.id == "my_ofac:1006"
    assert roe.remarks is None
    assert roe.names == (Name("ROE, Jane"),)


def test_file_names_are_case_insensitive(sdn_dir: Path, tmp_path: Path) -> None:
    shutil.copy(sdn_dir / "sdn.csv", tmp_path / "SDN.CSV")
    shutil.copy(sdn_dir / "alt.csv", tmp_path / "ALT.csv")
    entities, _ = _parse([tmp_path / "SDN.CSV", tmp_path / "ALT.csv"])
    assert Name("SMITH, John", NameKind.ALIAS) in entities["1001"].names


def test_orphan_side_rows_are_rejected(sdn_dir: Path) -> None:
    entities, report = _parse([sdn_dir / "sdn.csv", sdn_dir / "orphans" / "alt.csv"])
    assert len(entities) == 6
    assert [(r.record, r.reason) for r in report.rejects] == [
        ("alt.csv:599", "alias of ent_num 4242, which is not in sdn.csv")
    ]


def test_unmappable_rows_are_rejected_with_reasons(sdn_dir: Path) -> None:
    entities, report = _parse([sdn_dir / "rejects" / "sdn.csv"])
    assert list(entities) == ["2001", "2005"]
    assert report.records == 7
    reasons = [r.reason for r in report.rejects]
    assert reasons == [
        "expected 12 columns, found 4",
        "ent_num 'ABC' is not a number",
        "no SDN_Name",
        "unknown SDN_Type 'spaceship'",
        "duplicate ent_num",
    ]


def test_cp1252_or_latin1_bytes_do_not_abort(sdn_dir: Path, tmp_path: Path) -> None:
    data = (sdn_dir / "sdn.csv").read_bytes().replace(b'"ROE, Jane"', b'"ROE, Jos\xe9"')
    (tmp_path / "sdn.csv").write_bytes(data)
    entities, _ = _parse([tmp_path / "sdn.csv"])
    assert entities["1006"].names[0].value == "ROE, José"


def test_missing_end_of_file_marker_is_a_warning(sdn_dir: Path, tmp_path: Path) -> None:
    data = (sdn_dir / "sdn.csv").read_bytes()
    assert data.endswith(b"\r\n\x1a")
    (tmp_path / "sdn.csv").write_bytes(data[:-1])
    entities, report = _parse([tmp_path / "sdn.csv"])
    assert len(entities) == 6
    assert any("no end-of-file marker" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("folder", "error", "message"),
    [
        ("truncated", ParseError, "truncated or corrupt"),
        ("cut_row", ParseError, "last record (line 3) has 4 of 12 columns"),
        ("header", FormatError, "first row is not an OFAC record"),
        ("html", FormatError, "looks like XML, HTML or JSON"),
    ],
)
def test_malformed_files(sdn_dir: Path, folder: str, error: type[Exception], message: str) -> None:
    path = sdn_dir / "malformed" / folder / "sdn.csv"
    with pytest.raises(error) as info:
        list(parse("ofac_csv", "ofac_sdn", [path]))
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "sdn.csv"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="file is empty"):
        list(parse("ofac_csv", "ofac_sdn", [empty]))
    with pytest.raises(ParseError, match="file not found"):
        list(parse("ofac_csv", "ofac_sdn", [tmp_path / "add.csv"]))


def test_file_set_errors(sdn_dir: Path, fixtures: Path) -> None:
    with pytest.raises(FormatError, match="no sdn.csv or cons_prim.csv"):
        list(parse("ofac_csv", "ofac_sdn", [sdn_dir / "alt.csv"]))
    with pytest.raises(FormatError, match="not a file of an OFAC CSV set") as info:
        list(parse("ofac_csv", "ofac_sdn", [sdn_dir / "sdn.csv", sdn_dir / "README.md"]))
    assert "README.md" in str(info.value)
    with pytest.raises(FormatError, match="two primary files"):
        list(parse("ofac_csv", "ofac_sdn", [sdn_dir / "sdn.csv", fixtures / "ofac_cons" / "cons_prim.csv"]))


@pytest.mark.parametrize(
    ("text", "programs"),
    [
        ("SDGT", ("SDGT",)),
        ("SDGT] [IFSR", ("SDGT", "IFSR")),
        ("[IRAN] [SDGT] [IRGC] [IFSR]", ("IRAN", "SDGT", "IRGC", "IFSR")),
        ("-0- ", ()),
        (None, ()),
    ],
)
def test_split_programs(text: str | None, programs: tuple[str, ...]) -> None:
    assert split_programs(text) == programs


# --- the real files --------------------------------------------------------------------------


@pytest.mark.shared
def test_real_sdn_csv() -> None:
    entities, report = _parse([shared_path("lists", "ofac_sdn", "sdn.csv")])
    assert len(entities) == 14_965
    assert report.records == 14_965
    assert report.rejects == []
    assert Counter(e.type for e in entities.values()) == {
        EntityType.PERSON: 6_854,
        EntityType.ORGANIZATION: 6_884,
        EntityType.VESSEL: 851,
        EntityType.AIRCRAFT: 376,
    }
    assert max(int(k) for k in entities) == 48_907
    bnc = entities["306"]
    assert bnc.id == "ofac_sdn:306"
    assert bnc.names == (Name("BANCO NACIONAL DE CUBA"), Name("BNC", NameKind.WEAK_ALIAS))
    assert bnc.type is EntityType.ORGANIZATION
    assert bnc.programs == ("CUBA",)
    # 18 remarks reach the 1,000-character cut and no sdn_comments.csv of that date exists
    assert len(report.warnings) == 1 and report.warnings[0].startswith("18 entries")


@pytest.mark.shared
def test_real_sdn_2021_set_attaches_every_alias_and_address() -> None:
    folder = shared_path("lists", "ofac_sdn", "2021-04-25")
    entities, report = _parse([folder / "sdn.csv", folder / "alt.csv", folder / "add.csv"])
    assert len(entities) == 8_890
    assert report.rejects == []  # no orphaned alias or address row
    kinds = Counter(n.kind for e in entities.values() for n in e.names)
    assert kinds[NameKind.ALIAS] + kinds[NameKind.FORMER] == 11_742  # one per alt.csv row
    assert kinds[NameKind.FORMER] == 366  # the fka rows
    # 13,761 add.csv rows, of which 2,403 are entirely "-0- "
    assert sum(len(e.addresses) for e in entities.values()) == 11_358
    bnc = entities["306"]
    assert Name("NATIONAL BANK OF CUBA", NameKind.ALIAS) in bnc.names
    assert Name("BNC", NameKind.WEAK_ALIAS) in bnc.names
    assert Address("Zweierstrasse 35, Zurich CH-8022, Switzerland", "Switzerland") in bnc.addresses


@pytest.mark.shared
def test_real_consolidated_csv_set() -> None:
    folder = shared_path("lists", "ofac_consolidated")
    files = ["cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"]
    entities, report = _parse([folder / f for f in files], source="ofac_cons")
    assert len(entities) == 442
    assert report.rejects == []
    assert report.warnings == []  # every long remark has its continuation
    assert Counter(e.type for e in entities.values()) == {EntityType.ORGANIZATION: 363, EntityType.PERSON: 79}
    # 17014's Remarks is cut at "Registration Numbe" and continues "r 1027700342890 (Russia)"
    rusag = entities["17014"]
    assert Identifier(K.REGISTRATION, "1027700342890", "Russia", "Registration Number") in rusag.identifiers
    assert Name("RUSAG", NameKind.WEAK_ALIAS) in rusag.names
