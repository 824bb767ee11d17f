"""The in-memory index of one list snapshot: candidate retrieval without scanning every name.

Built once per list version from its entities (normalising every name once, watchman's
"prepared fields" idea) and saved next to the snapshot, so a worker loads it instead of
rebuilding it. It is pure: building and querying do no I/O; :func:`save_index` and
:func:`load_index` are the only functions that touch files.

Retrieval is two-level, to keep memory small:

1. A **vocabulary** of token keys (romanisation keys, :mod:`matcher.normalize.phonetic`). A query
   token reaches vocabulary entries by its own key, by single-character deletions of its key
   (SymSpell: catches one insertion, deletion or substitution, and with both sides' deletions two
   edits), by consonant skeleton (only across scripts, where vowels cannot be trusted), and by
   nickname group (Ted -> Theodore). Compounds of adjacent query tokens are looked up too
   (``SiemensAG``), and organisation acronyms are keys of their own (``icbc``).
2. **Postings**: each vocabulary entry lists the name records that contain it.

A name record's retrieval score is the summed weight of query tokens that reached it; the best
``candidates`` records go on to full scoring. ``rarity`` (document frequency) is computed here and
handed to the scorer so common tokens ("mohammad", "bank") weigh less than rare ones.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import os
import pickle
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from matcher.errors import StoreError
from matcher.model import ALGORITHM_VERSION, Entity, Name
from matcher.normalize import NormName, Token, TokenClass, normalize_name
from matcher.normalize.nicknames import nickname_groups
from matcher.normalize.translit import is_abjad

_BLOCKING_CLASSES = (TokenClass.NAME, TokenClass.NUMBER, TokenClass.GENERIC)
_LOOSE_SCRIPTS = frozenset({"Arab", "Hebr", "Hani", "Hang", "Jpan", "Kana", "Hira", "Thai", "Khmr", "Mymr"})
_CLASS_WEIGHT = {TokenClass.NAME: 1.0, TokenClass.NUMBER: 0.5, TokenClass.GENERIC: 0.3}
INDEX_FORMAT = 1


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


@dataclass(slots=True)
class Blocking:
    """The retrieval tables: vocabulary keys -> name records, and the ways a query token reaches
    vocabulary keys. Record ids are positions in the owner's record list."""

    postings: dict[str, array[int]]
    deletes: dict[str, tuple[str, ...]]
    skeletons: dict[str, tuple[str, ...]]
    loose_skeletons: dict[str, tuple[str, ...]]
    nicknames: dict[str, tuple[str, ...]]
    rarity: dict[str, float]

    def candidates(self, query: tuple[NormName, ...], limit: int = 64) -> list[tuple[float, int]]:
        """``(retrieval score, record id)`` of the records most likely to match ``query``, best
        first, at most ``limit``. The retrieval score is the summed weight of query tokens that
        reached the record."""
        scores: dict[int, float] = defaultdict(float)
        postings = self.postings
        for reading in query:
            tokens = reading.tokens
            for i, token in enumerate(tokens):
                if token.cls not in _BLOCKING_CLASSES:
                    continue
                weight = _CLASS_WEIGHT[token.cls] * self.rarity.get(token.key, 1.0)
                hit: set[int] = set()
                for vocab_key in self._reach(token):
                    found = postings.get(vocab_key)
                    if found is not None:
                        hit.update(found)
                if i + 1 < len(tokens):
                    hit.update(postings.get(tokens[i].text + tokens[i + 1].text, ()))
                for rec in hit:
                    scores[rec] += weight
        return heapq.nlargest(limit, ((v, k) for k, v in scores.items()))

    def _reach(self, token: Token) -> set[str]:
        """Vocabulary keys a query token can reach (see the module docstring)."""
        key = token.key
        reached = {key, token.text}
        deletes = self.deletes
        reached.update(deletes.get(key, ()))
        for deleted in _deletes(key):
            reached.add(deleted)
            reached.update(deletes.get(deleted, ()))
        if len(token.skel) >= 2 or is_abjad(token.script):
            if token.script in _LOOSE_SCRIPTS:
                reached.update(self.skeletons.get(token.skel, ()))
            reached.update(self.loose_skeletons.get(token.skel, ()))
        for group in nickname_groups(token.text):
            reached.update(self.nicknames.get(group, ()))
        return reached

    @classmethod
    def build(cls, records: list[NameRecord]) -> Blocking:
        postings: dict[str, list[int]] = defaultdict(list)
        token_info: dict[str, Token] = {}
        for rec, record in enumerate(records):
            keys: set[str] = set()
            for reading in record.readings:
                toks = reading.tokens
                for i, t in enumerate(toks):
                    if t.cls in _BLOCKING_CLASSES:
                        keys.add(t.key)
                        token_info.setdefault(t.key, t)
                    if i + 1 < len(toks):
                        keys.add(toks[i].text + toks[i + 1].text)
                if reading.acronym:
                    keys.add(reading.acronym)
            for k in keys:
                postings[k].append(rec)
        return cls._from_postings({k: array("I", v) for k, v in postings.items()}, token_info, len(records))

    @classmethod
    def _from_postings(
        cls, postings: dict[str, array[int]], token_info: dict[str, Token], n: int
    ) -> Blocking:
        deletes: dict[str, set[str]] = defaultdict(set)
        skeletons: dict[str, set[str]] = defaultdict(set)
        loose: dict[str, set[str]] = defaultdict(set)
        nicknames: dict[str, set[str]] = defaultdict(set)
        for key in postings:
            for d in _deletes(key):
                deletes[d].add(key)
            t = token_info.get(key)
            if t is None:
                continue
            if len(t.skel) >= 2 or t.abjad:
                (loose if t.script in _LOOSE_SCRIPTS else skeletons)[t.skel].add(key)
            for group in nickname_groups(t.text):
                nicknames[group].add(key)
        rarity = {}
        for key, recs in postings.items():
            p = len(recs) / max(1, n)
            if p > 0.001:
                rarity[key] = round(max(0.4, 1.0 - 0.3 * math.log10(p / 0.001)), 3)
        return cls(
            postings=postings,
            deletes={k: tuple(v) for k, v in deletes.items()},
            skeletons={k: tuple(v) for k, v in skeletons.items()},
            loose_skeletons={k: tuple(v) for k, v in loose.items()},
            nicknames={k: tuple(v) for k, v in nicknames.items()},
            rarity=rarity,
        )

    @classmethod
    def merge(cls, parts: list[tuple[Blocking, list[NameRecord]]]) -> Blocking:
        """One table over several lists, record ids offset by each list's position, so a query
        costs one lookup however many lists are loaded."""
        merged: dict[str, list[array[int]]] = defaultdict(list)
        token_info: dict[str, Token] = {}
        offset = 0
        for blocking, records in parts:
            for key, recs in blocking.postings.items():
                merged[key].append(array("I", (r + offset for r in recs)) if offset else recs)
            for record in records:
                for reading in record.readings:
                    for t in reading.tokens:
                        token_info.setdefault(t.key, t)
            offset += len(records)
        postings = {k: v[0] if len(v) == 1 else _concat(v) for k, v in merged.items()}
        return cls._from_postings(postings, token_info, offset)


def _concat(arrays: list[array[int]]) -> array[int]:
    out = array("I")
    for a in arrays:
        out.extend(a)
    return out


@dataclass(slots=True)
class Index:
    """Everything needed to retrieve and score candidates for one list snapshot."""

    source: str
    version: str
    entities: list[Entity]
    records: list[NameRecord]
    blocking: Blocking
    by_id: dict[str, int] = field(default_factory=dict)
    algorithm: str = ALGORITHM_VERSION

    def __post_init__(self) -> None:
        if not self.by_id:
            self.by_id = {e.id: i for i, e in enumerate(self.entities)}

    @property
    def name_count(self) -> int:
        return len(self.records)

    def entity(self, entity_id: str) -> Entity | None:
        i = self.by_id.get(entity_id)
        return self.entities[i] if i is not None else None


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
    return Index(source, version, entity_list, records, Blocking.build(records))


def index_path(snapshot_dir: Path) -> Path:
    """Where the index of a snapshot lives: keyed by algorithm version, beside the snapshot."""
    return snapshot_dir / f"index-{ALGORITHM_VERSION}.pickle"


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
    except Exception as exc:  # a damaged file must never stop the service: rebuild instead
        raise StoreError(f"index cannot be read: {exc}", where=str(path)) from exc
    if fmt != INDEX_FORMAT or not isinstance(index, Index) or index.algorithm != ALGORITHM_VERSION:
        return None
    return index
