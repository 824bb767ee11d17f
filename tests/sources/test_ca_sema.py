"""The Canada SEMA/JVCFOA list parser: fixtures for each quirk, then the real published file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from matcher.errors import FormatError, MatcherError, ParseError
from matcher.model import (
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
from matcher.sources.ca_sema import native_id, split_aliases
from tests.conftest import shared_path
from tests.sources.malformed import assert_fails_naming_the_file

BELARUS = "Belarus / Bélarus"


def run(path: Path, source: str = "ca_sema") -> tuple[list[Entity], ParseReport]:
    report = ParseReport(source)
    return list(parse("ca_sema", source, [path], report)), report


def by_id(entities: list[Entity]) -> dict[str, Entity]:
    return {e.id: e for e in entities}


@pytest.mark.parametrize(
    ("country", "schedule", "item", "expected"),
    [
        ("Russia / Russie", "1, Part 1", "123", "russia-1-part-1-123"),
        ("Russia / Russie", "1,Part 3", "4", "russia-1-part-3-4"),  # same as "1, Part 3"
        ("Russia / Russie", "1.1", "1", "russia-1.1-1"),
        ("Iran", "1, Part 2.1", "7", "iran-1-part-2.1-7"),
        ("Myanmar (Burma) / Myanmar (Birmanie)", "Part 2", "148", "myanmar-burma-part-2-148"),
        (
            "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR) / Règlement relatif à la "
            "justice pour les victimes de dirigeants étrangers corrompus (RJVDEC)",
            None,
            "12",
            "jvcfor-12",
        ),
        ("Haiti / Haïti", "Part 3", "5", "haiti-part-3-5"),
        ("Ukraine", "Part 1", None, None),
        (None, "Part 1", "1", None),
    ],
)
def test_native_id(country: str | None, schedule: str | None, item: str | None, expected: str | None) -> None:
    assert native_id(country, schedule, item) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Иван Иванович Головатый; Ivan Golovatyi", ["Иван Иванович Головатый", "Ivan Golovatyi"]),
        (
            "Raman Ivanavich BIZIUK,  Belarusian: Раман Iванавiч БIЗЮК, Russian: Роман Иванович БИЗЮК",
            ["Raman Ivanavich BIZIUK", "Раман Iванавiч БIЗЮК", "Роман Иванович БИЗЮК"],
        ),
        ("Банк Зенит, ПАО", ["Банк Зенит, ПАО"]),  # a bare legal form stays with its name
        ("АО, Воронежский опытный завод", ["АО, Воронежский опытный завод"]),
        ("KGB, Belarusian KGB", ["KGB", "Belarusian KGB"]),  # an acronym is a name
        (
            "Министерство финансов or МинФин; MinFin",
            ["Министерство финансов", "МинФин", "MinFin"],
        ),
        ("Сергей Евгеньевич Цивилев, or Цивилёв", ["Сергей Евгеньевич Цивилев", "Цивилёв"]),
        ("Ольга КРАВЦОВА / Ольга КРАВЦОВА", ["Ольга КРАВЦОВА"]),
        ("Sepah-e Pasdaran/GRI", ["Sepah-e Pasdaran", "GRI"]),
        ("Nordic Shipping A/S", ["Nordic Shipping A/S"]),  # single letters around "/" stay together
        ("Следственный Комитет or СКР)", ["Следственный Комитет", "СКР"]),
        (
            "Viktor Ermolayev; Vitalii Yermolaye;, Yeryoma",
            ["Viktor Ermolayev", "Vitalii Yermolaye", "Yeryoma"],
        ),
        (
            "King Royal Technologies Co. Ltd.,\nKing Royal Technologies Ltd.",
            ["King Royal Technologies Co. Ltd.", "King Royal Technologies Ltd."],
        ),
        ("", []),
    ],
)
def test_split_aliases(text: str, expected: list[str]) -> None:
    assert split_aliases(text) == expected


def test_person_with_labelled_aliases(fixtures: Path) -> None:
    entities, report = run(fixtures / "ca_sema" / "records.xml")

    assert report.published is None  # the file states none
    assert report.warnings == ["the file states no publication date; its latest DateOfListing is 2025-02-21"]
    assert report.records == 7
    assert report.rejects == []
    e = by_id(entities)["ca_sema:belarus-1-part-1-1"]
    assert e.type is EntityType.PERSON
    assert e.names == (
        Name("Ivan Ivanovich Testovich", NameKind.PRIMARY, "Latn"),
        Name("Ivan Ivanavich TESTAVICH", NameKind.ALIAS, "Latn"),
        Name("Іван Іванавіч ТЭСТАВІЧ", NameKind.ORIGINAL_SCRIPT, "Cyrl"),
        Name("Иван Иванович ТЕСТОВИЧ", NameKind.ORIGINAL_SCRIPT, "Cyrl"),
        Name("Vanya", NameKind.WEAK_ALIAS, "Latn"),
    )
    assert e.birth_dates == (PartialDate(1965, 4, 29),)
    assert e.programs == (BELARUS,)
    assert e.listed_on == PartialDate(2020, 9, 28)
    assert e.source_file == "records.xml"
    assert e.extra == {
        "schedule": "1, Part 1",
        "item": "1",
        "aliases": (
            "Ivan Ivanavich TESTAVICH, Belarusian: Іван Іванавіч ТЭСТАВІЧ, "
            "Russian : Иван Иванович ТЕСТОВИЧ; Vanya"
        ),
    }


def test_entities_and_ships(fixtures: Path) -> None:
    entities = by_id(run(fixtures / "ca_sema" / "records.xml")[0])

    plant = entities["ca_sema:belarus-1-part-2-1"]
    assert plant.type is EntityType.ORGANIZATION
    assert [n.value for n in plant.names] == [
        "Test Machine-Tool Plant",
        "Stankotest",
        "OOO Stankotest",
        "Test Machine Plant",
    ]
    committee = entities["ca_sema:russia-1-part-3-4"]  # Schedule "1,Part 3"
    assert committee.primary_name.value == "The Investigative Committee of the Test Federation"
    assert [(n.value, n.kind) for n in committee.names[1:]] == [
        ("Банк Тест, ПАО", NameKind.ORIGINAL_SCRIPT),
        ("Следственный Комитет Тестовой Федерации", NameKind.ORIGINAL_SCRIPT),
        ("СКТ", NameKind.ORIGINAL_SCRIPT),
    ]
    ship = entities["ca_sema:russia-1.1-1"]
    assert ship.type is EntityType.VESSEL
    assert ship.names == (Name("Testiy III", NameKind.PRIMARY, "Latn"),)
    assert ship.identifiers == (Identifier(IdentifierKind.IMO, "7612448"),)
    assert ship.birth_dates == ()
    assert ship.titles == ()
    assert ship.extra["build_date"] == "1980"
    assert ship.extra["ship_type"] == "General Cargo / Multi Purpose"


def test_person_titles_and_birth_date_forms(fixtures: Path) -> None:
    entities = by_id(run(fixtures / "ca_sema" / "records.xml")[0])

    general = entities["ca_sema:syria-part-2-1"]
    assert general.titles == ("Major General/major-général",)
    assert general.birth_dates == (PartialDate(1963), PartialDate(1964))  # "1963 or 1964"
    assert [n.value for n in general.names] == ["Hamid Al-Testi", "Hamid al-Testi", "Hameed al-Testy"]
    jvcfor = entities["ca_sema:jvcfor-12"]
    assert jvcfor.birth_dates == ()
    assert jvcfor.extra["birth_date_text"] == "born in the early 1970s"
    assert "schedule" not in jvcfor.extra
    assert entities["ca_sema:myanmar-burma-part-2-148"].birth_dates == (
        DateRange(PartialDate(1963), PartialDate(1964)),
    )


def test_rejects_are_counted_with_reasons(fixtures: Path) -> None:
    entities, report = run(fixtures / "ca_sema" / "rejects.xml")

    assert [e.id for e in entities] == ["ca_sema:ukraine-part-1-9"]
    assert entities[0].primary_name.value == "First-Copy"
    assert report.records == 4
    assert [(r.record, r.reason) for r in report.rejects] == [
        ("record #1 in rejects.xml", "no Country or no Item, so no id"),
        ("ukraine-part-2-7", "no LastName, GivenName or EntityOrShip"),
        ("ukraine-part-1-9", "duplicate Country + Schedule + Item"),
    ]
    # The latest listing date counts every record seen, rejected or not.
    assert report.warnings == ["the file states no publication date; its latest DateOfListing is 2014-03-19"]


def test_ids_use_the_source_argument(fixtures: Path) -> None:
    entities, _ = run(fixtures / "ca_sema" / "records.xml", source="ca_test")

    assert entities[0].id == "ca_test:belarus-1-part-1-1"


def test_parse_streams(fixtures: Path) -> None:
    result = parse("ca_sema", "ca_sema", [fixtures / "ca_sema" / "records.xml"])

    assert isinstance(result, Iterator)
    assert next(result).id == "ca_sema:belarus-1-part-1-1"


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("truncated.xml", ParseError, "truncated or corrupt"),
        ("wrong_root.xml", FormatError, "expected <data-set> document, found <export>"),
        ("wrong_format.csv", ParseError, "truncated or corrupt"),
        ("empty.xml", ParseError, "file is empty"),
        ("entity_bomb.xml", ParseError, "DTD or entities"),
        ("external_entity.xml", ParseError, "DTD or entities"),
    ],
)
def test_malformed_files_fail_naming_the_file(
    fixtures: Path, name: str, error: type[MatcherError], message: str
) -> None:
    assert_fails_naming_the_file("ca_sema", fixtures / "ca_sema" / "malformed" / name, error, message)


# --- Real published file ---------------------------------------------------------------------


@pytest.mark.shared
def test_real_file_counts_and_unique_ids() -> None:
    entities, report = run(shared_path("lists", "ca_sema", "sema-lmes.xml"))

    assert report.records == 4759
    assert report.rejects == []  # so Country + Schedule + Item is unique over all records
    assert len(entities) == 4759
    assert len({e.id for e in entities}) == 4759
    assert report.published is None
    assert report.warnings == ["the file states no publication date; its latest DateOfListing is 2025-03-20"]
    assert Counter(e.type for e in entities) == {
        EntityType.PERSON: 3334,
        EntityType.ORGANIZATION: 1316,
        EntityType.VESSEL: 109,
    }
    assert all(len(e.identifiers) == 1 for e in entities if e.type is EntityType.VESSEL)
    assert len({e.programs for e in entities}) == 19
    # Country + Item alone would not do: item numbers restart in every schedule part.
    pairs = Counter((e.programs, e.extra["item"]) for e in entities)
    assert max(pairs.values()) > 1


@pytest.mark.shared
def test_real_entries_end_to_end() -> None:
    entities = by_id(run(shared_path("lists", "ca_sema", "sema-lmes.xml"))[0])

    shoigu = entities["ca_sema:russia-1-part-1-504"]
    assert shoigu.type is EntityType.PERSON
    assert shoigu.names == (
        Name("Sergei Kuzhugetovich SHOIGU", NameKind.PRIMARY, "Latn"),
        Name("Сергей Кужугетович Шойгу", NameKind.ORIGINAL_SCRIPT, "Cyrl"),
        Name("Sergey Shoigu", NameKind.ALIAS, "Latn"),
        Name("Sergey Shoygu", NameKind.ALIAS, "Latn"),
    )
    assert shoigu.birth_dates == (PartialDate(1955),)
    assert shoigu.programs == ("Russia / Russie",)
    assert shoigu.listed_on == PartialDate(2022, 2, 28)

    lukashenko = entities["ca_sema:belarus-1-part-1-8"]
    assert lukashenko.primary_name.value == "Aleksandr Grigoryevich Lukashenko"
    assert lukashenko.birth_dates == (PartialDate(1954, 8, 30),)

    ship = entities["ca_sema:russia-1.1-1"]
    assert ship.type is EntityType.VESSEL
    assert ship.primary_name.value == "Balitiyskiy III"
    assert ship.identifiers == (Identifier(IdentifierKind.IMO, "7612448"),)
