"""OFAC sdnList XML: two namespace vintages, hostile and truncated files, agreement with the CSV."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from matcher.errors import FormatError, ParseError
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
from matcher.sources import get_parser, ofac_xml, parse
from matcher.sources.base import ParseReport
from tests.conftest import shared_path

K = IdentifierKind
CONS_CSV = ("cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv")


def _parse(fmt: str, source: str, paths: list[Path]) -> tuple[dict[str, Entity], ParseReport]:
    report = ParseReport(source)
    return {e.native_id: e for e in parse(fmt, source, paths, report)}, report


@pytest.fixture
def cons(fixtures: Path) -> tuple[dict[str, Entity], ParseReport]:
    return _parse("ofac_xml", "ofac_cons", [fixtures / "ofac_cons" / "consolidated.xml"])


@pytest.fixture
def sdn(fixtures: Path) -> tuple[dict[str, Entity], ParseReport]:
    return _parse("ofac_xml", "ofac_sdn", [fixtures / "ofac_sdn" / "sdn.xml"])


def test_publish_info(cons: tuple[dict[str, Entity], ParseReport]) -> None:
    entities, report = cons
    assert get_parser("ofac_xml") is ofac_xml.parse
    assert report.published == "2026-01-08"  # Publish_Date 01/08/2026 is mm/dd/yyyy
    assert report.records == 3
    assert list(entities) == ["9001", "9002", "9003"]
    assert report.rejects == [] and report.warnings == []
    assert {e.source_file for e in entities.values()} == {"consolidated.xml"}


def test_person_names_are_last_comma_first(cons: tuple[dict[str, Entity], ParseReport]) -> None:
    person = cons[0]["9001"]
    assert person.id == "ofac_cons:9001"
    assert person.type is EntityType.PERSON
    assert person.names == (
        Name("HAMDAN, Omar Khalil"),
        Name("HAMDAN, Omar", NameKind.ALIAS),
        Name("ABU KHALIL", NameKind.WEAK_ALIAS),
    )
    assert person.gender == "male"  # published as an id of type Gender
    assert person.birth_dates == (PartialDate(1955),)
    assert person.birth_places == ("Jabalia Camp",)
    assert person.nationalities == ("Palestinian",)
    assert person.related == (Relation("HAMAS"),)  # from remarks "(Linked To: HAMAS)"
    assert person.remarks == "(Linked To: HAMAS)"
    assert person.programs == ("SDGT", "NS-PLC")


def test_entity_ids_and_address(cons: tuple[dict[str, Entity], ParseReport]) -> None:
    bank = cons[0]["9002"]
    assert bank.type is EntityType.ORGANIZATION
    assert bank.names == (
        Name("JOINT STOCK COMPANY EXAMPLE BANK"),
        Name("OPEN JOINT STOCK COMPANY EXAMPLE BANK", NameKind.FORMER),
        Name("EXBANK", NameKind.WEAK_ALIAS),  # a weak f.k.a.: weak wins
    )
    assert bank.addresses == (Address("3 Example Pereulok, Moscow 119034, Russia", "Russia"),)
    assert [(i.kind, i.value, i.country) for i in bank.identifiers][:4] == [
        (K.REGISTRATION, "1027700000001", "Russia"),
        (K.TAX_ID, "7700000001", "Russia"),
        (K.BIC, "EXBKRUMM", None),
        (K.OTHER, "044525000", None),
    ]
    assert (
        bank.extra["directives"] == "Executive Order 13662 Directive Determination - Subject to Directive 1"
    )
    assert bank.extra["secondary_sanctions_risk"].count("; ") == 1  # two values, joined
    assert bank.countries == ("Russia",)


def test_old_namespace_vessel_and_dates(sdn: tuple[dict[str, Entity], ParseReport]) -> None:
    entities, report = sdn
    assert report.published == "2021-04-23"
    person = entities["1001"]
    assert person.names[0] == Name("DOE, John Michael")
    assert Name("SMITH, John", NameKind.ALIAS) in person.names  # n.k.a.
    assert person.titles == ("Commander of the Example Brigade",)
    assert person.nationalities == ("Canada", "Iran")  # nationalityList + citizenshipList
    assert person.birth_dates == (
        PartialDate(1960, 1, 1),
        PartialDate(1958),  # "circa 1958"
        DateRange(PartialDate(1961), PartialDate(1963)),  # "1961 to 1963"
    )
    assert report.warnings == ["sdn.xml:1001: date of birth 'sometime in spring' not understood, left out"]
    assert Identifier(K.OTHER, "SB-0042", "Canada", "Seaman's Book Number") in person.identifiers
    assert person.extra == {"additional_sanctions_information": "Subject to Secondary Sanctions"}

    vessel = entities["1003"]
    assert vessel.type is EntityType.VESSEL
    assert vessel.identifiers == (
        Identifier(K.CALL_SIGN, "9HXY7"),
        Identifier(K.IMO, "9123456", None, "Vessel Registration Identification"),
        Identifier(K.MMSI, "215123456", None, "MMSI"),
    )
    assert vessel.countries == ("Malta",)
    assert vessel.extra["vessel_owner"] == "ACME TRADING CO."
    assert vessel.extra["gross_registered_tonnage"] == "80,000"
    assert vessel.related == (Relation("ACME TRADING CO."),)
    assert entities["1004"].type is EntityType.AIRCRAFT


def _same(a: Entity, b: Entity) -> None:
    """The CSV and the XML of one publication give the same entity (order aside)."""
    assert a.id == b.id and a.type == b.type
    for field in ("names", "identifiers", "addresses", "countries", "nationalities", "related", "programs"):
        assert set(getattr(a, field)) == set(getattr(b, field)), field
    for field in ("birth_dates", "birth_places", "gender", "titles"):
        assert getattr(a, field) == getattr(b, field), field
    assert {k: set(v.split("; ")) for k, v in a.extra.items()} == {
        k: set(v.split("; ")) for k, v in b.extra.items()
    }


def test_csv_and_xml_of_one_publication_agree(fixtures: Path) -> None:
    folder = fixtures / "ofac_cons"
    from_xml, _ = _parse("ofac_xml", "ofac_cons", [folder / "consolidated.xml"])
    from_csv, _ = _parse("ofac_csv", "ofac_cons", [folder / f for f in CONS_CSV])
    assert list(from_xml) == list(from_csv)
    for key, entity in from_xml.items():
        _same(entity, from_csv[key])


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("truncated.xml", ParseError, "XML is truncated or corrupt"),
        ("count_mismatch.xml", ParseError, "Record_Count says 3 entries but the file has 2"),
        ("wrong_root.xml", FormatError, "expected <sdnList> document, found <CONSOLIDATED_LIST>"),
        ("not_xml.xml", FormatError, "not XML"),
        ("bomb.xml", ParseError, "DTD or entities"),
        ("xxe.xml", ParseError, "DTD or entities"),
    ],
)
def test_malformed_files(fixtures: Path, name: str, error: type[Exception], message: str) -> None:
    path = fixtures / "ofac_cons" / "malformed" / name
    with pytest.raises(error) as info:
        list(parse("ofac_xml", "ofac_cons", [path]))
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_count_mismatch_is_raised_after_streaming(fixtures: Path) -> None:
    report = ParseReport("ofac_cons")
    stream = parse(
        "ofac_xml", "ofac_cons", [fixtures / "ofac_cons" / "malformed" / "count_mismatch.xml"], report
    )
    seen = []
    with pytest.raises(ParseError):
        for entity in stream:
            seen.append(entity.id)
    assert seen == ["ofac_cons:9001", "ofac_cons:9003"]
    assert report.records == 2


def test_one_file_only(fixtures: Path) -> None:
    xml = fixtures / "ofac_cons" / "consolidated.xml"
    with pytest.raises(FormatError, match="reads one XML file"):
        list(parse("ofac_xml", "ofac_cons", [xml, fixtures / "ofac_sdn" / "sdn.xml"]))


def test_entries_that_cannot_be_mapped_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(
        """<?xml version="1.0"?>
<sdnList><publshInformation><Publish_Date>12/31/2024</Publish_Date><Record_Count>5</Record_Count></publshInformation>
<sdnEntry><uid>1</uid><lastName>GOOD</lastName><sdnType>Entity</sdnType></sdnEntry>
<sdnEntry><lastName>NO UID</lastName><sdnType>Entity</sdnType></sdnEntry>
<sdnEntry><uid>2</uid><sdnType>Entity</sdnType></sdnEntry>
<sdnEntry><uid>3</uid><lastName>ODD</lastName><sdnType>Spaceship</sdnType></sdnEntry>
<sdnEntry><uid>1</uid><lastName>GOOD AGAIN</lastName><sdnType>Entity</sdnType></sdnEntry>
</sdnList>""",
        encoding="utf-8",
    )
    entities, report = _parse("ofac_xml", "ofac_sdn", [path])
    assert list(entities) == ["1"]
    assert report.published == "2024-12-31"
    assert report.records == 5  # all counted against Record_Count, so no ParseError
    assert [r.reason for r in report.rejects] == [
        "sdnEntry without uid",
        "sdnEntry without lastName or firstName",
        "unknown sdnType 'Spaceship'",
        "duplicate uid",
    ]


# --- the real file ---------------------------------------------------------------------------


@pytest.mark.shared
def test_real_consolidated_xml() -> None:
    folder = shared_path("lists", "ofac_consolidated")
    entities, report = _parse("ofac_xml", "ofac_cons", [folder / "consolidated.xml"])
    assert len(entities) == 442
    assert report.published == "2026-01-08"
    assert report.records == 442
    assert report.rejects == [] and report.warnings == []
    assert Counter(e.type for e in entities.values()) == {EntityType.ORGANIZATION: 363, EntityType.PERSON: 79}
    programs = Counter(p for e in entities.values() for p in e.programs)
    assert programs["UKRAINE-EO13662"] == 286 and programs["RUSSIA-EO14024"] == 93
    assert programs["NS-PLC"] == 78 and programs["CMIC-EO13959"] == 68
    kinds = Counter(n.kind for e in entities.values() for n in e.names)
    assert kinds[NameKind.WEAK_ALIAS] == 72  # category weak
    assert kinds[NameKind.ALIAS] + kinds[NameKind.FORMER] == 1_072  # category strong
    haniya = entities["9639"]
    assert haniya.names[0] == Name("HANIYA, Ismail Abdul Salah")
    assert haniya.birth_dates == (PartialDate(1962),)


@pytest.mark.shared
def test_real_consolidated_csv_and_xml_agree() -> None:
    folder = shared_path("lists", "ofac_consolidated")
    from_xml, _ = _parse("ofac_xml", "ofac_cons", [folder / "consolidated.xml"])
    from_csv, _ = _parse("ofac_csv", "ofac_cons", [folder / f for f in CONS_CSV])
    assert set(from_xml) == set(from_csv)
    assert len(from_xml) == 442
    # the CSV copy is three weeks older than the XML; these entries did not change in between
    for uid in ("9639", "9640", "9647", "17014", "17017", "30923", "32087"):
        _same(from_xml[uid], from_csv[uid])
    # names agree on every entry but two that OFAC edited in between (an alias added; quotes changed)
    differing = sorted(uid for uid in from_xml if set(from_xml[uid].names) != set(from_csv[uid].names))
    assert differing == ["18721", "22391"]
