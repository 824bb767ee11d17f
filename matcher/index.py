"""The in-memory index of one list snapshot: candidate retrieval without scanning every name.

Built once per list version from its entities (normalising every name once, watchman's
"prepared fields" idea) and saved next to the snapshot, so a worker loads it instead of
rebuilding it. It is pure: building and querying do no I/O; :func:`save_index` and
:func:`load_index` are the only functions that touch files.

Retrieval is two-level, to keep memory small:

1. A **vocabulary** of token keys (romanisation keys, :mod:`matcher.normalize.phonetic`). A query
   token reaches vocabulary entries by its own key, by single-character deletions of its key
   (SymSpell: catches one insertion, deletion or substitution, and with both sides' deletions two
   edits), by consonant skeleton (only across scripts, where vowels cannot be trusted; for
   Chinese characters, kana and Hangul by every skeleton the word could have, as the scorer
   compares them), and by nickname group (Ted -> Theodore); a word that is not itself in the
   vocabulary also reaches its stem, the key less two final letters (an inflected form the
   scorer accepts: Putinas -> Putin). Compounds of adjacent query tokens are looked up too
   (``SiemensAG``), and organisation acronyms are keys of their own (``icbc``).
2. **Postings**: each vocabulary entry lists the name records that contain it.

A **fallback** reaches what the scorer accepts but one deletion per side cannot: two edits in one
word (Stellaris ~ Stellantis: a substitution and an insertion). It runs only for a query word of
seven letters or more that reached nothing by the keys above, so listed words and their common
typos never pay for it, and an unknown word pays once (hits are memoised per token):

- SymSpell with two deletions (:class:`FuzzyWords`), over the long words of the vocabulary only,
  kept as 32-bit hashes in a numpy array built when the lists load (two-deletion keys as strings
  in the saved deletion tables would multiply the index);
- a glued name split into two vocabulary words, or a word and a typo of one
  (``FridrichBuchenberg``);
- and for two adjacent query words of which one reached nothing, their joined form through the
  same two-deletion lookup (``Andrang Heta`` ~ ``'Ndrangheta``).

A name record's retrieval score is the summed weight of query tokens that reached it (summed and
ranked by :mod:`matcher.kernels`, compiled); the best ``candidates`` records go on to full
scoring. ``rarity`` (document frequency) is computed here and
handed to the scorer so common tokens ("mohammad", "bank") weigh less than rare ones.

Each list's index is built and saved on its own (a list refreshes without touching the others),
but the engine queries all of them through one table: :meth:`Blocking.merge` joins the postings
and every reach table (deletions, skeletons, nickname groups) of the loaded lists, so a query
token costs one lookup per key however many lists are loaded, and the engine's per-list indexes
keep none of these tables (:meth:`Index.without_retrieval`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import math
import os
import pickle
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import numpy as np
from rapidfuzz.distance import OSA

from matcher.kernels import HASH_BASE, HASH_MOD, INV, INV2, probe, rank, scratch
from matcher.model import ALGORITHM_VERSION, Entity, EntityType, Name, NameKind
from matcher.normalize import NormName, Token, TokenClass, normalize_name
from matcher.normalize.identifiers import normalize_identifier
from matcher.normalize.nicknames import nickname_groups
from matcher.normalize.phonetic import (
    SYLLABIC_SCRIPTS,
    allowed_edits,
    romanization_key,
    syllabic_skeletons,
)

log = logging.getLogger(__name__)
_BLOCKING_CLASSES: Final = (TokenClass.NAME, TokenClass.NUMBER, TokenClass.GENERIC)
_CLASS_WEIGHT: Final = {TokenClass.NAME: 1.0, TokenClass.NUMBER: 0.5, TokenClass.GENERIC: 0.3}
INDEX_FORMAT: Final = 8
REACH_CACHE_SIZE: Final = 200_000
HIT_CACHE_SIZE: Final = 50_000
#: Decoded entities kept per list; a long bulk job must not end up holding every entity decoded.
ENTITY_CACHE_SIZE: Final = 5_000
COMMON_HITS: Final = 1500
#: Words this long take part in the fuzzy fallback (query words that reach no vocabulary key, and
#: the vocabulary words they may be typos of); shorter ones are allowed one edit by the scorer,
#: which single deletions already cover. Longer words than ``FUZZY_MAX`` are left out: a name
#: word is rarely that long, and its deletions would weigh most in the table.
FUZZY_MIN: Final = 7
FUZZY_MAX: Final = 24
#: Query words this long also reach their stem (the key less two letters): the scorer takes a word
#: of five letters or more plus up to two letters as an inflected form.
STEM_MIN: Final = 7
#: Shortest listed word a glued query word may be split into.
SPLIT_MIN: Final = 4


def _deletes(key: str) -> set[str]:
    if len(key) < 4:
        return set()
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


@dataclass(frozen=True, slots=True)
class NameRecord:
    """One listed name of one entity, with its normalised readings."""

    entity: int
    name: Name
    readings: tuple[NormName, ...]

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _restore_record,
            (self.entity, self.name.value, self.name.kind, self.name.script, self.readings),
        )


def _restore_record(
    entity: int, value: str, kind: NameKind, script: str | None, readings: tuple[NormName, ...]
) -> NameRecord:
    return NameRecord(entity, Name(value, kind, script), readings)


class Postings:
    """Vocabulary key -> record ids, every list in one numpy array.

    One array and one dict of slots instead of an array object per key keeps the index small; a
    query passes slots, not arrays, to the compiled accumulation (:mod:`matcher.kernels`), which
    reads the records straight from ``data``.
    """

    __slots__ = ("slots", "bounds", "data")

    def __init__(self, slots: dict[str, int], bounds: np.ndarray, data: np.ndarray) -> None:
        self.slots = slots
        self.bounds = bounds
        self.data = data

    def __reduce__(self) -> tuple[Any, ...]:
        return (Postings, (self.slots, self.bounds, self.data))

    @classmethod
    def from_lists(cls, mapping: dict[str, list[int]]) -> Postings:
        slots = {key: i for i, key in enumerate(mapping)}
        sizes = np.fromiter((len(v) for v in mapping.values()), dtype=np.int64, count=len(mapping))
        bounds = np.zeros(len(mapping) + 1, dtype=np.int64)
        np.cumsum(sizes, out=bounds[1:])
        data = np.fromiter(
            (rec for recs in mapping.values() for rec in recs), dtype=np.uint32, count=int(bounds[-1])
        )
        return cls(slots, bounds, data)

    @classmethod
    def merge(cls, parts: list[tuple[Postings, int]]) -> Postings:
        """Union of several tables, each part's record ids shifted by its offset (vectorised)."""
        slots: dict[str, int] = {}
        slot_of_element: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for postings, offset in parts:
            mapping = np.fromiter(
                (slots.setdefault(key, len(slots)) for key in postings.slots),
                dtype=np.int64,
                count=len(postings.slots),
            )
            slot_of_element.append(np.repeat(mapping, np.diff(postings.bounds)))
            data.append(postings.data + np.uint32(offset))
        if not data:
            return cls({}, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint32))
        element_slots = np.concatenate(slot_of_element)
        order = np.argsort(element_slots, kind="stable")
        bounds = np.zeros(len(slots) + 1, dtype=np.int64)
        np.cumsum(np.bincount(element_slots, minlength=len(slots)), out=bounds[1:])
        return cls(slots, bounds, np.concatenate(data)[order])

    @classmethod
    def empty(cls) -> Postings:
        return cls({}, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint32))

    def find(self, keys: Iterable[str]) -> tuple[int, ...]:
        """The slots of those of ``keys`` that are in the vocabulary (each once): the records
        they list are what :func:`matcher.kernels.rank` reads."""
        slots = self.slots
        found: list[int] = []
        seen: set[int] = set()
        for k in keys:
            slot = slots.get(k)
            if slot is not None and slot not in seen:
                seen.add(slot)
                found.append(slot)
        return tuple(found)

    def __contains__(self, key: str) -> bool:
        return key in self.slots

    def __len__(self) -> int:
        return len(self.slots)

    def sizes(self) -> dict[str, int]:
        counts = np.diff(self.bounds)
        return {key: int(counts[slot]) for key, slot in self.slots.items()}


class FuzzyWords:
    """Long vocabulary words by their deletions of up to two letters: SymSpell with two edits, for
    the fallback that finds the words within the scorer's edit allowance of a query word that
    single deletions cannot reach (see the module docstring).

    Two words within two edits (insertions, deletions, substitutions, swaps) become equal after at
    most two deletions on each side. Storing each deletion as a 32-bit hash in one sorted numpy
    array, rather than as strings in a dict, keeps the table to a few megabytes; a hash collision
    only adds a word that the edit distance then rejects. The hashes are polynomial, so the
    deletions of every word of one length are hashed at once in numpy, from prefix sums, without
    building the strings: the table is built when the lists load, not saved.
    """

    __slots__ = ("words", "hashes", "ids")

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted({w for w in words if FUZZY_MIN <= len(w) <= FUZZY_MAX})
        by_length: dict[int, list[int]] = defaultdict(list)
        for i, word in enumerate(self.words):
            by_length[len(word)].append(i)
        hashes: list[np.ndarray] = []
        ids: list[np.ndarray] = []
        for members in by_length.values():
            codes = np.array([[ord(c) for c in self.words[i]] for i in members], dtype=np.int64)
            found = _deletion_hashes(codes)
            hashes.append(found.ravel())
            ids.append(np.repeat(np.array(members, dtype=np.uint32), found.shape[1]))
        if hashes:
            flat, owners = np.concatenate(hashes), np.concatenate(ids)
            # Sorted by hash, then word; a word reaching one deletion twice (doubled letters) once.
            order = np.lexsort((owners, flat))
            flat, owners = flat[order], owners[order]
            keep = np.ones(len(flat), dtype=bool)
            keep[1:] = (flat[1:] != flat[:-1]) | (owners[1:] != owners[:-1])
            self.hashes, self.ids = flat[keep], owners[keep]
        else:
            self.hashes, self.ids = np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint32)

    def near(self, word: str) -> list[str]:
        """Vocabulary words the scorer would take as a typo of ``word`` (other than itself)."""
        if not FUZZY_MIN <= len(word) <= FUZZY_MAX:
            return []
        out: list[str] = []
        for i in probe(word, self.hashes, self.ids):
            other = self.words[i]
            allowed = allowed_edits(min(len(word), len(other)))
            if other != word and OSA.distance(word, other, score_cutoff=allowed) <= allowed:
                out.append(other)
        return out


def _deletion_hashes(codes: np.ndarray) -> np.ndarray:
    """Hashes of words of one length ``n`` (character codes along the last axis, one row per
    word), of their ``n`` one-letter deletions and of their ``n (n - 1) / 2`` two-letter
    deletions, computed for the whole table at once.

    With ``P[k]`` the sum of ``(code[t] + 1) * B**t`` for ``t < k`` (modulo ``HASH_MOD``), the
    word without letters ``i < j`` hashes to ``P[i] + (P[j] - P[i+1]) / B + (P[n] - P[j+1]) / B**2``,
    division being multiplication by the modular inverse. :func:`matcher.kernels.word_hashes` is
    the same for one word."""
    n = codes.shape[-1]
    powers, one, i, j = _hash_layout(n)
    m = np.int64(HASH_MOD)
    prefix = np.zeros((*codes.shape[:-1], n + 1), dtype=np.int64)
    np.cumsum((codes + 1) * powers % m, axis=-1, out=prefix[..., 1:])
    prefix %= m
    whole = prefix[..., n : n + 1]
    parts = (
        whole,
        (prefix[..., one] + (whole - prefix[..., one + 1]) % m * INV) % m,
        (
            prefix[..., i]
            + (prefix[..., j] - prefix[..., i + 1]) % m * INV % m
            + (whole - prefix[..., j + 1]) % m * INV2 % m
        )
        % m,
    )
    return np.concatenate(parts, axis=-1).astype(np.uint32)


@lru_cache(maxsize=FUZZY_MAX + 1)
def _hash_layout(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``B**t`` (modulo ``HASH_MOD``) for ``t < n`` and the positions of one- and two-letter
    deletions, per length."""
    powers = np.array([pow(HASH_BASE, t, HASH_MOD) for t in range(n)], dtype=np.int64)
    i, j = np.triu_indices(n, 1)
    return powers, np.arange(n), i, j


@dataclass(slots=True)
class Blocking:
    """The retrieval tables: vocabulary keys -> name records, and the ways a query token reaches
    vocabulary keys. Record ids are positions in the owner's record list."""

    postings: Postings
    deletes: dict[str, tuple[str, ...]]
    skeletons: dict[str, tuple[str, ...]]
    loose_skeletons: dict[str, tuple[str, ...]]
    nicknames: dict[str, tuple[str, ...]]
    rarity: dict[str, float]
    lengths: np.ndarray
    #: Word keys of ``FUZZY_MIN`` letters or more, for the fuzzy fallback.
    words: tuple[str, ...] = ()
    #: Postings slots reached per query token, and per joined pair of query words for the fallback.
    hit_cache: dict[Token | str, tuple[int, ...]] = dataclasses.field(default_factory=dict, compare=False)
    fuzzy: FuzzyWords | None = dataclasses.field(default=None, compare=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # The tables only: the memo and the fuzzy table are rebuilt on use.
        return (
            type(self),
            (
                self.postings,
                self.deletes,
                self.skeletons,
                self.loose_skeletons,
                self.nicknames,
                self.rarity,
                self.lengths,
                self.words,
            ),
        )

    def candidates(self, query: tuple[NormName, ...], limit: int = 64) -> list[tuple[float, int]]:
        """``(retrieval score, record id)`` of the records most likely to match ``query``, best
        first, at most ``limit``. The retrieval score is the summed weight of query tokens that
        reached the record.

        Tokens are taken rarest first. A token reaching more than ``COMMON_HITS`` records (a common
        given name, "bank") only adds weight to records that rarer tokens already found, unless
        nothing was found yet: it re-ranks instead of flooding the candidate set.

        A record's retrieval score is its best over the query's readings, not their sum: readings
        are alternatives (a Chinese and a Japanese reading of the same characters). Readings of
        different lengths compare by the share of their words that agreed, or a Korean name read
        syllable by syllable (fourteen loose syllables, each reaching some unrelated name) would
        outrank its reading as four words. Ties go to the shorter name: "Mohamed Ali" before
        "Mohamed Ali Hassan". The summing and ranking run compiled (:mod:`matcher.kernels`).
        """
        readings: list[tuple[float, list[tuple[float, tuple[int, ...]]]]] = []
        for reading in query:
            groups: list[tuple[float, tuple[int, ...]]] = []
            tokens = reading.tokens
            for i, token in enumerate(tokens):
                if token.cls not in _BLOCKING_CLASSES:
                    continue
                slots = self._token_hits(token)
                if i + 1 < len(tokens):
                    after = tokens[i + 1]
                    unknown = not slots or (after.cls in _BLOCKING_CLASSES and not self._token_hits(after))
                    joined = self._join_hits(reading.surfaces[i] + reading.surfaces[i + 1], unknown)
                    if joined:
                        slots = slots + joined if slots else joined
                if slots:
                    groups.append((_CLASS_WEIGHT[token.cls] * self.rarity.get(token.key, 1.0), slots))
            groups.extend(self._syllable_runs(reading))
            if groups:
                readings.append((len(query[0].tokens) / len(tokens), groups))
        if not readings:
            return []
        postings = self.postings
        return rank(
            scratch(len(self.lengths)),
            postings.bounds,
            postings.data,
            self.lengths,
            readings,
            COMMON_HITS,
            limit,
        )

    def _token_hits(self, token: Token) -> tuple[int, ...]:
        """Postings slots a query token reaches, memoised per (interned) token: common words and
        given names recur across queries."""
        cache = self.hit_cache
        found = cache.get(token)
        if found is None:
            postings = self.postings
            key = token.key
            keys = list(self._reach(token))
            if len(key) >= STEM_MIN and key not in postings:
                # An unlisted word may be an inflected form of a listed one (Putinas); a listed
                # word is left alone, or Nikolaevna would bring every Nikolaev along.
                keys.append(key[:-2])
            found = postings.find(keys)
            if not found and len(key) >= FUZZY_MIN and not token.loose:
                found = postings.find(self._fuzzy_words().near(key) + self._split(key))
            if len(cache) >= HIT_CACHE_SIZE:
                cache.clear()
            cache[token] = found
        return found

    def _join_hits(self, joined: str, fuzzy: bool) -> tuple[int, ...]:
        """Slots two adjacent query words reach written as one (``Gazprom Neft`` ->
        ``gazpromneft``), exactly; and, when one of the two words reached nothing by itself
        (``fuzzy``) and the exact lookup found nothing, by the fuzzy fallback (``Andrang Heta`` ->
        ``ndrangheta``), memoised with the token hits."""
        postings = self.postings
        key = romanization_key(joined)
        exact = postings.find((joined, key))
        if exact or not fuzzy or len(key) < FUZZY_MIN:
            return exact
        cache = self.hit_cache
        found = cache.get(key)
        if found is None:
            found = postings.find(self._fuzzy_words().near(key))
            if len(cache) >= HIT_CACHE_SIZE:
                cache.clear()
            cache[key] = found
        return found

    def _fuzzy_words(self) -> FuzzyWords:
        if self.fuzzy is None:
            self.fuzzy = FuzzyWords(self.words)
        return self.fuzzy

    def _split(self, key: str) -> list[str]:
        """A glued name (``SergeiLavrov``, ``FridrichBuchenberg``): the vocabulary keys of its two
        parts, where one part is a vocabulary key of ``SPLIT_MIN`` letters or more and the other is
        one too or a typo of one. Both parts must be words: a listed word plus a leftover suffix is
        a derived word, not a glued name (``Volodymyrovych`` is not ``Volodymyr`` + ``ovych``)."""
        postings = self.postings
        out: list[str] = []
        for i in range(2, len(key) - 1):
            left, right = key[:i], key[i:]
            if len(left) >= SPLIT_MIN and left in postings:
                known, other = left, right
            elif len(right) >= SPLIT_MIN and right in postings:
                known, other = right, left
            else:
                continue
            if other in postings:
                out += (known, other)
            elif near := self._fuzzy_words().near(other):
                out += (known, *near)
        return out

    def _syllable_runs(self, reading: NormName) -> list[tuple[float, tuple[int, ...]]]:
        """Runs of syllables from Korean, Chinese, Japanese or an abjad, joined and looked up by
        consonant skeleton among Latin words (``pu tin`` -> ``putin``, ``bd allh`` -> ``abdullah``)."""
        out: list[tuple[float, tuple[int, ...]]] = []
        for _span, text, skel, script in reading.loose_runs():
            keys = self._skeleton_keys(skel) + tuple(
                k
                for alternative in _syllabic_alternatives(text, script, skel)
                for k in self._skeleton_keys(alternative)
            )
            hit = self.postings.find(keys)
            if hit:
                out.append((1.0, hit))
        return out

    def _skeleton_keys(self, skel: str) -> tuple[str, ...]:
        return self.skeletons.get(skel, ()) if len(skel) >= 2 else ()

    def _reach(self, token: Token) -> set[str]:
        """Vocabulary keys a query token can reach (see the module docstring)."""
        return _reach(token, self)

    @classmethod
    def build(cls, records: list[NameRecord]) -> Blocking:
        postings: dict[str, list[int]] = defaultdict(list)
        token_info: dict[str, Token] = {}
        for rec, record in enumerate(records):
            keys: set[str] = set()
            for reading in record.readings:
                for t in reading.tokens:
                    if t.cls in _BLOCKING_CLASSES:
                        keys.add(t.key)
                        token_info.setdefault(t.key, t)
                keys.update(
                    joined
                    for joined, span in reading.joins
                    if len(span) == 2 or any(len(reading.surfaces[k]) <= 3 for k in span)
                )
                if reading.acronym:
                    keys.add(reading.acronym)
            for k in keys:
                postings[k].append(rec)
        lengths = np.fromiter(
            (len(r.readings[0].tokens) for r in records), dtype=np.float32, count=len(records)
        )
        return cls._from_postings(Postings.from_lists(postings), token_info, lengths)

    @classmethod
    def _from_postings(
        cls, postings: Postings, token_info: dict[str, Token], lengths: np.ndarray
    ) -> Blocking:
        deletes: dict[str, set[str]] = defaultdict(set)
        skeletons: dict[str, set[str]] = defaultdict(set)
        loose: dict[str, set[str]] = defaultdict(set)
        nicknames: dict[str, set[str]] = defaultdict(set)
        words: list[str] = []
        for key in postings.slots:
            t = token_info.get(key)
            if t is None:
                # Joined words and acronyms are reached exactly; only words get typo deletions.
                continue
            if len(key) >= FUZZY_MIN:
                words.append(key)
            for d in _deletes(key):
                deletes[d].add(key)
            if t.skel:
                (loose if t.loose else skeletons)[t.skel].add(key)
            for group in nickname_groups(t.text):
                nicknames[group].add(key)
        rarity = _rarity(postings, len(lengths))
        return cls(
            postings=postings,
            deletes={k: tuple(v) for k, v in deletes.items()},
            skeletons={k: tuple(v) for k, v in skeletons.items()},
            loose_skeletons={k: tuple(v) for k, v in loose.items()},
            nicknames={k: tuple(v) for k, v in nicknames.items()},
            rarity=rarity,
            lengths=lengths,
            words=tuple(words),
        )

    @classmethod
    def merge(cls, parts: list[tuple[Blocking, int]]) -> MergedBlocking:
        """One retrieval table over several lists (each given with its record count), record ids
        offset by each list's position, so a query costs one accumulation however many lists are
        loaded. The reach tables are merged too: a query token then costs one lookup per
        deletion, skeleton and nickname group, not one per list, and reaches the same keys."""
        offsets = np.cumsum([0] + [count for _, count in parts])
        postings = Postings.merge([(b.postings, int(o)) for (b, _), o in zip(parts, offsets, strict=False)])
        lengths = np.concatenate([b.lengths for b, _ in parts]) if parts else np.zeros(0, dtype=np.float32)
        words = {word for b, _ in parts for word in b.words}
        return MergedBlocking(
            postings=postings,
            deletes=_merge_reach([b.deletes for b, _ in parts]),
            skeletons=_merge_reach([b.skeletons for b, _ in parts]),
            loose_skeletons=_merge_reach([b.loose_skeletons for b, _ in parts]),
            nicknames=_merge_reach([b.nicknames for b, _ in parts]),
            rarity=_rarity(postings, int(offsets[-1])),
            lengths=lengths,
            words=tuple(words),
            # Built now rather than inside the first query that needs it.
            fuzzy=FuzzyWords(words),
        )

    @classmethod
    def empty(cls) -> Blocking:
        """Tables that reach nothing: what a list's index keeps once the engine holds its
        retrieval tables merged with the other lists'."""
        return cls(
            postings=Postings.empty(),
            deletes={},
            skeletons={},
            loose_skeletons={},
            nicknames={},
            rarity={},
            lengths=np.zeros(0, dtype=np.float32),
        )


@dataclass(slots=True)
class MergedBlocking(Blocking):
    """The retrieval tables of several lists in one (:meth:`Blocking.merge`), with the keys each
    query token reaches memoised: the engine queries every list through it."""

    reach_cache: dict[Token, set[str]] | None = None

    def _reach(self, token: Token) -> set[str]:
        # Tokens are interned, so a common given name or word is reached once per process.
        cache = self.reach_cache
        if cache is None:
            cache = self.reach_cache = {}
        found = cache.get(token)
        if found is None:
            found = _reach(token, self)
            if len(cache) >= REACH_CACHE_SIZE:
                cache.clear()
            cache[token] = found
        return found


def _merge_reach(tables: list[dict[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    """One reach table from several lists': each key maps to the union of its values, in the
    order the lists are given (first occurrence kept), so a lookup in the merged table yields what
    the lookups in each list's table did together.

    A key's tuple is taken from the first list that has it, not copied, and rebuilt only when a
    later list adds values it lacks: the lists overlap heavily (most keys several lists share map
    to equal tuples, compared in C before anything is built), so merging seven lists stays a
    fraction of loading them, and the merged table costs little more than its dict."""
    if not tables:
        return {}
    merged = dict(tables[0])
    for table in tables[1:]:
        for key, values in table.items():
            found = merged.setdefault(key, values)
            if found is not values and found != values:
                union = tuple(dict.fromkeys(found + values))
                if len(union) > len(found):
                    merged[key] = union
    return merged


def _reach(token: Token, table: Blocking) -> set[str]:
    """Vocabulary keys a query token reaches through a table's deletions, skeletons and nickname
    groups (see the module docstring)."""
    key = token.key
    deleted = _deletes(key)
    reached = {key, token.text, *deleted}
    skel = token.skel
    loose = token.loose
    deletes = table.deletes
    reached.update(deletes.get(key, ()))
    for d in deleted:
        reached.update(deletes.get(d, ()))
    if len(skel) >= 2 or (skel and loose):
        if loose:
            reached.update(table.skeletons.get(skel, ()))
        reached.update(table.loose_skeletons.get(skel, ()))
    # A word in Chinese characters, kana or Hangul may stand for several alphabetic skeletons
    # (基 is gi, ji or di): reach the listed words of each, as the scorer compares them.
    for alternative in _syllabic_alternatives(token.text, token.script, skel):
        reached.update(table.skeletons.get(alternative, ()))
    for group in nickname_groups(token.text):
        reached.update(table.nicknames.get(group, ()))
    return reached


def _syllabic_alternatives(text: str, script: str, skel: str) -> tuple[str, ...]:
    """The other skeletons a word of a syllabic script could have (two consonants at least, as
    the scorer requires), beside its own ``skel``."""
    if script not in SYLLABIC_SCRIPTS:
        return ()
    return tuple(s for s in syllabic_skeletons(text, script) if s != skel and len(s) >= 2)


#: For scoring, a token carried by fewer names than this is not called common however small the
#: list: in a list of a few dozen names every word would otherwise be "common".
RARITY_MIN_NAMES = 10


def _rarity(postings: Postings, n: int, min_names: int = 1) -> dict[str, float]:
    """Weight factor for common tokens: 1.0 up to 0.1 % of names, falling to 0.4 by 10 %; only for
    tokens carried by ``min_names`` names or more."""
    rarity = {}
    for key, size in postings.sizes().items():
        p = size / max(1, n)
        if p > 0.001 and size >= min_names:
            rarity[key] = round(max(0.4, 1.0 - 0.3 * math.log10(p / 0.001)), 3)
    return rarity


class Index:
    """Everything needed to retrieve and score candidates for one list snapshot.

    Entities are kept serialised (pickle: decoding one takes a third of the time JSON plus
    ``Entity.from_dict`` does, at the same size) and decoded on first use: a query only ever needs
    the few entities it returns, and decoding 15,000 OFAC entries on every worker start would cost
    more than all the queries of a typical day.
    """

    def __init__(
        self,
        source: str,
        version: str,
        records: list[NameRecord],
        blocking: Blocking,
        types: list[EntityType],
        listings: list[tuple[str, str, tuple[str, ...]]],
        by_identifier: dict[str, list[int]],
        blobs: list[bytes],
        ids: dict[str, int],
        algorithm: str = ALGORITHM_VERSION,
    ) -> None:
        self.source = source
        self.version = version
        self.records = records
        self.blocking = blocking
        self.types = types
        #: What a match response shows of an entity (id, primary name, programmes), so that
        #: answering a query decodes no entity.
        self.listings = listings
        #: Canonical identifier -> name records of the entities carrying it, so a query with an
        #: IMO or passport number finds its entity even under a different name.
        self.by_identifier = by_identifier
        self.algorithm = algorithm
        #: The weight factor of common words in this list's names, which the scorer uses for them:
        #: each list's own, so a score depends on the query and this list only, whichever other
        #: lists are loaded (retrieval ranks with frequencies over every loaded list).
        self.weights: dict[str, float] = (
            _rarity(blocking.postings, len(records), RARITY_MIN_NAMES) if len(blocking.postings) else {}
        )
        self._blobs = blobs
        self._ids = ids
        self._cache: dict[int, Entity] = {}

    def _arguments(self, blocking: Blocking) -> tuple[Any, ...]:
        """What the constructor needs to rebuild this index, with ``blocking`` as its tables."""
        return (
            self.source,
            self.version,
            self.records,
            blocking,
            self.types,
            self.listings,
            self.by_identifier,
            self._blobs,
            self._ids,
            self.algorithm,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Explicit, so the pure and the compiled build (setup.py) read each other's files; the
        # decoded entities are not saved.
        return (Index, self._arguments(self.blocking))

    def without_retrieval(self) -> Index:
        """A shallow copy without retrieval tables, for an engine that holds them merged with the
        other lists' (:meth:`Blocking.merge`): keeping the per-list postings and reach tables too
        would double the memory of retrieval. What scoring and answering a query read (records,
        types, listings, entities, identifiers) is shared with this index."""
        copy = Index(*self._arguments(Blocking.empty()))
        copy.weights = self.weights
        return copy

    @property
    def entity_count(self) -> int:
        return len(self.types)

    @property
    def name_count(self) -> int:
        return len(self.records)

    @property
    def decoded(self) -> int:
        """How many entities are held decoded (at most ``ENTITY_CACHE_SIZE``)."""
        return len(self._cache)

    def get(self, position: int) -> Entity:
        """The entity at ``position`` (as referenced by name records)."""
        found = self._cache.get(position)
        if found is None:
            if len(self._cache) >= ENTITY_CACHE_SIZE:
                self._cache.clear()
            found = self._cache[position] = _decode(self._blobs[position])
        return found

    def clear_cache(self) -> None:
        """Forget decoded entities (they are decoded again on demand)."""
        self._cache.clear()

    def entity(self, entity_id: str) -> Entity | None:
        i = self._ids.get(entity_id)
        return self.get(i) if i is not None else None


def _decode(blob: bytes) -> Entity:
    """One entity from :attr:`Index._blobs`, which only :class:`Index` writes (and saves only
    inside a checksummed index file)."""
    entity: Entity = pickle.loads(blob)  # noqa: S301
    return entity


def build_index(source: str, version: str, entities: Iterable[Entity]) -> Index:
    """Normalise every name of every entity once and build the retrieval tables."""
    entity_list: list[Entity] = []
    records: list[NameRecord] = []
    for entity in entities:
        e_idx = len(entity_list)
        entity_list.append(entity)
        seen: set[str] = set()
        for name in entity.names:
            if name.value in seen:
                continue
            seen.add(name.value)
            readings = normalize_name(name.value, entity.type)
            if readings:
                records.append(NameRecord(e_idx, name, readings))
    first_record: dict[int, int] = {}
    for rec, record in enumerate(records):
        first_record.setdefault(record.entity, rec)
    by_identifier: dict[str, list[int]] = defaultdict(list)
    for position, entity in enumerate(entity_list):
        for identifier in entity.identifiers:
            value = normalize_identifier(identifier.value)
            if len(value) >= 4 and position in first_record:
                by_identifier[value].append(first_record[position])
    return Index(
        source,
        version,
        records,
        Blocking.build(records),
        [e.type for e in entity_list],
        [(e.id, e.primary_name.value, e.programs) for e in entity_list],
        dict(by_identifier),
        [pickle.dumps(e, protocol=pickle.HIGHEST_PROTOCOL) for e in entity_list],
        {e.id: i for i, e in enumerate(entity_list)},
    )


def index_path(snapshot_dir: Path) -> Path:
    """Where the index of a snapshot lives: keyed by algorithm version and index format, beside the
    snapshot, so an index written by another release is not even opened (its classes may have
    changed shape)."""
    return snapshot_dir / f"index-{ALGORITHM_VERSION}-f{INDEX_FORMAT}.pickle"


def save_index(index: Index, snapshot_dir: Path) -> Path:
    """Write the index atomically next to its snapshot, with a checksum file.

    pickle is used because it loads an index of 30,000 entities in well under a second; the data
    directory is written only by matcher itself, and the checksum guards against truncation.
    """
    path = index_path(snapshot_dir)
    payload = pickle.dumps((INDEX_FORMAT, index), protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.sha256(payload).hexdigest()
    fd, tmp = tempfile.mkstemp(dir=snapshot_dir, prefix=".index-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    path.with_suffix(".sha256").write_text(digest)
    return path


def load_index(snapshot_dir: Path) -> Index | None:
    """The saved index of a snapshot, or None when absent, stale or damaged (then rebuild)."""
    path = index_path(snapshot_dir)
    check = path.with_suffix(".sha256")
    if not path.is_file() or not check.is_file():
        return None
    payload = path.read_bytes()
    if hashlib.sha256(payload).hexdigest() != check.read_text().strip():
        return None
    try:
        fmt, index = pickle.loads(payload)  # noqa: S301 - written by save_index, checksum verified
    except Exception as exc:  # an unreadable file must never stop the service: rebuild instead
        log.warning("index %s cannot be read (%s); it will be rebuilt", path, exc)
        return None
    if fmt != INDEX_FORMAT or not isinstance(index, Index) or index.algorithm != ALGORITHM_VERSION:
        return None
    return index
