"""matcher.index: candidate retrieval over a handful of hand-made entities, and saved indexes.

Retrieval is judged the way the engine uses it: the right entity must be among the candidates (and
on top here, where nothing else is similar), and unrelated names must retrieve nothing.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import numpy as np
import pytest

from matcher.index import (
    INDEX_FORMAT,
    Blocking,
    FuzzyWords,
    Index,
    _deletion_hashes,
    _merge_reach,
    build_index,
    index_path,
    load_index,
    save_index,
)
from matcher.kernels import HASH_BASE, HASH_MOD, INV, INV2, word_hashes
from matcher.model import (
    ALGORITHM_VERSION,
    Entity,
    EntityType,
    Identifier,
    IdentifierKind,
    Name,
    NameKind,
    PartialDate,
)
from matcher.normalize import normalize_name

PER, ORG, VES = EntityType.PERSON, EntityType.ORGANIZATION, EntityType.VESSEL


def entity(native_id: str, kind: EntityType, *names: str | Name, **facts: object) -> Entity:
    return Entity(
        f"t:{native_id}",
        "t",
        kind,
        tuple(n if isinstance(n, Name) else Name(n) for n in names),
        **facts,  # type: ignore[arg-type]
    )


ENTITIES = [
    entity(
        "P1",
        PER,
        "PESKOV, Dmitry Sergeyevich",
        birth_dates=(PartialDate(1967, 10, 17),),
        nationalities=("Russia",),
        programs=("RUSSIA-EO14024",),
    ),
    entity("P2", PER, "Владимир Владимирович Путин"),  # Cyrillic only
    entity("P3", PER, "Theodore John KACZYNSKI"),
    entity("P4", PER, "محمد حسن الزهراني"),  # Arabic script only
    entity("P5", PER, "Maria Gonzalez Ortega"),
    entity("O1", ORG, "Industrial and Commercial Bank of China Limited", Name("ICBC Ltd", NameKind.ALIAS)),
    entity("O2", ORG, "GazpromNeft"),
    entity("O3", ORG, "Rosoboronexport JSC"),
    entity("O4", ORG, "Al Qaida"),
    entity("O5", ORG, "Siemens AG"),
    entity("V1", VES, "SEA STAR", identifiers=(Identifier(IdentifierKind.IMO, "IMO 9123456"),)),
]


@pytest.fixture(scope="module")
def index() -> Index:
    return build_index("t", "2026-01-01", ENTITIES)


def found(index: Index, query: str, kind: EntityType) -> list[str]:
    """Entity ids of the retrieved candidates, best first, each once."""
    ids: list[str] = []
    for _, record in index.blocking.candidates(normalize_name(query, kind)):
        entity_id = index.get(index.records[record].entity).id
        if entity_id not in ids:
            ids.append(entity_id)
    return ids


RETRIEVED = [
    # (query, kind, entity that must be the top candidate)
    ("Dmitry Sergeyevich Peskov", PER, "t:P1"),  # exact
    ("Rosoboronexpor", ORG, "t:O3"),  # one typo: a dropped letter
    ("Rosoboronexprot", ORG, "t:O3"),  # one typo: a transposition
    ("Maria Gonzales", PER, "t:P5"),  # one typo
    ("Mraia Gonzales", PER, "t:P5"),  # two typos
    ("Dmityr Peskvo", PER, "t:P1"),  # two typos
    ("Dmitry Peskov", PER, "t:P1"),  # the middle name dropped
    ("Maria Ortega", PER, "t:P5"),
    ("Peskov Dmitry", PER, "t:P1"),  # reordered
    ("Gazprom Neft", ORG, "t:O2"),  # compound: separate words vs one
    ("AlQaida", ORG, "t:O4"),  # compound: one word vs separate
    ("SiemensAG", ORG, "t:O5"),  # compound with the legal form as written
    ("ICBC", ORG, "t:O1"),  # acronym
    ("Industrial and Commercial Bank of China", ORG, "t:O1"),
    ("Дмитрий Песков", PER, "t:P1"),  # Cyrillic query, Latin listing
    ("Vladimir Putin", PER, "t:P2"),  # Latin query, Cyrillic listing
    ("Mohammed Hasan al-Zahrani", PER, "t:P4"),  # Latin query, Arabic listing
    ("Ted Kaczynski", PER, "t:P3"),  # nickname
    ("Ted", PER, "t:P3"),  # the nickname alone
    ("M/V SEA STAR", VES, "t:V1"),
]


@pytest.mark.parametrize(("query", "kind", "expected"), RETRIEVED, ids=[q for q, _, _ in RETRIEVED])
def test_candidates_find_the_listed_entity(index: Index, query: str, kind: EntityType, expected: str) -> None:
    assert found(index, query, kind)[:1] == [expected]


@pytest.mark.parametrize(
    ("query", "kind"),
    [("Acme Widgets", ORG), ("Olaf Scholz", PER), ("Xi Jinping", PER), ("Northern Light", VES)],
)
def test_unrelated_names_retrieve_nothing(index: Index, query: str, kind: EntityType) -> None:
    assert found(index, query, kind) == []


# Beyond single deletions: what the scorer accepts but one deletion per side cannot reach.
FALLBACK = [
    # (query, kind, entity that must be the top candidate)
    ("Rasaboronexport", ORG, "t:O3"),  # two substitutions in one long word
    ("Rosoboronxeprot", ORG, "t:O3"),  # two swaps
    ("Theodoria", PER, "t:P3"),  # a substitution and an insertion (Stellaris ~ Stellantis)
    ("Kacynsky", PER, "t:P3"),  # a dropped letter and a substitution
    ("Peskovas", PER, "t:P1"),  # an inflected form: the listed word plus two letters
    ("MariaGonzales", PER, "t:P5"),  # glued, with a typo in one part
    ("DmitryPeskov", PER, "t:P1"),  # glued
    ("Kazcyn Ski", PER, "t:P3"),  # one word written as two, with a typo
    ("Rasobor Onexport", ORG, "t:O3"),
]


@pytest.mark.parametrize(("query", "kind", "expected"), FALLBACK, ids=[q for q, _, _ in FALLBACK])
def test_fallback_finds_what_deletions_cannot(
    index: Index, query: str, kind: EntityType, expected: str
) -> None:
    assert found(index, query, kind)[:1] == [expected]


@pytest.mark.parametrize(
    "query",
    [
        "Theodoreovich",  # a listed word plus a suffix is a derived word, not a glued name
        "Rsbrnxprt",  # too many edits
        "Kalomertivan Sulpo",
    ],
)
def test_fallback_does_not_invent_matches(index: Index, query: str) -> None:
    assert found(index, query, PER) == []


def test_fuzzy_words_admit_the_scorers_typo_allowance() -> None:
    words = FuzzyWords(["stellantis", "rosoboroneksport", "vladimir", "gonzalez", "peskov"])
    assert words.near("stellaris") == ["stellantis"]  # two edits, nine letters
    assert words.near("vladimiras") == ["vladimir"]  # two insertions
    assert words.near("gonzalez") == []  # the word itself is not a typo of itself
    assert words.near("gnozlaes") == []  # four edits
    assert words.near("peskovy") == []  # shorter words than seven letters are left to deletions


def test_deletion_hash_constants() -> None:
    assert HASH_BASE * INV % HASH_MOD == 1 and pow(HASH_BASE, -2, HASH_MOD) == INV2


def test_deletion_hashes_equal_the_hashes_of_the_deleted_words() -> None:
    for word in ("stellantis", "aabbaab", "rosoboroneksport", "zzzzzzzzzzzzzzzzzzzzzzzz"):
        n = len(word)
        expected = {word} | {word[:i] + word[i + 1 :] for i in range(n)}
        expected |= {word[:i] + word[i + 1 : j] + word[j + 1 :] for i in range(n) for j in range(i + 1, n)}
        assert set(word_hashes(word)) == {word_hashes(w)[0] for w in expected}
        # The table's vectorised hashes equal the query side's scalar ones, row by row.
        codes = np.array([[ord(c) for c in word]] * 2, dtype=np.int64)
        assert (_deletion_hashes(codes) == np.array(word_hashes(word), dtype=np.uint32)).all()


def test_candidates_respect_the_limit(index: Index) -> None:
    query = normalize_name("Bank Dmitry Maria Theodore Sea", ORG)
    assert len(index.blocking.candidates(query, limit=2)) == 2
    assert len(index.blocking.candidates(query)) > 2


def test_candidate_scores_are_sorted_best_first(index: Index) -> None:
    scores = [s for s, _ in index.blocking.candidates(normalize_name("Dmitry Maria Gonzalez", PER))]
    assert scores == sorted(scores, reverse=True) and len(scores) >= 2


def test_counts_and_lookup(index: Index) -> None:
    assert (index.source, index.version, index.algorithm) == ("t", "2026-01-01", ALGORITHM_VERSION)
    assert index.entity_count == len(ENTITIES)
    assert index.name_count == sum(len(e.names) for e in ENTITIES)
    assert index.types == [e.type for e in ENTITIES]
    assert index.entity("t:V1") == ENTITIES[-1]
    assert index.entity("t:nope") is None


def test_repeated_and_empty_names_make_no_record() -> None:
    ix = build_index("t", "v", [entity("1", PER, "John Smith", Name("John Smith", NameKind.ALIAS), "...")])
    assert [r.name.value for r in ix.records] == ["John Smith"]


def test_common_tokens_weigh_less() -> None:
    banks = [
        entity(str(i), ORG, f"Bank {word}") for i, word in enumerate(["Alpha", "Beta", "Gamma", "Delta"])
    ]
    rarity = build_index("t", "v", banks).blocking.rarity
    assert rarity["bank"] < rarity.get("alpha", 1.0) == 1.0


def test_merged_reach_table_is_the_ordered_union_of_the_lists() -> None:
    first, second = {"a": ("x", "y"), "b": ("z",)}, {"a": ("y", "w"), "c": ("v",), "b": ("z",)}
    merged = _merge_reach([first, second])
    assert merged == {"a": ("x", "y", "w"), "b": ("z",), "c": ("v",)}
    # A key only one list has, or that the others add nothing to, keeps that list's tuple.
    assert merged["c"] is second["c"] and merged["b"] is first["b"]
    assert _merge_reach([]) == {}


# Two lists that share some words and differ in others, so merged keys gather values from both.
OTHER_LIST = [
    entity("Q1", PER, "Dmitri PESKOV"),  # a spelling of P1 that deletions join to it
    entity("Q2", PER, "Theo Kaczinski"),  # another nickname of the Theodore group
    entity("Q3", PER, "محمد الزهرانی"),  # Arabic script again: loose skeletons
    entity("Q4", PER, "ウラジーミル・ジリノフスキー"),  # kana: syllabic skeletons
    entity("Q5", ORG, "Gazprom Neft Shelf"),
    entity("Q6", PER, "Marie Gonzales"),  # gonzales and P5's gonzalez share the deletion gonzale
]


def test_merged_tables_reach_what_the_lists_reach_together() -> None:
    """One lookup in the merged tables must reach every key the per-list lookups reached, and no
    other: the engine queries every list through it."""
    parts = [build_index("t", "1", ENTITIES).blocking, build_index("u", "1", OTHER_LIST).blocking]
    merged = Blocking.merge([(b, len(b.lengths)) for b in parts])
    for table in ("deletes", "skeletons", "loose_skeletons", "nicknames"):
        by_list = [getattr(b, table) for b in parts]
        assert set(getattr(merged, table)) == {k for t in by_list for k in t}
        for key, values in getattr(merged, table).items():
            assert values == tuple(dict.fromkeys(v for t in by_list for v in t.get(key, ())))
    shared = parts[0].deletes.keys() & parts[1].deletes.keys()
    assert any(parts[0].deletes[k] != parts[1].deletes[k] for k in shared)  # a real union was taken
    queries = [e.names[0].value for e in ENTITIES + OTHER_LIST] + ["Ted Peskof", "Путин", "جیرینوفسکی"]
    tokens = {t for q in queries for reading in normalize_name(q, None) for t in reading.tokens}
    for token in tokens:
        assert merged._reach(token) == parts[0]._reach(token) | parts[1]._reach(token), token.text


def test_entities_are_decoded_lazily_and_equal_the_original() -> None:
    fresh = build_index("t", "v", ENTITIES)
    assert fresh.decoded == 0
    assert fresh.get(0) == ENTITIES[0]
    assert fresh.get(0) is fresh.get(0)
    assert fresh.decoded == 1
    assert [fresh.get(i) for i in range(fresh.entity_count)] == ENTITIES
    fresh.clear_cache()
    assert fresh.decoded == 0


# --- Saved indexes ---------------------------------------------------------------------------


def test_save_and_load_round_trip(index: Index, tmp_path: Path) -> None:
    path = save_index(index, tmp_path)
    assert path == index_path(tmp_path) and ALGORITHM_VERSION in path.name
    loaded = load_index(tmp_path)
    assert loaded is not None and loaded is not index
    assert (loaded.source, loaded.version, loaded.entity_count, loaded.name_count) == (
        index.source,
        index.version,
        index.entity_count,
        index.name_count,
    )
    assert [loaded.get(i) for i in range(loaded.entity_count)] == ENTITIES
    for query, kind, expected in RETRIEVED:
        assert found(loaded, query, kind)[:1] == [expected], query
    # Tokens are re-interned on load, so queries and every loaded index share them.
    assert loaded.records[0].readings[0].tokens[0] is normalize_name("Dmitry", PER)[0].tokens[0]


def test_no_saved_index_loads_as_none(tmp_path: Path) -> None:
    assert load_index(tmp_path) is None


def test_tampered_index_loads_as_none(index: Index, tmp_path: Path) -> None:
    path = save_index(index, tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert load_index(tmp_path) is None


def test_index_without_checksum_loads_as_none(index: Index, tmp_path: Path) -> None:
    path = save_index(index, tmp_path)
    path.with_suffix(".sha256").unlink()
    assert load_index(tmp_path) is None


def _write_with_checksum(path: Path, payload: bytes) -> None:
    path.write_bytes(payload)
    path.with_suffix(".sha256").write_text(hashlib.sha256(payload).hexdigest())


def test_index_of_another_format_loads_as_none(index: Index, tmp_path: Path) -> None:
    _write_with_checksum(index_path(tmp_path), pickle.dumps((INDEX_FORMAT + 1, index)))
    assert load_index(tmp_path) is None


def test_index_of_another_algorithm_version_loads_as_none(tmp_path: Path) -> None:
    old = build_index("t", "v", ENTITIES[:2])
    old.algorithm = "1999.01.01"
    save_index(old, tmp_path)
    assert load_index(tmp_path) is None


def test_unreadable_index_with_a_valid_checksum_loads_as_none(tmp_path: Path) -> None:
    _write_with_checksum(index_path(tmp_path), b"not a pickle")
    assert load_index(tmp_path) is None


SYLLABIC_LISTED = [
    "Vladimir Zhirinovsky",
    "Sergei Lavrov",
    "Dmitry Medvedev",
    "Ali Akbar Velayati",
    "Lee Kuan Yew",
    "Paul Murphy",
    "Bart De Wever",
    "Allah Dad Matin",
    "Pio Abogne De Vera",
    "Kim Jong Un",
    "Asif Ali Zardari",
]


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        # ジ writes di: the kana word's skeleton is only reached through its alternatives.
        ("ウラジーミル・ジリノフスキー", "Vladimir Zhirinovsky"),
        # Read syllable by syllable, these Korean names have a dozen loose syllables that each
        # reach some unrelated name; the reading as words must still rank the right one first.
        ("블라디미르 볼포비치 지리놉스키", "Vladimir Zhirinovsky"),
        ("세르게이 빅토로비치 라브로프", "Sergei Lavrov"),
    ],
)
def test_syllabic_script_names_are_retrieved(query: str, listed: str) -> None:
    from matcher.engine import Engine, Query

    entities = [
        Entity(id=f"t:{i}", source="t", type=EntityType.PERSON, names=(Name(name),))
        for i, name in enumerate(SYLLABIC_LISTED)
    ]
    engine = Engine([build_index("t", "v", entities)])
    result = engine.match(Query(query, type=EntityType.PERSON), limit=3)
    assert [m.entity.names[0].value for m in result.alerts][:1] == [listed]
