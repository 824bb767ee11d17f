"""matcher.normalize.phonetic: romanisation keys make spelling systems agree; skeletons keep consonants."""

from __future__ import annotations

import random

import pytest

from matcher.normalize.phonetic import _KEY_RULES, _undouble, romanization_key, skeleton, syllabic_skeletons

SAME_KEY = [
    ("dmitry", "dmitriy", "dmitrij", "dmitri", "dmitrii"),
    ("yevgeny", "evgenii", "jewgeni", "evgeniy"),
    ("aleksey", "alexei", "aleksei"),
    ("khaled", "haled"),
    ("philip", "filip"),
    ("schmidt", "shmidt"),
    ("tchaikovsky", "chaikovsky"),
    ("hassan", "hasan"),
    ("yelena", "jelena", "elena"),
]


@pytest.mark.parametrize("spellings", SAME_KEY, ids=["/".join(s) for s in SAME_KEY])
def test_romanisation_variants_share_a_key(spellings: tuple[str, ...]) -> None:
    keys = {romanization_key(s) for s in spellings}
    assert len(keys) == 1, keys


DIFFERENT_KEY = [
    ("mohamed", "mahmoud"),  # vowels are kept: different names
    ("ivanov", "ivanova"),
    ("peskov", "petrov"),
    ("kim", "gim"),  # only the skeleton merges these
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_KEY, ids=[f"{a}/{b}" for a, b in DIFFERENT_KEY])
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert romanization_key(a) != romanization_key(b)


SAME_SKELETON = [
    ("mohammed", "muhammad", "mohamed", "mhmd"),  # mhmd: Arabic محمد transliterated
    ("hassan", "hasan", "hsn"),
    ("kim", "gim"),  # Korean: Revised vs McCune-Reischauer
    ("jong", "jeong"),
    ("ahmed", "ahmad", "ahmd"),
]


@pytest.mark.parametrize("spellings", SAME_SKELETON, ids=["/".join(s) for s in SAME_SKELETON])
def test_skeleton_ignores_vowels_and_voicing(spellings: tuple[str, ...]) -> None:
    skeletons = {skeleton(s) for s in spellings}
    assert len(skeletons) == 1, skeletons


@pytest.mark.parametrize(
    ("a", "b"), [("peskov", "petrov"), ("ali", "abbas"), ("smith", "jones"), ("kim", "lee")]
)
def test_skeleton_still_tells_different_consonants_apart(a: str, b: str) -> None:
    assert skeleton(a) != skeleton(b)


def test_skeleton_has_no_vowels() -> None:
    for word in ("mohammed", "aleksandr", "yevgeny", "oussama"):
        assert not set(skeleton(word)) & set("aeiouy"), word


@pytest.mark.parametrize("token", ["123", "o2", "b52", "a1b2"])
def test_tokens_with_digits_are_left_alone(token: str) -> None:
    assert romanization_key(token) == token
    assert skeleton(token) == token


OTHER_ORTHOGRAPHIES = [
    # Patronymic endings as each language writes -vich.
    ("ivanovich", "ivanovitch", "iwanowitsch", "ivanovitsj", "ivanovitj"),
    ("ivanovich", "iwanowicz", "ivanovics", "ivanovici", "ivanovic"),
    # Hungarian palatals and cs.
    ("konyev", "konev"),
    ("matyin", "matin"),
    ("kovacs", "kovach"),
    # Dutch oe.
    ("koeman", "kuman"),
]


@pytest.mark.parametrize("spellings", OTHER_ORTHOGRAPHIES, ids=["/".join(s) for s in OTHER_ORTHOGRAPHIES])
def test_other_latin_orthographies_share_a_key(spellings: tuple[str, ...]) -> None:
    assert len({romanization_key(s) for s in spellings}) == 1


def test_syllabic_skeletons_offer_every_spelling_a_syllable_stands_for() -> None:
    # ジ writes di (Hepburn "ji"); 基 ji writes gi and di; a final ng also writes n.
    assert "ptl" in syllabic_skeletons("pujiru", "Jpan")
    assert {"ktn", "tn"} <= syllabic_skeletons("jiting", "Hani")
    # The alphabetic side drops what these scripts do not write: a final r, ow.
    assert "pt" in syllabic_skeletons("porter", "Latn")
    assert "kl" in syllabic_skeletons("carlow", "Latn")
    # Without a syllabic script involved the rules are the alphabetic ones.
    assert syllabic_skeletons("jiting", "Cyrl") == syllabic_skeletons("jiting", "Latn")


def test_each_key_rule_runs_only_where_it_can_apply() -> None:
    """A rule is skipped for words without any of its triggers (for speed): that must never skip
    a rule whose pattern would have matched."""
    rng = random.Random(20261130)
    words = [
        "".join(rng.choice("abcdeghijklnopstuvwxyz") for _ in range(rng.randint(1, 12))) for _ in range(20000)
    ]
    words += ["vladimirovitsch", "kovacs", "vlagyimir", "poetin", "dzhokhar", "jevgenij", "dmitrii"]
    for pattern, _, triggers in _KEY_RULES:
        if not triggers:
            continue
        for word in words:
            if pattern.search(word):
                assert any(t in word for t in triggers), (pattern.pattern, word)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("mohammed", "mohamed"), ("aaa", "a"), ("abba", "aba"), ("", ""), ("x", "x"), ("putin", "putin")],
)
def test_undouble_collapses_each_run_of_one_character(text: str, expected: str) -> None:
    assert _undouble(text) == expected
