"""matcher.engine: ranking, filters, validation, explanations and the JSON shape of a result.

Most tests run an Engine over two tiny hand-made lists (``a`` and ``b``); the last ones load a Store
populated by ``matcher.refresh.import_files`` from the UN fixture, the way a worker starts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import matcher
import matcher.engine
from matcher.engine import (
    DEFAULT_THRESHOLD,
    GC_THRESHOLDS,
    MAX_LIMIT,
    WEAK_ALIAS_FACTOR,
    Engine,
    MatchResult,
    Query,
    date_of,
    load_or_build_index,
    result_to_dict,
)
from matcher.errors import QueryError
from matcher.index import build_index, index_path, load_index
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
from matcher.refresh import import_files, open_store
from matcher.score import Align, Outcome
from matcher.settings import Settings

PER, ORG, VES = EntityType.PERSON, EntityType.ORGANIZATION, EntityType.VESSEL


def entity(source: str, native_id: str, kind: EntityType, *names: str | Name, **facts: object) -> Entity:
    return Entity(
        f"{source}:{native_id}",
        source,
        kind,
        tuple(n if isinstance(n, Name) else Name(n) for n in names),
        **facts,  # type: ignore[arg-type]
    )


LIST_A = [
    entity(
        "a",
        "1",
        PER,
        "PESKOV, Dmitry Sergeyevich",
        birth_dates=(PartialDate(1967, 10, 17),),
        nationalities=("Russia",),
        programs=("RUSSIA-EO14024",),
    ),
    entity("a", "2", ORG, "Peskov Trading LLC"),
    entity("a", "3", PER, "HAMID ABDUL KARIM AL-TESTI", Name("Abu Test", NameKind.WEAK_ALIAS)),
    entity("a", "4", VES, "SEA STAR", identifiers=(Identifier(IdentifierKind.IMO, "IMO 9123456"),)),
]
LIST_B = [
    entity("b", "X1", PER, "Dmitry PESKOV"),
    entity("b", "X2", PER, "Abu Test"),
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine([build_index("a", "2026-01-01", LIST_A), build_index("b", "2026-02-02", LIST_B)])


def ids(result: MatchResult) -> list[str]:
    return [m.entity.id for m in result.matches]


# --- Ranking and options ---------------------------------------------------------------------


def test_matches_are_ranked_best_first(engine: Engine) -> None:
    result = engine.match("Dmitry Peskov")
    assert ids(result)[:2] == ["b:X1", "a:1"]
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True)
    assert result.matches[0].score == 1.0  # "Dmitry PESKOV" is the query, folded
    assert [m.is_match for m in result.matches] == [m.score >= DEFAULT_THRESHOLD for m in result.matches]
    assert result.alerts == tuple(m for m in result.matches if m.is_match)
    assert result.threshold == DEFAULT_THRESHOLD == engine.threshold


def test_unrelated_listings_are_not_alerts(engine: Engine) -> None:
    result = engine.match("Dmitry Peskov")
    assert "a:2" not in {m.entity.id for m in result.alerts}  # Peskov Trading LLC


def test_limit(engine: Engine) -> None:
    assert len(engine.match("Dmitry Peskov").matches) >= 2
    assert ids(engine.match("Dmitry Peskov", limit=1)) == ["b:X1"]


def test_threshold_override_changes_alerts_not_scores(engine: Engine) -> None:
    default = engine.match("Dmitry Peskov")
    strict = engine.match("Dmitry Peskov", threshold=0.999)
    assert strict.threshold == 0.999
    assert [m.score for m in strict.matches] == [m.score for m in default.matches]
    assert [m.entity.id for m in strict.alerts] == ["b:X1"] and len(default.alerts) >= 2
    assert all(m.is_match for m in engine.match("Dmitry Peskov", threshold=0.0).matches)


def test_lists_filter(engine: Engine) -> None:
    result = engine.match("Dmitry Peskov", lists=["a"])
    assert {m.entity.source for m in result.matches} == {"a"}
    assert result.list_versions == {"a": "2026-01-01"}
    assert engine.match("Dmitry Peskov").list_versions == {"a": "2026-01-01", "b": "2026-02-02"}


def test_unknown_list_is_a_query_error_naming_lists(engine: Engine) -> None:
    with pytest.raises(QueryError) as info:
        engine.match("Dmitry Peskov", lists=["a", "nope"])
    assert info.value.where == "lists" and "nope" in info.value.message


@pytest.mark.parametrize("types", [["organization"], [ORG]])
def test_types_filter(engine: Engine, types: list[str | EntityType]) -> None:
    result = engine.match("Peskov", types=types)
    assert ids(result) == ["a:2"]


def test_unknown_type_is_a_query_error_naming_types(engine: Engine) -> None:
    with pytest.raises(QueryError) as info:
        engine.match("Peskov", types=["robot"])
    assert info.value.where == "types"


@pytest.mark.parametrize("name", ["", "   ", "x" * 501])
def test_empty_or_too_long_name_is_a_query_error_naming_name(engine: Engine, name: str) -> None:
    with pytest.raises(QueryError) as info:
        engine.match(name)
    assert info.value.where == "name"
    with pytest.raises(QueryError):
        Query(name)


def test_longest_allowed_name_is_answered(engine: Engine) -> None:
    assert engine.match("x" * 500).matches == ()


@pytest.mark.parametrize(
    ("options", "where"),
    [
        ({"threshold": -0.01}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"limit": 0}, "limit"),
        ({"limit": MAX_LIMIT + 1}, "limit"),
    ],
)
def test_bad_threshold_or_limit_is_a_query_error(
    engine: Engine, options: dict[str, float], where: str
) -> None:
    with pytest.raises(QueryError) as info:
        engine.match("Dmitry Peskov", **options)  # type: ignore[arg-type]
    assert info.value.where == where


def test_date_of() -> None:
    assert date_of("1961-04") == PartialDate(1961, 4)
    for bad in ("14/04/1961", "1961-13-01", "soon"):
        with pytest.raises(QueryError) as info:
            date_of(bad)
        assert info.value.where == "birth_date"


def test_weak_alias_scores_slightly_lower(engine: Engine) -> None:
    result = engine.match("Abu Test")
    by_id = {m.entity.id: m for m in result.matches}
    weak, primary = by_id["a:3"], by_id["b:X2"]
    assert weak.matched_name == Name("Abu Test", NameKind.WEAK_ALIAS)
    assert 0.9 * primary.score <= weak.score < primary.score
    assert weak.is_match


# --- Qualifiers through the engine -----------------------------------------------------------


def test_birth_date_and_country_raise_a_supported_match(engine: Engine) -> None:
    plain = engine.match("Dmitry Peskov", lists=["a"]).matches[0]
    supported = engine.match(
        Query("Dmitry Peskov", birth_date=PartialDate(1967, 10, 17), country="Russian Federation"),
        lists=["a"],
    ).matches[0]
    conflicting = engine.match(
        Query("Dmitry Peskov", birth_date=PartialDate(1980), nationality="DE"), lists=["a"]
    ).matches[0]
    assert conflicting.score < plain.score < supported.score <= 0.99
    assert [(q.field, q.outcome) for q in supported.explanation.qualifiers] == [
        ("birth_date", Outcome.MATCH),
        ("country", Outcome.MATCH),
    ]
    assert not conflicting.is_match


def test_identical_strong_identifier_is_decisive(engine: Engine) -> None:
    weak_name = engine.match(Query("Star Navigation", identifiers=("IMO9123456",)))
    assert ids(weak_name)[:1] == ["a:4"]
    assert weak_name.matches[0].score >= 0.99 and weak_name.matches[0].is_match
    assert not engine.match("Star Navigation").alerts


def test_query_type_conflict_lowers_the_score(engine: Engine) -> None:
    untyped = engine.match("Dmitry Peskov", lists=["b"]).matches[0].score
    typed = engine.match(Query("Dmitry Peskov", type=ORG), lists=["b"]).matches[0].score
    assert typed < untyped


# --- Explanations and JSON -------------------------------------------------------------------


def test_explanation_names_the_matched_listed_name_tokens_and_qualifiers(engine: Engine) -> None:
    match = engine.match(Query("Dmitry Peskov", birth_date=PartialDate(1967)), lists=["a"]).matches[0]
    explanation = match.explanation
    assert match.matched_name.value == explanation.matched_name == "PESKOV, Dmitry Sergeyevich"
    assert explanation.matched_name_kind is NameKind.PRIMARY
    assert [(t.query, t.listed, t.kind) for t in explanation.tokens] == [
        ("dmitry", "dmitry", Align.EXACT),
        ("peskov", "peskov", Align.EXACT),
        ("", "sergeyevich", Align.EXTRA),
    ]
    assert [(q.field, q.outcome) for q in explanation.qualifiers] == [("birth_date", Outcome.MATCH)]
    assert match.score > explanation.name_score
    summary = explanation.summary()
    assert "PESKOV, Dmitry Sergeyevich" in summary and "birth_date:match" in summary


def test_matched_name_is_the_alias_that_matched(engine: Engine) -> None:
    match = engine.match("Abu Test", lists=["a"]).matches[0]
    assert match.entity.primary_name.value == "HAMID ABDUL KARIM AL-TESTI"
    assert match.to_dict()["name"] == "HAMID ABDUL KARIM AL-TESTI"
    assert match.to_dict()["matched_name"] == "Abu Test"
    assert match.to_dict()["explanation"]["matched_name_kind"] == "weak_alias"


def test_match_to_dict_shape(engine: Engine) -> None:
    match = engine.match(Query("Dmitry Peskov", birth_date=PartialDate(1967)), lists=["a"]).matches[0]
    data = match.to_dict()
    assert list(data) == [
        "entity_id",
        "list",
        "score",
        "match",
        "name",
        "matched_name",
        "type",
        "programs",
        "explanation",
    ]
    assert data["entity_id"] == "a:1" and data["list"] == "a" and data["type"] == "person"
    assert data["programs"] == ["RUSSIA-EO14024"] and data["match"] is True
    assert data["score"] == match.score
    explanation = data["explanation"]
    assert set(explanation) == {"matched_name", "matched_name_kind", "name_score", "tokens", "qualifiers"}
    assert explanation["tokens"][0] == {
        "query": "dmitry",
        "listed": "dmitry",
        "kind": "exact",
        "similarity": 1.0,
    }
    assert set(explanation["qualifiers"][0]) == {"field", "outcome", "detail", "factor"}
    assert explanation["qualifiers"][0]["outcome"] == "match"


def test_result_to_dict_shape(engine: Engine) -> None:
    query = Query("Dmitry Peskov", type=PER, birth_date=PartialDate(1967, 10), country="RU", id="row-7")
    data = result_to_dict(engine.match(query, lists=["a", "b"], limit=2))
    assert list(data) == ["query", "matches", "threshold", "list_versions", "algorithm"]
    assert data["query"] == {
        "id": "row-7",
        "name": "Dmitry Peskov",
        "type": "person",
        "birth_date": "1967-10",
        "country": "RU",
        "nationality": None,
        "identifiers": [],
    }
    assert [m["entity_id"] for m in data["matches"]] == ["b:X1", "a:1"]
    assert data["threshold"] == DEFAULT_THRESHOLD
    assert data["list_versions"] == {"a": "2026-01-01", "b": "2026-02-02"}
    assert data["algorithm"] == ALGORITHM_VERSION
    assert json.loads(json.dumps(data)) == data


def test_entity_lookup(engine: Engine) -> None:
    assert engine.entity("a:4") == LIST_A[3]
    assert engine.entity("b:nope") is None
    assert engine.entity("zz:1") is None


def test_engine_keeps_retrieval_tables_once() -> None:
    """The engine queries one merged table; the per-list indexes it keeps must not hold their
    postings and reach tables as well (that would double retrieval memory), and the indexes it
    was given are left whole for whoever else holds them."""
    given = [build_index("a", "2026-01-01", LIST_A), build_index("b", "2026-02-02", LIST_B)]
    engine = Engine(given)
    for kept in engine.indexes.values():
        blocking = kept.blocking
        assert len(blocking.postings) == 0
        assert not (blocking.deletes or blocking.skeletons or blocking.loose_skeletons or blocking.nicknames)
    for original in given:
        assert original.blocking.deletes and len(original.blocking.postings)
        assert engine.indexes[original.source].records is original.records
    merged = engine._blocking
    assert merged.deletes.keys() == given[0].blocking.deletes.keys() | given[1].blocking.deletes.keys()
    assert set(ids(engine.match("Dmitri Peskow"))) == {"a:1", "b:X1"}


def test_a_name_on_several_lists_is_scored_once_per_list(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'Abu Test' is a weak alias on list a and a primary name on list b: scored once per list, as
    each list weighs words by its own frequencies (the weak alias then discounted)."""
    scored: list[str] = []
    original = matcher.engine.score_names

    def counting(query, listed, kind, rarity):  # type: ignore[no-untyped-def]
        scored.append(listed[0].text)
        return original(query, listed, kind, rarity)

    monkeypatch.setattr(matcher.engine, "score_names", counting)
    by_id = {m.entity_id: m for m in engine.match("Abu Test").matches}
    assert scored.count("abu test") == 2
    assert by_id["b:X2"].score == 1.0 and by_id["a:3"].score == WEAK_ALIAS_FACTOR


def test_matches_answer_from_the_index_without_decoding_entities() -> None:
    engine = Engine([build_index("a", "2026-01-01", LIST_A)])
    result = engine.match("Dmitry Peskov")
    data = result_to_dict(result)
    assert engine.indexes["a"].decoded == 0
    top = result.matches[0]
    assert data["matches"][0]["name"] == "PESKOV, Dmitry Sergeyevich"
    listed = top.entity
    assert (top.entity_id, top.source, top.name, top.type, top.programs) == (
        listed.id,
        listed.source,
        listed.primary_name.value,
        listed.type,
        listed.programs,
    )
    assert engine.indexes["a"].decoded == 1


def test_engine_without_lists_answers_nothing() -> None:
    empty = Engine([])
    assert empty.match("Dmitry Peskov").matches == ()
    assert empty.list_versions == {}


# --- Loading from a store --------------------------------------------------------------------

UN_INDIVIDUAL = Path(__file__).resolve().parent / "fixtures" / "un" / "individual.xml"
USER_LIST = Path(__file__).resolve().parent / "fixtures" / "user" / "internal_list.csv"


@pytest.fixture
def imported(settings: Settings) -> Settings:
    """A data directory holding the UN fixture as list ``un`` and the user CSV fixture as ``mine``."""
    assert import_files(settings, "un", [UN_INDIVIDUAL]).ok
    assert import_files(settings, "mine", [USER_LIST], fmt="user_csv").ok
    return settings


def test_import_saves_the_index_next_to_the_snapshot(imported: Settings) -> None:
    store = open_store(imported)
    meta = store.active("un")
    assert meta is not None
    snapshot = store.snapshot_dir("un", meta.version)
    assert index_path(snapshot).is_file() and index_path(snapshot).parent == snapshot
    saved = load_index(snapshot)
    assert saved is not None and (saved.source, saved.version) == ("un", meta.version)
    assert saved.entity("un:QDi.901") is not None


def test_engine_load_serves_every_imported_list(imported: Settings) -> None:
    store = open_store(imported)
    engine = Engine.load(store)
    assert set(engine.list_versions) == {"mine", "un"}
    assert engine.list_versions["un"] == store.active_version("un")
    result = engine.match("Hamid Abdul Karim al-Testi")
    assert ids(result)[:1] == ["un:QDi.901"] and result.matches[0].is_match
    assert engine.match("حامد عبد الكريم التستي").matches[0].entity.id == "un:QDi.901"
    passport = engine.match(Query("Hamid Testy", identifiers=("OA 123456",)), lists=["un"])
    assert passport.matches[0].score >= 0.99


def test_engine_load_rebuilds_a_missing_index(imported: Settings) -> None:
    store = open_store(imported)
    meta = store.active("un")
    assert meta is not None
    path = index_path(store.snapshot_dir("un", meta.version))
    path.unlink()
    index = load_or_build_index(store, "un")
    assert index.version == meta.version and path.is_file()
    assert ids(Engine.load(store).match("Hamid Karim", lists=["un"]))[:1] == ["un:QDi.901"]


def test_unknown_version_is_a_query_error(imported: Settings) -> None:
    with pytest.raises(QueryError) as info:
        load_or_build_index(open_store(imported), "un", version="19990101T000000Z-deadbeef")
    assert info.value.where == "lists"


def test_load_engine_and_match(imported: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matcher, "_ENGINE", None)
    engine = matcher.load_engine(imported.data_dir)
    assert set(engine.indexes) == {"mine", "un"}
    result = matcher.match("HAMID ABDUL KARIM AL-TESTI", lists=["un"], types=["person"])
    assert ids(result) == ["un:QDi.901"] and result.matches[0].score == 1.0
    assert result.list_versions == {"un": engine.indexes["un"].version}
    with pytest.raises(QueryError):
        matcher.match("HAMID", lists=["eu"])


def test_trimming_the_memo_tables_changes_no_result(engine: Engine) -> None:
    queries = ["Dmitry Peskov", "Vladimir Putin", "ICBC", "Ocean Star"]
    before = [result_to_dict(engine.match(q)) for q in queries]
    engine.trim_caches()
    assert [result_to_dict(engine.match(q)) for q in queries] == before


def test_the_engine_trims_its_memo_tables_every_trim_every_queries(monkeypatch) -> None:
    from matcher import engine as engine_module

    trimmed = []
    monkeypatch.setattr(engine_module, "TRIM_EVERY", 3)
    small = Engine([build_index("t", "v1", [entity("t", "1", EntityType.PERSON, "Jane Example")])])
    monkeypatch.setattr(small, "trim_caches", lambda: trimmed.append(True))
    for _ in range(7):
        small.match("Jane Example")
    assert len(trimmed) == 2


def test_candidates_under_the_near_miss_floor_are_not_returned(engine: Engine) -> None:
    """A listed name that shares only a common word with the query is noise, not a near miss;
    a query that lowers the threshold under the floor still sees down to its threshold."""
    from matcher.engine import NEAR_MISS

    everything = engine.match("Star Navigation", threshold=0.0, limit=100)
    assert any(m.score < NEAR_MISS for m in everything.matches)
    default = engine.match("Star Navigation", limit=100)
    assert all(m.score >= NEAR_MISS for m in default.matches)
    assert [m.entity.id for m in default.matches] == [
        m.entity.id for m in everything.matches if m.score >= NEAR_MISS
    ]


def test_warm_up_hides_the_loaded_engine_from_the_cycle_collector(engine: Engine) -> None:
    import gc

    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        engine.warm_up()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
