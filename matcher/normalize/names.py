"""Name normalisation: raw name -> comparable token sequences, by entity type.

The pipeline, in order (each step is a pure function of its input):

1. **Order** (persons): ``"PESKOV, Dmitriy Sergeevich"`` is rewritten ``Dmitriy Sergeevich PESKOV``;
   the comma form is how lists write surname-first.
2. **Fold** (:func:`matcher.normalize.text.fold`): NFKC, casefold, homoglyphs, diacritics, punctuation.
3. **Type-specific cleaning**:
   - persons: titles and honorifics before or after the name (``Mr``, ``Dr``, ``Haji``, ``Sheikh``,
     ``Presidente``, ``Президент``, ``الرئيس``, ``대통령``: ``data/honorifics.yml``, folded like names)
     are dropped, and the name is marked ``titled``;
   - organisations: legal forms in any language are replaced by their generic form through rigour's
     org-type database (``ООО`` / ``OOO`` / ``LLC`` -> ``llc``, ``ПАО`` / ``PJSC`` -> ``jsc``,
     ``Aktiengesellschaft`` -> ``jsc``), including CJK suffixes written without spaces
     (``华为技术有限公司`` -> ``华为技术 ltd``), and abbreviations are expanded (``Intl``, ``Grp``, ``Comm``);
   - vessels: prefixes such as ``M/V`` and ``MT`` are dropped.
4. **Transliterate** each token to ASCII (:mod:`matcher.normalize.translit`), keeping every reading.
5. **Classify** each token so the scorer can weigh it: ``name`` (carries identity), ``particle``
   (``al``, ``bin``, ``de``), ``legal`` (legal form), ``generic`` (``bank``, ``group``), ``number``,
   ``initial``.
6. **Key** each token (:mod:`matcher.normalize.phonetic`): romanisation key and consonant skeleton.
7. **Acronym** (organisations): the initials of the identity-bearing words, so ``Industrial and
   Commercial Bank of China`` also answers to ``ICBC``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any, Final

from rigour.names.org_types import extract_org_types, replace_org_types_compare
from rigour.territories import lookup_territory

from matcher.model import EntityType
from matcher.normalize.data import (
    abjad_compounds,
    cjk_legal_forms,
    honorifics,
    number_words,
    org_abbreviations,
    org_generic_words,
    particles,
    vessel_prefixes,
)
from matcher.normalize.phonetic import (
    LOOSE_SCRIPTS,
    MAX_SYLLABLE_RUN,
    SYLLABIC_SCRIPTS,
    abjad_skeleton,
    romanization_key,
    skeleton,
    without_article,
)
from matcher.normalize.text import fold
from matcher.normalize.translit import NATIVE_READINGS, is_abjad, japanese_name, latinize

MAX_VARIANTS: Final = 4
_CJK: Final = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


class TokenClass(StrEnum):
    NAME = "name"
    PARTICLE = "particle"
    LEGAL = "legal"
    GENERIC = "generic"
    NUMBER = "number"
    INITIAL = "initial"


# Enum members bound once as module constants, for this module and the scorer. On Python 3.11
# ``EnumType`` defines ``__getattr__``, so every read of ``TokenClass.NAME`` from the compiled loops
# was a Python-level attribute lookup (about fifteen times the cost of a global), together several
# percent of a query.
E_AIRCRAFT: Final = EntityType.AIRCRAFT
E_ORGANIZATION: Final = EntityType.ORGANIZATION
E_PERSON: Final = EntityType.PERSON
E_VESSEL: Final = EntityType.VESSEL
T_GENERIC: Final = TokenClass.GENERIC
T_INITIAL: Final = TokenClass.INITIAL
T_LEGAL: Final = TokenClass.LEGAL
T_NAME: Final = TokenClass.NAME
T_NUMBER: Final = TokenClass.NUMBER
T_PARTICLE: Final = TokenClass.PARTICLE


@dataclass(frozen=True, slots=True, eq=False)
class Token:
    """One comparable token. ``text`` is ASCII; ``script`` is where it came from.

    Tokens are interned (built only through the memoised :func:`_token`, or re-interned by
    :func:`_restore_token` when an index loads), so they hash and compare by identity: the scorer's
    memo table then costs one pointer hash per lookup.

    ``loose``, ``syllabic``, ``abjad``, ``cross_script`` and ``native`` say what the script allows
    the scorer to compare (:mod:`matcher.normalize.phonetic`; ``native`` marks a reading of a
    native Chinese, Japanese or Korean name, :data:`matcher.normalize.translit.NATIVE_READINGS`),
    ``skel_vowels`` is the skeleton of an abjad word read without the letter w (abjads write long
    vowels as w and y), and ``hskels`` are the abjad skeletons it compares by
    (:func:`_abjad_readings`); they are derived once, when the token is built, because the scorer
    asks for them on every comparison.
    """

    text: str
    key: str
    skel: str
    cls: TokenClass
    script: str
    orig: str
    place: bool
    loose: bool
    syllabic: bool
    abjad: bool
    cross_script: bool
    skel_vowels: str
    hskel: str
    hskels: tuple[str, ...]
    native: bool

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _restore_token,
            (self.text, self.key, self.skel, self.cls, self.script, self.orig, self.place),
        )


_SYLLABLES: Final = (T_NAME, T_PARTICLE, T_INITIAL)
#: A run of loose-script tokens: (token span, joined text, skeleton, script of its first token).
LooseRun = tuple[tuple[int, ...], str, str, str]


@dataclass(frozen=True, slots=True)
class NormName:
    """One reading of a name as tokens, with its acronym (organisations) for acronym matching.

    ``titled`` records that a title was stripped ("President Putin"): a title with a surname is how
    people refer to one specific person, so the scorer lets such a name match a listing that also
    carries given names.

    ``surfaces`` (each token's written form, legal forms as written), ``joins`` (two and three
    adjacent surfaces joined, with their token span) and ``by_length`` (words of four letters or
    more by length) are precomputed once per reading because the scorer's compound matching needs
    them for every comparison.
    """

    tokens: tuple[Token, ...]
    acronym: str | None = None
    surfaces: tuple[str, ...] = field(default=(), compare=False)
    joins: tuple[tuple[str, tuple[int, ...]], ...] = field(default=(), compare=False)
    titled: bool = False
    by_length: dict[int, tuple[tuple[int, str], ...]] = field(default_factory=dict, compare=False, hash=False)
    #: :meth:`loose_runs`, once asked for (not pickled: an index holds many names never compared).
    _runs: list[tuple[LooseRun, ...]] = field(default_factory=list, compare=False, hash=False, repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        return (NormName, (self.tokens, self.acronym, self.surfaces, self.joins, self.titled, self.by_length))

    @classmethod
    def build(cls, tokens: tuple[Token, ...], acronym: str | None, titled: bool = False) -> NormName:
        surfaces = tuple(t.orig if t.cls is T_LEGAL else t.text for t in tokens)
        joins = tuple(
            ("".join(surfaces[i : i + width]), tuple(range(i, i + width)))
            for width in (2, 3)
            for i in range(len(tokens) - width + 1)
        )
        by_length: dict[int, list[tuple[int, str]]] = {}
        for j, word in enumerate(surfaces):
            if len(word) >= 4:
                by_length.setdefault(len(word), []).append((j, word))
        return cls(tokens, acronym, surfaces, joins, titled, {k: tuple(v) for k, v in by_length.items()})

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)

    def loose_runs(self) -> tuple[LooseRun, ...]:
        """Every run of two to ``MAX_SYLLABLE_RUN`` adjacent tokens of a loose script (Chinese,
        Japanese, Korean, an abjad), as (token span, joined text, its skeleton, first token's
        script). Korean and Chinese spell a foreign name syllable by syllable (``pu tin``), so
        retrieval and the scorer compare these with single alphabetic words. Worked out on first
        use and kept: the scorer asks once per candidate."""
        if self._runs:
            return self._runs[0]
        runs: list[LooseRun] = []
        tokens = self.tokens
        # Legal forms, generic words and numbers are not syllables of a name (a one-letter syllable,
        # classed as an initial, is).
        heads, articles, allah = abjad_compounds()
        for i in range(len(tokens) - 1):
            if not tokens[i].loose or tokens[i].cls not in _SYLLABLES:
                continue
            text = tokens[i].text
            # Abjad words join only into a compound name (عبد الله, نور الدين): see
            # data/abjad_compounds.yml. Syllabic scripts spell any foreign word syllable by syllable.
            compound = not tokens[i].abjad or text in heads
            for end in range(i + 1, min(len(tokens), i + MAX_SYLLABLE_RUN)):
                if not tokens[end].loose or tokens[end].cls not in _SYLLABLES:
                    break
                word = tokens[end].text
                compound = (
                    compound
                    or word in allah
                    or any(word.startswith(a) and len(word) > len(a) + 1 for a in articles)
                )
                text += word
                if not compound:
                    continue
                runs.append((tuple(range(i, end + 1)), text, skeleton(text), tokens[i].script))
        found = tuple(runs)
        self._runs.append(found)
        return found


@cache
def _titles() -> frozenset[str]:
    """Titles and honorifics folded like the names they are stripped from (an Arabic title's hamza
    and a Ukrainian apostrophe fold the same way in both)."""
    return frozenset(folded for title in honorifics() if (folded := fold(title)))


def _reorder_person(raw: str) -> str:
    if raw.count(",") == 1:
        last, first = (p.strip() for p in raw.split(","))
        if last and first:
            return f"{first} {last}"
    return raw


def _strip_trailing(words: list[str], suffixes: frozenset[str]) -> list[str]:
    """Titles written after the name ("Putyin elnök", "Putin, President")."""
    while len(words) > 1 and words[-1] in suffixes:
        words = words[:-1]
    return words


def _strip_leading(words: list[str], prefixes: frozenset[str], max_len: int = 2) -> list[str]:
    changed = True
    while changed and len(words) > 1:
        changed = False
        for n in range(max_len, 0, -1):
            if len(words) > n and " ".join(words[:n]) in prefixes:
                words = words[n:]
                changed = True
                break
    return words


_ORDINAL_DIGITS: Final = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


def _numbers_to_digits(words: list[str]) -> list[str]:
    """Spell numbers as digits: ``forty four`` -> ``44``, ``1st`` -> ``1``, ``forty 4`` -> ``44``."""
    table = number_words()
    out: list[str] = []
    pending: int | None = None
    for word in words:
        m = _ORDINAL_DIGITS.match(word)
        value = table.get(
            word, int(m.group(1)) if m else (int(word) if word.isdigit() and len(word) < 3 else None)
        )
        if value is None:
            if pending is not None:
                out.append(str(pending))
                pending = None
            out.append(word if not m else m.group(1))
            continue
        if pending is not None and pending % 10 == 0 and pending >= 20 and value < 10:
            out.append(str(pending + value))
            pending = None
        else:
            if pending is not None:
                out.append(str(pending))
            pending = value
    if pending is not None:
        out.append(str(pending))
    return out


def _split_cjk_legal(word: str) -> list[str]:
    if not _CJK.search(word):
        return [word]
    for suffix, generic in cjk_legal_forms():
        if word.endswith(suffix) and len(word) > len(suffix):
            return [*_split_cjk_legal(word[: -len(suffix)]), generic]
    return [word]


def _org_words(raw: str) -> tuple[list[str], dict[str, str]]:
    """Words of an organisation name with legal forms replaced; ``legal`` maps each generic legal
    form to the surface text it replaced (kept for compounds such as ``SiemensAG``).

    rigour's legal-form table is matched before punctuation is folded away, because many forms are
    only recognisable with it (``sp. z o.o.``, ``s.a. de c.v.``).
    """
    legal: dict[str, str] = {}
    prepared = unicodedata.normalize("NFKC", raw).casefold()
    found = extract_org_types(prepared, generic=True)
    if found:
        prepared = replace_org_types_compare(prepared, generic=True)
        for surface, generic in found:
            legal[generic] = "".join(c for c in surface if c.isalnum())
    words: list[str] = []
    for word in fold(prepared).split():
        parts = _split_cjk_legal(word)
        for generic in parts[1:]:
            legal.setdefault(generic, generic)
        words.extend(parts)
    abbreviations = org_abbreviations()
    return _numbers_to_digits([abbreviations.get(w, w) for w in words]), legal


_ROMAN: Final = re.compile(r"^(?=[ivxlc]{2,})(x{0,3})(ix|iv|v?i{0,3})$|^x{1,3}$")


def _classify(word: str, kind: EntityType, legal: dict[str, str], script: str = "Latn") -> TokenClass:
    if word.isdigit() or (kind is not E_PERSON and _ROMAN.match(word)):
        return T_NUMBER
    if word in legal:
        return T_LEGAL
    if word in particles() and script not in SYLLABIC_SCRIPTS and script not in NATIVE_READINGS:
        # A pinyin or Korean syllable that spells "de" or "la" is part of a name, not a particle.
        return T_PARTICLE
    if kind is E_PERSON and len(word) == 1 and word.isalpha() and script not in NATIVE_READINGS:
        # (A one-letter syllable of a Chinese or Korean name, 이 = I, is the name itself.)
        return T_INITIAL
    if kind is not E_PERSON and word in org_generic_words():
        return T_GENERIC
    return T_NAME


_TOKENS: Final[dict[tuple[str, TokenClass, str, str], Token]] = {}
#: Bound on interned tokens, so a long bulk job of unique names cannot grow memory without limit.
#: Clearing only costs memo hits: tokens compare by their fields where it matters.
MAX_INTERNED: Final = 500_000


def _token(text: str, cls: TokenClass, script: str, orig: str) -> Token:
    """The one Token for these inputs (interned, so tokens compare and hash by identity)."""
    found = _TOKENS.get((text, cls, script, orig))
    if found is None:
        if len(_TOKENS) >= MAX_INTERNED:
            _TOKENS.clear()
        found = _new_token(text, romanization_key(text), skeleton(text), cls, script, orig, _is_place(text))
        _TOKENS[(text, cls, script, orig)] = found
    return found


def _new_token(text: str, key: str, skel: str, cls: TokenClass, script: str, orig: str, place: bool) -> Token:
    """A Token with the script facts derived from ``script`` (see :class:`Token`)."""
    abjad = is_abjad(script)
    hskel = abjad_skeleton(text)
    return Token(
        text,
        key,
        skel,
        cls,
        script,
        orig,
        place,
        script in LOOSE_SCRIPTS,
        script in SYLLABIC_SCRIPTS,
        abjad,
        script != "Latn",
        skeleton(text.replace("w", "")) if abjad else skel,
        hskel,
        _abjad_readings(text) if abjad else (hskel,),
        script in NATIVE_READINGS,
    )


def _restore_token(
    text: str, key: str, skel: str, cls: TokenClass, script: str, orig: str, place: bool
) -> Token:
    """Unpickling hook: re-intern a saved token, so tokens of every loaded index and of queries
    are the same objects (and the scorer's memo table is shared)."""
    found = _TOKENS.get((text, cls, script, orig))
    if found is None:
        found = _TOKENS[(text, cls, script, orig)] = _new_token(text, key, skel, cls, script, orig, place)
    return found


def _abjad_readings(text: str) -> tuple[str, ...]:
    """The abjad skeletons an abjad word can be compared by: as written, without the letter w
    (abjads write the long vowels o and u with it), and both again without a joined article."""
    forms = [text, text.replace("w", "")]
    bare = without_article(text)
    if bare:
        forms += [bare, bare.replace("w", "")]
    return tuple(dict.fromkeys(abjad_skeleton(form) for form in forms))


@lru_cache(maxsize=100_000)
def _is_place(text: str) -> bool:
    """Country names inside organisation names tell subsidiaries apart (Santander vs Santander Chile)."""
    return len(text) >= 4 and text.isalpha() and lookup_territory(text) is not None


def _acronym(tokens: tuple[Token, ...]) -> str | None:
    letters = [t.text[0] for t in tokens if t.cls in (T_NAME, T_GENERIC) and t.text]
    return "".join(letters) if len(letters) >= 2 else None


_ALTERNATIVES: Final = re.compile(r"(?<=\w{3})\s*/\s*(?=\w{3})")


@lru_cache(maxsize=100_000)
def normalize_name(raw: str, kind: EntityType = E_ORGANIZATION) -> tuple[NormName, ...]:
    """All comparable readings of ``raw`` as a ``kind`` name (see the module docstring).

    A name written as alternatives (``Al-Qa'ida/Islamic Army``) yields the readings of each part
    as well as of the whole. Returns an empty tuple when nothing comparable is left.
    """
    parts = _ALTERNATIVES.split(raw) if "/" in raw else ()
    if len(parts) > 1:
        readings = [r for part in (raw, *parts) for r in _normalize_one(part, kind)]
        return tuple(dict.fromkeys(readings))
    return _normalize_one(raw, kind)


def _normalize_one(raw: str, kind: EntityType) -> tuple[NormName, ...]:
    style = "word"
    if kind is E_PERSON:
        raw = _reorder_person(raw)
        style = "joined" if ("·" in raw or "・" in raw) else "person"
    legal: dict[str, str] = {}
    titled = False
    if kind is E_PERSON:
        folded_words = fold(raw).split()
        words = _strip_trailing(_strip_leading(folded_words, _titles()), _titles())
        titled = len(words) < len(folded_words)
        if style == "person" and japanese_name(words):
            style = "japanese"
    elif kind is E_VESSEL:
        words = _strip_leading(fold(raw).split(), vessel_prefixes())
    else:
        words, legal = _org_words(raw)
    per_word: list[list[list[Token]]] = []
    for word in words:
        readings: list[list[Token]] = []
        # The style only splits Chinese and Korean: an ASCII word reads the same in every style,
        # so both of a query's passes (person, organisation) share one memo entry.
        for pieces, script in latinize(word, "word" if word.isascii() else style):
            readings.append(
                [
                    _token(
                        latin,
                        T_LEGAL if word in legal else _classify(latin, kind, legal, script),
                        script,
                        legal.get(word, original),
                    )
                    for latin, original in pieces
                ]
            )
        if readings:
            per_word.append(readings)
    # Reading k of the name uses reading k of every word that has one (the first otherwise): one
    # romanisation system applied throughout, not every mix of them.
    names: list[NormName] = []
    for k in range(min(MAX_VARIANTS, max((len(r) for r in per_word), default=0))):
        tokens = tuple(t for readings in per_word for t in readings[min(k, len(readings) - 1)])
        if tokens:
            acronym = _acronym(tokens) if kind is E_ORGANIZATION else None
            names.append(NormName.build(tokens, acronym, titled))
    return tuple(dict.fromkeys(names))
