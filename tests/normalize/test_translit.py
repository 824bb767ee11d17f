"""matcher.normalize.translit: every script to comparable ASCII, with alternative readings.

``latinize`` returns readings ``(((latin, original), ...), script)``, best first; :func:`words` keeps
only the Latin words of a reading so the tables below read as input -> output.
"""

from __future__ import annotations

import pytest

from matcher.normalize.translit import (
    NATIVE_CHINESE,
    NATIVE_JAPANESE,
    NATIVE_KOREAN,
    Reading,
    is_abjad,
    latinize,
)


def words(reading: Reading) -> tuple[str, ...]:
    return tuple(latin for latin, _ in reading[0])


def readings(token: str, style: str = "word") -> list[tuple[str, ...]]:
    return [words(r) for r in latinize(token, style)]


def first(token: str, style: str = "word") -> tuple[tuple[str, ...], str]:
    reading = latinize(token, style)[0]
    return words(reading), reading[1]


# (folded token, style, best reading, script of origin)
BEST = [
    # Latin: anyascii for the letters fold leaves; digits unchanged.
    ("straße", "word", ("strasse",), "Latn"),
    ("øre", "word", ("ore",), "Latn"),
    ("123", "word", ("123",), "Latn"),
    # Cyrillic: BGN/PCGN first, as lists romanise Russian names.
    ("путин", "word", ("putin",), "Cyrl"),
    ("дмитрий", "person", ("dmitriy",), "Cyrl"),
    ("евгений", "person", ("yevgeniy",), "Cyrl"),
    # Greek.
    ("παπαδοπουλος", "word", ("papadopoulos",), "Grek"),
    # Hebrew and Arabic are abjads: consonant skeletons (short vowels are not written).
    ("נתניהו", "word", ("ntnyhw",), "Hebr"),
    ("محمد", "word", ("mhmd",), "Arab"),
    ("حسن", "person", ("hsn",), "Arab"),
    # Japanese kana: Hepburn with long vowels shortened, as passports write them.
    ("たなか", "word", ("tanaka",), "Jpan"),
    ("タナカ", "word", ("tanaka",), "Jpan"),
    ("とうきょう", "word", ("tokyo",), "Jpan"),
    # Thai through ICU.
    ("ทักษิณ", "word", ("thaksin",), "Thai"),
    # Khmer: ICU leaves it as is, anyascii is the fallback.
    ("ហ៊ុន", "person", ("hon",), "Khmr"),
    ("សែន", "person", ("saen",), "Khmr"),
]


@pytest.mark.parametrize(("token", "style", "latin", "script"), BEST, ids=[row[0] for row in BEST])
def test_best_reading(token: str, style: str, latin: tuple[str, ...], script: str) -> None:
    assert first(token, style) == (latin, script)


def test_every_reading_is_lowercase_ascii_alphanumeric() -> None:
    for token, style, _, _ in BEST:
        for reading in readings(token, style):
            assert reading and all(w.isascii() and w.isalnum() and w == w.lower() for w in reading), token


def test_cyrillic_offers_the_scholarly_romanisation_too() -> None:
    # European lists write Dmitrij and Evgenij: a second reading, not a replacement.
    assert readings("дмитрий", "person") == [("dmitriy",), ("dmitrij",)]
    assert ("evgenij",) in readings("евгений", "person")


def test_persian_letters_select_the_persian_romanisation_first() -> None:
    # ی is the Persian yeh: BGN's Persian table (v for و) goes first, generic Arabic second.
    assert readings("روحانی") == [("rvhany",), ("rwhany",)]
    assert first("روحانی")[1] == "Arab"


@pytest.mark.parametrize(
    ("script", "abjad"), [("Arab", True), ("Hebr", True), ("Latn", False), ("Cyrl", False)]
)
def test_is_abjad(script: str, abjad: bool) -> None:
    assert is_abjad(script) is abjad


# --- Chinese ---------------------------------------------------------------------------------


def test_chinese_person_name_starts_with_the_surname_syllable() -> None:
    latin, script = first("习近平", "person")
    assert script == "Hani"
    assert latin[0] == "xi" and "".join(latin[1:]) == "jinping"


def test_chinese_word_reads_every_character_in_pinyin() -> None:
    # An organisation's name in characters is Chinese words, read natively (not syllable by
    # syllable as a foreign name is).
    latin, script = first("中国工商银行", "word")
    assert script == NATIVE_CHINESE and "".join(latin) == "zhongguogongshangyinhang"


def test_chinese_transcription_of_a_foreign_name_is_joined_into_one_word() -> None:
    # 贝拉克·奥巴马 (Barack Obama): the parts of a foreign name are single words, not syllables.
    assert first("贝拉克", "joined") == (("beilake",), "Hani")
    assert first("奥巴马", "joined") == (("aobama",), "Hani")
    assert len(first("贝拉克", "person")[0]) > 1


def test_han_characters_also_get_a_japanese_reading() -> None:
    # A name in kanji may be Japanese: the on/kun reading is an alternative after pinyin.
    assert [script for _, script in latinize("東京")] == [NATIVE_CHINESE, NATIVE_JAPANESE]
    assert readings("東京")[1] == ("tokyo",)
    assert ("tanaka",) in readings("田中", "person")


def test_native_cjk_names_are_read_as_written_and_foreign_ones_syllable_by_syllable() -> None:
    # A Chinese name (a common surname, no transcription character): pinyin and Wade-Giles, the
    # given name one word, as Latin lists write it.
    assert latinize("蔡英文", "person")[:2] == (
        ((("cai", "蔡"), ("yingwen", "英文")), NATIVE_CHINESE),
        ((("tsai", "蔡"), ("yingwen", "英文")), NATIVE_CHINESE),
    )
    assert latinize("張學良", "person")[1] == ((("chang", "張"), ("hsuehliang", "學良")), NATIVE_CHINESE)
    # A foreign name spelt in characters, even after a surname character, stays syllabic.
    assert first("普京", "person")[1] == "Hani"
    assert first("马查尔", "person")[1] == "Hani"  # 尔 spells a foreign r
    # A Japanese name (a two-character surname first) has only its Japanese reading.
    assert [script for _, script in latinize("中村洋介", "person")] == [NATIVE_JAPANESE]
    assert [script for _, script in latinize("結衣", "japanese")] == [NATIVE_JAPANESE]
    # A Korean name: surname first, then the given name as one word; a foreign one stays syllabic.
    assert first("김정은", "person")[1] == NATIVE_KOREAN
    assert first("호메이니", "person")[1] == "Hang"  # 메 spells a foreign e (Khomeini)
    assert first("푸틴", "person")[1] == "Hang"


def test_kana_is_never_read_as_chinese() -> None:
    assert [script for _, script in latinize("やまだ")] == ["Jpan"]


def test_a_reading_never_drops_characters() -> None:
    assert ("taira",) not in readings("习近平", "person")


# --- Korean ----------------------------------------------------------------------------------


def test_korean_person_is_surname_then_given_name() -> None:
    latin, script = first("김정은", "person")
    assert script == NATIVE_KOREAN
    assert latin == ("gim", "jeongeun")
    # The McCune-Reischauer-like spelling lists use (Kim Jong Un) is offered as well.
    assert "kimjongun" in {"".join(r) for r in readings("김정은", "person")}


def test_korean_word_is_one_token() -> None:
    assert first("김정은", "word") == (("gimjeongeun",), "Hang")


def test_nothing_to_read_gives_no_reading() -> None:
    assert latinize("...") == ()
    assert latinize("") == ()


def test_belarusian_also_reads_as_the_russian_form() -> None:
    # Belarusian dzekanne and tsekanne (дз, ц before soft vowels), ў and і are undone in a second
    # reading, so Дзмітрый also reads like Дмитрий and Ціхан like Тихон's stem.
    assert readings("дзмітрый", "person") == [("dzmitryy",), ("dmitryy",)]
    assert ("tikhan",) in readings("ціхан", "person")
    assert ("vladislav",) in readings("уладзіслаў", "person")
    # Ukrainian words keep their own readings (no Belarusian markers).
    assert ("vladislav",) not in readings("уладислав", "person")


def test_long_korean_words_are_also_offered_whole() -> None:
    # A five-syllable word is a foreign name part: offered as one word too, so a patronymic the
    # other name lacks counts as one missing word. Native names stay syllable by syllable.
    assert ("allegsandeulobichi",) in readings("알렉산드로비치", "person")
    assert all(len(r) == 2 for r in readings("김정은", "person"))
