"""Script-preserving text folding: the first step for every name, query or listed.

``fold`` makes two spellings that a reader would call "the same text" byte-equal, without yet
transliterating (that is :mod:`matcher.normalize.translit`'s job, and needs to know the script):

1. Unicode NFKC, so fullwidth ``ＧＡＺＰＲＯＭ`` and ligatures become plain letters.
2. Format characters (zero-width space and joiners, bidi marks) are dropped: they are invisible and
   are used to dodge exact-match filters.
3. Case folding.
4. Homoglyphs: a word mixing Latin with Cyrillic or Greek lookalikes is made single-script, towards
   the script most of its letters use ("Gаzprom" with a Cyrillic "а" becomes Latin, "Гaзпром" with a
   Latin "a" becomes Cyrillic). Single-script words are left alone.
5. Diacritics are stripped from Latin, Greek, Cyrillic, Arabic and Hebrew letters (``é`` -> ``e``,
   Arabic short-vowel marks). Scripts whose vowel signs are letters in their own right (Thai,
   Devanagari, Khmer) keep them for the transliterator.
6. Punctuation: dotted acronyms are joined (``S.B.E.R.B.A.N.K`` -> ``sberbank``, ``L.L.C.`` -> ``llc``),
   apostrophes vanish (``O'Brien`` -> ``obrien``), ``&`` becomes ``and``, and every other punctuation
   mark, hyphens included, becomes a space (``Al-Qaida`` -> ``al qaida``; the joined ``alqaida`` is
   matched later by compound alignment).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from matcher.normalize.data import confusables, cyrillic_lookalikes

_STRIP_MARKS_SCRIPTS: Final = ("LATIN", "GREEK", "CYRILLIC", "ARABIC", "HEBREW")
_APOSTROPHES: Final = "'’‘ʼʻʿʾ`´′"
_DOTTED: Final = re.compile(r"(?<!\w)(?:\w\.){2,}(?:\w(?!\w))?")
_SPACED_LETTERS: Final = re.compile(r"(?<!\S)(?:[a-z] ){3,}[a-z](?!\S)")


def _strip_marks(text: str) -> str:
    """Drop the combining marks that follow a letter of one of ``_STRIP_MARKS_SCRIPTS``. A base
    letter's script is read from its Unicode name only when a mark follows it: most letters carry
    none, and the name lookup is the costly step."""
    out: list[str] = []
    base = ""
    checked = False
    strip = False
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.category(char) == "Mn":
            if not checked:
                strip = bool(base) and unicodedata.name(base, "").startswith(_STRIP_MARKS_SCRIPTS)
                checked = True
            if strip:
                continue
        else:
            base = char
            checked = False
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def _fix_homoglyphs(word: str) -> str:
    """Make a mixed-script word single-script, towards the script most of its letters use:
    "Gаzprom" (Cyrillic а) becomes Latin, "Гaзпром" (Latin a) becomes Cyrillic."""
    latin = sum(1 for c in word if "a" <= c <= "z")
    if not latin or latin == sum(1 for c in word if c.isalpha()):
        return word
    table = confusables()
    if latin * 2 >= sum(1 for c in word if c.isalpha()):
        return "".join(table.get(c, c) for c in word)
    back = cyrillic_lookalikes()
    return "".join(back.get(c, c) for c in word)


def _punctuation_to_space(text: str) -> str:
    out: list[str] = []
    for char in text:
        if char in _APOSTROPHES:
            continue
        cat = unicodedata.category(char)
        if cat[0] in "LN" or char == " " or cat == "Mn" or cat == "Mc":
            out.append(char)
        else:
            out.append(" ")
    return "".join(out)


#: Step 6 for ASCII text in one table: apostrophes vanish, letters, digits and spaces stay,
#: everything else becomes a space (what :func:`_punctuation_to_space` does, character by character).
_ASCII_PUNCTUATION: Final = str.maketrans(
    {
        chr(c): ("" if chr(c) in _APOSTROPHES else chr(c) if chr(c).isalnum() or chr(c) == " " else " ")
        for c in range(128)
    }
)


@lru_cache(maxsize=100_000)
def fold(text: str) -> str:
    """Fold ``text`` for comparison, keeping its script. See the module docstring for the steps."""
    text = _fold_ascii(text) if text.isascii() else _fold_unicode(text)
    words = text.split()
    text = " ".join(words)
    if sum(1 for w in words if len(w) == 1) < 4:
        # Spaced letters ("s b e r b a n k") need four single letters at least.
        return text
    return _SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), text)


def _fold_unicode(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = text.casefold()
    text = " ".join(_fix_homoglyphs(w) for w in text.split())
    text = _strip_marks(text)
    return _punctuation_to_space(_ampersands_and_dots(text))


def _fold_ascii(text: str) -> str:
    """:func:`_fold_unicode` for ASCII text, most queries, in a fraction of the time (the same
    words; runs of spaces, which :func:`fold` collapses next, may differ): NFKC, format
    characters, homoglyphs and diacritics cannot occur in it, case folding is lowering, and
    punctuation is one table lookup per character."""
    return _ampersands_and_dots(text.lower()).translate(_ASCII_PUNCTUATION)


def _ampersands_and_dots(text: str) -> str:
    """``&`` as ``and``, and dotted acronyms joined (``S.B.E.R.B.A.N.K`` -> ``sberbank``), before
    punctuation becomes space."""
    text = text.replace("&", " and ")
    if "." not in text:
        return text
    return _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)


def tokenize(text: str) -> list[str]:
    """Fold and split into word tokens."""
    return fold(text).split()
