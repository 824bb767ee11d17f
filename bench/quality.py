"""Matching-quality benchmark: how often matcher's name score gets a pair right, across scripts, and
whether the index finds what a full scan would.

What it measures
    Pair decisions at ``matcher.engine.DEFAULT_THRESHOLD`` (0.80). A pair ``(a, b)`` of entity
    type ``kind`` is a predicted match when
    ``score_names(normalize_name(a, kind), normalize_name(b, kind), kind).score >= threshold``: the
    bare name score, with no rarity weights and no qualifiers, so the figures describe the name
    matcher alone. ``kind`` is PERSON for the FollowTheMoney schema ``Person``, VESSEL for
    ``Vessel`` and ORGANIZATION for everything else. The first name of a pair is the query, the
    second the listed name.

On what data (``../shared/data/eval`` beside the repository; see its SOURCES.md. When the folder is
absent the script prints "skipped: ..." and exits 0)

a. Labelled pairs, ``nomenklatura_name_bench/cases.csv`` (826 pairs labelled by OpenSanctions):
   TP/FP/FN/TN, precision, recall and F1 overall and by ``case_group``, ``schema`` and ``quality``
   (blank quality counts as MEDIUM). Beside each row, OpenSanctions' own matcher LogicV2 as frozen in
   ``logicv2-frozen.csv`` (812 of the 826 cases), and our figures on exactly those 812 cases, so
   the comparison is like for like. LogicV2's decisions are counted against today's labels (four
   pairs were relabelled as non-matches after the frozen run, so it shows FN 71 / TN 288 where
   SOURCES.md quotes the frozen outcome column, FN 75 / TN 284). The frozen file calls the group
   ``synth_companies`` by an older name, ``synth_corp_positives``: the join on ``(case_group,
   schema, name1, name2)`` maps that one alias; nothing else is fuzzy. Every STRONG case is listed
   with pass or fail.
b. Cross-script sets, each as recall (positives at or above the threshold) and false-match rate
   (negatives at or above it):

   - ``putin_name_variants/putin_names.txt``: 81 distinct spellings of Vladimir Putin (SOURCES.md
     says 80; the last line has no line break). Positives: every ordered pair of distinct lines
     (each line as the query against each other line as the listed name; both directions because
     the score is directional). Negatives: every variant against
     the names of other people, in both directions: the queries and expected names of every
     ``watchman_cross_script`` row except the Putin row, plus a fixed-seed sample of
     ``--people`` rows (default 50) from each of ``translit_wikidata_coling2018/fullnames/
     wd_hebrew.tsv.gz`` and ``wd_korean.tsv.gz``, each row giving its English and its native full
     name; rows whose English name is "Vladimir Putin" are left out. All as persons.
   - ``watchman_cross_script/cross_script_pairs.csv`` (22 pairs, all person names, so all scored
     as persons): positives are query vs expected name; negatives are each query vs the expected
     names of the other rows, except rows expecting the same name (金正恩 and 김정은 both expect
     "Kim Jong Un"). Watchman's min-score column is ignored.
   - Transliteration tokens, ``translit_wikidata_coling2018/tokens_test20/wd_<lang>_20.tsv`` for
     arabic, chinese, hebrew, japanese, korean and russian (native characters joined by removing
     their spaces) and ``translit_google_ar2en/ar2en-test.tsv``: a fixed-seed sample of
     ``--sample`` rows per set (default 500). Positives: native vs its English token, as person
     names. Negatives: the same native token vs the English token of another random row of the
     same file whose English token differs.
   - Company pairs, ``company_name_pairs/easonanalytica_test_data.csv`` (127 labelled pairs, as
     organisations): precision, recall, F1 and false-match rate. Not part of the pooled figure.

   The overall cross-script recall and false-match rate pool every pair of the Putin, Watchman and
   transliteration sets (micro average, so the 6,480 Putin pairs weigh most; the table also gives
   the macro average of the sets' recalls).
c. Candidate recall, index vs full scan: :func:`matcher.index.build_index` over one entity
   (``eval:<n>``, of the pair's type) per distinct listed name (one per name, not per pair, so that
   copies of a popular name cannot push the target out of the top 10): the ``name2`` side of the labelled
   pairs, the Watchman expected names and "Vladimir Putin". Queries: every labelled ``name1``
   (target: its ``name2`` entity), every Watchman query and every Putin variant (target: the
   expected name's entity). Each query runs through ``Engine([index]).match(Query(name, type=kind),
   limit=10)`` and through a full scan (``score_names`` against every indexed name, with the
   index's rarity weights, as the engine scores). Candidate recall is, among queries whose target
   the full scan scores at or above the threshold, the share where the engine returns the target.
   Also shown: of all entities the scan puts at or above the threshold (queries with at most 10
   such hits), the share the engine returns.

Targets (``--check`` exits 1 when one is missed): labelled F1 >= 0.90; every STRONG case passes;
pooled cross-script recall >= 0.90 with a false-match rate <= 2 %; candidate recall >= 99.9 %.

Everything is deterministic: samples come from ``random.Random`` seeded with ``--seed`` and the
set's name. Run: ``.venv/bin/python bench/quality.py [--verbose] [--json PATH] [--check]``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from matcher.engine import DEFAULT_THRESHOLD, Engine, Query
from matcher.index import build_index
from matcher.model import Entity, EntityType, Name
from matcher.normalize import NormName, normalize_name
from matcher.score import score_names

REPO = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = REPO.parent / "shared" / "data" / "eval"

TARGET_F1 = 0.90
TARGET_CROSS_RECALL = 0.90
TARGET_CROSS_FALSE_MATCH = 0.02
TARGET_CANDIDATE_RECALL = 0.999
DEFAULT_SAMPLE = 500
DEFAULT_PEOPLE = 50
DEFAULT_SEED = 20261130
CANDIDATE_LIMIT = 10

WIKIDATA_LANGUAGES = ("arabic", "chinese", "hebrew", "japanese", "korean", "russian")
#: Group names the frozen LogicV2 run used before OpenSanctions renamed them in cases.csv.
LOGICV2_GROUP_ALIASES = {"synth_corp_positives": "synth_companies"}
PUTIN = "Vladimir Putin"

Key = tuple[str, str, str, str]


def kind_of(schema: str) -> EntityType:
    """The entity type a FollowTheMoney schema is scored as."""
    if schema == "Person":
        return EntityType.PERSON
    if schema == "Vessel":
        return EntityType.VESSEL
    return EntityType.ORGANIZATION


def pair_score(query: str, listed: str, kind: EntityType) -> float:
    """The bare name score of one pair (normalisation is memoised by matcher itself)."""
    return score_names(normalize_name(query, kind), normalize_name(listed, kind), kind).score


# --- Counting --------------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass(slots=True)
class Counts:
    """A confusion matrix, with the rates derived from it (``None`` when undefined)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        if truth:
            if predicted:
                self.tp += 1
            else:
                self.fn += 1
        elif predicted:
            self.fp += 1
        else:
            self.tn += 1

    def __iadd__(self, other: Counts) -> Counts:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn
        return self

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def false_match_rate(self) -> float | None:
        return _ratio(self.fp, self.fp + self.tn)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "false_match_rate": self.false_match_rate,
        }


# --- a. Labelled pairs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelledCase:
    group: str
    schema: str
    name1: str
    name2: str
    is_match: bool
    quality: str

    @property
    def key(self) -> Key:
        return (self.group, self.schema, self.name1, self.name2)

    @property
    def kind(self) -> EntityType:
        return kind_of(self.schema)


@dataclass(frozen=True, slots=True)
class LogicV2Result:
    case_id: str
    score: float
    predicted: bool
    label: bool  # is_match as it was when LogicV2 was run


@dataclass(frozen=True, slots=True)
class ScoredCase:
    case: LabelledCase
    score: float
    predicted: bool
    logicv2: LogicV2Result | None

    @property
    def passed(self) -> bool:
        return self.predicted == self.case.is_match

    @property
    def outcome(self) -> str:
        return ("T" if self.passed else "F") + ("P" if self.predicted else "N")


@dataclass(slots=True)
class Slice:
    """One row of the labelled-pairs table: ours on all its cases, ours on the cases LogicV2 ran,
    and LogicV2 on those same cases."""

    name: str
    ours: Counts = field(default_factory=Counts)
    ours_on_logicv2: Counts = field(default_factory=Counts)
    logicv2: Counts = field(default_factory=Counts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slice": self.name,
            "ours": self.ours.to_dict(),
            "ours_on_logicv2_cases": self.ours_on_logicv2.to_dict(),
            "logicv2": self.logicv2.to_dict(),
        }


@dataclass(slots=True)
class LabelledResult:
    cases: list[ScoredCase]
    slices: list[Slice]

    @property
    def relabelled(self) -> int:
        """Cases whose label changed after the frozen LogicV2 run."""
        return sum(1 for c in self.cases if c.logicv2 is not None and c.logicv2.label != c.case.is_match)

    @property
    def overall(self) -> Slice:
        return self.slices[0]

    @property
    def strong(self) -> list[ScoredCase]:
        return [c for c in self.cases if c.case.quality == "STRONG"]

    @property
    def failures(self) -> list[ScoredCase]:
        return [c for c in self.cases if not c.passed]


def _bool(text: str, where: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f"{where}: is_match must be true or false, not {text!r}")
    return value == "true"


def load_labelled(eval_dir: Path) -> list[LabelledCase]:
    """The 826 labelled pairs of ``nomenklatura_name_bench/cases.csv``."""
    path = eval_dir / "nomenklatura_name_bench" / "cases.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            LabelledCase(
                group=row["case_group"],
                schema=row["schema"],
                name1=row["name1"],
                name2=row["name2"],
                is_match=_bool(row["is_match"], f"{path.name} line {n}"),
                quality=(row.get("quality") or "").strip().upper() or "MEDIUM",
            )
            for n, row in enumerate(csv.DictReader(fh), start=2)
        ]


def load_logicv2(eval_dir: Path) -> dict[Key, LogicV2Result]:
    """LogicV2's frozen decisions, keyed like :attr:`LabelledCase.key`."""
    path = eval_dir / "nomenklatura_name_bench" / "logicv2-frozen.csv"
    out: dict[Key, LogicV2Result] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            group = LOGICV2_GROUP_ALIASES.get(row["case_group"], row["case_group"])
            key = (group, row["schema"], row["name1"], row["name2"])
            predicted = _bool(row["predicted_match"], f"{path.name} line {n}")
            label = _bool(row["is_match"], f"{path.name} line {n}")
            out[key] = LogicV2Result(row["case_id"], float(row["score"]), predicted, label)
    return out


def evaluate_labelled(eval_dir: Path, threshold: float = DEFAULT_THRESHOLD) -> LabelledResult:
    """Score every labelled pair and count by slice (see the module docstring, section a)."""
    logicv2 = load_logicv2(eval_dir)
    scored: list[ScoredCase] = []
    for case in load_labelled(eval_dir):
        score = pair_score(case.name1, case.name2, case.kind)
        scored.append(ScoredCase(case, score, score >= threshold, logicv2.get(case.key)))
    slices: dict[str, Slice] = {}

    def slice_names(case: LabelledCase) -> Iterator[str]:
        yield "all"
        yield f"group: {case.group}"
        yield f"schema: {case.schema}"
        yield f"quality: {case.quality}"

    for item in scored:
        for name in slice_names(item.case):
            row = slices.setdefault(name, Slice(name))
            row.ours.add(item.case.is_match, item.predicted)
            if item.logicv2 is not None:
                row.ours_on_logicv2.add(item.case.is_match, item.predicted)
                row.logicv2.add(item.case.is_match, item.logicv2.predicted)
    order = {"all": 0, "group": 1, "schema": 2, "quality": 3}
    ordered = sorted(slices.values(), key=lambda s: (order[s.name.partition(":")[0]], s.name))
    return LabelledResult(scored, ordered)


# --- b. Cross-script sets --------------------------------------------------------------------------


class Pair(NamedTuple):
    query: str
    listed: str
    kind: EntityType
    truth: bool


@dataclass(slots=True)
class SetResult:
    """One pair set: its confusion matrix and its wrong decisions (for ``--verbose``)."""

    name: str
    counts: Counts
    errors: list[tuple[Pair, float]]
    pooled: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"set": self.name, "pooled": self.pooled, **self.counts.to_dict()}


def evaluate_pairs(name: str, pairs: Iterable[Pair], threshold: float, pooled: bool = True) -> SetResult:
    counts = Counts()
    errors: list[tuple[Pair, float]] = []
    for pair in pairs:
        score = pair_score(pair.query, pair.listed, pair.kind)
        predicted = score >= threshold
        counts.add(pair.truth, predicted)
        if predicted != pair.truth:
            errors.append((pair, score))
    return SetResult(name, counts, errors, pooled)


def _rng(seed: int, name: str) -> random.Random:
    # A string seed is hashed with SHA-512 by random.seed, so it does not depend on PYTHONHASHSEED.
    return random.Random(f"{seed}:{name}")


def _lines(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return list(dict.fromkeys(line.strip() for line in fh if line.strip()))


def load_watchman(eval_dir: Path) -> list[tuple[str, str]]:
    """``(query, expected)`` rows of the Watchman cross-script file, comment lines skipped."""
    path = eval_dir / "watchman_cross_script" / "cross_script_pairs.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(line for line in fh if line.strip() and not line.lstrip().startswith("#"))
        return [(row[0].strip(), row[1].strip()) for row in rows]


def _fullname_sample(path: Path, count: int, rng: random.Random) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh]
    rows = [r for r in rows if len(r) == 2 and r[0].strip().casefold() != PUTIN.casefold()]
    return [name.strip() for row in rng.sample(rows, min(count, len(rows))) for name in row]


def putin_negative_names(eval_dir: Path, people: int, seed: int) -> list[str]:
    """Other people's names: Watchman rows other than Putin's, and sampled Wikidata full names."""
    names: list[str] = []
    for query, expected in load_watchman(eval_dir):
        if expected.casefold() != PUTIN.casefold():
            names += [query, expected]
    fullnames = eval_dir / "translit_wikidata_coling2018" / "fullnames"
    for lang in ("hebrew", "korean"):
        names += _fullname_sample(fullnames / f"wd_{lang}.tsv.gz", people, _rng(seed, f"people:{lang}"))
    return list(dict.fromkeys(names))


def putin_pairs(eval_dir: Path, people: int, seed: int) -> list[Pair]:
    variants = _lines(eval_dir / "putin_name_variants" / "putin_names.txt")
    person = EntityType.PERSON
    pairs = [Pair(a, b, person, True) for a in variants for b in variants if a != b]
    for other in putin_negative_names(eval_dir, people, seed):
        for variant in variants:
            pairs += [Pair(variant, other, person, False), Pair(other, variant, person, False)]
    return pairs


def watchman_pairs(eval_dir: Path) -> list[Pair]:
    rows = load_watchman(eval_dir)
    person = EntityType.PERSON
    pairs = [Pair(query, expected, person, True) for query, expected in rows]
    for query, expected in rows:
        for _, other in rows:
            if other.casefold() != expected.casefold():
                pairs.append(Pair(query, other, person, False))
    return pairs


def _token_pairs(rows: list[tuple[str, str]], sample: int, rng: random.Random) -> list[Pair]:
    """Positives native vs English; negatives native vs another row's (different) English token."""
    person = EntityType.PERSON
    chosen = rng.sample(range(len(rows)), min(sample, len(rows)))
    pairs: list[Pair] = []
    for i in chosen:
        native, english = rows[i]
        pairs.append(Pair(native, english, person, True))
        while True:
            other = rows[rng.randrange(len(rows))][1]
            if other.casefold() != english.casefold():
                break
        pairs.append(Pair(native, other, person, False))
    return pairs


def wikidata_token_pairs(eval_dir: Path, lang: str, sample: int, seed: int) -> list[Pair]:
    path = eval_dir / "translit_wikidata_coling2018" / "tokens_test20" / f"wd_{lang}_20.tsv"
    rows: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0].strip() and parts[1].strip():
                rows.append(("".join(parts[1].split()), parts[0].strip()))
    return _token_pairs(rows, sample, _rng(seed, f"wikidata:{lang}"))


def ar2en_pairs(eval_dir: Path, sample: int, seed: int) -> list[Pair]:
    path = eval_dir / "translit_google_ar2en" / "ar2en-test.tsv"
    rows: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0].strip() and parts[1].strip():
                rows.append((parts[0].strip(), parts[1].strip()))
    return _token_pairs(rows, sample, _rng(seed, "ar2en"))


def company_pairs(eval_dir: Path) -> list[Pair]:
    path = eval_dir / "company_name_pairs" / "easonanalytica_test_data.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            Pair(row["Name_x"], row["Name_y"], EntityType.ORGANIZATION, row["Targets"].strip() == "1")
            for row in csv.DictReader(fh)
        ]


def evaluate_cross_script(
    eval_dir: Path, threshold: float, sample: int, people: int, seed: int
) -> list[SetResult]:
    """Every set of section b; the company pairs come last and are not pooled."""
    results = [
        evaluate_pairs("putin variants", putin_pairs(eval_dir, people, seed), threshold),
        evaluate_pairs("watchman cross-script", watchman_pairs(eval_dir), threshold),
    ]
    for lang in WIKIDATA_LANGUAGES:
        pairs = wikidata_token_pairs(eval_dir, lang, sample, seed)
        results.append(evaluate_pairs(f"wikidata tokens: {lang}", pairs, threshold))
    results.append(evaluate_pairs("google ar2en tokens", ar2en_pairs(eval_dir, sample, seed), threshold))
    results.append(evaluate_pairs("company pairs", company_pairs(eval_dir), threshold, pooled=False))
    return results


def pooled(results: list[SetResult]) -> Counts:
    total = Counts()
    for result in results:
        if result.pooled:
            total += result.counts
    return total


# --- c. Candidate recall ---------------------------------------------------------------------------


@dataclass(slots=True)
class CandidateResult:
    queries: int = 0
    eligible: int = 0
    returned: int = 0
    scan_hits: int = 0
    scan_hits_returned: int = 0
    seconds_engine: float = 0.0
    misses: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return _ratio(self.returned, self.eligible)

    @property
    def hit_recall(self) -> float | None:
        return _ratio(self.scan_hits_returned, self.scan_hits)

    def to_dict(self) -> dict[str, Any]:
        return {
            "queries": self.queries,
            "eligible": self.eligible,
            "returned": self.returned,
            "recall": self.recall,
            "scan_hits": self.scan_hits,
            "scan_hits_returned": self.scan_hits_returned,
            "hit_recall": self.hit_recall,
            "engine_ms_per_query": 1000 * self.seconds_engine / self.queries if self.queries else None,
            "misses": [{"query": q, "target": t, "scan_score": s} for q, t, s in self.misses],
        }


def evaluate_candidates(eval_dir: Path, cases: list[LabelledCase], threshold: float) -> CandidateResult:
    """Engine (index retrieval, then scoring) vs a full scan (see the module docstring, section c)."""
    ids: dict[tuple[str, EntityType], str] = {}
    entities: list[Entity] = []

    def entity_id(name: str, kind: EntityType) -> str:
        key = (name, kind)
        if key not in ids:
            ids[key] = f"eval:{len(ids) + 1}"
            entities.append(Entity(id=ids[key], source="eval", type=kind, names=(Name(name),)))
        return ids[key]

    person = EntityType.PERSON
    queries = [(c.name1, c.kind, entity_id(c.name2, c.kind)) for c in cases]
    queries += [(q, person, entity_id(expected, person)) for q, expected in load_watchman(eval_dir)]
    putin = entity_id(PUTIN, person)
    variants = _lines(eval_dir / "putin_name_variants" / "putin_names.txt")
    queries += [(v, person, putin) for v in variants if v != PUTIN]

    index = build_index("eval", "bench", entities)
    engine = Engine([index], threshold=threshold)
    rarity = index.blocking.rarity
    # Name records refer to entities by their position in the list given to build_index.
    records = [(entities[r.entity].id, entities[r.entity].type, r.readings) for r in index.records]
    names = {e.id: e.names[0].value for e in entities}
    readings_cache: dict[tuple[str, EntityType], tuple[NormName, ...]] = {}
    result = CandidateResult()
    for query, kind, target in queries:
        readings = readings_cache.get((query, kind))
        if readings is None:
            readings = readings_cache[(query, kind)] = normalize_name(query, kind)
        scan: dict[str, float] = {}
        for ent_id, ent_type, listed in records:
            score = score_names(readings, listed, ent_type, rarity).score
            if score > scan.get(ent_id, -1.0):
                scan[ent_id] = score
        started = time.perf_counter()
        found = {m.entity_id for m in engine.match(Query(query, type=kind), limit=CANDIDATE_LIMIT).matches}
        result.seconds_engine += time.perf_counter() - started
        result.queries += 1
        if scan.get(target, 0.0) >= threshold:
            result.eligible += 1
            if target in found:
                result.returned += 1
            else:
                result.misses.append((query, names[target], scan[target]))
        hits = {e for e, s in scan.items() if s >= threshold}
        if len(hits) <= CANDIDATE_LIMIT:
            result.scan_hits += len(hits)
            result.scan_hits_returned += len(hits & found)
    return result


# --- Report ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Target:
    name: str
    value: float | None
    shown: str
    goal: str
    ok: bool


def _at_least(value: float | None, goal: float) -> bool:
    return value is not None and value >= goal


@dataclass(slots=True)
class Report:
    eval_dir: Path
    threshold: float
    labelled: LabelledResult
    cross: list[SetResult]
    candidates: CandidateResult
    seconds: float

    @property
    def cross_pooled(self) -> Counts:
        return pooled(self.cross)

    @property
    def cross_macro_recall(self) -> float | None:
        """Recall averaged over the pooled sets, each set weighing the same."""
        values = [r.counts.recall for r in self.cross if r.pooled and r.counts.recall is not None]
        return sum(values) / len(values) if values else None

    def targets(self) -> list[Target]:
        f1 = self.labelled.overall.ours.f1
        strong = self.labelled.strong
        passed = sum(c.passed for c in strong)
        cross = self.cross_pooled
        recall, fmr = cross.recall, cross.false_match_rate
        cand = self.candidates.recall
        return [
            Target("labelled pairs F1", f1, _fmt(f1), f">= {TARGET_F1:.2f}", _at_least(f1, TARGET_F1)),
            Target(
                "STRONG cases passed",
                passed / len(strong) if strong else None,
                f"{passed} of {len(strong)}",
                "all",
                passed == len(strong),
            ),
            Target(
                "cross-script recall (pooled)",
                recall,
                _fmt(recall, True),
                f">= {TARGET_CROSS_RECALL:.0%}",
                _at_least(recall, TARGET_CROSS_RECALL),
            ),
            Target(
                "cross-script false-match rate (pooled)",
                fmr,
                _fmt(fmr, True),
                f"<= {TARGET_CROSS_FALSE_MATCH:.0%}",
                fmr is not None and fmr <= TARGET_CROSS_FALSE_MATCH,
            ),
            Target(
                "candidate recall",
                cand,
                _fmt(cand, True),
                f">= {TARGET_CANDIDATE_RECALL:.1%}",
                _at_least(cand, TARGET_CANDIDATE_RECALL),
            ),
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "benchmark": "quality",
            "threshold": self.threshold,
            "seconds": round(self.seconds, 2),
            "labelled": {
                "slices": [s.to_dict() for s in self.labelled.slices],
                "strong": [_case_dict(c) for c in self.labelled.strong],
                "failures": [_case_dict(c) for c in self.labelled.failures],
            },
            "cross_script": {
                "sets": [r.to_dict() for r in self.cross],
                "pooled": self.cross_pooled.to_dict(),
                "macro_recall": self.cross_macro_recall,
            },
            "candidates": self.candidates.to_dict(),
            "targets": [
                {"name": t.name, "value": t.value, "target": t.goal, "ok": t.ok} for t in self.targets()
            ],
        }


def _case_dict(c: ScoredCase) -> dict[str, Any]:
    return {
        "case_group": c.case.group,
        "schema": c.case.schema,
        "name1": c.case.name1,
        "name2": c.case.name2,
        "is_match": c.case.is_match,
        "quality": c.case.quality,
        "score": c.score,
        "outcome": c.outcome,
        "logicv2_score": c.logicv2.score if c.logicv2 else None,
        "logicv2_predicted": c.logicv2.predicted if c.logicv2 else None,
    }


def run(
    eval_dir: Path,
    threshold: float = DEFAULT_THRESHOLD,
    sample: int = DEFAULT_SAMPLE,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
) -> Report:
    started = time.perf_counter()
    labelled = evaluate_labelled(eval_dir, threshold)
    cross = evaluate_cross_script(eval_dir, threshold, sample, people, seed)
    candidates = evaluate_candidates(eval_dir, [c.case for c in labelled.cases], threshold)
    return Report(eval_dir, threshold, labelled, cross, candidates, time.perf_counter() - started)


# --- Printing --------------------------------------------------------------------------------------


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:.1%}" if percent else f"{value:.3f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _prf(c: Counts) -> str:
    return f"{_fmt(c.precision)} / {_fmt(c.recall)} / {_fmt(c.f1)}"


def print_labelled(lab: LabelledResult, threshold: float, verbose: bool) -> None:
    print(f"## a. Labelled pairs (nomenklatura name bench), threshold {threshold:.2f}\n")
    print(
        "| slice | n | TP | FP | FN | TN | precision | recall | F1 "
        "| n (LogicV2 cases) | ours P / R / F1 on them | LogicV2 P / R / F1 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in lab.slices:
        o = s.ours
        print(
            f"| {s.name} | {o.n} | {o.tp} | {o.fp} | {o.fn} | {o.tn} | {_fmt(o.precision)} "
            f"| {_fmt(o.recall)} | {_fmt(o.f1)} | {s.logicv2.n} | {_prf(s.ours_on_logicv2)} "
            f"| {_prf(s.logicv2)} |"
        )
    print(
        f"\nLogicV2 columns: its frozen decisions on the {lab.overall.logicv2.n} cases it ran, counted "
        f"against today's labels ({lab.relabelled} cases were relabelled after that run)."
    )
    strong = lab.strong
    print(f"\n### STRONG cases ({sum(c.passed for c in strong)} of {len(strong)} pass)\n")
    print("| group | schema | name1 | name2 | label | score | passed | LogicV2 score |")
    print("|---|---|---|---|---|---:|---|---:|")
    for c in strong:
        lv = f"{c.logicv2.score:.3f}" if c.logicv2 else "–"
        label = "match" if c.case.is_match else "no match"
        print(
            f"| {c.case.group} | {c.case.schema} | {_cell(c.case.name1)} | {_cell(c.case.name2)} | {label} "
            f"| {c.score:.3f} | {'yes' if c.passed else '**NO**'} | {lv} |"
        )
    if not verbose:
        return
    print(f"\n### Failures ({len(lab.failures)})\n")
    print("| outcome | group | schema | quality | name1 | name2 | score | LogicV2 score |")
    print("|---|---|---|---|---|---|---:|---:|")
    for c in sorted(lab.failures, key=lambda c: (c.outcome, c.case.group, -c.score)):
        lv = f"{c.logicv2.score:.3f}" if c.logicv2 else "–"
        print(
            f"| {c.outcome} | {c.case.group} | {c.case.schema} | {c.case.quality} "
            f"| {_cell(c.case.name1)} | {_cell(c.case.name2)} | {c.score:.3f} | {lv} |"
        )


def print_cross(report: Report, verbose: bool) -> None:
    print(f"\n## b. Cross-script sets, threshold {report.threshold:.2f}\n")
    print("| set | positives | recall | negatives | false-match rate | precision | F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in report.cross:
        c = r.counts
        print(
            f"| {r.name}{'' if r.pooled else ' (not pooled)'} | {c.tp + c.fn} | {_fmt(c.recall)} "
            f"| {c.fp + c.tn} | {_fmt(c.false_match_rate, True)} | {_fmt(c.precision)} | {_fmt(c.f1)} |"
        )
    total = report.cross_pooled
    print(
        f"| **pooled (all but company pairs)** | {total.tp + total.fn} | {_fmt(total.recall)} "
        f"| {total.fp + total.tn} | {_fmt(total.false_match_rate, True)} | {_fmt(total.precision)} "
        f"| {_fmt(total.f1)} |"
    )
    print(f"| macro average of the pooled sets | | {_fmt(report.cross_macro_recall)} | | | | |")
    if not verbose:
        return
    for r in report.cross:
        if not r.errors:
            continue
        shown = r.errors[:25]
        print(f"\n### {r.name}: {len(r.errors)} wrong decisions (first {len(shown)})\n")
        print("| expected | query | listed | score |\n|---|---|---|---:|")
        for pair, score in shown:
            expected = "match" if pair.truth else "no match"
            print(f"| {expected} | {_cell(pair.query)} | {_cell(pair.listed)} | {score:.3f} |")


def print_candidates(cand: CandidateResult, verbose: bool) -> None:
    print("\n## c. Candidate recall (engine with index vs full scan)\n")
    print("| metric | value | target |\n|---|---:|---:|")
    print(f"| queries | {cand.queries} | |")
    print(f"| queries whose target the full scan scores >= threshold | {cand.eligible} | |")
    print(f"| of those, target returned by the engine (top {CANDIDATE_LIMIT}) | {cand.returned} | |")
    print(f"| candidate recall | {_fmt(cand.recall, True)} | >= {TARGET_CANDIDATE_RECALL:.1%} |")
    print(f"| all full-scan hits >= threshold returned | {_fmt(cand.hit_recall, True)} | |")
    per_query = 1000 * cand.seconds_engine / cand.queries if cand.queries else 0.0
    print(f"| engine time per query | {per_query:.2f} ms | |")
    if cand.misses and (verbose or len(cand.misses) <= 50):
        print(f"\n### Targets the engine did not return ({len(cand.misses)})\n")
        print("| query | target | full-scan score |\n|---|---|---:|")
        for query, target, score in cand.misses:
            print(f"| {_cell(query)} | {_cell(target)} | {score:.3f} |")


def print_report(report: Report, verbose: bool = False) -> None:
    print_labelled(report.labelled, report.threshold, verbose)
    print_cross(report, verbose)
    print_candidates(report.candidates, verbose)
    print("\n## Targets\n")
    print("| metric | value | target | met |\n|---|---:|---:|---|")
    for t in report.targets():
        print(f"| {t.name} | {t.shown} | {t.goal} | {'yes' if t.ok else '**no**'} |")
    print(f"\n{report.seconds:.1f} s in all; eval data from {report.eval_dir}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL, help="the evaluation data folder")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="match threshold")
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, help="rows per transliteration set")
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE, help="full names per Wikidata file")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of every sample")
    parser.add_argument("--verbose", action="store_true", help="also list every wrong decision")
    parser.add_argument("--json", type=Path, default=None, help="also write all figures as JSON here")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args(argv)
    if not options.eval_dir.is_dir():
        print(f"skipped: the evaluation data is not available ({options.eval_dir} is absent)")
        return 0
    if options.sample < 1 or options.people < 1:
        parser.error("--sample and --people must be at least 1")
    report = run(options.eval_dir, options.threshold, options.sample, options.people, options.seed)
    print_report(report, options.verbose)
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    missed = [t.name for t in report.targets() if not t.ok]
    if options.check and missed:
        print(f"check failed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
