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

``syllabic_skeletons`` goes further for names written in Chinese characters, kana or Hangul, which
spell a foreign name with the syllables they have: one syllable stands for several alphabetic
spellings (``ji`` for gi, ji, di; ``chi`` for ti), and sounds such as a final ``r`` are not written.
It returns every skeleton the word could have (rules in ``data/syllabic.yml``), for the syllabic
side and for the alphabetic side; the two names agree when the sets meet.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from matcher.normalize.data import syllabic_rules

#: Applied in order, between two collapses of doubled letters (:func:`_undouble`). Each rule is
#: (pattern, replacement, triggers): the rule can only apply to a word containing one of its
#: trigger strings, so most words skip most rules; a substring test costs a fraction of a
#: regular-expression substitution, and every new query word and every joined pair of query words
#: is keyed.
_KEY_RULES: Final[tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...]] = tuple(
    (re.compile(pattern), repl, triggers)
    for pattern, repl, triggers in (
        # Slavic patronymic and surname endings as each language's orthography writes them:
        # -vich / -vitch / -vitsch / -witsch / -vitsj / -vitj / -vitx / -wicz / -vics / -vici / -vic.
        (r"(?<=[vw])[iy](?:tsch|tsj|tch|tj|tx|cz|cs|ci|ch|c)$", "ich", ("vi", "vy", "wi", "wy")),
        # Hungarian cs is ch (Kovacs / Kovach); gy, ty, ny before i or e are palatal d, t, n
        # (Vlagyimir / Vladimir, Putyin / Putin).
        (r"cs$", "ch", ("cs",)),
        (r"(?<=[aeiou])gy(?=[ie])", "d", ("gy",)),
        (r"(?<=[aeiou])ty(?=[ie])", "t", ("ty",)),
        (r"(?<=[aeiou])ny(?=[ie])", "n", ("ny",)),
        # Dutch oe between consonants is u (Poetin / Putin, Boerman / Burman).
        (r"(?<=[bcdfghklmnprstvwz])oe(?=[bcdfghklmnprstvz])", "u", ("oe",)),
        (r"tch", "ch", ("tch",)),
        (r"sch", "sh", ("sch",)),
        (r"dzh|dj|zh", "j", ("dj", "zh")),
        (r"kh", "h", ("kh",)),
        (r"ph", "f", ("ph",)),
        (r"gh", "g", ("gh",)),
        (r"th", "t", ("th",)),
        (r"ck", "k", ("ck",)),
        (r"q", "k", ("q",)),
        (r"c(?=[eiy])", "s", ("ce", "ci", "cy")),
        (r"c(?!h)", "k", ("c",)),
        (r"x", "ks", ("x",)),
        (r"w", "v", ("w",)),
        (r"y", "i", ("y",)),
        (r"^[ij]e(?![aeiou])", "e", ("ie", "je")),
        (r"^j(?=[aou])", "i", ("ja", "jo", "ju")),
        (r"(?<=[aeiou])j(?![aeiou])", "i", ("j",)),
        (r"(?<=[a-z]{2})(?:ii|ij|ei|ie)$", "i", ("ii", "ij", "ei", "ie")),
        (r"ou", "u", ("ou",)),
        (r"ee", "i", ("ee",)),
        (r"oo", "u", ("oo",)),
    )
)

#: Consonant classes: voiced and voiceless pairs and the labials merged, since one script's
#: consonant is spelt several ways in another.
_CLASSES: Final = {
    "g": "k",
    "q": "k",
    "c": "k",
    "b": "p",
    "f": "p",
    "v": "p",
    "w": "p",
    "d": "t",
    "z": "s",
    "j": "c",
}
_SKELETON_MAP: Final = str.maketrans(
    # r is l, and vowels, h and apostrophes are dropped (see the module docstring).
    {**_CLASSES, "r": "l", **dict.fromkeys("aeiouyh'")}
)


@lru_cache(maxsize=200_000)
def romanization_key(token: str) -> str:
    """Collapse romanisation variants of an ASCII token (see module docstring)."""
    if not token.isalpha():
        return token
    key = _undouble(token)
    for pattern, repl, triggers in _KEY_RULES:
        if any(t in key for t in triggers):
            key = pattern.sub(repl, key)
    return _undouble(key)


def _undouble(text: str) -> str:
    """Each run of one repeated character as one (``mohammed`` -> ``mohamed``)."""
    previous = ""
    for k in range(len(text)):
        char = text[k]
        if char == previous:
            break
        previous = char
    else:
        return text
    out: list[str] = []
    previous = ""
    for char in text:
        if char != previous:
            out.append(char)
            previous = char
    return "".join(out)


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """Consonant-class skeleton of an ASCII token: ``mohammed`` -> ``mmt``... see module docstring."""
    if not token.isalpha():
        return token
    key = token.replace("ch", "j").replace("sh", "s").replace("kh", "k").replace("ph", "f")
    key = key.replace("ts", "s").replace("x", "ks")
    return _undouble(key.translate(_SKELETON_MAP))


#: As :data:`_SKELETON_MAP`, but keeping what an abjad writes as a letter of its own: h (ح, ه) and
#: r apart from l (ر, ل). The loose skeleton merges them because Chinese, Japanese and Korean do not
#: tell r from l and write no final h; Arabic, Persian and Hebrew do, so merging them there made
#: "Susan" read as حسن (hsn) and "Emily" as امیر (amyr).
_ABJAD_MAP: Final = str.maketrans({**_CLASSES, **dict.fromkeys("aeiouy'")})
_ABJAD_DIGRAPHS: Final = (
    ("kh", "k"),
    ("gh", "g"),
    ("sh", "s"),
    ("ch", "j"),
    ("th", "t"),
    ("dh", "d"),
    ("zh", "j"),
    ("ph", "f"),
    ("ts", "s"),
    ("x", "ks"),
)


def _abjad_digraphs(key: str) -> str:
    """``key`` with the digraphs of romanisation written as the one consonant they stand for."""
    for digraph, repl in _ABJAD_DIGRAPHS:
        if digraph in key:
            key = key.replace(digraph, repl)
    return key


#: Arabic writes the article al- joined to the word it defines (الوليد, alwlyd), lists mostly write
#: it apart or not at all (al-Walid, Walid); a word this long or longer may carry one.
ARTICLE_MIN_LENGTH: Final = 5


def without_article(text: str) -> str:
    """An abjad word's romanisation without a joined article al-, or "" when it has none."""
    return text[2:] if len(text) >= ARTICLE_MIN_LENGTH and text.startswith("al") else ""


@lru_cache(maxsize=200_000)
def abjad_skeleton(token: str) -> str:
    """Consonant skeleton for comparing with an abjad (Arabic, Persian, Hebrew), stricter than
    :func:`skeleton`: ``h`` is a consonant and ``r`` is not ``l`` (``hassan`` -> ``hsn``,
    ``susan`` -> ``sn``). A final ``h`` is dropped on both sides, because ta marbuta and the h of
    Allah are written in one script and not the other (Fatimah / فاطمة, Abdullah / عبدالله)."""
    if not token.isalpha():
        return token
    return _undouble(_abjad_digraphs(token.rstrip("h") if len(token) > 2 else token).translate(_ABJAD_MAP))


#: Consonant classes of the abjad reading, as :data:`_ABJAD_MAP`, but with the letters abjads write
#: long vowels with kept as themselves: alif (a), waw (w) and ya (y).
_ABJAD_READING_MAP: Final = str.maketrans({**_CLASSES, "w": "w", **dict.fromkeys("eiou'")})
#: Which letters an abjad may write for a Latin vowel: alif for a (and e), waw for o and u, ya
#: for i and e (and y). A vowel the abjad leaves unwritten (a short vowel) is always allowed.
_VOWEL_LETTERS: Final = {"a": "a", "e": "ay", "i": "y", "o": "wa", "u": "w", "y": "y"}
_LATIN_VOWELS: Final = frozenset("aeiouy")


@lru_cache(maxsize=100_000)
def abjad_reading(token: str) -> str:
    """An abjad word's romanisation as consonant classes with its written long vowels kept (a, w,
    y): what :func:`abjad_pattern` of a Latin word must match (``شاکری`` -> ``sakly`` is not a
    spelling of Sukkar, whose u and a are not an alif and a final ya)."""
    # A final h is mostly ta marbuta, which is read as a final a (before the digraphs: the h of
    # حمزه, hmzh, is not a zh).
    final_h = token.endswith("h") and len(token) > 2 and token[-2] not in "kscgtd"
    return _undouble(_abjad_digraphs(token[:-1] + "a" if final_h else token).translate(_ABJAD_READING_MAP))


@lru_cache(maxsize=100_000)
def abjad_pattern(token: str) -> re.Pattern[str]:
    """The abjad spellings a Latin word allows, as a regular expression over
    :func:`abjad_reading`: its consonants by class, and at each vowel either nothing (a short
    vowel goes unwritten) or the long-vowel letters that vowel can be written with. A word's first
    vowel may also be written with alif, the seat of an initial vowel (Ibrahim / ابراهيم), and its
    last with ya (alif maqsura: Mustafa / مصطفى)."""
    key = _undouble(_abjad_digraphs(token.rstrip("h")))
    parts: list[str] = []
    k = 0
    while k < len(key):
        char = key[k]
        vowel_y = (
            char == "y"
            and k > 0
            and key[k - 1] not in _LATIN_VOWELS
            and (k + 1 == len(key) or key[k + 1] not in _LATIN_VOWELS)
        )
        if char in _LATIN_VOWELS and char != "y" or vowel_y:
            end = k
            letters = ""
            while end < len(key) and (key[end] in "aeiou" or (key[end] == "y" and end == k)):
                letters += _VOWEL_LETTERS[key[end]]
                end += 1
            if k == 0 or (end < len(key) and key[end] == "l"):
                # An initial vowel sits on an alif; a vowel before l may be the article (Abdul-).
                letters += "a"
            if end == len(key) and key[k:] != "e":
                # A name does not end in a short vowel in an abjad: a final vowel is written
                # (alif, waw, ya, alif maqsura, or ta marbuta, read as a); a final e may be mute.
                letters += "y"
                parts.append(f"[{''.join(sorted(set(letters)))}]{{1,2}}")
                k = end
                continue
            parts.append(f"[{''.join(sorted(set(letters)))}]{{0,2}}")
            k = end
            continue
        if parts and parts[-1][0] != "[" and k > 0 and key[k - 1] not in _LATIN_VOWELS:
            # Between two consonants of a foreign name an abjad may write a vowel the other
            # spelling leaves out (كوروس, Kors).
            parts.append("[awy]?")
        if char in "wv":
            parts.append("[wp]")
        elif char == "y":
            parts.append("y")
        elif char == "h":
            parts.append("h")
        else:
            parts.append(re.escape(char.translate(_ABJAD_READING_MAP) or ""))
        k += 1
    return re.compile("".join(parts))


def allowed_edits(length: int) -> int:
    """How many edits (optimal string alignment) a word of ``length`` letters may differ by and
    still be a spelling variant of the same name: none up to 2 letters, 1 up to 6, 2 up to 9, then
    3, so Petrov is not a typo of Peskov. The scorer aligns by it and retrieval reaches that far."""
    if length <= 2:
        return 0
    if length <= 6:
        return 1
    if length <= 9:
        return 2
    return 3


#: Longest run of syllables (Korean, Chinese, Japanese or abjad words) joined to be compared with
#: one alphabetic word: a Korean rendering of a Russian patronymic takes eight.
MAX_SYLLABLE_RUN: Final = 8
#: Bound on the alternatives one word expands to (each ambiguous syllable multiplies them).
MAX_SYLLABIC_ALTERNATIVES: Final = 48
#: Scripts that spell a foreign name syllable by syllable (Chinese characters, kana, Hangul).
SYLLABIC_SCRIPTS: Final = frozenset({"Hani", "Jpan", "Hang"})
#: Scripts whose romanisation cannot be trusted letter by letter (no short vowels, or syllables):
#: across one of them and an alphabet, names are compared by consonant skeleton.
LOOSE_SCRIPTS: Final = SYLLABIC_SCRIPTS | {"Arab", "Hebr", "Kana", "Hira", "Thai", "Khmr", "Mymr"}


@lru_cache(maxsize=200_000)
def syllabic_skeletons(token: str, script: str) -> frozenset[str]:
    """Every consonant skeleton ``token`` could have when a syllabic script is on one side of the
    comparison (see the module docstring). ``script`` is the token's original script; tokens of
    any non-syllabic script use the alphabetic rules."""
    if not token.isalpha():
        return frozenset({token})
    rules = syllabic_rules().get(script if script in SYLLABIC_SCRIPTS else "Latn", ())
    forms = {token}
    for pattern, replacements in rules:
        expanded: set[str] = set()
        for form in forms:
            if not pattern.search(form):
                expanded.add(form)
                continue
            for repl in replacements:
                expanded.add(pattern.sub(repl, form))
                if len(expanded) >= MAX_SYLLABIC_ALTERNATIVES:
                    break
        forms = expanded
    return frozenset(skeleton(form) for form in forms)
