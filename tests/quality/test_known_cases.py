"""Known cases: name pairs whose outcome a compliance engineer can state without hesitating.

Each row is ``(query, listed, kind)`` and is scored exactly as the benchmark scores a pair:
``score_names(normalize_name(query, kind), normalize_name(listed, kind), kind).score`` compared with
``DEFAULT_THRESHOLD``. Every row is tested both ways round (a listed name can be the query of
another search), and each test id names its pair, so a failure reads like a bug report.

The first rows of both tables are the ones reported in the issue; the rest are what screening a
sanctions list is expected to get right (spelling and transliteration variants, legal forms,
acronyms, homoglyphs and invisible characters) or wrong (relatives, namesakes, sister companies).

Last, marked ``shared``, the labelled-pairs evaluation of ``bench/quality.py`` runs on the real
OpenSanctions benchmark: every STRONG case must pass and the F1 must not fall below LogicV2's on
the same cases. That is a regression floor, not the benchmark's 0.90 target.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest

from matcher.engine import DEFAULT_THRESHOLD
from matcher.model import EntityType
from matcher.normalize import normalize_name
from matcher.score import NameScore, score_names
from tests.conftest import REPO, shared_path

PER, ORG, VES = EntityType.PERSON, EntityType.ORGANIZATION, EntityType.VESSEL
Row = tuple[str, str, EntityType]

MUST_MATCH: list[Row] = [
    # The table.
    ("Jon Smith", "John Smith", PER),
    ("LUKOIL OIL COMP", "LUKOIL OIL COMPANY", ORG),
    ("GUANGZHOU HAIGE COMM GRP", "Guangzhou Haige Communications Group", ORG),
    ("HAIGE GUANGZHOU", "Guangzhou Haige Communications Group", ORG),
    ("JSCARGUMENT", "JSC ARGUMENT", ORG),
    ("Владимир Путин", "Vladimir Putin", PER),
    # Surname-first list form, transliteration variant, omitted patronymic.
    ("PESKOV, Dmitriy Sergeevich", "Dmitry Peskov", PER),
    ("Putin, Vladimir", "Vladimir Putin", PER),
    # Acronyms, dotted spellings, legal forms in any script and language.
    ("ICBC", "Industrial and Commercial Bank of China", ORG),
    ("S.B.E.R.B.A.N.K", "Sberbank", ORG),
    ("ООО Газпром", "Gazprom LLC", ORG),
    ("Siemens Aktiengesellschaft", "Siemens AG", ORG),
    # One name written joined, hyphenated or spaced.
    ("Al-Qaida", "Al Qaida", ORG),
    ("Al Qaida", "AlQaida", ORG),
    ("AlQaida", "Al-Qaida", ORG),
    # Romanisations of the same Russian given name.
    ("Dmitry", "Dmitriy", PER),
    ("Dmitriy", "Dmitri", PER),
    ("Dmitri", "Dmitry", PER),
    ("Yevgeny", "Evgenii", PER),
    ("Evgenii", "Jewgeni", PER),
    ("Jewgeni", "Yevgeny", PER),
    ("Dmitri Peskov", "Dmitriy Peskov", PER),
    ("Jewgeni Prigoschin", "Yevgeny Prigozhin", PER),
    # Homoglyphs, fullwidth forms and invisible characters must not hide a name.
    ("G\u0430zprom", "Gazprom", ORG),  # Cyrillic а
    ("ＧＡＺＰＲＯＭ", "Gazprom", ORG),
    ("Dmitry Pes\u200bkov", "Dmitry Peskov", PER),  # zero-width space
    # Vessel prefixes and personal titles are not part of the name.
    ("M/V SEA STAR", "SEA STAR", VES),
    ("Mr Dmitry Peskov", "Dmitry Peskov", PER),
    # Other scripts.
    ("习近平", "Xi Jinping", PER),
    ("Ahmed Hassan", "أحمد حسن", PER),
    # Transliterations of listed names that screening staff see every day.
    ("Osama bin Laden", "Usama bin Ladin", PER),
    ("Ayman al-Zawahiri", "Aiman al-Zawahry", PER),
    ("Hassan Nasrallah", "NASRALLAH, Hasan", PER),
    ("Viktor Bout", "Victor But", PER),
    ("Bill Clinton", "William Clinton", PER),
    # A query that omits the middle and second surnames a list records.
    ("Joaquin Guzman", "Joaquín Archivaldo Guzmán Loera", PER),
]

MUST_NOT_MATCH: list[Row] = [
    # The table.
    ("11420 CORP.", "BELLETECH CORP", ORG),
    ("emma daniels", "EMMA LLC", ORG),
    ("George Bush", "George Habbash", PER),
    ("Banco Santander S.A.", "Banco Santander Chile S.A.", ORG),
    ("김정은", "김종은", PER),
    ("高石早苗", "高市早苗", PER),  # Takaichi Sanae's surname with one character changed
    # Relatives and namesakes: one shared name part is not the same person.
    ("Kim Jong Un", "Kim Jong Il", PER),
    ("Kim Jong Un", "Kim Yo Jong", PER),
    ("John Smith", "Jane Smith", PER),
    ("Ivan Ivanov", "Ivan Petrov", PER),
    ("Boris Netanyahu", "Benjamin Netanyahu", PER),
    ("Abu Bakr al-Baghdadi", "Abu Muhammad al-Julani", PER),
    # Different companies that share a word or most letters.
    ("Gazprom", "Gazprombank", ORG),
    ("Bank Melli Iran", "Bank Mellat", ORG),
    ("Sberbank", "Sovcombank", ORG),
    ("VTB Bank", "VTB Capital", ORG),
]

BOTH_WAYS = pytest.mark.parametrize("reverse", [False, True], ids=["as written", "reversed"])


def _ids(rows: list[Row], sep: str) -> list[str]:
    return [f"{query} {sep} {listed} [{kind.value}]" for query, listed, kind in rows]


def score(query: str, listed: str, kind: EntityType) -> NameScore:
    return score_names(normalize_name(query, kind), normalize_name(listed, kind), kind)


def explain(result: NameScore) -> list[tuple[str, str, str]]:
    return [(t.query, t.listed, t.kind.value) for t in result.tokens]


@BOTH_WAYS
@pytest.mark.parametrize(("query", "listed", "kind"), MUST_MATCH, ids=_ids(MUST_MATCH, "~"))
def test_must_match(query: str, listed: str, kind: EntityType, reverse: bool) -> None:
    if reverse:
        query, listed = listed, query
    result = score(query, listed, kind)
    assert result.score >= DEFAULT_THRESHOLD, explain(result)


@BOTH_WAYS
@pytest.mark.parametrize(("query", "listed", "kind"), MUST_NOT_MATCH, ids=_ids(MUST_NOT_MATCH, "!~"))
def test_must_not_match(query: str, listed: str, kind: EntityType, reverse: bool) -> None:
    if reverse:
        query, listed = listed, query
    result = score(query, listed, kind)
    assert result.score < DEFAULT_THRESHOLD, explain(result)


@pytest.mark.parametrize(
    ("query", "listed", "kind", "tokens"),
    [
        (
            "Dmitry Peskov",
            "PESKOV, Dmitriy Sergeevich",
            PER,
            [
                ("dmitry", "dmitriy", "transliteration"),
                ("peskov", "peskov", "exact"),
                ("", "sergeevich", "extra"),
            ],
        ),
        (
            "George Bush",
            "George Habbash",
            PER,
            [("george", "george", "exact"), ("bush", "", "missing"), ("", "habbash", "extra")],
        ),
        (
            "ICBC",
            "Industrial and Commercial Bank of China",
            ORG,
            [("icbc", "industrial and commercial bank of china", "acronym")],
        ),
        ("JSCARGUMENT", "JSC ARGUMENT", ORG, [("jscargument", "jsc argument", "compound")]),
        (
            "Mr Dmitry Peskov",
            "Dmitry Peskov",
            PER,
            [("dmitry", "dmitry", "exact"), ("peskov", "peskov", "exact")],
        ),
        (
            "Владимир Путин",
            "Vladimir Putin",
            PER,
            [("vladimir", "vladimir", "exact"), ("putin", "putin", "exact")],
        ),
    ],
    ids=["patronymic", "different surname", "acronym", "compound", "title", "cyrillic"],
)
def test_explanation_names_each_token_kind(
    query: str, listed: str, kind: EntityType, tokens: list[tuple[str, str, str]]
) -> None:
    assert explain(score(query, listed, kind)) == tokens


def _equal_after_normalisation(query: str, listed: str, kind: EntityType) -> bool:
    """Some reading of each name has the same tokens (characters can still differ: 石 and 市 both
    read "shi", and the scorer tells them apart)."""
    listed_texts = {reading.text for reading in normalize_name(listed, kind)}
    return any(reading.text in listed_texts for reading in normalize_name(query, kind))


@pytest.mark.parametrize(
    ("query", "listed", "kind", "full"),
    [
        ("Vladímír Pútín", "VLADIMIR PUTIN", PER, True),  # case and diacritics fold away
        ("Putin, Vladimir", "Vladimir Putin", PER, True),  # the list's surname-first form
        ("Mr Dmitry Peskov", "Dmitry Peskov", PER, True),
        ("G\u0430zprom", "Gazprom", ORG, True),
        ("Siemens Aktiengesellschaft", "Siemens AG", ORG, True),
        ("Putin Vladimir", "Vladimir Putin", PER, False),  # reordered without the comma
        ("ООО Газпром", "Gazprom LLC", ORG, False),  # legal form moved
        ("Dmitry Peskov", "Dmitriy Peskov", PER, False),
        ("Al Qaida", "AlQaida", ORG, False),
        ("高石早苗", "高市早苗", PER, False),  # same reading, different character
    ],
)
def test_full_score_only_for_names_equal_after_normalisation(
    query: str, listed: str, kind: EntityType, full: bool
) -> None:
    assert (score(query, listed, kind).score == 1.0) is full


@pytest.mark.parametrize(("query", "listed", "kind"), MUST_MATCH + MUST_NOT_MATCH)
def test_known_case_scores_one_only_when_equal(query: str, listed: str, kind: EntityType) -> None:
    result = score(query, listed, kind)
    assert result.score <= 1.0
    if result.score == 1.0:
        assert _equal_after_normalisation(query, listed, kind), explain(result)
    else:
        assert result.score <= 0.99


# --- The labelled-pairs benchmark (real data) ------------------------------------------------------


@pytest.fixture(scope="module")
def quality() -> ModuleType:
    """bench/quality.py, loaded from its path: bench scripts are run as files, not installed, so
    the test imports the script itself rather than making bench/ a package."""
    path = REPO / "bench" / "quality.py"
    spec = importlib.util.spec_from_file_location("bench_quality", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def labelled(quality: ModuleType) -> Any:
    return quality.evaluate_labelled(shared_path("eval"))


@pytest.mark.shared
def test_labelled_pairs_join_logicv2_as_published(labelled: Any) -> None:
    overall = labelled.overall
    assert overall.ours.n == 826
    assert (overall.ours.tp + overall.ours.fn, overall.ours.fp + overall.ours.tn) == (425, 401)
    # The join finds all 812 cases LogicV2 ran. Its decisions are counted against today's labels:
    # four pairs were relabelled as non-matches after the frozen run, which SOURCES.md reports as
    # TP 345 / FP 108 / FN 75 / TN 284, so four of its false negatives are now true negatives.
    assert overall.ours_on_logicv2.n == 812
    lv = overall.logicv2
    assert (lv.tp, lv.fp, lv.fn, lv.tn) == (345, 108, 71, 288)
    assert labelled.relabelled == 4


@pytest.mark.shared
def test_labelled_pairs_pass_every_strong_case(labelled: Any) -> None:
    strong = labelled.strong
    assert len(strong) == 47
    failed = [(c.case.name1, c.case.name2, c.case.is_match, c.score) for c in strong if not c.passed]
    assert failed == []


@pytest.mark.shared
def test_labelled_pairs_f1_not_below_logicv2_on_the_same_cases(labelled: Any) -> None:
    overall = labelled.overall
    assert overall.logicv2.f1 == pytest.approx(0.794, abs=0.001)
    assert overall.ours_on_logicv2.f1 >= overall.logicv2.f1


@pytest.mark.shared
def test_labelled_pairs_score_one_only_when_equal(labelled: Any) -> None:
    full = [c for c in labelled.cases if c.score == 1.0]
    assert len(full) > 50
    wrong = [
        (c.case.name1, c.case.name2)
        for c in full
        if not _equal_after_normalisation(c.case.name1, c.case.name2, c.case.kind)
    ]
    assert wrong == []
