"""Comparison keys that make different romanisations of one name agree.

Two keys per Latin token, from strict to loose:

``romanization_key`` collapses the spelling choices that romanisation systems make for the *same*
sound, so ``Dmitry / Dmitriy / Dmitrij / Dmitri``, ``Yevgeny / Evgenii / Jewgeni``,
``Aleksey / Alexei``, ``Khaled / Haled`` agree: digraphs (``kh``, ``zh``, ``sch``, ``ph``, ``dzh``),
``x`` = ``ks``, ``w`` = ``v``, ``y`` = ``i``, doubled letters, and the ``-iy / -ij / -ii / -y``
endings. Vowels are kept, so ``Mohamed`` and ``Mahmoud`` still differ.

``skeleton`` keeps only consonant classes (voiced and voiceless pairs merged: g/k, b/p, d/t, j/ch).
It is the only thing comparable with Arabic and Hebrew script, which write no short vowels, and it
absorbs Korean romanisation differences (``gim`` / ``kim``, ``jeong`` / ``jong``) and the way Korean,
Chinese and Japanese write foreign names (all labials merged: ``beulladimileu`` ~ ``vladimir``).
Because it is loose,
the scorer uses it only when one side came from a non-Latin script.
"""

from __future__ import annotations

import re
from functools import lru_cache

_KEY_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"(.)\1+", r"\1"),
        (r"tch", "ch"),
        (r"sch", "sh"),
        (r"dzh|dj|zh", "j"),
        (r"kh", "h"),
        (r"ph", "f"),
        (r"gh", "g"),
        (r"th", "t"),
        (r"ck", "k"),
        (r"q", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c(?!h)", "k"),
        (r"x", "ks"),
        (r"w", "v"),
        (r"y", "i"),
        (r"^[ij]e(?![aeiou])", "e"),
        (r"^j(?=[aou])", "i"),
        (r"(?<=[aeiou])j(?![aeiou])", "i"),
        (r"(?<=[a-z]{2})(?:ii|ij|ei|ie)$", "i"),
        (r"ou", "u"),
        (r"ee", "i"),
        (r"oo", "u"),
        (r"(.)\1+", r"\1"),
    )
)

_SKELETON_MAP = str.maketrans(
    {
        "g": "k",
        "q": "k",
        "c": "k",
        "b": "p",
        "f": "p",
        "v": "p",
        "w": "p",
        "d": "t",
        "z": "s",
        "r": "l",
        "j": "c",
    }
)
_VOWELS = re.compile(r"[aeiouyh']")


@lru_cache(maxsize=200_000)
def romanization_key(token: str) -> str:
    """Collapse romanisation variants of an ASCII token (see module docstring)."""
    if not token.isalpha():
        return token
    key = token
    for pattern, repl in _KEY_RULES:
        key = pattern.sub(repl, key)
    return key


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """Consonant-class skeleton of an ASCII token: ``mohammed`` -> ``mmt``... see module docstring."""
    if not token.isalpha():
        return token
    key = token.replace("ch", "j").replace("sh", "s").replace("kh", "k").replace("ph", "f")
    key = key.replace("ts", "s").replace("x", "ks")
    key = _VOWELS.sub("", key).translate(_SKELETON_MAP)
    return re.sub(r"(.)\1+", r"\1", key)
