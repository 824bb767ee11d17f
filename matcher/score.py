"""Pair scoring: how well a query matches one listed entity, from 0 to 1, with the reasons.

The name score aligns query tokens with the listed name's tokens one to one (greedy by similarity,
with compounds and acronyms), then divides the weight of what agreed by the weight of everything:

    score = sum(sim * (w_query + w_listed) for aligned pairs)
            / (sum(w matched) + sum(gamma * w unmatched), over both sides)

- ``sim`` per pair: ``exact`` 1.0; ``transliteration`` 0.93 (romanisation keys agree, or across
  scripts the consonant skeletons do); ``nickname`` 0.85 (Ted ~ Theodore); ``typo`` 1 - edits/length
  when the edit count (optimal string alignment, so a swap is one edit) is plausible for the shorter
  word: none up to 2 letters, 1 up to 6, 2 up to 9, then 3 (so Petrov is not a typo of Peskov), or
  for an inflected form 0.9 with a Baltic nominative ending (Putin ~ Putinas ~ Putins, from
  ``data/inflections.yml``; across scripts the stem's skeleton is compared) and 0.8 with another
  suffix of up to two letters (Ivanov ~ Ivanova); raised to 0.88 when the two also sound alike
  (``phonetic``, jellyfish Metaphone); ``initial`` 0.8 for ``J`` ~ ``Joachim`` (by text, by key for
  ``V`` ~ ``Wladimir``, by skeleton across scripts for ``В`` ~ ``فلاديمير``); ``compound`` for
  ``SiemensAG`` ~ ``Siemens AG`` and, across scripts, syllables joined by skeleton (``pu tin`` ~
  ``putin``, up to eight syllables); ``acronym`` 0.9 for ``ICBC`` ~ ``Industrial and Commercial
  Bank of China``. Short vowel-less words (``ICBC``) get no typo allowance. Pairs below 0.6 are
  not aligned at all.
- Across scripts whose romanisation cannot be trusted letter by letter, a word agrees by its
  consonants, and what that proves depends on how many agree (a screening query meets ~58,000
  listed names, so an agreement shared by many unrelated names must not carry an alert):

  - against an abjad (Arabic, Persian, Hebrew), consonants compare by
    :func:`matcher.normalize.phonetic.abjad_skeleton`, which keeps h and tells r from l, and the
    abjad's written long vowels (alif, waw, ya) must be ones the other word's vowels allow
    (:func:`matcher.normalize.phonetic.abjad_pattern`): such a full reading scores
    ``READING_SIM`` (0.93 from three consonants, 0.85 for two); consonants whose written vowels
    contradict the other word (شاکری against Sukkar) score ``UNREAD_SIM`` (nothing under four
    consonants);
  - against a foreign name spelt in Chinese characters, kana or Hangul, any of the skeletons each
    word could have (:func:`matcher.normalize.phonetic.syllabic_skeletons`: ジ and 基 also write
    di) score ``SPELT_SIM`` by the longest common one. Native Chinese, Japanese and Korean
    personal names are not compared so: :mod:`matcher.normalize.translit` reads them as the
    name they write (pinyin and Wade-Giles, Hepburn, Revised and McCune-Reischauer), compared
    like alphabetic words but without typo allowance, since a syllable a letter apart is another
    syllable;
  - other loose agreements (runs of syllables, other scripts) score ``LOOSE_SIM``; one consonant
    is no evidence at all.
- ``w``: by token class (name 1.0, number 1.0, generic word 0.35, initial 0.35, particle 0.2, legal
  form 0.15) times the token's rarity in the listed name's own list
  (:attr:`matcher.index.Index.weights`; per list, so a score never depends on which other lists
  are loaded), so "bank" or "mohammad" agreeing counts for less than a rare surname.
- Unmatched tokens count in full against the score, except when the other side is fully accounted
  for by at least two identity-bearing words (counted as aligned pairs: a run of syllables is one
  word): then the extra words weigh 0.35, each one after the first 1.5 times that (lists carry a
  patronymic or second given name that callers omit; two of four names agreeing is as often
  somebody else). Words only the query has get that discount only when some agreeing listed
  name is not a common one (``RARE_WEIGHT``): "Abdul Karim Popal" is not "Abdul Karim" on the
  strength of two common given names. After a title in the query ("President Putin", in many
  languages: ``data/honorifics.yml``) the listed side's extra words weigh 0.1, because a title and a
  surname name one person and leave the rest unsaid; a listed alias made of a title and one name
  ("Mullah Nasir") gets no such allowance. A country inside an organisation name weighs 1.5
  when unmatched (``Banco Santander Chile`` is not ``Banco Santander``).
- One agreeing name does not identify a person when the query names another one that only an
  initial or nothing answers ("Aisha Kabir" / "A. Kabir"), and one short word agreeing only as
  a typo, or one word read loosely across scripts, does not identify an organisation ("Ritter" /
  "Router"): such pairs score at most ``LONE_FUZZY_CAP`` (0.79), under the default threshold.
- When both sides have identity-bearing words the other lacks (a different surname, a different
  initial or company word), the score is multiplied by 1 - 0.5 x their weight (at most 1).
- Person name parts that agree in an order no naming convention produces (not a rotation of the
  other) multiply the score by 0.78: "ABDULLAH BIN OMAR" is not "OMAR BIN ABDULLAH".
- A pair where no identity-bearing token (name or number) agreed scores at most half; an exact
  match of a name made only of generic words ("Industrial Bank") scores 0.79, just under the default
  threshold, so it alerts only when a qualifier confirms it.
- 1.0 is reserved for names that are equal after normalisation; anything else is capped at 0.99.

Qualifiers then adjust the best name score (:func:`apply_qualifiers`): type compatibility, birth
date (exact, same year, day and month swapped, or conflicting), country and nationality, and
identifiers, where an identical strong identifier (IMO, passport, ...) is decisive.

Everything here is pure: no I/O, no global state beyond memo tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Final

import jellyfish
from rapidfuzz.distance import OSA, Levenshtein

from matcher.model import DateRange, EntityType, PartialDate
from matcher.normalize import NormName, Token, TokenClass
from matcher.normalize.data import nominative_endings
from matcher.normalize.names import (
    E_AIRCRAFT,
    E_ORGANIZATION,
    E_PERSON,
    E_VESSEL,
    T_GENERIC,
    T_INITIAL,
    T_LEGAL,
    T_NAME,
    T_NUMBER,
    T_PARTICLE,
)
from matcher.normalize.nicknames import nickname_groups
from matcher.normalize.phonetic import (
    SYLLABIC_SCRIPTS,
    abjad_pattern,
    abjad_reading,
    abjad_skeleton,
    allowed_edits,
    skeleton,
    syllabic_skeletons,
    without_article,
)

MIN_PAIR_SIM: Final = 0.6
EXTRA_GAMMA: Final = 0.35
#: A name whose rarity weight (:attr:`matcher.index.Index.weights`: a factor under 1 for a name
#: carried by more than 0.1 % of a list's names) is at least this identifies somebody; below it,
#: it is one of the common names (Mohammad, Ali, Hassan, Abdul, Vladimir) that many listed
#: persons share.
RARE_WEIGHT: Final = 0.95
#: ...and it must agree at least this well: a rare name met only by a typo ("Ali" / "Mali") is
#: not evidence that the rest of the query belongs to the listed person.
RARE_AGREEMENT: Final = 0.9
#: Each word a side adds beyond the first weighs this many times the discounted weight (at most
#: in full): lists and callers leave out one patronymic or second given name, and two of four
#: names agreeing ("Juan Guzman" against "GUZMAN ENRIQUEZ, Juan Luis") is as often somebody else.
FURTHER_EXTRA_FACTOR: Final = 1.5
TITLE_GAMMA: Final = 0.1
PLACE_GAMMA: Final = 1.5
CONFLICT_PENALTY: Final = 0.5
ORDER_PENALTY: Final = 0.78
TYPO_COST: Final = 1.0
GENERIC_ONLY_EXACT: Final = 0.79
#: A name whose identity rests on one short word (under ``LONE_FUZZY_LENGTH`` letters) agreeing
#: only approximately scores at most this, just under the default threshold (:func:`_cap_lone_fuzzy`).
LONE_FUZZY_CAP: Final = 0.79
LONE_FUZZY_LENGTH: Final = 7
CLASS_WEIGHTS: Final[dict[TokenClass, float]] = {
    T_NAME: 1.0,
    T_NUMBER: 0.3,
    T_GENERIC: 0.35,
    T_INITIAL: 0.35,
    T_PARTICLE: 0.2,
    T_LEGAL: 0.15,
}
_IDENTITY: Final = (T_NAME, T_NUMBER)
# Bound once: from compiled code, ``OSA.distance`` is an attribute lookup on every call.
_osa: Final = OSA.distance
_levenshtein: Final = Levenshtein.distance
_metaphone: Final = jellyfish.metaphone
_CONFLICTING: Final = (T_NAME, T_GENERIC, T_INITIAL)


class Align(StrEnum):
    """How a query token relates to the listed name (shown to reviewers)."""

    EXACT = "exact"
    TRANSLITERATION = "transliteration"
    PHONETIC = "phonetic"
    TYPO = "typo"
    INITIAL = "initial"
    NICKNAME = "nickname"
    COMPOUND = "compound"
    ACRONYM = "acronym"
    MISSING = "missing"
    EXTRA = "extra"


# Bound as module constants, as :mod:`matcher.normalize.names` binds the token classes.
_A_ACRONYM: Final = Align.ACRONYM
_A_COMPOUND: Final = Align.COMPOUND
_A_EXACT: Final = Align.EXACT
_A_EXTRA: Final = Align.EXTRA
_A_INITIAL: Final = Align.INITIAL
_A_MISSING: Final = Align.MISSING
_A_NICKNAME: Final = Align.NICKNAME
_A_PHONETIC: Final = Align.PHONETIC
_A_TRANSLITERATION: Final = Align.TRANSLITERATION
_A_TYPO: Final = Align.TYPO


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """One line of an explanation: query side, listed side, how they relate, and how well."""

    query: str
    listed: str
    kind: Align
    sim: float


class _Pair:
    """One candidate alignment: query tokens ``qi`` with listed tokens ``ci``. Built by
    :func:`_pair`, which also sets the bit masks of both spans and the greedy order, so aligning
    compares integers instead of building sets.

    A plain class rather than a dataclass: its constructor then compiles (setup.py), and a scored
    name builds several of these."""

    __slots__ = ("sim", "kind", "qi", "ci", "qmask", "cmask", "rank")

    def __init__(
        self,
        sim: float,
        kind: Align,
        qi: tuple[int, ...],
        ci: tuple[int, ...],
        qmask: int,
        cmask: int,
        rank: float,
    ) -> None:
        self.sim = sim
        self.kind = kind
        self.qi = qi
        self.ci = ci
        self.qmask = qmask
        self.cmask = cmask
        self.rank = rank


def _pair(sim: float, kind: Align, qi: tuple[int, ...], ci: tuple[int, ...]) -> _Pair:
    qmask = 0
    for i in qi:
        qmask |= 1 << i
    cmask = 0
    for j in ci:
        cmask |= 1 << j
    # A pair that accounts for more words wins a near tie: "huo man" as one compound for
    # "hohmann" beats "man" alone; at an equal rank, the larger pair goes first. One float rather
    # than a tuple, so that sorting compares floats: similarities are coarse fractions, far apart
    # compared with the size term.
    size = len(qi) + len(ci)
    return _Pair(sim, kind, qi, ci, qmask, cmask, sim + 0.05 * (size - 2) + size * 1e-9)


class NameScore:
    """A name score; the token-by-token explanation is built only when asked for, because most
    scored candidates are discarded. Treated as immutable; a plain class rather than a frozen
    dataclass so that building one (once per scored name) runs compiled."""

    __slots__ = ("score", "_qt", "_ct", "_chosen", "_tokens")

    def __init__(
        self,
        score: float,
        qt: tuple[Token, ...] = (),
        ct: tuple[Token, ...] = (),
        chosen: tuple[_Pair, ...] = (),
    ) -> None:
        self.score = score
        self._qt = qt
        self._ct = ct
        self._chosen = chosen
        self._tokens: tuple[TokenMatch, ...] | None = None

    def __repr__(self) -> str:
        return f"NameScore({self.score})"

    @property
    def tokens(self) -> tuple[TokenMatch, ...]:
        """The alignment, token by token, written out once on first use."""
        if self._tokens is None:
            self._tokens = _explain(self._qt, self._ct, self._chosen)
        return self._tokens


SYLLABIC_MIN: Final = 2


class _Sim:
    """A token comparison's outcome. A plain class rather than a tuple: compiled code then passes
    and memoises a pointer instead of boxing a new tuple and float for every comparison, and the
    common outcomes are shared constants."""

    __slots__ = ("sim", "kind")

    def __init__(self, sim: float, kind: Align) -> None:
        self.sim = sim
        self.kind = kind


_NO_MATCH: Final = _Sim(0.0, _A_MISSING)
_SAME: Final = _Sim(1.0, _A_EXACT)
_TRANSLIT: Final = _Sim(0.93, _A_TRANSLITERATION)
_TRANSLIT_STEM: Final = _Sim(0.88, _A_TRANSLITERATION)
_INITIAL: Final = _Sim(0.8, _A_INITIAL)
_ABBREVIATION: Final = _Sim(0.7, _A_INITIAL)
_NICKNAME: Final = _Sim(0.85, _A_NICKNAME)

#: Comparisons remembered, by first token then second (tokens are interned, so each lookup hashes
#: a pointer); the table is emptied when it holds this many first tokens, and by
#: :func:`clear_caches` (every few thousand queries, :meth:`matcher.engine.Engine.trim_caches`).
COMPARED_SIZE: Final = 20_000
_COMPARED: Final[dict[Token, dict[Token, _Sim]]] = {}


def compare_tokens(a: Token, b: Token) -> tuple[float, Align]:
    """Similarity of two tokens and the kind of agreement (see the module docstring)."""
    found = _similarity(a, b)
    return found.sim, found.kind


def _similarity(a: Token, b: Token) -> _Sim:
    """:func:`compare_tokens`, memoised."""
    row = _row(a)
    found = row.get(b)
    if found is None:
        found = row[b] = _compare(a, b)
    return found


def _row(a: Token) -> dict[Token, _Sim]:
    """The memo table of comparisons with ``a`` first. Plain dicts, one per first token, rather
    than ``functools.lru_cache``: scoring one candidate compares every pair of words, and from
    compiled code a dict lookup is a fraction of a call through the cache wrapper, needs no key
    tuple, and the row is looked up once per query word."""
    row = _COMPARED.get(a)
    if row is None:
        if len(_COMPARED) >= COMPARED_SIZE:
            _COMPARED.clear()
        row = _COMPARED[a] = {}
    return row


def _compare(a: Token, b: Token) -> _Sim:
    if (a.syllabic or a.native) and a.script == b.script and a.orig != b.orig:
        # Two names in the same characters are compared by character: 市 and 石 both read shi,
        # 정 and 종 both spell jong the way lists write it.
        return _NO_MATCH
    if a.text == b.text:
        return _SAME
    if a.native or b.native:
        # A syllable of a native Chinese, Japanese or Korean name that differs by a letter is
        # another syllable, so another name (Yang is not Zhang, Kang is not Jang): the spellings
        # of romanisation systems are compared as readings of their own (pinyin, Wade-Giles).
        return _NO_MATCH
    if a.cls is T_NUMBER or b.cls is T_NUMBER:
        return _NO_MATCH
    if a.key == b.key:
        return _TRANSLIT
    short, long_ = (a, b) if len(a.text) <= len(b.text) else (b, a)
    cross = (a.loose or b.loose) and a.script != b.script
    if short.cls is T_INITIAL:
        # V. ~ Vladimir; across spellings and scripts the romanisation key (V. ~ Wladimir) or, for
        # a consonant, the skeleton (В. ~ فلاديمير, whose Arabic has no v) decides.
        other_script = short.script != long_.script
        if (
            long_.text.startswith(short.text)
            or long_.key.startswith(short.key)
            or (other_script and bool(short.skel) and long_.skel.startswith(short.skel))
        ):
            return _INITIAL
        return _NO_MATCH
    if not cross and len(short.text) == 2 and len(long_.text) >= 4 and long_.text.startswith(short.text):
        # An abbreviated name part ("DR" for "DRISSI"); a syllable of a transliterated name is not.
        return _ABBREVIATION
    abjad = a.abjad or b.abjad
    if cross and min(len(a.text), len(b.text)) >= 2:
        # Across an abjad or a syllabic script only consonants can be compared, and how much an
        # agreement proves depends on how many there are (:func:`_by_consonants`).
        if abjad:
            agreed, read = _abjad_agreement(a, b)
            if agreed:
                return _by_consonants(_READING, agreed) if read else _by_consonants(_UNREAD, agreed)
        elif a.skel == b.skel:
            return (
                _by_consonants(_SPELT, len(a.skel))
                if a.syllabic != b.syllabic
                else _by_consonants(_LOOSE, len(a.skel))
            )
    if cross and _stem_transliterates(a, b):
        return _TRANSLIT_STEM
    syllabic = a.syllabic != b.syllabic
    if cross and syllabic:
        # A foreign name spelt in Chinese characters, kana or Hangul: one syllable stands for
        # several alphabetic spellings (ジ for di, 基 for gi / di), so compare every reading.
        agreed = _syllabic_agreement(a.text, a.script, b.text, b.script)
        if agreed:
            return _by_consonants(_SPELT, agreed)
    if a.cls is T_NAME and b.cls is T_NAME:
        groups = nickname_groups(a.text)
        if groups and not groups.isdisjoint(nickname_groups(b.text)):
            return _NICKNAME
    length = max(len(a.key), len(b.key))
    allowed = allowed_edits(min(len(a.key), len(b.key)))
    edits = _edits(a.key, b.key, allowed)
    if a.text != a.key or b.text != b.key:
        edits = min(edits, _edits(a.text, b.text, allowed))
    # An inflected or suffixed form: Putin / Putinas, Lavrov / Lavrovs, Vladimir / Vladimiras.
    inflected = max(_inflection(a.text, b.text), _inflection(a.key, b.key))
    # Abbreviations get no typo allowance (tested last: most pairs are too far apart anyway).
    if edits <= allowed and not (_is_acronym_like(a.text) or _is_acronym_like(b.text)):
        sim = 1.0 - TYPO_COST * edits / length
        if _metaphone(a.text) == _metaphone(b.text) and inflected < 0.88:
            return _Sim(max(sim, 0.88), _A_PHONETIC)
        return _Sim(max(sim, inflected), _A_TYPO)
    if inflected:
        return _Sim(inflected, _A_TYPO)
    # One consonant apart across scripts: a substitution needs four consonants, and so does any
    # edit against a syllabic script (whose alternatives were already tried above); with three, a
    # substitution ("ptn" / "pln") is another name far more often than a transliteration.
    if cross:
        sa, sb = (a.hskel, b.hskel) if abjad else (a.skel, b.skel)
        min_skel = 4 if syllabic or len(sa) == len(sb) else 3
        if (
            len(sa) >= min_skel
            and len(sa) - 1 <= len(sb) <= len(sa) + 1
            and _levenshtein(sa, sb, score_cutoff=1) <= 1
        ):
            return _by_consonants(_LOOSE_EDIT, min(len(sa), len(sb)))
    return _NO_MATCH


def _outcomes(sims: tuple[float, ...], kind: Align) -> tuple[_Sim, ...]:
    """Shared outcome objects for a table of similarities indexed by agreeing consonants. A loop
    over an argument: compiled (setup.py), a module-level generator cannot read the module's
    ``Final`` tables while the module is still being initialised."""
    out: list[_Sim] = []
    for sim in sims:
        out.append(_Sim(sim, kind))
    return tuple(out)


#: What an agreement of consonant skeletons across scripts is worth, by the number of consonants
#: that agree (index; the last entry for that many or more). A skeleton is all that an abjad or a
#: syllabic script lets the scorer compare, and a short one is shared by many unrelated names:
#: among the distinct Latin words of the official lists, two that share a skeleton of two
#: consonants are different names almost always, of four rarely (``bench/screening.py`` measures
#: the effect on whole queries). Two consonants alone stay under the default threshold unless
#: the rest of the name agrees well; one consonant (``ali`` / علی) is no evidence at all.
LOOSE_SIM: Final[tuple[float, ...]] = (0.0, 0.0, 0.7, 0.82, 0.9, 0.93)
#: One consonant apart costs one consonant's worth of evidence and a little more.
LOOSE_EDIT_COST: Final = 0.05
#: The same agreement when the abjad word's written long vowels also agree with the other word's
#: vowels (:func:`_abjad_agreement`): a full reading, so worth as much as a transliteration from
#: an alphabet once three consonants agree.
READING_SIM: Final[tuple[float, ...]] = (0.0, 0.0, 0.85, 0.93, 0.93, 0.93)
_LOOSE: Final = _outcomes(LOOSE_SIM, _A_TRANSLITERATION)
_READING: Final = _outcomes(READING_SIM, _A_TRANSLITERATION)
#: A foreign name spelt in a syllabic script (native Chinese, Japanese and Korean names are read as
#: they are written, :mod:`matcher.normalize.translit`): every syllable is written, so agreement on
#: three consonants is most of the name.
SPELT_SIM: Final[tuple[float, ...]] = (0.0, 0.0, 0.8, 0.88, 0.93, 0.93)
_SPELT: Final = _outcomes(SPELT_SIM, _A_TRANSLITERATION)
#: Against them, four consonants still make a plausible reading (vowels are the least reliable
#: part of a romanisation), fewer do not.
UNREAD_SIM: Final[tuple[float, ...]] = (0.0, 0.0, 0.0, 0.0, 0.82, 0.9)
_UNREAD: Final = _outcomes(UNREAD_SIM, _A_TRANSLITERATION)
_LOOSE_EDIT: Final = _outcomes(
    (0.0, *(max(0.0, sim - LOOSE_EDIT_COST) for sim in LOOSE_SIM[:-1])), _A_PHONETIC
)


def _by_consonants(table: tuple[_Sim, ...], consonants: int) -> _Sim:
    """The outcome in ``table`` for an agreement on ``consonants`` consonants (the last entry for
    that many or more)."""
    return table[consonants if consonants < len(table) else len(table) - 1]


def _abjad_agreement(a: Token, b: Token) -> tuple[int, bool]:
    """How many consonants agree between a word and an abjad word, compared by
    :func:`matcher.normalize.phonetic.abjad_skeleton` with and without the letter w and a joined
    article (0 when they differ), and whether the abjad word's written long vowels are ones the
    other word's vowels allow (:func:`matcher.normalize.phonetic.abjad_pattern`): then it is a
    full reading of the name, not only shared consonants."""
    best = 0
    for sa in a.hskels:
        for sb in b.hskels:
            if sa == sb and len(sa) > best:
                best = len(sa)
    if not best:
        return 0, False
    if a.abjad and b.abjad:
        # Two abjads (Hebrew and Arabic) write the same long vowels: the readings must agree.
        return best, abjad_reading(a.text) == abjad_reading(b.text)
    other, word = (b, a) if a.abjad else (a, b)
    pattern = abjad_pattern(other.text)
    if pattern.fullmatch(abjad_reading(word.text)):
        return best, True
    bare = without_article(word.text)
    return best, bool(bare) and pattern.fullmatch(abjad_reading(bare)) is not None


def round_score(x: float) -> float:
    """``x`` (a score, never negative) to four decimals, as scores are reported, halves rounded up.
    ``round(x, 4)`` writes out and parses the decimal digits, and even ``round(x)`` is a call
    through the builtins module from compiled code, which mattered at a few dozen scores per query;
    this and ``round(x, 4)`` differ only when ``x`` lies within a rounding error of a tie (by
    0.0001)."""
    return int(x * 10000.0 + 0.5) / 10000.0


def _edits(a: str, b: str, allowed: int) -> int:
    """Optimal string alignment distance, or ``allowed + 1`` for anything over ``allowed``. The
    distance is at least the difference in length: most pairs of unrelated words are told apart
    by that alone, without a call into rapidfuzz."""
    if len(a) - len(b) > allowed or len(b) - len(a) > allowed:
        return allowed + 1
    if allowed <= 1:
        # Most words are short enough to be allowed one edit: tell it by comparing the strings
        # around the first difference, without a call into rapidfuzz.
        return _one_edit(a, b) if allowed else int(a != b)
    return int(_osa(a, b, score_cutoff=allowed))


def _one_edit(a: str, b: str) -> int:
    """The optimal string alignment distance of ``a`` and ``b`` if it is 0 or 1, else 2 (their
    lengths differ by one at most)."""
    if a == b:
        return 0
    if len(a) > len(b):
        a, b = b, a
    p = 0
    while p < len(a) and a[p] == b[p]:
        p += 1
    if len(a) < len(b):
        return 1 if a[p:] == b[p + 1 :] else 2
    if a[p + 1 :] == b[p + 1 :]:
        return 1
    if p + 1 < len(a) and a[p] == b[p + 1] and a[p + 1] == b[p] and a[p + 2 :] == b[p + 2 :]:
        return 1
    return 2


def clear_caches() -> None:
    """Empty the scorer's memo tables (:meth:`matcher.engine.Engine.trim_caches`)."""
    _COMPARED.clear()
    _stem_skeleton.cache_clear()


def _syllabic_agreement(a: str, script_a: str, b: str, script_b: str) -> int:
    """The longest skeleton a syllabic-script word and an alphabetic word can both have, in
    consonants, or 0 when none of at least two consonants does (one is too little to tell names
    apart)."""
    if len(a) < 2 or len(b) < 2:
        return 0
    best = 0
    for s in syllabic_skeletons(a, script_a) & syllabic_skeletons(b, script_b):
        if len(s) >= SYLLABIC_MIN and len(s) > best:
            best = len(s)
    return best


@lru_cache(maxsize=100_000)
def _stem_skeleton(text: str) -> str:
    """The consonant skeleton of ``text`` without the nominative ending Baltic languages add to
    foreign names (Putinas -> ptn, Vladimirs -> vldmr), or "" when it has none or the stem would be
    under five letters."""
    for n in (2, 1):
        if len(text) - n >= 5 and text[-n:] in nominative_endings():
            return skeleton(text[:-n])
    return ""


def _stem_transliterates(a: Token, b: Token) -> bool:
    """An alphabetic word with a Baltic nominative ending whose stem's skeleton is the other
    script's word (Putins ~ بوتين): the ending is not part of the name."""
    if a.cross_script == b.cross_script:
        return False
    latin, other = (b, a) if a.cross_script else (a, b)
    if len(other.skel) < 2:
        return False
    stem = _stem_skeleton(latin.text)
    return bool(stem) and (stem == other.skel or stem == other.skel_vowels)


def _inflection(a: str, b: str) -> float:
    """0.9 when one word is the other plus a nominative ending some languages add to every
    foreign name (Putin / Putinas, Vladimir / Vladimirs), 0.8 for another suffix of up to two
    letters (Putin / Putina), else 0. The stem must have five letters or more."""
    stem, longer = (a, b) if len(a) <= len(b) else (b, a)
    if len(stem) < 5 or len(longer) - len(stem) > 2 or not longer.startswith(stem) or stem == longer:
        return 0.0
    return 0.9 if longer[len(stem) :] in nominative_endings() else 0.8


_VOWELS: Final = frozenset("aeiouy")


def _is_acronym_like(text: str) -> bool:
    """Short vowel-less words (ICBC, KKBC, BNC) are abbreviations: one letter apart is another
    organisation, not a typo."""
    return len(text) <= 5 and _VOWELS.isdisjoint(text)


def _weight(t: Token, rarity: dict[str, float] | None) -> float:
    w = CLASS_WEIGHTS[t.cls]
    if rarity is not None and t.cls is T_NAME:
        w *= rarity.get(t.key, 1.0)
    return w


def _single_pairs(q: tuple[Token, ...], c: tuple[Token, ...]) -> list[_Pair]:
    pairs: list[_Pair] = []
    for i, qt in enumerate(q):
        row = _row(qt)
        for j, ct in enumerate(c):
            found = row.get(ct)
            if found is None:
                found = row[ct] = _compare(qt, ct)
            if found.sim >= MIN_PAIR_SIM:
                pairs.append(_pair(found.sim, found.kind, (i,), (j,)))
    return pairs


def _compound_pairs(q: NormName, c: NormName) -> list[_Pair]:
    """Two or three adjacent tokens on one side written as one word on the other (``SiemensAG``);
    across scripts, any run of syllables whose consonant skeleton equals one word (Korean and
    Chinese spell a foreign name syllable by syllable: ``pu tin`` ~ ``putin``)."""
    pairs: list[_Pair] = []
    # Words of a native Chinese, Japanese or Korean name join only exactly (Jong Un ~ Jongun).
    native = False
    for side in (q, c):
        for t in side.tokens:
            native = native or t.native
    for side_a, side_b, swap in ((q, c, False), (c, q, True)):
        by_length = side_b.by_length
        if not by_length:
            continue
        # Joined words are mostly longer than any single word: bound the lengths looked up.
        shortest = 1 << 20
        longest = 0
        for length in by_length:
            shortest = length if length < shortest else shortest
            longest = length if length > longest else longest
        for joined, span in side_a.joins:
            n = len(joined)
            first, last = joined[0], joined[-1]
            for width in range(max(n - 1, shortest), min(n + 1, longest) + 1):
                words = by_length.get(width)
                if words is None:
                    continue
                for j, word in words:
                    # One edit between words of three letters or more keeps the first or the last
                    # letter, so the others need no edit distance.
                    if word == joined or (
                        not native and (word[0] == first or word[-1] == last) and _one_edit(word, joined) <= 1
                    ):
                        sim = 0.95 if word == joined else 0.85
                        pairs.append(
                            _pair(sim, _A_COMPOUND, (j,), span)
                            if swap
                            else _pair(sim, _A_COMPOUND, span, (j,))
                        )
        for span, text, skel, script in side_a.loose_runs():
            if len(skel) < 2:
                continue
            syllabic = script in SYLLABIC_SCRIPTS
            if not syllabic and script != "Thai":
                # Abjad words run together (عبد الله ~ Abdullah) compare by the abjad skeleton.
                skel = abjad_skeleton(text)
            for j, bt in enumerate(side_b.tokens):
                if bt.loose or len(bt.skel) < 2:
                    continue
                other = bt.skel if syllabic or script == "Thai" else bt.hskel
                agreed = len(skel) if other == skel else 0
                if syllabic:
                    agreed = max(agreed, _syllabic_agreement(text, script, bt.text, bt.script))
                if agreed:
                    sim = (_by_consonants(_SPELT, agreed) if syllabic else _by_consonants(_LOOSE, agreed)).sim
                elif (
                    syllabic
                    and len(skel) >= 4
                    and len(skel) - 1 <= len(other) <= len(skel) + 1
                    and (other[0] == skel[0] or other[-1] == skel[-1])
                    and _one_edit(other, skel) <= 1
                ):
                    sim = _by_consonants(_LOOSE_EDIT, min(len(skel), len(other))).sim
                else:
                    continue
                if sim < MIN_PAIR_SIM:
                    continue
                pairs.append(
                    _pair(sim, _A_TRANSLITERATION, (j,), span)
                    if swap
                    else _pair(sim, _A_TRANSLITERATION, span, (j,))
                )
    return pairs


def _greedy(pairs: list[_Pair]) -> tuple[list[_Pair], int, int]:
    """Best pairs first (:func:`_pair` sets the order), each taken when none of its tokens is
    taken yet. Returns the chosen pairs and the masks of query and listed tokens they cover."""
    qused = 0
    cused = 0
    chosen: list[_Pair] = []
    for pair in _sorted_pairs(pairs, by_rank=True):
        if not pair.qmask & qused and not pair.cmask & cused:
            chosen.append(pair)
            qused |= pair.qmask
            cused |= pair.cmask
    return chosen, qused, cused


def _sorted_pairs(pairs: list[_Pair], by_rank: bool) -> list[_Pair]:
    """``pairs`` best first (``by_rank``, pairs of equal rank in their given order) or in query
    order: chosen pairs cover disjoint query tokens, so ordering them by the mask of their query
    tokens is ordering them by first query token. An insertion sort: a name has a few dozen pairs
    at most, and compiled this costs less than ``sorted`` with a key, which boxes every key."""
    out = list(pairs)
    for k in range(1, len(out)):
        pair = out[k]
        m = k - 1
        while m >= 0 and (out[m].rank < pair.rank if by_rank else out[m].qmask > pair.qmask):
            out[m + 1] = out[m]
            m -= 1
        out[m + 1] = pair
    return out


def _acronym_runs(tokens: tuple[Token, ...], free: int, longest: int) -> dict[str, tuple[int, ...]]:
    """Initials of every run of two to ``longest`` free (a bit set in ``free``), adjacent words,
    particles allowed inside a run but not counted ("Industrial and Commercial Bank of China" ->
    "icbc")."""
    runs: dict[str, tuple[int, ...]] = {}
    for start in range(len(tokens)):
        if tokens[start].cls is T_PARTICLE:
            continue
        letters = ""
        span: list[int] = []
        for k in range(start, len(tokens)):
            t = tokens[k]
            if not free >> k & 1 or t.cls is T_LEGAL:
                break
            span.append(k)
            if t.cls is T_PARTICLE:
                continue
            letters += t.text[0]
            if len(letters) > longest:
                break
            if len(letters) >= 2 and letters not in runs:
                runs[letters] = tuple(span)
    return runs


def _acronym_pairs(q: tuple[Token, ...], c: tuple[Token, ...], qfree: int, cfree: int) -> list[_Pair]:
    """A free word (a bit set in ``qfree`` or ``cfree``) on one side that spells the initials of a
    run of free words on the other."""
    out: list[_Pair] = []
    _acronyms_one_way(q, qfree, c, cfree, False, out)
    _acronyms_one_way(c, cfree, q, qfree, True, out)
    return out


def _acronyms_one_way(
    side_a: tuple[Token, ...],
    free_a: int,
    side_b: tuple[Token, ...],
    free_b: int,
    swap: bool,
    out: list[_Pair],
) -> None:
    # Each letter of an acronym is the initial of a free word that is neither a particle nor a
    # legal form, so a word longer than the other side has such words cannot be one.
    letters = 0
    for k in range(len(side_b)):
        cls = side_b[k].cls
        if free_b >> k & 1 and cls is not T_PARTICLE and cls is not T_LEGAL:
            letters += 1
    letters = 8 if letters > 8 else letters
    longest = 0
    for i in range(len(side_a)):
        text = side_a[i].text
        if free_a >> i & 1 and longest < len(text) <= letters and text.isalpha():
            longest = len(text)
    if longest < 2:
        return
    runs = _acronym_runs(side_b, free_b, longest)
    if not runs:
        return
    for i in range(len(side_a)):
        word = side_a[i].text
        if free_a >> i & 1 and 2 <= len(word) <= 8 and word.isalpha() and word in runs:
            span = runs[word]
            out.append(_pair(0.9, _A_ACRONYM, span, (i,)) if swap else _pair(0.9, _A_ACRONYM, (i,), span))


def score_name(
    q: NormName,
    c: NormName,
    kind: EntityType | None = None,
    rarity: dict[str, float] | None = None,
) -> NameScore:
    """Score one query reading against one listed reading (see the module docstring)."""
    qt, ct = q.tokens, c.tokens
    nq, nc = len(qt), len(ct)
    every_q, every_c = (1 << nq) - 1, (1 << nc) - 1
    singles = _single_pairs(qt, ct)
    chosen, qused, cused = _greedy(singles)
    weak = False
    for pair in chosen:
        if pair.sim < 0.9:
            weak = True
            break
    if weak or qused != every_q or cused != every_c:
        # Only when words are left over or weakly matched can a compound do better.
        compounds = _compound_pairs(q, c)
        if compounds:
            chosen, qused, cused = _greedy(singles + compounds)
    qleft, cleft = every_q & ~qused, every_c & ~cused
    # Acronyms need free words on both sides and a run of two or more on one of them.
    if qleft and cleft and kind is not E_PERSON and (qleft & (qleft - 1) or cleft & (cleft - 1)):
        for pair in _acronym_pairs(qt, ct, qleft, cleft):
            if not pair.qmask & qused and not pair.cmask & cused:
                chosen.append(pair)
                qused |= pair.qmask
                cused |= pair.cmask
    wq = [_weight(t, rarity) for t in qt]
    wc = [_weight(t, rarity) for t in ct]
    q_extra = _leftover(qt, wq, qused)
    c_extra = _leftover(ct, wc, cused)
    # Identity words accounted for, counted as aligned pairs: a run of syllables or a compound that
    # stands for one word of the other side is one word, however many tokens it spans.
    matched_identity_q = 0
    matched_identity_c = 0
    for pair in chosen:
        for i in pair.qi:
            if qt[i].cls in _IDENTITY:
                matched_identity_q += 1
                break
        for j in pair.ci:
            if ct[j].cls in _IDENTITY:
                matched_identity_c += 1
                break
    # What the query adds is discounted only when the agreement rests on at least one word that
    # identifies somebody: when every agreeing name is common in the lists (Abdul Karim, Hassan
    # Ali), a surname the listed name lacks is as likely another person's (Abdul Karim Popal).
    rare = False
    for pair in chosen:
        if pair.sim >= RARE_AGREEMENT:
            for j in pair.ci:
                rare = rare or (ct[j].cls is T_NAME and wc[j] >= RARE_WEIGHT)
    # A title discounts only what the list adds to a titled query ("President Putin"), never the
    # query's own words: a listed alias made of a title and one name ("Mullah Nasir", "Comrade
    # Jose") is a weak name, and the query's other words are still the customer's own name.
    den = _side_weight(
        0.0, qt, wq, qused, kind, matched_identity_c, c_extra, False, EXTRA_GAMMA if rare else 1.0
    )
    den = _side_weight(den, ct, wc, cused, kind, matched_identity_q, q_extra, q.titled, EXTRA_GAMMA)
    num = 0.0
    identity_agreed = False
    all_exact = qused == every_q and cused == every_c
    for pair in chosen:
        wq_pair = 0.0
        for i in pair.qi:
            wq_pair += wq[i]
            identity_agreed = identity_agreed or qt[i].cls in _IDENTITY
        wc_pair = 0.0
        for j in pair.ci:
            wc_pair += wc[j]
            identity_agreed = identity_agreed or ct[j].cls in _IDENTITY
        num += pair.sim * (wq_pair + wc_pair)
        if pair.kind is not _A_EXACT:
            all_exact = False
    score = num / den if den > 0 else 0.0
    if not identity_agreed:
        score *= 0.5
    by_query = _sorted_pairs(chosen, by_rank=False)
    in_order = _in_order(by_query)
    if kind is E_PERSON and not _is_rotation(by_query, qt):
        # Name parts agree but in a shuffled order that no naming convention produces
        # ("ABDULLAH BIN OMAR" vs "OMAR BIN ABDULLAH" are father and son).
        score *= ORDER_PENALTY
    if q_extra and c_extra:
        # Both sides have identity-bearing words the other lacks: a different person or company
        # that shares some names ("... AL-MOSULI" vs "... AL-TIKRITI").
        score *= 1.0 - CONFLICT_PENALTY * min(1.0, q_extra, c_extra)
    if kind is not E_PERSON and matched_identity_q == 1 and score > LONE_FUZZY_CAP:
        score = _cap_lone_fuzzy(score, chosen, qt, ct)
    elif (
        kind is E_PERSON and not q.titled and score > LONE_FUZZY_CAP and _one_name_of_several(chosen, qt, ct)
    ):
        # One agreeing name does not identify a person when the query names two or more and the
        # listed name adds no second one (an initial, or a title: "Aisha Kabir" is not "A. Kabir",
        # "Bello Idris" is not "Mullah Idris"). After a title, one name may (President Putin).
        score = LONE_FUZZY_CAP
    if all_exact and chosen and in_order:
        # Equal names score 1.0, except a name made only of generic words ("Industrial Bank",
        # "National Oil Company"): many organisations share it, so equality alone stays just
        # under the default threshold and a qualifier (country, identifier) must confirm it.
        score = 1.0 if identity_agreed else GENERIC_ONLY_EXACT
    else:
        score = min(score, 0.99)
    return NameScore(round_score(score), qt, ct, tuple(chosen))


def _one_name_of_several(chosen: list[_Pair], qt: tuple[Token, ...], ct: tuple[Token, ...]) -> bool:
    """True when exactly one aligned pair has a name on both sides and the query has another name
    word outside it (unaligned, or aligned only with an initial)."""
    names = 0
    covered = 0
    for pair in chosen:
        q_name = False
        for i in pair.qi:
            q_name = q_name or qt[i].cls is T_NAME
        c_name = False
        for j in pair.ci:
            c_name = c_name or ct[j].cls is T_NAME
        if q_name and c_name:
            names += 1
            covered |= pair.qmask
    if names != 1:
        return False
    # A loop, not any(): compiled (setup.py), a generator is an object per call.
    for k in range(len(qt)):  # noqa: SIM110
        if not covered >> k & 1 and qt[k].cls is T_NAME:
            return True
    return False


def _cap_lone_fuzzy(score: float, chosen: list[_Pair], qt: tuple[Token, ...], ct: tuple[Token, ...]) -> float:
    """``score``, or :data:`LONE_FUZZY_CAP` when an organisation's name is one pair of words that
    agree only approximately: as short words (under ``LONE_FUZZY_LENGTH`` letters) one letter or
    sound apart, since one letter changes one short word into another ("Ritter" / "Router",
    "Haase" / "Hasa"); or by a loose reading across scripts, since Korean and Japanese companies
    spell English words in their script (시너지, synergy) and a loose reading of one meets some
    unrelated listed word far more often than a reading of a personal name does. Words that
    dictionaries share are what company names are made of; persons' names are not capped."""
    for pair in chosen:
        if pair.kind is _A_TRANSLITERATION:
            a, b = qt[pair.qi[0]], ct[pair.ci[0]]
            if (a.loose or b.loose) and a.script != b.script:
                return LONE_FUZZY_CAP
        if len(chosen) > 1 or len(pair.qi) != 1 or len(pair.ci) != 1:
            continue
        a, b = qt[pair.qi[0]], ct[pair.ci[0]]
        if a.cls not in _IDENTITY or b.cls not in _IDENTITY:
            continue
        if (pair.kind is _A_TYPO or pair.kind is _A_PHONETIC) and min(
            len(a.text), len(b.text)
        ) < LONE_FUZZY_LENGTH:
            return LONE_FUZZY_CAP
    return score


def _leftover(tokens: tuple[Token, ...], weights: list[float], used: int) -> float:
    """Weight of the identity-bearing words of one side left unaligned (a different surname,
    initial or company word)."""
    extra = 0.0
    for k in range(len(tokens)):
        if not used >> k & 1 and tokens[k].cls in _CONFLICTING:
            extra += weights[k]
    return extra


def _side_weight(
    den: float,
    tokens: tuple[Token, ...],
    weights: list[float],
    used: int,
    kind: EntityType | None,
    other_matched: int,
    other_extra: float,
    other_titled: bool,
    gamma: float,
) -> float:
    """``den`` plus one side's share of the denominator: aligned words in full, unaligned ones
    discounted when the other side is fully accounted for (see the module docstring)."""
    discounted = 0
    for k in range(len(tokens)):
        w = weights[k]
        if used >> k & 1:
            den += w
        elif kind is not E_PERSON and tokens[k].place:
            den += w * PLACE_GAMMA
        elif other_extra == 0 and other_titled and other_matched == 1:
            # "President Putin": after a title one name stands for the whole person, so the
            # given names and patronymic this side adds are what the title left unsaid.
            den += w * TITLE_GAMMA
        elif other_extra == 0 and other_matched >= 2:
            # The other side is fully accounted for: this side merely says more (a patronymic,
            # a second given name, a descriptive word); further words weigh more
            # (:data:`FURTHER_EXTRA_FACTOR`).
            if tokens[k].cls in _CONFLICTING:
                den += w * (gamma if discounted == 0 else min(1.0, FURTHER_EXTRA_FACTOR * gamma))
                discounted += 1
            else:
                den += w * gamma
        else:
            den += w
    return den


def _in_order(by_query: list[_Pair]) -> bool:
    """True when the listed words come in the order of the query words they align with
    (``by_query``: the chosen pairs in query order)."""
    last = -1
    for pair in by_query:
        if pair.ci[0] < last:
            return False
        last = pair.ci[0]
    return True


def _is_rotation(by_query: list[_Pair], qt: tuple[Token, ...]) -> bool:
    """True when the aligned name parts keep their order up to moving a block from the end to the
    front, which is what surname-first and surname-last conventions do (``by_query``: the chosen
    pairs in query order)."""
    seq = [p.ci[0] for p in by_query if qt[p.qi[0]].cls is T_NAME]
    if len(seq) < 3:
        return True
    descents = sum(1 for k in range(len(seq)) if seq[(k + 1) % len(seq)] < seq[k])
    return descents <= 1


def _explain(
    qt: tuple[Token, ...], ct: tuple[Token, ...], chosen: tuple[_Pair, ...]
) -> tuple[TokenMatch, ...]:
    qfree = set(range(len(qt))).difference(*(p.qi for p in chosen))
    cfree = set(range(len(ct))).difference(*(p.ci for p in chosen))
    rows: list[tuple[int, TokenMatch]] = []
    for pair in chosen:
        rows.append(
            (
                min(pair.qi),
                TokenMatch(
                    " ".join(qt[i].text for i in pair.qi),
                    " ".join(ct[j].text for j in pair.ci),
                    pair.kind,
                    round(pair.sim, 3),
                ),
            )
        )
    rows.extend((i, TokenMatch(qt[i].text, "", _A_MISSING, 0.0)) for i in sorted(qfree))
    rows.sort(key=lambda r: r[0])
    extra = [TokenMatch("", ct[j].text, _A_EXTRA, 0.0) for j in sorted(cfree)]
    return tuple(r[1] for r in rows) + tuple(extra)


# --- Qualifiers ------------------------------------------------------------------------------


class Outcome(StrEnum):
    MATCH = "match"
    PARTIAL = "partial"
    CONFLICT = "conflict"
    DECISIVE = "decisive"


@dataclass(frozen=True, slots=True)
class Qualifier:
    """One qualifier applied to a score: which field, the outcome, and the factor applied."""

    field: str
    outcome: Outcome
    detail: str
    factor: float


@dataclass(slots=True)
class QualifierInput:
    """The query's qualifiers, already normalised (countries as ISO codes, ids canonical)."""

    type: EntityType | None = None
    birth_date: PartialDate | None = None
    countries: frozenset[str] = frozenset()
    identifiers: frozenset[str] = frozenset()


@dataclass(slots=True)
class CandidateFacts:
    """The listed entity's facts that qualifiers compare against, normalised once at index build."""

    type: EntityType
    birth_dates: tuple[PartialDate | DateRange, ...] = ()
    countries: frozenset[str] = frozenset()
    identifiers: frozenset[str] = frozenset()
    strong_identifiers: frozenset[str] = field(default_factory=frozenset)


_TYPE_FACTORS: Final[dict[frozenset[EntityType], float]] = {
    frozenset({E_ORGANIZATION, E_VESSEL}): 0.9,
    frozenset({E_ORGANIZATION, E_AIRCRAFT}): 0.9,
    frozenset({E_VESSEL, E_AIRCRAFT}): 0.8,
}


def _date_outcome(q: PartialDate, listed: PartialDate | DateRange) -> tuple[Outcome, str] | None:
    if isinstance(listed, DateRange):
        if listed.start.year <= q.year <= listed.end.year:
            return Outcome.MATCH, f"{q} within {listed}"
        return None
    if q.year != listed.year:
        if abs(q.year - listed.year) == 1 and (q.month is None or listed.month is None):
            return Outcome.PARTIAL, f"{q} is one year from {listed}"
        return None
    if q.month is None or listed.month is None:
        return Outcome.MATCH, f"year {q.year} agrees"
    if q.month == listed.month and (q.day is None or listed.day is None or q.day == listed.day):
        return Outcome.MATCH, f"{q} agrees with {listed}"
    if q.day is not None and (q.day, q.month) == (listed.month, listed.day):
        return Outcome.PARTIAL, f"{q} is {listed} with day and month swapped"
    return Outcome.PARTIAL, f"same year {q.year}, different day"


def qualify(query: QualifierInput, facts: CandidateFacts) -> list[Qualifier]:
    """Compare the query's qualifiers with the listed facts; each result carries its factor."""
    out: list[Qualifier] = []
    if query.type is not None and query.type is not facts.type:
        factor = _TYPE_FACTORS.get(frozenset({query.type, facts.type}), 0.7)
        out.append(Qualifier("type", Outcome.CONFLICT, f"{query.type} query, {facts.type} listed", factor))
    if query.birth_date is not None and facts.birth_dates:
        best: tuple[Outcome, str] | None = None
        for listed in facts.birth_dates:
            result = _date_outcome(query.birth_date, listed)
            if result and (best is None or result[0] is Outcome.MATCH):
                best = result
        if best is None:
            shown = ", ".join(str(d) for d in facts.birth_dates[:3])
            out.append(Qualifier("birth_date", Outcome.CONFLICT, f"{query.birth_date} vs {shown}", 0.8))
        elif best[0] is Outcome.MATCH:
            exact = query.birth_date.day is not None
            out.append(Qualifier("birth_date", Outcome.MATCH, best[1], 1.05 if exact else 1.02))
        else:
            out.append(Qualifier("birth_date", Outcome.PARTIAL, best[1], 0.97))
    if query.countries and facts.countries:
        common = query.countries & facts.countries
        if common:
            out.append(Qualifier("country", Outcome.MATCH, ", ".join(sorted(common)), 1.02))
        else:
            detail = f"{', '.join(sorted(query.countries))} vs {', '.join(sorted(facts.countries))}"
            out.append(Qualifier("country", Outcome.CONFLICT, detail, 0.92))
    if query.identifiers and facts.identifiers:
        common = query.identifiers & facts.identifiers
        if common & facts.strong_identifiers:
            shown = ", ".join(sorted(common & facts.strong_identifiers))
            out.append(Qualifier("identifier", Outcome.DECISIVE, f"identical identifier {shown}", 1.0))
        elif common:
            out.append(Qualifier("identifier", Outcome.MATCH, ", ".join(sorted(common)), 1.05))
    return out


def apply_qualifiers(name_score: float, qualifiers: list[Qualifier]) -> float:
    """Combine the name score with qualifier factors. A decisive identifier lifts it to >= 0.99."""
    score = name_score
    for q in qualifiers:
        score *= q.factor
    if name_score < 1.0:
        score = min(score, 0.99)
    score = min(score, 1.0)
    if any(q.outcome is Outcome.DECISIVE for q in qualifiers):
        score = max(score, 0.99)
    return round_score(score)


def score_names(
    query: tuple[NormName, ...],
    listed: tuple[NormName, ...],
    kind: EntityType | None = None,
    rarity: dict[str, float] | None = None,
) -> NameScore:
    """Best score over every reading of the query against every reading of a listed name."""
    best = NameScore(0.0)
    for q in query:
        for c in listed:
            result = score_name(q, c, kind, rarity)
            if result.score > best.score:
                best = result
                if best.score >= 1.0:
                    return best
    return best
