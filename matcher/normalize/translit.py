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
  McCune-Reischauer spellings (``Kim Jong Un``).
- Anything ICU leaves non-ASCII goes through ``anyascii`` as the last resort (Khmer, Mongolian letters).

``latinize`` returns *alternatives* (a list of token tuples) because one written name can have more
than one reading; the scorer keeps the best.
"""

from __future__ import annotations

import re
import threading
from functools import cache, lru_cache
from typing import Any

from anyascii import anyascii

from matcher.model import detect_script

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ICU = threading.local()
_ABJADS = frozenset({"Arab", "Hebr"})
_HAN_LIKE = frozenset({"Hani", "Hira", "Kana"})


def _icu_latin(text: str) -> str:
    tr = getattr(_ICU, "tr", None)
    if tr is None:
        from icu import Transliterator

        tr = Transliterator.createInstance("Any-Latin; Latin-ASCII")
        _ICU.tr = tr
    return str(tr.transliterate(text))


def _ascii(text: str) -> str:
    return _NON_ALNUM.sub("", anyascii(text).lower())


@cache
def _kakasi() -> Any:
    import pykakasi

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def _japanese(token: str) -> tuple[str, ...]:
    parts = []
    for item in _kakasi().convert(token):
        word = _ascii(item["hepburn"]).replace("ou", "o").replace("uu", "u")
        if word:
            parts.append(word)
    return tuple(parts)


def _chinese(token: str, style: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    syllables = [_ascii(s) for s in lazy_pinyin(token)]
    syllables = [s for s in syllables if s]
    if not syllables:
        return ()
    if style == "joined":
        return ("".join(syllables),)
    if style == "person" and len(syllables) <= 4:
        return (syllables[0], "".join(syllables[1:])) if len(syllables) > 1 else (syllables[0],)
    return tuple("".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2))


def _korean(token: str) -> tuple[str, ...]:
    syllables = [_ascii(ch) for ch in token]
    syllables = [s for s in syllables if s]
    if 2 <= len(syllables) <= 4:
        return (syllables[0], "".join(syllables[1:]))
    return ("".join(syllables),) if syllables else ()


@lru_cache(maxsize=200_000)
def latinize(token: str, style: str = "word") -> tuple[tuple[tuple[str, ...], str], ...]:
    """Latin readings of one folded token: ``((tokens, script), ...)``, best reading first.

    ``style`` says how to group Chinese and Korean syllables: ``person`` as surname + given name,
    ``joined`` as one word (foreign names written in Han characters with a middle dot, such as
    ``贝拉克·奥巴马``), ``word`` in pairs, the commonest Chinese word length.

    ``script`` is the ISO 15924 code of the token's original script (``Latn`` for Latin input), which
    tells the scorer whether vowels can be trusted.
    """
    script = detect_script(token) or "Zyyy"
    if script == "Latn" or script == "Zyyy":
        word = _ascii(token)
        return (((word,), "Latn"),) if word else ()
    if script == "Hang":
        return ((_korean(token) if style == "person" else (_ascii(token),), script),)
    if script in _HAN_LIKE:
        readings: list[tuple[tuple[str, ...], str]] = []
        has_kana = any("\u3040" <= c <= "\u30ff" for c in token)
        if not has_kana:
            readings.append((_chinese(token, style), "Hani"))
        readings.append((_japanese(token), "Jpan"))
        return tuple((toks, s) for toks, s in readings if toks)
    words = tuple(w for w in (_ascii(part) for part in _icu_latin(token).split()) if w)
    return ((words, script),) if words else ()


def is_abjad(script: str) -> bool:
    """Scripts that do not write short vowels, so only consonant skeletons are comparable."""
    return script in _ABJADS
