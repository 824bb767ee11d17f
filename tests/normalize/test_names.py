"""matcher.normalize.names: a raw listed or queried name -> comparable readings, by entity type."""

from __future__ import annotations

import pickle

import pytest

from matcher.model import EntityType
from matcher.normalize import NormName, TokenClass, normalize_name, reset_caches
from matcher.normalize.translit import NATIVE_JAPANESE

PER, ORG, VES = EntityType.PERSON, EntityType.ORGANIZATION, EntityType.VESSEL
NAME, PARTICLE, LEGAL = TokenClass.NAME, TokenClass.PARTICLE, TokenClass.LEGAL
GENERIC, NUMBER, INITIAL = TokenClass.GENERIC, TokenClass.NUMBER, TokenClass.INITIAL


def best(raw: str, kind: EntityType) -> NormName:
    readings = normalize_name(raw, kind)
    assert readings, raw
    return readings[0]


def text(raw: str, kind: EntityType) -> str:
    return best(raw, kind).text


def texts(raw: str, kind: EntityType) -> list[str]:
    return [r.text for r in normalize_name(raw, kind)]


def classes(raw: str, kind: EntityType) -> list[TokenClass]:
    return [t.cls for t in best(raw, kind).tokens]


# (raw, kind, text of the best reading)
BEST_TEXT = [
    # Persons: the list's "SURNAME, Given names" form is put in reading order.
    ("PESKOV, Dmitriy Sergeevich", PER, "dmitriy sergeevich peskov"),
    ("Putin, Vladimir", PER, "vladimir putin"),
    ("Peskov, Dmitriy, Sergeevich", PER, "peskov dmitriy sergeevich"),  # two commas: not a surname-first form
    # Titles and honorifics before (and after) the name carry no identity.
    ("Mr Dmitry Peskov", PER, "dmitry peskov"),
    ("Dr. John Smith", PER, "john smith"),
    ("Mr Dr John Smith", PER, "john smith"),
    ("His Excellency John Smith", PER, "john smith"),
    ("Haji Mohammad Khan", PER, "mohammad khan"),
    ("Mullah Omar", PER, "omar"),
    ("Sheikh Hasina Wajed", PER, "hasina wajed"),
    ("Presidente Nicolas Maduro", PER, "nicolas maduro"),
    ("Putyin elnök", PER, "putyin"),
    ("Haji", PER, "haji"),  # a name is never stripped to nothing
    # Titles in other languages and scripts, folded like the name (the Arabic hamza, the apostrophe).
    ("Президент Лукашенко", PER, "lukashenko"),
    ("Prezydent Duda", PER, "duda"),
    ("Premier Ministre Dupont", PER, "dupont"),
    ("Прем'єр-міністр Шмигаль", PER, "shmigal"),
    ("الرئيس عون", PER, "wn"),
    ("윤석열 대통령", PER, "yun seogyeol"),
    ("Kanzler Scholz", PER, "kanzler scholz"),  # a surname too: not a title
    # Organisations: legal forms in any language become one generic form.
    ("ООО Ромашка", ORG, "llc romashka"),
    ("OOO Romashka", ORG, "llc romashka"),
    ("Romashka LLC", ORG, "romashka llc"),
    ("PJSC Sberbank", ORG, "jsc sberbank"),
    ("ПАО Сбербанк", ORG, "jsc sberbank"),
    ("Siemens AG", ORG, "siemens jsc"),
    ("Siemens Aktiengesellschaft", ORG, "siemens jsc"),
    ("Polmex sp. z o.o.", ORG, "polmex llc"),
    # Abbreviations are expanded.
    ("Acme Intl Grp", ORG, "acme international group"),
    ("Guangzhou Haige Comm Grp", ORG, "guangzhou haige communications group"),
    ("Acme Tech Srvces", ORG, "acme technology services"),
    # Numbers are digits, whether spelled, hyphenated or ordinal.
    ("Brigade Forty Four", ORG, "brigade 44"),
    ("Brigade Forty-Four", ORG, "brigade 44"),
    ("Brigade 44", ORG, "brigade 44"),
    ("1st International Bank", ORG, "1 international bank"),
    ("First International Bank", ORG, "1 international bank"),
    # Vessels: type prefixes are not part of the name ...
    ("M/V SEA STAR", VES, "sea star"),
    ("MV SEA STAR", VES, "sea star"),
    ("MT SEA STAR", VES, "sea star"),
    ("SEA STAR", VES, "sea star"),
    # ... but only for vessels.
    ("MV Agusta", ORG, "mv agusta"),
    # Other scripts come out in Latin.
    ("Владимир Путин", PER, "vladimir putin"),
    ("贝拉克·奥巴马", PER, "beilake aobama"),  # a foreign name in Han characters: one word per part
]


@pytest.mark.parametrize(
    ("raw", "kind", "expected"), BEST_TEXT, ids=[f"{r[0]} [{r[1].value}]" for r in BEST_TEXT]
)
def test_best_reading(raw: str, kind: EntityType, expected: str) -> None:
    assert text(raw, kind) == expected


@pytest.mark.parametrize(
    ("raw", "generic", "written"),
    [("ООО Ромашка", "llc", "ооо"), ("Siemens AG", "jsc", "ag"), ("PJSC Sberbank", "jsc", "pjsc")],
)
def test_legal_form_token_keeps_what_was_written(raw: str, generic: str, written: str) -> None:
    [legal] = [t for t in best(raw, ORG).tokens if t.cls is LEGAL]
    assert (legal.text, legal.orig) == (generic, written)


@pytest.mark.parametrize(
    ("raw", "name", "legal"),
    [
        ("华为技术有限公司", "huaweijishu", "ltd"),
        ("中国工商银行股份有限公司", "zhongguogongshangyinhang", "jsc"),
    ],
)
def test_cjk_legal_form_is_found_inside_an_unspaced_name(raw: str, name: str, legal: str) -> None:
    tokens = best(raw, ORG).tokens
    assert (tokens[-1].text, tokens[-1].cls) == (legal, LEGAL)
    assert "".join(t.text for t in tokens[:-1]) == name
    assert all(t.cls is not LEGAL for t in tokens[:-1])


@pytest.mark.parametrize(
    ("raw", "acronym"),
    [
        ("Industrial and Commercial Bank of China", "icbc"),
        ("Acme Intl Grp", "aig"),
        ("Bank Melli Iran", "bmi"),
        ("Gazprom Neft PJSC", "gn"),  # the legal form is not part of the acronym
        ("ICBC", None),  # one word has no acronym
    ],
)
def test_organisation_acronym(raw: str, acronym: str | None) -> None:
    assert best(raw, ORG).acronym == acronym


def test_persons_and_vessels_have_no_acronym() -> None:
    assert best("John Adam Smith", PER).acronym is None
    assert best("Sea Star Trader", VES).acronym is None


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("Louis XIV Holdings", ORG, [NAME, NUMBER, GENERIC]),
        ("Company IX", ORG, [GENERIC, NUMBER]),
        ("Civic Mix", ORG, [NAME, NAME]),  # letters of roman numerals, but not numerals
        ("Henry VIII", PER, [NAME, NAME]),  # in a person's name it is part of the name
        ("Brigade Forty Four", ORG, [NAME, NUMBER]),
        ("John A. Smith", PER, [NAME, INITIAL, NAME]),
        ("Osama bin Laden", PER, [NAME, PARTICLE, NAME]),
        ("Jean de la Fontaine", PER, [NAME, PARTICLE, PARTICLE, NAME]),
        ("Banco Santander Chile", ORG, [GENERIC, NAME, NAME]),
        ("Sea Star Shipping Co., Ltd.", ORG, [NAME, NAME, GENERIC, LEGAL]),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_token_classes(raw: str, kind: EntityType, expected: list[TokenClass]) -> None:
    assert classes(raw, kind) == expected


def test_roman_numeral_is_compared_as_a_number() -> None:
    assert [t.text for t in best("Louis XIV Holdings", ORG).tokens if t.cls is NUMBER] == ["xiv"]


def test_country_names_inside_organisation_names_are_marked_as_places() -> None:
    places = {t.text: t.place for t in best("Banco Santander Chile", ORG).tokens}
    assert places == {"banco": False, "santander": False, "chile": True}


def test_alternatives_split_on_slash_give_the_whole_and_each_part() -> None:
    assert texts("Al-Qa'ida/Islamic Army", ORG) == ["al qaida islamic army", "al qaida", "islamic army"]
    assert texts("Test Front / Testing Army", ORG) == [
        "test front testing army",
        "test front",
        "testing army",
    ]


def test_short_slashed_words_are_not_alternatives() -> None:
    assert texts("A/B Trading", ORG) == ["a b trading"]


def test_token_scripts_record_the_original_script() -> None:
    assert {t.script for t in best("Владимир Путин", PER).tokens} == {"Cyrl"}
    assert {t.script for t in best("أحمد حسن", PER).tokens} == {"Arab"}
    assert {t.script for t in best("Vladimir Putin", PER).tokens} == {"Latn"}


def test_other_readings_are_alternatives_of_one_system_each() -> None:
    # Korean: Revised Romanisation and the spelling lists use; kanji: pinyin and Japanese.
    assert "kim jongun" in texts("김정은", PER)
    assert any(r.tokens[0].script == NATIVE_JAPANESE for r in normalize_name("田中", PER))


def test_a_japanese_name_in_two_words_is_read_in_japanese() -> None:
    assert texts("山田 結衣", PER) == ["yamada yui"]
    assert texts("石川 あすか", PER) == ["ishikawa asuka"]


def test_nothing_comparable_gives_no_reading() -> None:
    assert normalize_name("...", PER) == ()
    assert normalize_name(" - ", ORG) == ()


def test_readings_are_distinct() -> None:
    for raw, kind, _ in BEST_TEXT:
        readings = normalize_name(raw, kind)
        assert len(readings) == len(set(readings)), raw


def test_tokens_are_interned_and_survive_pickling() -> None:
    a = best("Dmitry Peskov", PER)
    b = best("Peskov, Dmitry", PER)
    assert a.tokens[0] is b.tokens[0]
    restored = pickle.loads(pickle.dumps(a))
    assert restored == a
    assert all(x is y for x, y in zip(restored.tokens, a.tokens, strict=True))


def test_reset_caches_empties_the_memo_tables() -> None:
    normalize_name("Dmitry Peskov", PER)
    assert normalize_name.cache_info().currsize > 0
    reset_caches()
    assert normalize_name.cache_info().currsize == 0
    assert text("Dmitry Peskov", PER) == "dmitry peskov"


def test_a_stripped_title_marks_the_name_titled() -> None:
    assert best("Generał Nowak", PER).titled  # Polish ł is a letter, not a diacritic: listed as written
    assert best("Herr Schmidt", PER).titled
    assert best("Президент Лукашенко", PER).titled
    assert not best("Aleksandr Lukashenko", PER).titled
