"""Transliteration of folded tokens into comparable Latin (ASCII) forms, by script.

Which tool for which script, and why:

- **Latin**: ``anyascii`` for the letters ``fold`` leaves (``ß`` -> ``ss``, ``ø`` -> ``o``, ``ı`` -> ``i``).
- **Cyrillic, Greek, Hebrew, Arabic/Persian, Armenian, Georgian, Thai, Indic**: ICU's ``Any-Latin``
  (through PyICU), which implements the standard romanisations, then ``Latin-ASCII``. Arabic and
  Hebrew come out as consonant skeletons (``محمد`` -> ``mhmd``) because the scripts do not write
  short vowels; tokens from those scripts are flagged so the scorer compares skeletons.
- **Chinese characters**: ``pypinyin`` (Mandarin), grouped the way Chinese personal names are
  romanised: surname, then the given name as one word (``习近平`` -> ``xi jinping``). Because a name
  in Han characters may be Japanese, a second reading from ``pykakasi`` is offered as an alternative.
- **Japanese kana**: ``pykakasi`` Hepburn, with long vowels shortened (``tarou`` -> ``taro``) as
  passports and lists write them.
- **Korean Hangul**: Revised Romanisation per syllable (``anyascii``), grouped as surname + given name
  (``김정은`` -> ``gim jeongeun``). The scorer's cross-script comparison absorbs the differences from
  McCune-Reischauer spellings (``Kim Jong Un``). A word of five syllables or more is a foreign name
  part and is also offered whole (``블라디미로비치``), so it weighs as one word.
- **Belarusian** (a Cyrillic word with ``ў``, or ``і`` with ``ы`` / ``э`` / ``дз`` / ``ці``): the
  Belarusian BGN reading, and a second reading with Belarusian's regular sound changes undone
  (``Уладзімір`` -> ``vladimir``, ``Пуцін`` -> ``putin``), rules in ``data/translit.yml``.
- Anything ICU leaves non-ASCII goes through ``anyascii`` as the last resort (Khmer, Mongolian letters).

``latinize`` returns *alternatives* (a list of token tuples) because one written name can have more
than one reading; the scorer keeps the best.
"""

from __future__ import annotations

import re
import threading
from functools import cache, lru_cache
from typing import Any, Final

from anyascii import anyascii

from matcher.model import detect_script
from matcher.normalize.data import (
    chinese_surnames,
    korean_surnames,
    korean_transcription_syllables,
    transcription_characters,
    translit_markers,
    translit_rewrites,
)

_NON_ALNUM: Final = re.compile(r"[^a-z0-9]+")
_ICU: Final = threading.local()
_ABJADS: Final = frozenset({"Arab", "Hebr"})
_HAN_LIKE: Final = frozenset({"Hani", "Hira", "Kana"})


Reading = tuple[tuple[tuple[str, str], ...], str]
"""One reading of a word: ``((latin, original), ...)`` pieces and the original script."""


def _icu(rules: str, text: str) -> str:
    cache: dict[str, Any] | None = getattr(_ICU, "cache", None)
    if cache is None:
        cache = _ICU.cache = {}
    tr = cache.get(rules)
    if tr is None:
        from icu import Transliterator

        tr = cache[rules] = Transliterator.createInstance(rules)
    return str(tr.transliterate(text))


def _ascii(text: str) -> str:
    if text.isascii() and text.isalnum() and text.islower():
        # A folded Latin word (most of them) is already what this returns.
        return text
    return _NON_ALNUM.sub("", anyascii(text).lower())


# ICU rule chains per script, best first. The national BGN/PCGN systems are what lists use
# (Dmitriy, Yevgeniy, Pyotr); the generic ICU rules give the scholarly forms (Dmitrij, Evgenij) that
# European lists use. Trailing Any-Latin catches letters a language-specific table leaves.
_RUSSIAN: Final = ("Russian-Latin/BGN; Any-Latin; Latin-ASCII", "Cyrillic-Latin; Latin-ASCII")
_UKRAINIAN: Final = (
    "Ukrainian-Latin/BGN; Any-Latin; Latin-ASCII",
    "Russian-Latin/BGN; Any-Latin; Latin-ASCII",
)
_BELARUSIAN: Final = "Belarusian-Latin/BGN; Any-Latin; Latin-ASCII"
_RULES: Final[dict[str, tuple[str, ...]]] = {
    "Grek": ("Greek-Latin/UNGEGN; Latin-ASCII", "Greek-Latin; Latin-ASCII"),
    "Arab": ("Any-Latin; Latin-ASCII", "Persian-Latin/BGN; Any-Latin; Latin-ASCII"),
    "Hebr": ("Any-Latin; Latin-ASCII",),
}
_PERSIAN_LETTERS: Final = frozenset("پچژگکی")
_GREEK_SOUNDS: Final = {"nt": "d", "mp": "b", "gk": "g"}
_GREEK_CLUSTERS: Final = re.compile("|".join(_GREEK_SOUNDS))
_INDIC: Final = frozenset({"Deva", "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym"})


def _russified(token: str) -> str:
    """A Belarusian word with its regular sound changes undone (Уладзімір -> Владимир), so the
    name also reads the way Russian, and the languages that borrowed from Russian, write it."""
    for pattern, repl in translit_rewrites("belarusian_to_russian"):
        token = pattern.sub(repl, token)
    return token


def _rules_for(token: str, script: str) -> tuple[tuple[str, str], ...]:
    """``(ICU rules, text to apply them to)`` per reading, best first."""
    if script == "Cyrl":
        if translit_markers("belarusian_markers").search(token):
            return ((_BELARUSIAN, token), (_RUSSIAN[0], _russified(token)))
        if any(c in "іїєґ" for c in token):
            return tuple((rules, token) for rules in _UKRAINIAN)
        return tuple((rules, token) for rules in _RUSSIAN)
    if script == "Arab" and any(c in _PERSIAN_LETTERS for c in token):
        return tuple((rules, token) for rules in reversed(_RULES["Arab"]))
    return tuple((rules, token) for rules in _RULES.get(script, ("Any-Latin; Latin-ASCII",)))


@cache
def _kakasi() -> Any:
    import pykakasi

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def _japanese(token: str) -> tuple[tuple[str, str], ...]:
    """Hepburn reading by pykakasi, or nothing when it cannot read every character (it silently
    drops Chinese-only characters, which would turn 习近平 into a reading of 平 alone)."""
    parts = []
    for item in _kakasi().convert(token):
        orig, hepburn = str(item["orig"]), str(item["hepburn"])
        word = _ascii(hepburn).replace("ou", "o").replace("uu", "u")
        if not word or hepburn == orig:
            return ()
        parts.append((word, orig))
    if "".join(orig for _, orig in parts) != token:
        return ()
    return tuple(parts)


def _chinese(token: str, style: str) -> tuple[tuple[str, str], ...]:
    from pypinyin import Style, lazy_pinyin

    if style == "wadegiles":
        # pypinyin writes Wade-Giles ü as v (hsveh); lists write it u (Hsueh).
        syllables = [s.replace("v", "u") for s in lazy_pinyin(token, style=Style.WADEGILES)]
    else:
        syllables = lazy_pinyin(token)
    pieces = [(_ascii(s), c) for s, c in zip(syllables, token, strict=False)]
    pieces = [(s, c) for s, c in pieces if s]
    if style == "joined" and pieces:
        return (("".join(s for s, _ in pieces), token),)
    return tuple(pieces)


#: Korean personal names have two to four syllables; a word of this many or more is a foreign name.
_KOREAN_FOREIGN_WORD: Final = 5


def _korean_common(syllable: str, first: bool) -> str:
    """Revised Romanisation -> the McCune-Reischauer-like spellings lists use (jeong -> jong,
    eun -> un, gwang -> kwang; surnames from a table: gim -> kim, i -> lee, bag -> park)."""
    if first:
        known = korean_surnames().get(syllable)
        if known:
            return known
    out = syllable.replace("eo", "o").replace("eu", "u")
    if out[:1] in ("g", "d", "b"):
        out = {"g": "k", "d": "t", "b": "p"}[out[0]] + out[1:]
    return out


def _korean(token: str, style: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    syllables = [(_ascii(ch), ch) for ch in token]
    syllables = [(s, c) for s, c in syllables if s]
    if not syllables:
        return ()
    whole = (("".join(s for s, _ in syllables), token),)
    if style != "person":
        return (whole,)
    common = tuple((_korean_common(s, i == 0), c) for i, (s, c) in enumerate(syllables))
    if len(syllables) < _KOREAN_FOREIGN_WORD:
        return (tuple(syllables), common)
    # A word this long is a foreign name part (블라디미로비치, a patronymic): also offer it as one
    # word, so that when the other name lacks it, it counts as one missing word, not seven.
    return (tuple(syllables), common, whole)


@lru_cache(maxsize=200_000)
def latinize(token: str, style: str = "word") -> tuple[Reading, ...]:
    """Latin readings of one folded token, best first: ``(((latin, original), ...), script)``.

    ``style`` says how to split Chinese and Korean: ``person`` keeps each syllable a token (the
    scorer joins them again where the other side writes ``Jinping`` or ``Jong-un``), ``joined``
    makes one word (foreign names written in Han characters with a middle dot, such as
    ``贝拉克·奥巴马``). ``script`` is the ISO 15924 code of the token's original script (``Latn`` for
    Latin input), which tells the scorer whether vowels can be trusted. ``original`` is the piece of
    the token each Latin word came from, so same-script names can be compared by character.
    """
    # An ASCII token has only Latin letters, if any: the script lookup by character name is not needed.
    script = "Latn" if token.isascii() else detect_script(token) or "Zyyy"
    if script == "Latn" or script == "Zyyy":
        word = _ascii(token)
        return ((((word, token),), "Latn"),) if word else ()
    if script == "Hang":
        readings_k = _korean(token, style)
        if style == "person" and readings_k and _native_korean(readings_k[0]):
            return tuple((_surname_first(reading, 1), NATIVE_KOREAN) for reading in readings_k[:2])
        return tuple((reading, script) for reading in readings_k if reading)
    if script in _HAN_LIKE:
        readings: list[Reading] = []
        kanji_only = not any("\u3040" <= c <= "\u30ff" for c in token)
        japanese = _japanese(token)
        # Japanese writes foreign names in kana: characters read in Japanese are a native name,
        # and one that starts with a surname of two characters or more (中村, 斎藤) is Japanese,
        # not a foreign name spelt in Chinese characters (which the dictionary reads character
        # by character, when it can read them at all).
        japanese_name = style == "japanese" or (
            kanji_only
            and style == "person"
            and len(token) >= _JAPANESE_NAME_MIN
            and bool(japanese)
            and len(japanese[0][1]) >= 2
        )
        if style == "japanese":
            # A word of a Japanese name: kanji and hiragana are read as the name they write;
            # katakana spells a foreign name.
            native = not any("\u30a0" <= c <= "\u30ff" for c in token)
            return ((japanese, NATIVE_JAPANESE if native else "Jpan"),) if japanese else ()
        if kanji_only and style == "person" and _native_chinese(token):
            # Pinyin and, for names from Taiwan and Hong Kong, Wade-Giles (Tsai Ing-wen).
            surname = 2 if token[:2] in chinese_surnames() else 1
            for system in ("pinyin", "wadegiles"):
                readings.append((_surname_first(_chinese(token, system), surname), NATIVE_CHINESE))
        elif kanji_only and style == "word" and transcription_characters().isdisjoint(token):
            # An organisation's name in Chinese characters is Chinese words (华为, Huawei), read
            # by pinyin; a foreign brand is spelt with transcription characters (西门子 aside).
            readings.append((_chinese(token, style), NATIVE_CHINESE))
        elif kanji_only and not japanese_name:
            readings.append((_chinese(token, style), "Hani"))
        readings.append((japanese, NATIVE_JAPANESE if kanji_only and style in ("person", "word") else "Jpan"))
        return tuple((pieces, s) for pieces, s in readings if pieces)
    out: list[Reading] = []
    for rules, text in _rules_for(token, script):
        latin = [_ascii(part) for part in _icu(rules, text).split()]
        if script == "Grek" and rules == _RULES["Grek"][0]:
            # Modern Greek writes foreign d, b, g as ντ, μπ, γκ (Βλαντίμιρ = Vladimir).
            latin = [_GREEK_CLUSTERS.sub(lambda m: _GREEK_SOUNDS[m.group(0)], w) for w in latin]
        if script in _INDIC:
            # ICU writes the inherent vowel after a final consonant, which names do not pronounce.
            latin = [w[:-1] if len(w) > 3 and w.endswith("a") else w for w in latin]
        words = tuple((w, token) for w in latin if w)
        if words and all(reading != words for reading, _ in out):
            out.append((words, script))
    return tuple(out)


#: Reading "scripts" of native Chinese, Japanese and Korean personal names. A native name's
#: romanisation is the name as a Latin list writes it (张伟 is Zhang Wei), so the scorer compares
#: it like an alphabetic word. Only a foreign name spelt in characters or Hangul (普京, 푸틴 for
#: Putin) is compared syllable by syllable, through every spelling a syllable could stand for:
#: done to a native name, that matched most Chinese and Korean names with some listed person.
NATIVE_CHINESE: Final = "Hani-native"
NATIVE_JAPANESE: Final = "Jpan-native"
NATIVE_KOREAN: Final = "Hang-native"
NATIVE_READINGS: Final = frozenset({NATIVE_CHINESE, NATIVE_JAPANESE, NATIVE_KOREAN})
#: A native Chinese personal name has two or three characters (a surname of one or two, a given
#: name of one or two); a longer word is a foreign name or a name written without spaces.
_CHINESE_NATIVE_LENGTHS: Final = (2, 3)
#: A Japanese name in kanji has a surname of two characters and a given name of one or more; a
#: word of two characters that the dictionary reads as one word is as often a foreign name in
#: Chinese characters (吉羅 Gilot).
_JAPANESE_NAME_MIN: Final = 3
#: Korean personal names have two to four syllables (:data:`_KOREAN_FOREIGN_WORD`).
_KOREAN_NATIVE_LENGTHS: Final = (2, 3, 4)


def _surname_first(syllables: tuple[tuple[str, str], ...], surname: int) -> tuple[tuple[str, str], ...]:
    """A native name's syllables as a surname and one given name, as Latin lists write it (Li
    Yijun, Kim Jongun; the scorer joins a list's Jong Un or Jong-un to compare): the syllables of
    a given name are one name, so a three-syllable name does not match a two-syllable one."""
    if len(syllables) <= surname + 1:
        return syllables
    head, given = syllables[:surname], syllables[surname:]
    joined = ("".join(s for s, _ in head), "".join(c for _, c in head))
    return (joined, ("".join(s for s, _ in given), "".join(c for _, c in given)))


def japanese_name(words: list[str]) -> bool:
    """A personal name of two or more words written in kanji and kana, the first a word of two
    characters or more (山田 結衣, 石川 あすか): the way Japanese writes a name, surname first,
    and not a Chinese name (one word) or a foreign name (katakana, often with a middle dot)."""
    if len(words) < 2 or len(words[0]) < 2:
        return False
    kana = False
    for word in words:
        for c in word:
            if "\u3040" <= c <= "\u309f":
                kana = True
            elif not ("\u4e00" <= c <= "\u9fff" or c == "\u3005"):
                return False
    if kana:
        return True
    first = _japanese(words[0])
    return bool(first) and len(first[0][1]) >= 2


def _native_chinese(token: str) -> bool:
    """A Han word that is a Chinese personal name: two or three characters, starting with a common
    surname and without a character of foreign transcription (``data/chinese_surnames.yml``)."""
    surnames = chinese_surnames()
    return (
        len(token) in _CHINESE_NATIVE_LENGTHS
        and (token[0] in surnames or token[:2] in surnames)
        and transcription_characters().isdisjoint(token[1:])
    )


def _native_korean(syllables: tuple[tuple[str, str], ...]) -> bool:
    """A Hangul word that is a Korean personal name: two to four syllables, the first a surname
    and none of the others a syllable of foreign transcription (``data/korean.yml``)."""
    foreign = korean_transcription_syllables()
    return (
        len(syllables) in _KOREAN_NATIVE_LENGTHS
        and syllables[0][0] in korean_surnames()
        and not any(s in foreign for s, _ in syllables[1:])
    )


def is_abjad(script: str) -> bool:
    """Scripts that do not write short vowels, so only consonant skeletons are comparable."""
    return script in _ABJADS
