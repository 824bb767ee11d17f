"""matcher.text_screen: mentions, their offsets and types, coreference, places, and linking.

Texts are short and hand-written (``tests/fixtures/screen/``, or inline); linking runs a real
:class:`~matcher.engine.Engine` over the hand-written ``watchlist.csv``. The ``shared`` tests screen
the seed article ``../shared/data/news/blinken-china-sanctions.txt`` against every real list in
``../shared/data/lists``, imported once per session.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.engine import Engine
from matcher.errors import QueryError
from matcher.model import EntityType
from matcher.refresh import import_files, open_store, refresh_sources
from matcher.settings import Settings
from matcher.text_screen import (
    SINGLE_TOKEN_THRESHOLD,
    TextScreenResult,
    extract_mentions,
    html_to_text,
    is_place,
    screen_text,
)
from tests.conftest import shared_path

SCREEN = Path(__file__).resolve().parent / "fixtures" / "screen"
PER, ORG, VES = EntityType.PERSON, EntityType.ORGANIZATION, EntityType.VESSEL


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("text") / "data")
    result = import_files(settings, "watch", [SCREEN / "watchlist.csv"], fmt="user_csv")
    assert result.ok, result.error
    return Engine.load(open_store(settings))


def mentions(text: str) -> list[tuple[str, EntityType | None]]:
    return [(m[2], m[3]) for m in extract_mentions(text)]


def surfaces(text: str) -> list[str]:
    return [m[2] for m in extract_mentions(text)]


def flagged(result: TextScreenResult) -> dict[str, set[str]]:
    return {p.name: {m.entity.id for m in p.matches if m.is_match} for p in result.flagged}


def assert_offsets(result: TextScreenResult) -> None:
    for m in result.mentions:
        assert result.text[m.start : m.end] == m.text, m


# --- Mentions -----------------------------------------------------------------------------------


def test_person_titles_are_stripped_and_type_the_person() -> None:
    text = "US Secretary of State Antony Blinken met Chinese leader Xi Jinping and Foreign Minister Wang Yi."
    assert mentions(text) == [("Antony Blinken", PER), ("Xi Jinping", PER), ("Wang Yi", PER)]


def test_a_title_inside_a_run_separates_two_names() -> None:
    text = (
        "Bank of America Chairman Brian Moynihan met Rosneft CEO Igor Sechin and General Motors. "
        "Treasury Secretary Janet Yellen and the President of the European Commission spoke."
    )
    assert mentions(text) == [
        ("Bank of America", ORG),
        ("Brian Moynihan", PER),
        ("Rosneft", None),
        ("Igor Sechin", PER),
        ("General Motors", ORG),
        ("Janet Yellen", PER),
        ("European Commission", ORG),
    ]


def test_offsets_point_at_the_surface_text() -> None:
    text = (SCREEN / "article_ru.txt").read_text(encoding="utf-8")
    found = extract_mentions(text)
    assert found
    for start, end, surface, *_ in found:
        assert text[start:end] == surface


def test_names_with_legal_forms_are_organisations() -> None:
    text = (
        "Gazprom Neft PJSC and Acme Trading Co., Ltd. were named, as were Rosneft Oil Company and "
        "Sea Dragon Holdings Limited."
    )
    assert mentions(text) == [
        ("Gazprom Neft PJSC", ORG),
        ("Acme Trading Co., Ltd", ORG),
        ("Rosneft Oil Company", ORG),
        ("Sea Dragon Holdings Limited", ORG),
    ]


def test_and_joins_inside_an_organisation_name_only() -> None:
    text = (
        "Industrial and Commercial Bank of China, Industrial Bank and Bank of Taizhou stopped payments. "
        "Putin and Xi Jinping met. Russia and China agreed."
    )
    assert surfaces(text) == [
        "Industrial and Commercial Bank of China",
        "Industrial Bank",
        "Bank of Taizhou",
        "Putin",
        "Xi Jinping",
    ]


def test_particles_initials_and_hyphenated_names() -> None:
    text = "Bashar al-Assad, Osama bin Laden, Ludwig van Beethoven and John F. Kennedy."
    assert surfaces(text) == ["Bashar al-Assad", "Osama bin Laden", "Ludwig van Beethoven", "John F. Kennedy"]


def test_a_sentence_opening_noun_is_not_joined_to_a_name_by_of() -> None:
    assert surfaces("Officials of Rosneft met. Shares of Gazprom fell. Bank of Taizhou agreed.") == [
        "Rosneft",
        "Gazprom",
        "Bank of Taizhou",
    ]


def test_stopwords_sentence_openers_and_common_words_are_not_mentions() -> None:
    text = (
        "During the talks, The West said nothing. Photo is illustrative. Read more on Monday in April.\n"
        "Reportedly, nothing changed. Speaking later, nobody spoke.\n"
        "HEAD of the delegation: the head said so. According to Sources, it was Presidential.\n"
        "Banks are nervous. The banks said the Bank was fine."
    )
    assert surfaces(text) == ["Bank"]


def test_places_are_not_mentions_but_names_containing_them_are() -> None:
    text = (
        "Officials in Taizhou, Beijing and Bandar Abbas met Americans. The Bank of Taizhou, CHINA and "
        "RUSSIA, the PRC’s banks, the United States, Chinese officials and Beijing's response. "
        "В Москве и в Минске."
    )
    assert surfaces(text) == ["Bank of Taizhou"]


@pytest.mark.parametrize(
    "place", ["Taizhou", "Beijing", "Chinese", "United States", "Bandar Abbas", "Москве"]
)
def test_is_place(place: str) -> None:
    assert is_place(place)


@pytest.mark.parametrize("name", ["Bank of Taizhou", "Peskov", "Kommersant", "Izvestia", "ICBC", "Sun"])
def test_is_not_place(name: str) -> None:
    assert not is_place(name)


def test_acronyms() -> None:
    text = (
        "Industrial and Commercial Bank of China (ICBC) and the Financial Times reported. One FT source "
        "named ICBC. The military-industrial complex (MIC) grew."
    )
    found = extract_mentions(text)
    assert [(m[2], m[3], m[5]) for m in found] == [
        ("Industrial and Commercial Bank of China", ORG, 0),
        ("ICBC", ORG, 0),
        ("Financial Times", ORG, 1),
        ("FT", ORG, 1),
        ("ICBC", ORG, 0),
    ]


def test_coreference_merges_a_later_surname() -> None:
    text = "Presidential spokesman Dmitry Peskov said no. Peskov added nothing. Nikolay Peskov was silent."
    found = extract_mentions(text)
    assert [(m[2], m[5]) for m in found] == [("Dmitry Peskov", 0), ("Peskov", 0), ("Nikolay Peskov", 1)]


def test_a_headline_surname_joins_the_full_name_that_follows() -> None:
    text = "Blinken threatened China\n\nUS Secretary of State Antony Blinken said so. Blinken left."
    found = extract_mentions(text)
    assert [(m[2], m[5]) for m in found] == [("Blinken", 0), ("Antony Blinken", 0), ("Blinken", 0)]


def test_cyrillic_text() -> None:
    found = extract_mentions((SCREEN / "article_ru.txt").read_text(encoding="utf-8"))
    assert [(m[2], m[3], m[5]) for m in found] == [
        ("Дмитрий Песков", PER, 0),
        ("ООО «Ромашка»", ORG, 1),
        ("Песков", PER, 0),
        ("Иван Петрович Сидоров", PER, 2),
    ]


def test_vessels_with_imo_numbers_and_prefixes() -> None:
    found = extract_mentions((SCREEN / "vessels.txt").read_text(encoding="utf-8"))
    assert [(m[2], m[3], m[6]) for m in found] == [
        ("SEA STAR", VES, ("IMO 9074729",)),
        ("IMO 9321483", VES, ("IMO 9321483",)),
        ("Blue Horizon", VES, ()),
    ]


def test_text_with_no_names() -> None:
    assert extract_mentions("") == []
    assert extract_mentions("nothing here is capitalised, not even after a full stop. see?") == []


# --- HTML ---------------------------------------------------------------------------------------


def test_html_to_text_drops_markup_scripts_and_head() -> None:
    text = html_to_text((SCREEN / "article.html").read_text(encoding="utf-8"))
    assert text == (
        "Kremlin reacts\n\nPresidential spokesman Dmitry Peskov said the Bank of Taizhou & others\n"
        "were not discussed.\n\nPeskov added nothing."
    )


def test_html_is_screened_on_its_visible_text(engine: Engine) -> None:
    markup = (SCREEN / "article.html").read_text(encoding="utf-8")
    result = screen_text(engine, markup, html=True)
    assert "<" not in result.text and "var hidden" not in result.text
    assert_offsets(result)
    assert [m.text for m in result.mentions] == ["Dmitry Peskov", "Bank of Taizhou", "Peskov"]
    assert flagged(result) == {"Dmitry Peskov": {"watch:P-1"}, "Bank of Taizhou": {"watch:O-5"}}
    # Without html=True markup is text: the doctype and the script's string become mentions.
    raw = [m[2] for m in extract_mentions(markup)]
    assert raw[0] == "DOCTYPE" and "Dmitry Peskov" in raw


# --- Linking ------------------------------------------------------------------------------------


def test_linking_cyrillic_legal_forms_and_merged_mentions(engine: Engine) -> None:
    result = screen_text(engine, (SCREEN / "article_ru.txt").read_text(encoding="utf-8"))
    assert_offsets(result)
    assert flagged(result) == {
        "Дмитрий Песков": {"watch:P-1"},
        "ООО «Ромашка»": {"watch:O-1"},
        "Иван Петрович Сидоров": {"watch:P-2"},
    }
    peskov = next(p for p in result.parties if p.name == "Дмитрий Песков")
    assert [result.mentions[i].text for i in peskov.mentions] == ["Дмитрий Песков", "Песков"]
    assert peskov.type is PER and peskov.threshold == 0.80


def test_vessels_are_linked_by_imo_number(engine: Engine) -> None:
    result = screen_text(engine, (SCREEN / "vessels.txt").read_text(encoding="utf-8"))
    assert flagged(result) == {"SEA STAR": {"watch:V-1"}, "IMO 9321483": {"watch:V-2"}}
    bare = next(p for p in result.parties if p.name == "IMO 9321483")
    assert bare.identifiers == ("IMO 9321483",)
    assert "identifier:decisive" in bare.matches[0].explanation.summary()


def test_single_words_need_the_stricter_threshold(engine: Engine) -> None:
    # "Rosoboronexpor" scores 0.94 against ROSOBORONEXPORT: a match at 0.80 for a name field,
    # not for one word of prose.
    assert engine.match("Rosoboronexpor").matches[0].score == pytest.approx(0.9375)
    result = screen_text(engine, "Officials of Rosoboronexpor and of Rosoboronexport met.")
    typo, exact = result.parties
    assert typo.threshold == exact.threshold == SINGLE_TOKEN_THRESHOLD
    assert not typo.flagged and typo.matches[0].entity.id == "watch:O-4"
    assert exact.flagged
    lenient = screen_text(engine, "Officials of Rosoboronexpor met.", single_token_threshold=0.8)
    assert lenient.parties[0].flagged


def test_an_acronym_alone_is_not_flagged_but_the_full_name_is(engine: Engine) -> None:
    result = screen_text(engine, "ICBT said so. Later, Industrial and Commercial Bank of Testland agreed.")
    assert flagged(result) == {"Industrial and Commercial Bank of Testland": {"watch:O-2"}}
    # Merged: the acronym is a mention of the same party.
    assert len(result.parties) == 1 and len(result.mentions) == 2


def test_a_place_is_never_flagged_even_when_a_listed_name_contains_it(engine: Engine) -> None:
    result = screen_text(engine, "Officials in Taizhou met. The Bank of Taizhou was named.")
    assert [m.text for m in result.mentions] == ["Bank of Taizhou"]
    assert flagged(result) == {"Bank of Taizhou": {"watch:O-5"}}


def test_to_dict_is_json_with_matches_per_mention(engine: Engine) -> None:
    result = screen_text(engine, "Spokesman Dmitry Peskov spoke. Peskov left. Jane Example stayed.")
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) == {
        "text",
        "mentions",
        "parties",
        "flagged",
        "threshold",
        "single_token_threshold",
        "list_versions",
        "algorithm",
    }
    first, second, third = data["mentions"]
    assert first["text"] == "Dmitry Peskov" and first["type"] == "person" and first["flagged"] is True
    assert first["normalized"] == "dmitry peskov"
    assert first["matches"][0]["entity_id"] == "watch:P-1" and first["matches"][0]["match"] is True
    assert "dmitry~dmitry:exact" in first["matches"][0]["explanation"]
    assert second["party"] == first["party"] and second["matches"] == first["matches"]
    assert third["flagged"] is False
    party = data["parties"][first["party"]]
    assert party["mentions"] == [0, 1] and party["flagged"] is True
    assert party["matches"][0]["explanation"]["tokens"]
    assert data["flagged"] == [first["party"]]
    assert "text" not in result.to_dict(include_text=False)


def test_limits_and_thresholds_are_checked(engine: Engine) -> None:
    with pytest.raises(QueryError, match="limit is 10"):
        screen_text(engine, "x" * 11, max_chars=10)
    with pytest.raises(QueryError, match="between 0 and 1"):
        screen_text(engine, "Jane", threshold=2.0)


# --- The seed article against the real lists ----------------------------------------------------

SEED_MENTIONS = {
    "ICBC",
    "China Citic Bank",
    "Industrial Bank",
    "Bank of Taizhou",
    "Antony Blinken",
    "Xi Jinping",
    "Wang Yi",
    "Dmitry Peskov",
    "Financial Times",
    "Izvestia",
    "Kommersant",
}


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    lists = shared_path("lists")
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("real") / "data")
    results = refresh_sources(settings, from_dir=lists)
    assert all(r.ok for r in results), [str(r.error) for r in results if not r.ok]
    return Engine.load(open_store(settings))


@pytest.fixture(scope="session")
def seed_text() -> str:
    return shared_path("news", "blinken-china-sanctions.txt").read_text(encoding="utf-8")


@pytest.mark.shared
def test_seed_article_mentions(seed_text: str) -> None:
    found = extract_mentions(seed_text)
    assert {m[2] for m in found} >= SEED_MENTIONS
    types = {m[2]: m[3] for m in found}
    for bank in ("ICBC", "China Citic Bank", "Industrial Bank", "Bank of Taizhou", "Financial Times"):
        assert types[bank] is ORG, bank
    for person in ("Antony Blinken", "Xi Jinping", "Wang Yi", "Dmitry Peskov"):
        assert types[person] is PER, person
    # Every "Blinken" is Antony Blinken; nothing is a place or a common word.
    groups = {m[5] for m in found if m[2] in ("Blinken", "Antony Blinken")}
    assert len(groups) == 1
    assert not {"China", "Russia", "Beijing", "Moscow", "Taizhou", "US", "PRC", "MIC", "HEAD"} & {
        m[2] for m in found
    }


@pytest.mark.shared
def test_seed_article_flags_dmitry_peskov_on_ofac_and_uk(real_engine: Engine, seed_text: str) -> None:
    result = screen_text(real_engine, seed_text)
    assert_offsets(result)
    hits = flagged(result)
    assert "Dmitry Peskov" in hits
    assert "ofac_sdn:35320" in hits["Dmitry Peskov"]  # PESKOV, Dmitriy Sergeevich
    assert {"uk_ofsi:15805", "uk_ofsi:14704"} <= hits["Dmitry Peskov"]
    ofac = next(m for p in result.flagged for m in p.matches if m.entity.id == "ofac_sdn:35320")
    assert ofac.entity.primary_name.value == "PESKOV, Dmitriy Sergeevich"


@pytest.mark.shared
def test_seed_article_flags_only_dmitry_peskov(real_engine: Engine, seed_text: str) -> None:
    result = screen_text(real_engine, seed_text)
    assert set(flagged(result)) == {"Dmitry Peskov"}
