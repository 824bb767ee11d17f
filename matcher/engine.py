"""The matching engine: loaded list snapshots + their indexes + the scorer -> ranked matches.

``Engine.match(query, lists=None, types=None, threshold=None, limit=10)`` is the one screening
entry point; the HTTP API, the CLI, bulk and text screening all call it. Per query it:

1. normalises the query name (per entity type, cached);
2. asks each selected list's index for candidate name records (never a scan of every name);
3. scores each candidate entity's retrieved names against the query and keeps the best name, then
   applies the qualifiers (type, birth date, country, identifiers);
4. returns the top ``limit`` entities scoring at least ``NEAR_MISS`` (or the threshold, when a
   query sets it lower), each with ``is_match = score >= threshold`` and an explanation, plus the
   list versions and ``ALGORITHM_VERSION`` that produced the answer.

**The default threshold, 0.80**, means: every identity-bearing word of the query agrees with the
listed name, allowing transliteration, spelling variants plausible for the word's length and
omitted middle names or patronymics; or the names agree almost entirely and a birth date, country
or identifier supports it. Below it, a pair shares some names but differs in at least one that
identifies the party. An identical strong identifier (IMO, passport, ...) is decisive on its own.

The engine never sees a cache or a web framework: adapters wrap it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from matcher.errors import QueryError
from matcher.index import (
    Blocking,
    Index,
    MergedBlocking,
    NameRecord,
    build_index,
    load_index,
    save_index,
)
from matcher.model import ALGORITHM_VERSION, Entity, EntityType, Name, NameKind, PartialDate
from matcher.normalize import NormName, normalize_name, reset_caches
from matcher.normalize.countries import normalize_countries
from matcher.normalize.identifiers import normalize_identifier
from matcher.score import (
    CandidateFacts,
    NameScore,
    Qualifier,
    QualifierInput,
    TokenMatch,
    apply_qualifiers,
    clear_caches,
    qualify,
    round_score,
    score_names,
)
from matcher.store import Store

DEFAULT_THRESHOLD = 0.80
#: How many retrieved name records, across all lists, go on to full scoring, and how far below the
#: best retrieval score a record may fall and still be scored. Measured against a full scan in
#: bench/quality.py (candidate recall).
CANDIDATES = 16
#: Queries between two trims of the memo tables (see :meth:`Engine.trim_caches`).
TRIM_EVERY = 5_000
#: Normalised qualifier facts kept per engine (bounded, so long bulk jobs stay flat).
FACTS_CACHE_SIZE = 20_000
CANDIDATE_FLOOR = 0.5
#: Candidates scoring under this are not returned, even below ``limit``: at that level a listed
#: name shares one common word with the query and nothing that identifies the party, so showing
#: it as a near miss only costs a reviewer time (and the engine the work of decoding it).
NEAR_MISS = 0.5
MAX_LIMIT = 100
#: Garbage-collector thresholds once an engine is warm (see :meth:`Engine.warm_up`); Python's
#: defaults are (700, 10, 10).
GC_THRESHOLDS = (10_000, 20, 20)
WEAK_ALIAS_FACTOR = 0.95
STRONG_ID_KINDS = frozenset(
    {
        "passport",
        "national_id",
        "imo",
        "mmsi",
        "lei",
        "bic",
        "tax_id",
        "registration",
        "crypto",
        "aircraft_serial",
        "aircraft_tail",
        "isin",
    }
)
_SEARCH_TYPES = (EntityType.PERSON, EntityType.ORGANIZATION)
# Read once per candidate: on Python 3.11 each read of an enum member is an ``EnumType.__getattr__``
# call.
_WEAK_ALIAS = NameKind.WEAK_ALIAS


@dataclass(frozen=True, slots=True)
class Query:
    """One screening query. Only ``name`` is required; every other field sharpens the score."""

    name: str
    type: EntityType | None = None
    birth_date: PartialDate | None = None
    country: str | None = None
    nationality: str | None = None
    identifiers: tuple[str, ...] = ()
    id: str | None = None

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise QueryError("name must not be empty", where="name")
        if len(self.name) > 500:
            raise QueryError("name is longer than 500 characters", where="name")


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a listed entity scored what it did, in terms a reviewer can check against the list.

    The token-by-token alignment (:attr:`tokens`) is written out from the scorer's chosen pairs
    when first read: a screening call that only looks at scores, as bulk jobs filtering on the
    threshold mostly do, never pays for it."""

    matched_name: str
    matched_name_kind: NameKind
    name_score: float
    qualifiers: tuple[Qualifier, ...]
    alignment: NameScore = field(repr=False, compare=False)

    @property
    def tokens(self) -> tuple[TokenMatch, ...]:
        return self.alignment.tokens

    def to_dict(self) -> dict[str, Any]:
        return {
            "matched_name": self.matched_name,
            "matched_name_kind": self.matched_name_kind.value,
            "name_score": self.name_score,
            "tokens": [
                {"query": t.query, "listed": t.listed, "kind": t.kind.value, "similarity": t.sim}
                for t in self.tokens
            ],
            "qualifiers": [
                {"field": q.field, "outcome": q.outcome.value, "detail": q.detail, "factor": q.factor}
                for q in self.qualifiers
            ],
        }

    def summary(self) -> str:
        """One line for CSV output and logs."""
        parts = [f"{t.query or '-'}~{t.listed or '-'}:{t.kind.value}" for t in self.tokens]
        parts += [f"{q.field}:{q.outcome.value}" for q in self.qualifiers]
        return f"matched '{self.matched_name}' ({'; '.join(parts)})"


@dataclass(frozen=True, slots=True)
class Match:
    """One listed entity a query matched, with what a response shows of it (id, list, primary
    name, type, programmes: kept by the index, so answering needs no decoding). The full
    :class:`Entity` is decoded on first access of :attr:`entity`."""

    entity_id: str
    source: str
    name: str
    type: EntityType
    programs: tuple[str, ...]
    score: float
    is_match: bool
    matched_name: Name
    explanation: Explanation
    _index: Index = field(repr=False, compare=False)
    _position: int = field(repr=False, compare=False)

    @property
    def entity(self) -> Entity:
        return self._index.get(self._position)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "list": self.source,
            "score": self.score,
            "match": self.is_match,
            "name": self.name,
            "matched_name": self.matched_name.value,
            "type": self.type.value,
            "programs": list(self.programs),
            "explanation": self.explanation.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class MatchResult:
    query: Query
    matches: tuple[Match, ...]
    threshold: float
    list_versions: dict[str, str] = field(default_factory=dict)
    algorithm: str = ALGORITHM_VERSION

    @property
    def alerts(self) -> tuple[Match, ...]:
        return tuple(m for m in self.matches if m.is_match)


@dataclass(slots=True)
class _Scored:
    """A scored candidate before it is turned into a :class:`Match` (which builds the explanation)."""

    score: float
    index: Index
    position: int
    name: Name
    name_score: NameScore
    qualifiers: list[Qualifier]

    def to_match(self, threshold: float) -> Match:
        explanation = Explanation(
            self.name.value,
            self.name.kind,
            self.name_score.score,
            tuple(self.qualifiers),
            self.name_score,
        )
        index, position = self.index, self.position
        entity_id, name, programs = index.listings[position]
        return Match(
            entity_id,
            index.source,
            name,
            index.types[position],
            programs,
            self.score,
            self.score >= threshold,
            self.name,
            explanation,
            index,
            position,
        )


@lru_cache(maxsize=50_000)
def _readings(name: str, kind: EntityType) -> tuple[NormName, ...]:
    return normalize_name(name, kind)


def _facts(entity: Entity) -> CandidateFacts:
    return CandidateFacts(
        type=entity.type,
        birth_dates=entity.birth_dates,
        countries=normalize_countries(
            [*entity.countries, *entity.nationalities, *(a.country for a in entity.addresses if a.country)]
        ),
        identifiers=frozenset(normalize_identifier(i.value) for i in entity.identifiers),
        strong_identifiers=frozenset(
            normalize_identifier(i.value) for i in entity.identifiers if i.kind.value in STRONG_ID_KINDS
        ),
    )


class Engine:
    """Immutable view over a set of list indexes. A refresh builds a new Engine and swaps it in."""

    def __init__(self, indexes: Iterable[Index], threshold: float = DEFAULT_THRESHOLD) -> None:
        self.indexes: dict[str, Index] = {ix.source: ix for ix in sorted(indexes, key=lambda ix: ix.source)}
        self.threshold = threshold
        self._facts: dict[tuple[str, int], CandidateFacts] = {}
        self._queries = 0
        # One retrieval table over every list; global record id -> (list, local record id).
        self._blocking = Blocking.merge([(ix.blocking, len(ix.records)) for ix in self.indexes.values()])
        # The merged table holds every posting and reach table; keeping the per-list ones as well
        # would double the memory of retrieval.
        self.indexes = {source: ix.without_retrieval() for source, ix in self.indexes.items()}
        parts = list(self.indexes.values())
        self._owner: list[tuple[Index, int]] = [(ix, rec) for ix in parts for rec in range(len(ix.records))]
        self._versions = {ix.source: ix.version for ix in parts}
        _share_readings(parts)

    @classmethod
    def load(cls, store: Store, threshold: float = DEFAULT_THRESHOLD) -> Engine:
        """Load the active version of every list in ``store``, building indexes that are missing."""
        return cls((load_or_build_index(store, source) for source in store.sources()), threshold)

    def trim_caches(self) -> None:
        """Empty the memo tables that queries fill (normalisation, token comparison, retrieval
        hits, decoded entities), so a long-lived process or a bulk job of a million distinct names
        keeps a flat memory profile. Called every ``TRIM_EVERY`` queries; results do not change."""
        reset_caches()
        clear_caches()
        _readings.cache_clear()
        self._facts.clear()
        self._blocking.hit_cache.clear()
        if isinstance(self._blocking, MergedBlocking) and self._blocking.reach_cache is not None:
            self._blocking.reach_cache.clear()
        for index in self.indexes.values():
            index.clear_cache()

    def warm_up(self) -> None:
        """Run one fake person and one fake company through every step, so lazily loaded tables
        (ICU, pinyin, kana, nicknames, legal forms, territories) are ready before the first real
        query instead of inside its latency.

        Then everything loaded so far is moved out of the garbage collector's sight
        (``gc.freeze``): the indexes hold millions of objects that never become garbage, and a full
        collection walking them stalls whichever query triggers it by hundreds of milliseconds.
        Under gunicorn this also keeps the preloaded pages shared with the workers.

        The young generations are also collected less often (``GC_THRESHOLDS``): a query allocates
        thousands of short-lived objects, nearly all freed by reference counting, while the memo
        tables keep growing, so at the default thresholds a full collection walking every cached
        token came every few hundred queries and cost about a tenth of the time of all of them."""
        for name, kind in (
            ("Jon Doe", EntityType.PERSON),
            ("ООО Ромашка Intl", EntityType.ORGANIZATION),
            ("习近平", EntityType.PERSON),
            ("华为技术有限公司", EntityType.ORGANIZATION),
            ("김정은", EntityType.PERSON),
            ("محمد", None),
        ):
            if self.indexes:
                self.match(Query(name, type=kind), limit=1)
            else:
                normalize_name(name, kind or EntityType.PERSON)
        # Unfreeze first, so cycles left by an engine this one replaces can still be collected.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)

    @property
    def list_versions(self) -> dict[str, str]:
        return {source: ix.version for source, ix in sorted(self.indexes.items())}

    def entity(self, entity_id: str) -> Entity | None:
        source = entity_id.partition(":")[0]
        index = self.indexes.get(source)
        return index.entity(entity_id) if index else None

    def match(
        self,
        query: Query | str,
        lists: Sequence[str] | None = None,
        types: Sequence[EntityType | str] | None = None,
        threshold: float | None = None,
        limit: int = 10,
    ) -> MatchResult:
        """Screen one query against the selected lists (all loaded lists by default)."""
        if isinstance(query, str):
            query = Query(query)
        self._queries += 1
        if self._queries % TRIM_EVERY == 0:
            self.trim_caches()
        threshold = self.threshold if threshold is None else threshold
        if not 0.0 <= threshold <= 1.0:
            raise QueryError("threshold must be between 0 and 1", where="threshold")
        if not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}", where="limit")
        selected = self._select_lists(lists)
        wanted_types = self._select_types(types)
        qualifiers = QualifierInput(
            type=query.type,
            birth_date=query.birth_date,
            countries=(
                normalize_countries([c for c in (query.country, query.nationality) if c])
                if query.country or query.nationality
                else frozenset()
            ),
            identifiers=(
                frozenset(normalize_identifier(i) for i in query.identifiers if i.strip())
                if query.identifiers
                else frozenset()
            ),
        )
        search_types = (query.type,) if query.type else _SEARCH_TYPES
        # A name often reads the same as a person and as an organisation: retrieve it once.
        retrieval = tuple({r.tokens: r for t in search_types for r in _readings(query.name, t)}.values())
        chosen = {ix.source for ix in selected}
        everything = len(chosen) == len(self.indexes)
        pool = self._blocking.candidates(retrieval, CANDIDATES if everything else CANDIDATES * 8)
        floor = pool[0][0] * CANDIDATE_FLOOR if pool else 0.0
        per_index: dict[str, list[int]] = {}
        taken = 0
        for score, rec in pool:
            index, local = self._owner[rec]
            if score < floor or taken >= CANDIDATES:
                break
            if everything or index.source in chosen:
                per_index.setdefault(index.source, []).append(local)
                taken += 1
        for value in qualifiers.identifiers:
            for index in selected:
                for local in index.by_identifier.get(value, ()):
                    per_index.setdefault(index.source, []).append(local)
        scored: list[_Scored] = []
        seen: dict[tuple[int, EntityType, int], NameScore] = {}
        shown = min(NEAR_MISS, threshold)
        for source, recs in per_index.items():
            scored.extend(
                self._score_index(self.indexes[source], query, recs, qualifiers, wanted_types, seen, shown)
            )
        scored.sort(key=lambda c: (-c.score, c.index.source, c.position))
        matches = tuple(c.to_match(threshold) for c in scored[:limit])
        versions = self._versions if everything else {ix.source: ix.version for ix in selected}
        return MatchResult(query, matches, threshold, dict(versions))

    def _score_index(
        self,
        index: Index,
        query: Query,
        records: list[int],
        qualifiers: QualifierInput,
        wanted_types: frozenset[EntityType] | None,
        seen: dict[tuple[int, EntityType, int], NameScore],
        shown: float,
    ) -> list[_Scored]:
        """Best name per candidate entity, then qualifiers. Entities are decoded and explanations
        built only for the results actually returned (:meth:`_Scored.to_match`).

        ``seen`` holds this query's name scores by listed readings (shared across lists, see
        :func:`_share_readings`), entity type and word frequencies: a person on five lists under one
        name is scored once per list, as each list weighs words by its own frequencies. Candidates
        scoring under ``shown`` are dropped here: they are never returned."""
        best: dict[int, tuple[float, NameScore, Name]] = {}
        query_readings: dict[EntityType, tuple[NormName, ...]] = {}
        # Each list's names are weighed by that list's own word frequencies, so a score depends on
        # the query and that list's version only, whichever other lists are loaded.
        rarity = index.weights
        rarity_id = id(rarity)
        for rec_id in records:
            record = index.records[rec_id]
            etype = index.types[record.entity]
            if wanted_types is not None and etype not in wanted_types:
                continue
            kind = query.type or etype
            readings = query_readings.get(kind)
            if readings is None:
                readings = query_readings[kind] = _readings(query.name, kind)
            memo = (id(record.readings), etype, rarity_id)
            result = seen.get(memo)
            if result is None:
                result = seen[memo] = score_names(readings, record.readings, etype, rarity)
            score = result.score
            if record.name.kind is _WEAK_ALIAS:
                score = round_score(score * WEAK_ALIAS_FACTOR)
            current = best.get(record.entity)
            if current is None or score > current[0]:
                best[record.entity] = (score, result, record.name)
        has_qualifiers = (
            qualifiers.type or qualifiers.birth_date or qualifiers.countries or qualifiers.identifiers
        )
        out: list[_Scored] = []
        for position, (name_score, result, name) in best.items():
            applied: list[Qualifier] = []
            if has_qualifiers:
                facts = self._facts.get((index.source, position))
                if facts is None:
                    if len(self._facts) >= FACTS_CACHE_SIZE:
                        self._facts.clear()
                    facts = self._facts[(index.source, position)] = _facts(index.get(position))
                applied = qualify(qualifiers, facts)
            score = apply_qualifiers(name_score, applied) if applied else name_score
            if score >= shown:
                out.append(_Scored(score, index, position, name, result, applied))
        return out

    def _select_lists(self, lists: Sequence[str] | None) -> list[Index]:
        if not lists:
            return list(self.indexes.values())
        unknown = [s for s in lists if s not in self.indexes]
        if unknown:
            loaded = ", ".join(sorted(self.indexes)) or "none"
            raise QueryError(
                f"unknown or unloaded list(s): {', '.join(unknown)} (loaded: {loaded})", where="lists"
            )
        return [self.indexes[s] for s in lists]

    @staticmethod
    def _select_types(types: Sequence[EntityType | str] | None) -> frozenset[EntityType] | None:
        if not types:
            return None
        try:
            return frozenset(EntityType(t) for t in types)
        except ValueError:
            allowed = ", ".join(t.value for t in EntityType)
            raise QueryError(f"types must be among: {allowed}", where="types") from None


def _share_readings(indexes: list[Index]) -> None:
    """Point name records whose readings are equal at one tuple of readings, across every list.

    Sanctions lists overlap: the same person or company appears under the same name on the UN,
    OFAC, EU, UK, Canadian and Australian lists. Sharing the readings lets a query score such a
    name once (:meth:`Engine._score_index`) and keeps one copy in memory."""
    shared: dict[tuple[object, ...], tuple[NormName, ...]] = {}
    for index in indexes:
        records = index.records
        for i, record in enumerate(records):
            key = tuple((r.tokens, r.surfaces, r.acronym, r.titled) for r in record.readings)
            readings = shared.setdefault(key, record.readings)
            if readings is not record.readings:
                records[i] = NameRecord(record.entity, record.name, readings)


def load_or_build_index(store: Store, source: str, version: str | None = None) -> Index:
    """The saved index of a snapshot, building and saving it when missing or built by another
    algorithm version."""
    meta = (
        store.active(source)
        if version is None
        else next((m for m in store.versions(source) if m.version == version), None)
    )
    if meta is None:
        raise QueryError(f"list {source} has no version {version or 'active'}", where="lists")
    snapshot_dir = store.snapshot_dir(source, meta.version)
    index = load_index(snapshot_dir)
    if index is None:
        index = build_index(source, meta.version, store.load_entities(source, meta.version))
        save_index(index, snapshot_dir)
    return index


def result_to_dict(result: MatchResult) -> dict[str, Any]:
    """The JSON form of a result, shared by the CLI and the HTTP API."""
    q = result.query
    return {
        "query": {
            "id": q.id,
            "name": q.name,
            "type": q.type.value if q.type else None,
            "birth_date": str(q.birth_date) if q.birth_date else None,
            "country": q.country,
            "nationality": q.nationality,
            "identifiers": list(q.identifiers),
        },
        "matches": [m.to_dict() for m in result.matches],
        "threshold": result.threshold,
        "list_versions": result.list_versions,
        "algorithm": result.algorithm,
    }


def date_of(text: str) -> PartialDate:
    """Parse a query birth date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) with a clear error."""
    try:
        return PartialDate.parse(text)
    except ValueError:
        raise QueryError(
            f"not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD): {text!r}", where="birth_date"
        ) from None
