"""matcher.normalize.text: folding keeps the script but makes equal-looking spellings byte-equal."""

from __future__ import annotations

import random
import string

import pytest

from matcher.normalize.text import _fold_ascii, _fold_unicode, fold, tokenize

FOLDED = [
    # NFKC: fullwidth letters and ligatures become plain letters.
    ("ＧＡＺＰＲＯＭ", "gazprom"),
    ("\ufb01nance", "finance"),
    ("Ａ Ｂ Ｃ Ｄ", "abcd"),
    # Invisible format characters (zero-width space and joiner, BOM, bidi marks) vanish.
    ("Pes\u200bkov", "peskov"),
    ("Ab\u200dcd", "abcd"),
    ("\ufeffAcme\u200f", "acme"),
    # Case folding, including the letters whose folded form is longer.
    ("VLADIMIR PUTIN", "vladimir putin"),
    ("STRAßE", "strasse"),
    ("İstanbul", "istanbul"),
    # Diacritics are stripped from Latin, Greek, Cyrillic, Arabic and Hebrew.
    ("José Müller", "jose muller"),
    ("ÅSTRÖM", "astrom"),
    ("Nguyễn", "nguyen"),
    ("Ḥasan", "hasan"),
    ("Αθήνα", "αθηνα"),
    ("Ёлка", "елка"),
    ("محمّد", "محمد"),
    ("שָׁלוֹם", "שלום"),
    # Scripts whose vowel signs are letters keep them for the transliterator.
    ("ทักษิณ", "ทักษิณ"),
    ("मोदी", "मोदी"),
    # Homoglyphs: a Cyrillic or Greek lookalike inside a Latin word becomes the Latin letter ...
    ("G\u0430zprom", "gazprom"),
    ("Gazpr\u03bfm", "gazprom"),
    ("\u0421iti\u0441orp", "citicorp"),
    # ... while a real Cyrillic or Greek word is left in its script.
    ("Газпром", "газпром"),
    ("Ольга", "ольга"),
    ("Ελληνική", "ελληνικη"),
    # Dotted acronyms are joined, with or without the final dot.
    ("S.B.E.R.B.A.N.K", "sberbank"),
    ("L.L.C.", "llc"),
    ("U.S. Department of State", "us department of state"),
    ("J.P. Morgan", "jp morgan"),
    # Letters spelled out with spaces are joined from four letters on; a single initial stays.
    ("S B E R B A N K", "sberbank"),
    ("A B C", "a b c"),
    ("J. Smith", "j smith"),
    # Apostrophes of every kind vanish.
    ("O'Brien", "obrien"),
    ("O\u2019Brien", "obrien"),
    ("Qa\u2018ida", "qaida"),
    ("Mu`ammar", "muammar"),
    # Hyphens and other punctuation become spaces.
    ("Al-Qaida", "al qaida"),
    ("Jean-Pierre", "jean pierre"),
    ("No. 5", "no 5"),
    # & is the word "and".
    ("Johnson & Johnson", "johnson and johnson"),
    ("AT&T", "at and t"),
    # Layout whitespace collapses.
    ("  Hamid   Karim \n", "hamid karim"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "folded"), FOLDED, ids=[raw or "<empty>" for raw, _ in FOLDED])
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_is_idempotent() -> None:
    for raw, folded in FOLDED:
        assert fold(folded) == folded, raw


def test_latin_homoglyph_inside_a_cyrillic_word_keeps_the_cyrillic_letters() -> None:
    # "Гaзпром" with a Latin "a": the word is Cyrillic, so its Cyrillic letters must stay Cyrillic.
    assert fold("Г\u0061зпром") in {"газпром", "гaзпром"}


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [
        ("Al-Qaida & Co.", ["al", "qaida", "and", "co"]),
        ("PESKOV, Dmitriy  Sergeevich", ["peskov", "dmitriy", "sergeevich"]),
        ("S.B.E.R.B.A.N.K PJSC", ["sberbank", "pjsc"]),
        ("Владимир Путин", ["владимир", "путин"]),
        (" - ", []),
    ],
)
def test_tokenize(raw: str, tokens: list[str]) -> None:
    assert tokenize(raw) == tokens


TRICKY_ASCII = [
    "O'Brien & Sons, S.A.",
    "S.B.E.R.B.A.N.K",
    "AL-QAIDA\tin  the\nArabian Peninsula",
    "A.B. c.d.e. f",
    "`quoted` (brackets) [and] {braces} #1 @home 50%",
    "  leading and trailing  ",
    "x\x00y\x1cz\x7f",
    "L.L.C.",
    "J. R. R. Tolkien",
    "M/V SEA STAR",
]


def words(text: str) -> list[str]:
    """The two paths may leave different runs of spaces, which fold then collapses."""
    return text.split()


@pytest.mark.parametrize("text", TRICKY_ASCII)
def test_ascii_shortcut_folds_like_the_general_path(text: str) -> None:
    assert words(_fold_ascii(text)) == words(_fold_unicode(text))


def test_ascii_shortcut_folds_like_the_general_path_on_random_text() -> None:
    rng = random.Random(20261130)
    alphabet = string.printable + "\x00\x1c\x7f&.'`"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert words(_fold_ascii(text)) == words(_fold_unicode(text)), text
