"""Screening benchmark: false alerts on invented names and recall of listed names, the way users
meet them: every query screened through the engine against every loaded list.

What it measures
    Every list in ``../shared/data/lists`` (beside the repository) is loaded into one
    :class:`matcher.engine.Engine`, as ``bench/speed.py`` does, and each query is screened with
    ``engine.match(Query(name, type=kind), threshold=0.70, limit=10)``. The score of every returned
    match is known, so each query runs once and the figures for every threshold in ``THRESHOLDS``
    (0.70 ... 0.98) are derived from the scores: an alert at threshold ``t`` is a match scoring at
    least ``t``. The tables are for ``matcher.engine.DEFAULT_THRESHOLD`` (0.80) unless they say
    otherwise; the threshold table gives every threshold, the default row marked.

On what data (``../shared/data``; when it is absent the script prints "skipped: ..." and exits 0)

a. Negatives, ``eval/screening_negatives/negatives.csv`` (10,331 names invented by Faker in 30
   person and 16 company locales; see its SOURCES.md): each row is screened as a query of its type
   (``person`` as PERSON, anything else as ORGANIZATION). A row alerts when any match reaches the
   threshold. It is a **true collision**, counted apart and not as a false alert, when its
   normalised full name equals a listed name: some alert has a name score of 1.0 (the scorer gives
   1.0 only to names equal after normalisation), or a reading of the query and of the matched
   listed name have the same name words by romanisation key (Mustapha / Mustafa), legal forms and
   word order aside (``Полиметалл`` is ``JOINT STOCK COMPANY POLIMETALL``; ``Ibrahim Ali`` is
   ``IBRAHIM, 'Ali``). Reported per type, per locale and per locale group (persons of one locale,
   companies of one locale): queries, alerts, collisions, false alerts (alerts that are not
   collisions) and the false-alert rate (false alerts / queries); the 15 worst locale groups; with
   ``--verbose`` every false alert as ``query -> listed entity (matched name) score explanation``.
   The worst-group figure only counts groups of at least ``MIN_GROUP_QUERIES`` queries, so that a
   sampled run (``--negatives-every``) is not decided by one alert in a handful of rows.
b. Positives, each query with the set of entity ids it should find. The sets drawn from the lists
   are a fixed sample of ``--sample`` queries each (default 400; ``random.Random`` seeded with
   ``--seed`` and the set's name), built from the loaded lists themselves, one query per distinct
   listed name. Their expected set is the entity the name came from plus every listed entity of
   the same type carrying a name equal to it after normalisation (the same person on several lists,
   which the engine ranks by list name on a tie). Sets 1 to 4 use Latin-script primary names and
   aliases only (weak aliases left out), so that the variation is the only difference:

   1. ``typo``: a person or organisation name of 2+ words and 8+ letters with one letter deleted,
      two adjacent letters swapped or one letter substituted, in a run of 5+ letters.
   2. ``word_order``: a person name of 2 or 3 words, reversed ("Dmitry Peskov" -> "Peskov
      Dmitry"); a name listed as "SURNAME, Given" is rotated to surname first with the comma
      dropped ("PESKOV Dmitry"), since the comma alone tells the normaliser the order.
   3. ``dropped_middle``: a person name of 3+ words (in given-name-first order) with one middle
      word dropped; particles (al, bin, abu, van, de, ...) are never the word dropped.
   4. ``legal_form``: an organisation name containing a legal form (LLC, Ltd, Limited, JSC, OOO,
      GmbH, Co., Inc, Company, OAO, PJSC, ...) with it removed, or replaced by another spelling of
      it (LLC <-> Limited Liability Company, Ltd <-> Limited, JSC <-> Joint Stock Company, ...).
   5. ``cross_script_lists``: the lists' own original-script names. The query is a non-Latin name
      (Cyrillic, Arabic, CJK, Hangul, Greek, Hebrew, ...; scripts read from ``unicodedata.name``)
      of a person or organisation that also has a Latin-script name. The engine keeps one best
      name per entity, so against the full lists the expected entity would always be found by its
      own non-Latin name, exactly. The set is therefore screened against a second engine over the
      same lists with every name that is not Latin script left out: a hit is a cross-script match
      of a Latin name. The expected set adds entities carrying one of the entity's Latin names of
      2+ words. Recall is shown by type and script: an organisation's original-script name is
      mostly a translation of its Latin name ("Публичное акционерное общество «Объединённая
      судостроительная корпорация»"), which no transliteration reaches, and a few persons' are
      other names (a maiden name), so this set's ceiling is below 100 %.
   6. ``eval_cross_script``: ``eval/watchman_cross_script/cross_script_pairs.csv`` (query vs
      expected name) and ``eval/putin_name_variants/putin_names.txt`` (each line vs "Vladimir
      Putin"), taken whole, as persons. Expected: the listed persons having a Latin name whose
      tokens (``normalize_name(name, PERSON)`` token texts, any reading) include every token of the
      expected name's first reading: "PUTIN, Vladimir Vladimirovich" is expected for "Vladimir
      Putin". Single-word expected names ("Abdullah", "Alexander", "David") are kept as the file
      has them and expect every listed person carrying that word. Pairs whose expected name is on
      no list are skipped and counted.
   7. ``known_cases``: the ``MUST_MATCH`` rows of ``tests/quality/test_known_cases.py``. Their
      listed names are mostly not on the real lists, so one entity per distinct listed name and
      type (``known:<n>``, in a list called ``known``) is indexed beside the real lists, in a
      third engine; each row's query is screened against it.

   Per set: n, recall at the threshold (an expected entity is among the alerts) and top-1 accuracy
   (the first result, whatever its score, is expected); with ``--verbose`` the misses.

Targets (``--check`` exits 1 when one is missed), at the default threshold: false-alert rate
<= 0.5 %; worst locale group <= 1.5 %; each positive set's recall >= its floor in ``RECALL_FLOORS``.
``--json PATH`` writes every figure (per type, locale, group, set and threshold).

Run: ``.venv/bin/python bench/screening.py [--data-dir DIR] [--verbose] [--json PATH] [--check]``
(or ``make bench-screening``). ``--data-dir`` reuses an already imported data directory instead of
importing the lists into a temporary one.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import random
import re
import string
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
SHARED_LISTS = SHARED_DATA / "lists"
DEFAULT_EVAL = SHARED_DATA / "eval"
NEGATIVES = DEFAULT_EVAL / "screening_negatives" / "negatives.csv"
for path in (REPO, REPO / "bench"):  # tests.quality.test_known_cases (set 7), workload
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from workload import import_lists  # noqa: E402

from matcher.engine import DEFAULT_THRESHOLD, Engine, Match, Query, load_or_build_index  # noqa: E402
from matcher.index import Index, build_index  # noqa: E402
from matcher.model import Entity, EntityType, Name, NameKind  # noqa: E402
from matcher.normalize import NormName, TokenClass, normalize_name  # noqa: E402
from matcher.settings import Settings  # noqa: E402
from matcher.store import Store  # noqa: E402

#: At the default threshold. ``worst_group_rate`` is the worst locale group's false-alert rate.
#: The screening-precision issue's targets at the default threshold (``--check`` tests them).
TARGETS = {"false_alert_rate": 0.005, "worst_group_rate": 0.015}
#: What ``tests/quality/test_screening.py`` holds the sampled figures to: a regression guard set
#: just above what the scorer measures today (0.84 % and 8.3 %, person ha_NG, on the full file;
#: the sample of every fifth row decides a group of 20 companies by single alerts), so that no
#: change brings false alerts back unseen. The issue's targets are ``TARGETS``; not yet met.
REGRESSION_LIMITS = {"false_alert_rate": 0.012, "worst_group_rate": 0.12}
#: Recall floor of each positive set at the default threshold: a regression floor, not a goal, a
#: few points under today's recall on the full sets (typo 95.5 %, word order 65.8 %, dropped
#: middle 95.5 %, legal form 98.0 %, cross-script lists 78.2 %, eval cross-script 90.4 %, known
THRESHOLDS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.98)
LIMIT = 10
DEFAULT_SAMPLE = 400
DEFAULT_SEED = 20261130
#: cases 97.2 %), since the test draws 100 queries a set.
RECALL_FLOORS: dict[str, float] = {
    "typo": 0.90,
    "word_order": 0.58,
    "dropped_middle": 0.90,
    "legal_form": 0.93,
    "cross_script_lists": 0.70,
    "eval_cross_script": 0.85,
    "known_cases": 0.92,
}
MIN_GROUP_QUERIES = 20
WORST_SHOWN = 15

PER, ORG = EntityType.PERSON, EntityType.ORGANIZATION
NameKey = tuple[EntityType, tuple[str, ...]]


def _key(t: float) -> str:
    return f"{t:.2f}"


def _rng(seed: int, name: str) -> random.Random:
    # A string seed is hashed with SHA-512 by random.seed, so it does not depend on PYTHONHASHSEED.
    return random.Random(f"{seed}:{name}")


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


# --- Scripts ---------------------------------------------------------------------------------------


def scripts(text: str) -> frozenset[str]:
    """The scripts of the letters of ``text``: the first word of each letter's Unicode name (LATIN,
    CYRILLIC, ARABIC, CJK, HANGUL, ...). Modifier letters (ʻ, ʼ) belong to none."""
    found = set()
    for char in text:
        if char.isalpha():
            word = unicodedata.name(char, "").partition(" ")[0]
            if word and word != "MODIFIER":
                found.add(word)
    return frozenset(found)


def is_non_latin(text: str) -> bool:
    found = scripts(text)
    return bool(found) and "LATIN" not in found


# --- Loading ---------------------------------------------------------------------------------------


def load_engine(data_dir: Path, retention: int = 5) -> tuple[Engine, list[Index]]:
    """The engine over every list of an imported data directory (what ``Engine.load`` does), and
    the indexes it was built from, which set 7 adds its own list to (an engine keeps its lists'
    retrieval tables merged, so a second engine cannot be made from the first)."""
    store = Store(data_dir, retention)
    indexes = [load_or_build_index(store, source) for source in store.sources()]
    return Engine(indexes), indexes


class NegativeRow(NamedTuple):
    id: str
    name: str
    type: str
    locale: str
    script: str

    @property
    def kind(self) -> EntityType:
        return PER if self.type.strip().lower() == "person" else ORG

    @property
    def kind_label(self) -> str:
        return "person" if self.kind is PER else "company"

    @property
    def group(self) -> str:
        return f"{self.kind_label} {self.locale}"


def load_negatives(path: Path = NEGATIVES, sample_every: int = 1) -> list[NegativeRow]:
    """The rows of ``negatives.csv``; with ``sample_every=n``, every n-th row (the first, the
    n+1-th, ...), which keeps every locale group in proportion."""
    if sample_every < 1:
        raise ValueError("sample_every must be at least 1")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [
            NegativeRow(r["id"], r["name"].strip(), r["type"], r["locale"], r["script"])
            for r in csv.DictReader(fh)
            if r["name"] and r["name"].strip()
        ]
    return rows[::sample_every]


# --- Positives -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Positive:
    """One query that should alert on one of ``expected`` (entity ids)."""

    query: str
    kind: EntityType
    expected: frozenset[str]
    origin: str  # the listed (or expected) name the query was made from
    group: str  # a slice of the set: the edit made, the script, the file


@dataclass(slots=True)
class PositiveSet:
    name: str
    description: str
    positives: list[Positive]
    #: Screened against this engine instead of the one given to :func:`run` (sets 5 and 7).
    engine: Engine | None = None
    #: Candidates that could not be used (set 6: expected names on no list).
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class ListedName:
    entity_id: str
    kind: EntityType
    name: Name
    #: The first reading's token texts, sorted: equal keys are names equal after normalisation.
    key: tuple[str, ...]
    #: Token texts of every reading.
    tokens: frozenset[str]
    scripts: frozenset[str]


class Lists:
    """Every name the engine's lists carry, and which entities share a normalised name."""

    def __init__(self, engine: Engine) -> None:
        self.names: list[ListedName] = []
        self.by_entity: dict[str, list[ListedName]] = defaultdict(list)
        self.same_name: dict[NameKey, set[str]] = defaultdict(set)
        for index in engine.indexes.values():
            for record in index.records:
                if not record.readings[0].tokens:
                    continue
                entity_id = index.listings[record.entity][0]
                kind = index.types[record.entity]
                listed = ListedName(
                    entity_id,
                    kind,
                    record.name,
                    tuple(sorted(t.text for t in record.readings[0].tokens)),
                    frozenset(t.text for reading in record.readings for t in reading.tokens),
                    scripts(record.name.value),
                )
                self.names.append(listed)
                self.by_entity[entity_id].append(listed)
                self.same_name[(kind, listed.key)].add(entity_id)

    def expected(self, listed: ListedName) -> frozenset[str]:
        """The entity ``listed`` belongs to, and every entity of its type with an equal name."""
        return frozenset(self.same_name[(listed.kind, listed.key)] | {listed.entity_id})


_STRONG_NAMES = (NameKind.PRIMARY, NameKind.ALIAS)
_PERSON_CHARS = re.compile(r"^[^\W\d_]+(?:[ ,.'’-]+[^\W\d_]+)*[.']?$")
_LETTER_RUN = re.compile(r"[^\W\d_]{5,}")
#: Words that join a name rather than name a person: never the middle word a query drops.
PARTICLES = frozenset(
    {"al", "el", "ul", "bin", "ibn", "bint", "binti", "abu", "abd", "abdul", "ben", "van", "von", "der"}
    | {"den", "de", "da", "das", "do", "dos", "del", "della", "di", "du", "la", "le", "y", "e", "mac", "mc"}
)


def _plain_latin(listed: ListedName, kinds: Iterable[EntityType]) -> bool:
    return listed.scripts == {"LATIN"} and listed.name.kind in _STRONG_NAMES and listed.kind in kinds


def _person_words(value: str) -> list[str] | None:
    """The words of a person name in given-name-first order ("PESKOV, Dmitry" -> Dmitry PESKOV),
    or None when it holds anything but letters and name punctuation."""
    if not _PERSON_CHARS.match(value) or value.count(",") > 1:
        return None
    surname, comma, given = value.partition(",")
    words = given.split() + surname.split() if comma else value.split()
    return words if all(any(c.isalpha() for c in w) for w in words) else None


def _draw(
    lists: Lists,
    candidates: Iterable[ListedName],
    make: Callable[[ListedName, random.Random], tuple[str, str] | None],
    rng: random.Random,
    sample: int,
) -> list[Positive]:
    """Up to ``sample`` queries, one per distinct name (type and case-folded spelling), in a
    shuffled order: each candidate in turn is varied by ``make`` (None: it cannot be)."""
    distinct: dict[tuple[EntityType, str], ListedName] = {}
    for c in candidates:
        distinct.setdefault((c.kind, c.name.value.casefold()), c)
    pool = list(distinct.values())
    rng.shuffle(pool)
    out: list[Positive] = []
    for listed in pool:
        if len(out) >= sample:
            break
        made = make(listed, rng)
        if made is not None and made[0].strip() and made[0].casefold() != listed.name.value.casefold():
            out.append(Positive(made[0], listed.kind, lists.expected(listed), listed.name.value, made[1]))
    return out


def _typo(listed: ListedName, rng: random.Random) -> tuple[str, str] | None:
    value = listed.name.value
    if len(value.replace(",", " ").split()) < 2 or sum(c.isalpha() for c in value) < 8:
        return None
    runs = list(_LETTER_RUN.finditer(value))
    if not runs:
        return None
    run = rng.choice(runs)
    word, start = run.group(), run.start()
    edit = rng.choice(("deleted", "swapped", "substituted"))
    swappable = [k for k in range(len(word) - 1) if word[k].casefold() != word[k + 1].casefold()]
    if edit == "swapped" and not swappable:
        edit = "substituted"
    if edit == "deleted":
        k = rng.randrange(len(word))
        changed = word[:k] + word[k + 1 :]
    elif edit == "swapped":
        k = rng.choice(swappable)
        changed = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    else:
        k = rng.randrange(len(word))
        letter = rng.choice([c for c in string.ascii_lowercase if c != word[k].casefold()])
        changed = word[:k] + (letter.upper() if word[k].isupper() else letter) + word[k + 1 :]
    return value[:start] + changed + value[run.end() :], f"letter {edit}"


def _word_order(listed: ListedName, rng: random.Random) -> tuple[str, str] | None:
    value = listed.name.value
    words = _person_words(value)
    if words is None or not 2 <= len(words) <= 3:
        return None
    if "," in value:
        surname, _, given = value.partition(",")
        if not surname.strip() or not given.strip():
            return None
        return " ".join(surname.split() + given.split()), "surname first, comma dropped"
    return " ".join(reversed(words)), f"reversed, {len(words)} words"


def _dropped_middle(listed: ListedName, rng: random.Random) -> tuple[str, str] | None:
    words = _person_words(listed.name.value)
    if words is None or len(words) < 3:
        return None
    middle = [
        i
        for i in range(1, len(words) - 1)
        if sum(c.isalpha() for c in words[i]) >= 2 and words[i].strip(".,'’-").casefold() not in PARTICLES
    ]
    if not middle:
        return None
    i = rng.choice(middle)
    return " ".join(words[:i] + words[i + 1 :]), f"{min(len(words), 4)}{'+' if len(words) >= 4 else ''} words"


#: Legal forms, longest first, each with the other spellings it may be replaced by (none: it is
#: only ever removed).
LEGAL_FORMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"public joint[- ]stock company", ("PJSC",)),
    (r"open joint[- ]stock company", ("OJSC", "OAO")),
    (r"closed joint[- ]stock company", ("CJSC", "ZAO")),
    (r"joint[- ]stock company", ("JSC",)),
    (r"limited liability company", ("LLC",)),
    (r"limited liability corporation", ("LLC",)),
    (r"s\.a\. de c\.v\.", ()),
    (r"gmbh (?:&|and) co\.? kg", ()),
    (r"limited liability partnership", ("LLP",)),
    (r"public limited company", ("PLC",)),
    (r"company limited", ("Co. Ltd",)),
    (r"co\.?,? ltd\.?", ("Company Limited",)),
    (r"private limited", ("Pvt Ltd",)),
    (r"pvt\.? ltd\.?", ("Private Limited",)),
    (r"gesellschaft mit beschr[aä]nkter haftung", ("GmbH",)),
    (r"pjsc", ("Public Joint Stock Company",)),
    (r"ojsc", ("Open Joint Stock Company",)),
    (r"cjsc", ("Closed Joint Stock Company",)),
    (r"jsc", ("Joint Stock Company",)),
    (r"oao", ("Open Joint Stock Company",)),
    (r"zao", ("Closed Joint Stock Company",)),
    (r"pao", ("Public Joint Stock Company",)),
    (r"ooo", ("LLC", "Limited Liability Company")),
    (r"l\.?l\.?c\.?", ("Limited Liability Company",)),
    (r"llp", ("Limited Liability Partnership",)),
    (r"plc", ("Public Limited Company",)),
    (r"limited", ("Ltd",)),
    (r"ltd\.?", ("Limited",)),
    (r"gmbh", ("Gesellschaft mit beschränkter Haftung",)),
    (r"incorporated", ("Inc",)),
    (r"inc\.?", ("Incorporated",)),
    (r"corporation", ("Corp",)),
    (r"corp\.?", ("Corporation",)),
    (r"company", ("Co",)),
    (r"co\.", ("Company",)),
    (r"fze|fzco|fzc|fz-llc|sarl|s\.a\.r\.l\.|s\.a\.|b\.v\.|ag", ()),
)
_LEGAL_RE = [
    (re.compile(rf"(?<![\w.-])(?:{pattern})(?![\w-])", re.IGNORECASE), alternatives)
    for pattern, alternatives in LEGAL_FORMS
]
_LEGAL_ONLY = re.compile(
    "|".join(rf"(?:{pattern})" for pattern, _ in LEGAL_FORMS) + r"|and|&|the|of", re.IGNORECASE
)


def _legal_form(listed: ListedName, rng: random.Random) -> tuple[str, str] | None:
    value = listed.name.value
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    for pattern, alternatives in _LEGAL_RE:
        for m in pattern.finditer(value):
            if not any(s < m.end() and m.start() < e for s, e, _ in spans):
                spans.append((m.start(), m.end(), alternatives))
    if not spans:
        return None
    start, end, alternatives = rng.choice(sorted(spans))
    found = value[start:end]
    if alternatives and rng.random() < 0.5:
        new = rng.choice(alternatives)
        new = new.upper() if found.isupper() else new
        return value[:start] + new + value[end:], "replaced"
    rest = re.sub(r"\s+([,.)])", r"\1", " ".join((value[:start] + " " + value[end:]).split()))
    rest = re.sub(r"\(\s*\)", "", rest).strip(" ,;-&")
    words = [w.strip(",.()\"'«»“”") for w in rest.split()]
    if not any(re.search(r"[^\W\d_]{3}", w) and not _LEGAL_ONLY.fullmatch(w) for w in words):
        return None
    return rest, "removed"


def _listed_sets(lists: Lists, seed: int, sample: int) -> list[PositiveSet]:
    both, persons, orgs = (PER, ORG), (PER,), (ORG,)
    specs: list[tuple[str, str, tuple[EntityType, ...], Callable[..., tuple[str, str] | None]]] = [
        ("typo", "one letter deleted, swapped or substituted", both, _typo),
        ("word_order", "a person's words reversed, or surname first without the comma", persons, _word_order),
        ("dropped_middle", "a person's middle word dropped", persons, _dropped_middle),
        ("legal_form", "an organisation's legal form removed or spelled another way", orgs, _legal_form),
    ]
    out = []
    for name, description, kinds, make in specs:
        candidates = [n for n in lists.names if _plain_latin(n, kinds)]
        out.append(PositiveSet(name, description, _draw(lists, candidates, make, _rng(seed, name), sample)))
    return out


def _rebuilt(index: Index, keep: Callable[[Name], bool] | None = None) -> Index:
    """``index`` built again from its entities, with only the names ``keep`` accepts (an entity
    left without a name is dropped)."""
    entities = []
    for position in range(index.entity_count):
        entity = index.get(position)
        names = entity.names if keep is None else tuple(n for n in entity.names if keep(n))
        if names:
            entities.append(entity if names is entity.names else dataclasses.replace(entity, names=names))
    index.clear_cache()
    return build_index(index.source, index.version, entities)


def latin_only_engine(engine: Engine) -> Engine:
    """An engine over the same lists with every name that is not Latin script left out (names
    without letters are kept)."""
    return Engine(
        _rebuilt(ix, lambda name: scripts(name.value) <= {"LATIN"}) for ix in engine.indexes.values()
    )


def cross_script_lists_set(lists: Lists, engine: Engine, seed: int, sample: int) -> PositiveSet:
    """Set 5: the lists' non-Latin names as queries, against the lists without them."""
    candidates: list[ListedName] = []
    latin: dict[str, list[ListedName]] = {}
    for entity_id, names in lists.by_entity.items():
        own = [n for n in names if n.scripts == {"LATIN"}]
        if own:
            latin[entity_id] = own
            candidates += [n for n in names if n.kind in (PER, ORG) and is_non_latin(n.name.value)]
    distinct: dict[tuple[EntityType, str], ListedName] = {}
    for c in candidates:
        distinct.setdefault((c.kind, c.name.value), c)
    pool = list(distinct.values())
    rng = _rng(seed, "cross_script_lists")
    chosen = rng.sample(pool, min(sample, len(pool)))
    positives = []
    for listed in chosen:
        expected = {listed.entity_id}
        for name in latin[listed.entity_id]:
            if name.name.kind in _STRONG_NAMES and len(name.key) >= 2:
                expected |= lists.same_name[(name.kind, name.key)]
        group = f"{listed.kind.value} {'+'.join(sorted(listed.scripts)).lower()}"
        positives.append(
            Positive(listed.name.value, listed.kind, frozenset(expected), listed.name.value, group)
        )
    return PositiveSet(
        "cross_script_lists",
        "a listed non-Latin name, against the lists with only their Latin names",
        positives,
        engine=latin_only_engine(engine),
    )


def _lines(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return list(dict.fromkeys(line.strip() for line in fh if line.strip()))


def eval_cross_script_set(lists: Lists, eval_dir: Path) -> PositiveSet:
    """Set 6: the Watchman cross-script pairs and the Putin variants, expected by name tokens."""
    description = "Watchman cross-script pairs and Putin variants, vs listed persons by name tokens"
    watchman = eval_dir / "watchman_cross_script" / "cross_script_pairs.csv"
    putin = eval_dir / "putin_name_variants" / "putin_names.txt"
    if not watchman.is_file() or not putin.is_file():
        return PositiveSet("eval_cross_script", description + " (files absent)", [])
    with watchman.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(line for line in fh if line.strip() and not line.lstrip().startswith("#"))
        pairs = [(row[0].strip(), row[1].strip(), "watchman") for row in rows]
    pairs += [(variant, "Vladimir Putin", "putin") for variant in _lines(putin)]
    by_token: dict[str, set[int]] = defaultdict(set)
    persons = [n for n in lists.names if n.kind is PER and n.scripts == {"LATIN"}]
    for i, listed in enumerate(persons):
        for token in listed.tokens:
            by_token[token].add(i)
    positives: list[Positive] = []
    skipped = 0
    for query, expected_name, group in pairs:
        readings = normalize_name(expected_name, PER)
        wanted = {t.text for t in readings[0].tokens} if readings else set()
        hits = set.intersection(*(by_token.get(t, set()) for t in wanted)) if wanted else set()
        if not hits:
            skipped += 1
            continue
        expected = frozenset(persons[i].entity_id for i in hits)
        positives.append(Positive(query, PER, expected, expected_name, group))
    return PositiveSet("eval_cross_script", description, positives, skipped=skipped)


def known_cases_set(lists: Lists, indexes: Sequence[Index]) -> PositiveSet:
    """Set 7: ``MUST_MATCH`` of the known-cases test, its listed names indexed beside the lists."""
    from tests.quality.test_known_cases import MUST_MATCH

    ids: dict[tuple[str, EntityType], str] = {}
    entities: list[Entity] = []
    for _, listed, kind in MUST_MATCH:
        if (listed, kind) not in ids:
            ids[(listed, kind)] = f"known:{len(ids) + 1}"
            entities.append(Entity(id=ids[(listed, kind)], source="known", type=kind, names=(Name(listed),)))
    positives = []
    for query, listed, kind in MUST_MATCH:
        expected = {ids[(listed, kind)]}
        readings = normalize_name(listed, kind)
        if readings and readings[0].tokens:
            expected |= lists.same_name.get((kind, tuple(sorted(t.text for t in readings[0].tokens))), set())
        positives.append(Positive(query, kind, frozenset(expected), listed, kind.value))
    engine = Engine([*indexes, build_index("known", "bench", entities)])
    return PositiveSet("known_cases", "MUST_MATCH rows of the known-cases test", positives, engine=engine)


def build_positive_sets(
    engine: Engine,
    rng_seed: int = DEFAULT_SEED,
    sample: int = DEFAULT_SAMPLE,
    *,
    indexes: Sequence[Index] | None = None,
    eval_dir: Path = DEFAULT_EVAL,
) -> list[PositiveSet]:
    """The seven positive sets (see the module docstring, section b). ``indexes`` are the indexes
    ``engine`` was built from (an engine keeps its lists' retrieval tables merged, so set 7's
    engine cannot be made from it alone); without them they are built again from its entities."""
    lists = Lists(engine)
    if indexes is None:
        indexes = [_rebuilt(ix) for ix in engine.indexes.values()]
    return [
        *_listed_sets(lists, rng_seed, sample),
        cross_script_lists_set(lists, engine, rng_seed, sample),
        eval_cross_script_set(lists, eval_dir),
        known_cases_set(lists, indexes),
    ]


# --- Screening -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    queries: int = 0
    alerts: int = 0
    collisions: int = 0

    @property
    def false_alerts(self) -> int:
        return self.alerts - self.collisions

    def to_dict(self) -> dict[str, Any]:
        return {
            "queries": self.queries,
            "alerts": self.alerts,
            "collisions": self.collisions,
            "false_alerts": self.false_alerts,
            "alert_rate": _ratio(self.alerts, self.queries),
            "false_alert_rate": _ratio(self.false_alerts, self.queries),
        }


_NAME_WORDS = (TokenClass.NAME, TokenClass.NUMBER, TokenClass.GENERIC)


def _name_words(reading: NormName) -> tuple[str, ...]:
    """The words of a reading that name the party, by romanisation key (Mustapha is Mustafa),
    sorted: legal forms, particles and initials left out, and word order ignored (a list's
    "SURNAME, Given" is the same name)."""
    return tuple(sorted(t.key for t in reading.tokens if t.cls in _NAME_WORDS))


def _same_name(query: str, match: Match, kind: EntityType) -> bool:
    """True when the query is a listed name: its name score is 1.0, or some reading of each has
    the same name words (``Полиметалл`` is ``JOINT STOCK COMPANY POLIMETALL``, ``Ibrahim Ali`` is
    ``IBRAHIM, 'Ali``)."""
    if match.explanation.name_score >= 1.0:
        return True
    listed = {_name_words(r) for r in normalize_name(match.matched_name.value, kind)}
    return any(_name_words(r) in listed for r in normalize_name(query, kind) if _name_words(r))


def _screen_negatives(
    engine: Engine, rows: Sequence[NegativeRow], thresholds: Sequence[float]
) -> dict[str, Any]:
    floor = thresholds[0]
    outcomes: list[tuple[NegativeRow, float, float]] = []  # row, top score, best collision score
    alerted: list[dict[str, Any]] = []
    for row in rows:
        matches = engine.match(Query(row.name, type=row.kind), threshold=floor, limit=LIMIT).matches
        top = matches[0].score if matches else 0.0
        collision = max((m.score for m in matches if _same_name(row.name, m, row.kind)), default=0.0)
        outcomes.append((row, top, collision))
        if top >= floor:
            best = matches[0]
            alerted.append(
                {
                    "id": row.id,
                    "query": row.name,
                    "type": row.kind_label,
                    "locale": row.locale,
                    "script": row.script,
                    "score": top,
                    "collision_score": collision if collision >= floor else None,
                    "entity_id": best.entity_id,
                    "entity_name": best.name,
                    "matched_name": best.matched_name.value,
                    "name_score": best.explanation.name_score,
                    "explanation": best.explanation.summary(),
                }
            )
    by_threshold: dict[str, Any] = {}
    for t in thresholds:
        overall = Tally()
        slices: dict[str, dict[str, Tally]] = {"by_type": {}, "by_locale": {}, "by_group": {}}
        for row, top, collision in outcomes:
            alert, coll = top >= t, collision >= t
            for tally in (
                overall,
                slices["by_type"].setdefault(row.kind_label, Tally()),
                slices["by_locale"].setdefault(row.locale, Tally()),
                slices["by_group"].setdefault(row.group, Tally()),
            ):
                tally.queries += 1
                tally.alerts += alert
                tally.collisions += coll
        counted = [(g, s) for g, s in slices["by_group"].items() if s.queries >= MIN_GROUP_QUERIES]
        worst = max(counted, key=lambda gs: (gs[1].false_alerts / gs[1].queries, gs[0]), default=None)
        by_threshold[_key(t)] = {
            "overall": overall.to_dict(),
            **{name: {k: v.to_dict() for k, v in sorted(d.items())} for name, d in slices.items()},
            "worst_group": (
                {"group": worst[0], **worst[1].to_dict()}
                if worst
                else {"group": None, "false_alert_rate": None}
            ),
        }
    return {"queries": len(rows), "by_threshold": by_threshold, "alerts": alerted}


def _screen_positives(engine: Engine, pset: PositiveSet, thresholds: Sequence[float]) -> dict[str, Any]:
    floor = thresholds[0]
    reference = DEFAULT_THRESHOLD
    scored: list[tuple[Positive, float | None, bool]] = []  # positive, best expected score, top-1
    misses: list[dict[str, Any]] = []
    for p in pset.positives:
        matches = engine.match(Query(p.query, type=p.kind), threshold=floor, limit=LIMIT).matches
        hit = max((m.score for m in matches if m.entity_id in p.expected), default=None)
        first_expected = bool(matches) and matches[0].entity_id in p.expected
        scored.append((p, hit, first_expected))
        if hit is None or hit < reference:
            first = matches[0] if matches else None
            misses.append(
                {
                    "query": p.query,
                    "origin": p.origin,
                    "group": p.group,
                    "expected": sorted(p.expected)[:5],
                    "expected_count": len(p.expected),
                    "expected_score": hit,
                    "top": (
                        {
                            "entity_id": first.entity_id,
                            "name": first.name,
                            "matched_name": first.matched_name.value,
                            "score": first.score,
                            "explanation": first.explanation.summary(),
                        }
                        if first
                        else None
                    ),
                }
            )
    by_threshold: dict[str, Any] = {}
    for t in thresholds:
        groups: dict[str, list[int]] = {}
        for p, hit, _ in scored:
            counts = groups.setdefault(p.group, [0, 0])
            counts[0] += 1
            counts[1] += hit is not None and hit >= t
        hits = sum(c[1] for c in groups.values())
        by_threshold[_key(t)] = {
            "hits": hits,
            "recall": _ratio(hits, len(scored)),
            "by_group": {
                g: {"n": n, "hits": h, "recall": _ratio(h, n)} for g, (n, h) in sorted(groups.items())
            },
        }
    top1 = sum(1 for entry in scored if entry[2])
    return {
        "description": pset.description,
        "n": len(scored),
        "skipped": pset.skipped,
        "top1": top1,
        "top1_rate": _ratio(top1, len(scored)),
        "by_threshold": by_threshold,
        "misses": misses,
    }


@dataclass(slots=True)
class Target:
    name: str
    value: float | None
    goal: str
    ok: bool

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "target": self.goal, "ok": self.ok}


def targets(figures: dict[str, Any]) -> list[Target]:
    """Every target at the default threshold, met or not."""
    at = figures["negatives"]["by_threshold"][_key(DEFAULT_THRESHOLD)]
    rate = at["overall"]["false_alert_rate"]
    worst = at["worst_group"]["false_alert_rate"]
    out = [
        Target(
            "false-alert rate",
            rate,
            f"<= {TARGETS['false_alert_rate']:.1%}",
            rate is not None and rate <= TARGETS["false_alert_rate"],
        ),
        Target(
            f"worst locale group ({at['worst_group']['group']})",
            worst,
            f"<= {TARGETS['worst_group_rate']:.1%}",
            worst is None or worst <= TARGETS["worst_group_rate"],
        ),
    ]
    for name, result in figures["positives"].items():
        floor = RECALL_FLOORS.get(name, 0.0)
        recall = result["by_threshold"][_key(DEFAULT_THRESHOLD)]["recall"]
        out.append(Target(f"recall: {name}", recall, f">= {floor:.1%}", (recall or 0.0) >= floor))
    return out


def run(
    engine: Engine,
    negatives_rows: Sequence[NegativeRow],
    positive_sets: Sequence[PositiveSet],
    thresholds: Iterable[float] = THRESHOLDS,
) -> dict[str, Any]:
    """Screen every negative and positive once, at the lowest threshold, and count for each
    threshold (the default one is always included). Returns every figure, JSON-ready."""
    levels = tuple(sorted({*thresholds, DEFAULT_THRESHOLD}))
    started = time.perf_counter()
    negatives = _screen_negatives(engine, negatives_rows, levels)
    positives = {s.name: _screen_positives(s.engine or engine, s, levels) for s in positive_sets}
    queries = len(negatives_rows) + sum(len(s.positives) for s in positive_sets)
    figures: dict[str, Any] = {
        "benchmark": "screening",
        "default_threshold": DEFAULT_THRESHOLD,
        "thresholds": list(levels),
        "limit": LIMIT,
        "lists": {source: ix.entity_count for source, ix in engine.indexes.items()},
        "queries": queries,
        "screening_seconds": round(time.perf_counter() - started, 2),
        "negatives": negatives,
        "positives": positives,
    }
    figures["targets"] = [t.to_dict() for t in targets(figures)]
    return figures


# --- Printing --------------------------------------------------------------------------------------


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def false_alerts(figures: dict[str, Any], threshold: float = DEFAULT_THRESHOLD) -> list[dict[str, Any]]:
    """The negatives that alert at ``threshold`` without a collision, worst first."""
    rows = [
        a
        for a in figures["negatives"]["alerts"]
        if a["score"] >= threshold and (a["collision_score"] is None or a["collision_score"] < threshold)
    ]
    return sorted(rows, key=lambda a: (-a["score"], a["id"]))


def worst_groups(
    figures: dict[str, Any], threshold: float = DEFAULT_THRESHOLD, count: int = WORST_SHOWN
) -> list[tuple[str, dict[str, Any]]]:
    groups = figures["negatives"]["by_threshold"][_key(threshold)]["by_group"]
    ranked = sorted(groups.items(), key=lambda g: (-(g[1]["false_alert_rate"] or 0.0), g[0]))
    return ranked[:count]


def print_negatives(figures: dict[str, Any], verbose: bool) -> None:
    t = DEFAULT_THRESHOLD
    at = figures["negatives"]["by_threshold"][_key(t)]
    print(f"## a. Negatives (invented names), threshold {t:.2f}\n")
    print("| type | queries | alerts | collisions | false alerts | false-alert rate |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, s in [*at["by_type"].items(), ("**all**", at["overall"])]:
        print(
            f"| {name} | {s['queries']} | {s['alerts']} | {s['collisions']} | {s['false_alerts']} "
            f"| {_pct(s['false_alert_rate'], 2)} |"
        )
    print("\n### Locale groups (false-alert rate, false alerts / queries)\n")
    print("| locale | persons | companies | all |\n|---|---:|---:|---:|")
    groups = at["by_group"]

    def cell(s: dict[str, Any] | None) -> str:
        return "" if s is None else f"{_pct(s['false_alert_rate'])} ({s['false_alerts']}/{s['queries']})"

    rows = [
        (locale, groups.get(f"person {locale}"), groups.get(f"company {locale}"), s)
        for locale, s in at["by_locale"].items()
    ]
    rows.append(("**all**", at["by_type"].get("person"), at["by_type"].get("company"), at["overall"]))
    for locale, persons, companies, both in rows:
        print(f"| {locale} | {cell(persons)} | {cell(companies)} | {cell(both)} |")
    examples: dict[str, dict[str, Any]] = {}
    for a in false_alerts(figures, t):
        examples.setdefault(f"{a['type']} {a['locale']}", a)
    print(f"\n### The {WORST_SHOWN} worst locale groups\n")
    print("| group | queries | alerts | collisions | false alerts | rate | worst false alert |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for group, s in worst_groups(figures, t):
        ex = examples.get(group)
        shown = f"{_cell(ex['query'])} -> {_cell(ex['matched_name'])} ({ex['score']:.3f})" if ex else ""
        print(
            f"| {group} | {s['queries']} | {s['alerts']} | {s['collisions']} | {s['false_alerts']} "
            f"| {_pct(s['false_alert_rate'])} | {shown} |"
        )
    collisions = [a for a in figures["negatives"]["alerts"] if (a["collision_score"] or 0.0) >= t]
    if collisions:
        print(
            f"\nTrue collisions ({len(collisions)}): "
            + "; ".join(f"{a['query']} = {a['matched_name']} ({a['entity_id']})" for a in collisions)
        )
    if verbose:
        every = false_alerts(figures, t)
        print(f"\n### Every false alert ({len(every)})\n")
        for a in every:
            print(
                f"- [{a['type']} {a['locale']}] {a['query']} -> {a['entity_name']} ({a['matched_name']}) "
                f"{a['score']:.3f} {a['explanation']}"
            )


def print_positives(figures: dict[str, Any], verbose: bool) -> None:
    t = DEFAULT_THRESHOLD
    print(f"\n## b. Positives, threshold {t:.2f}\n")
    print("| set | n | recall | top-1 | by slice (recall) | what the query is |")
    print("|---|---:|---:|---:|---|---|")
    for name, r in figures["positives"].items():
        at = r["by_threshold"][_key(t)]
        slices = "; ".join(f"{g} {_pct(s['recall'], 0)} of {s['n']}" for g, s in at["by_group"].items())
        skipped = f" ({r['skipped']} skipped: expected name on no list)" if r["skipped"] else ""
        print(
            f"| {name} | {r['n']} | {_pct(at['recall'])} | {_pct(r['top1_rate'])} | {_cell(slices)} "
            f"| {_cell(r['description'])}{skipped} |"
        )
    if not verbose:
        return
    for name, r in figures["positives"].items():
        if not r["misses"]:
            continue
        print(f"\n### {name}: {len(r['misses'])} misses\n")
        for m in r["misses"]:
            top = m["top"]
            found = (
                f"{top['name']} ({top['matched_name']}) {top['score']:.3f} {top['explanation']}"
                if top
                else "nothing"
            )
            expected = "none returned" if m["expected_score"] is None else f"{m['expected_score']:.3f}"
            print(f"- {m['query']} (from {m['origin']}; expected score {expected}) -> {found}")


def print_thresholds(figures: dict[str, Any]) -> None:
    sets = list(figures["positives"])
    print("\n## Thresholds\n")
    print(
        "| threshold | false-alert rate | worst locale group | "
        + " | ".join(f"recall {s}" for s in sets)
        + " |"
    )
    print("|---|---:|---|" + "---:|" * len(sets))
    for t in figures["thresholds"]:
        neg = figures["negatives"]["by_threshold"][_key(t)]
        worst = neg["worst_group"]
        label = f"**{t:.2f}** (default)" if t == DEFAULT_THRESHOLD else f"{t:.2f}"
        recalls = " | ".join(_pct(figures["positives"][s]["by_threshold"][_key(t)]["recall"]) for s in sets)
        print(
            f"| {label} | {_pct(neg['overall']['false_alert_rate'], 2)} "
            f"| {_pct(worst['false_alert_rate'])} ({worst['group']}) | {recalls} |"
        )


def print_report(figures: dict[str, Any], verbose: bool = False) -> None:
    print_negatives(figures, verbose)
    print_positives(figures, verbose)
    print_thresholds(figures)
    print("\n## Targets\n")
    print("| metric | value | target | met |\n|---|---:|---:|---|")
    for t in figures["targets"]:
        print(f"| {t['name']} | {_pct(t['value'], 2)} | {t['target']} | {'yes' if t['ok'] else '**no**'} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="reuse an already imported data directory")
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, help="queries per positive set")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of every sample")
    parser.add_argument(
        "--negatives-every", type=int, default=1, help="screen every n-th negative (default: all)"
    )
    parser.add_argument("--verbose", action="store_true", help="also list every false alert and miss")
    parser.add_argument("--json", type=Path, default=None, help="also write all figures as JSON here")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args(argv)
    if not SHARED_DATA.is_dir() or not NEGATIVES.is_file():
        print(f"skipped: the shared data is not available ({NEGATIVES} is absent)")
        return 0
    if options.sample < 1 or options.negatives_every < 1:
        parser.error("--sample and --negatives-every must be at least 1")

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = options.data_dir or Path(tmp)
        settings = Settings.from_env({}, data_dir=data_dir)
        error = import_lists(settings, SHARED_LISTS) if options.data_dir is None else None
        if error:
            print(error)
            return 1
        engine, indexes = load_engine(data_dir, settings.retention)
        loaded = time.perf_counter() - started
        sets = build_positive_sets(engine, options.seed, options.sample, indexes=indexes)
        built = time.perf_counter() - started - loaded
        for each in {id(e): e for e in (engine, *(s.engine for s in sets if s.engine))}.values():
            each.warm_up()
        negatives = load_negatives(NEGATIVES, options.negatives_every)
        figures = run(engine, negatives, sets, THRESHOLDS)
    figures.update(seed=options.seed, sample=options.sample, negatives_every=options.negatives_every)
    figures.update(load_seconds=round(loaded, 2), build_seconds=round(built, 2))
    entities = sum(figures["lists"].values())
    print(
        f"Screening on {len(figures['lists'])} lists ({entities:,} entities): {len(negatives):,} negatives, "
        f"{figures['queries'] - len(negatives):,} positives (seed {options.seed}, limit {LIMIT})\n"
    )
    print_report(figures, options.verbose)
    loading = "load" if options.data_dir else "import and load"
    print(
        f"\n{loaded:.1f} s to {loading} the lists, {built:.1f} s to build the positive sets and their "
        f"engines, {figures['screening_seconds']:.1f} s to screen {figures['queries']:,} queries."
    )
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    missed = [t["name"] for t in figures["targets"] if not t["ok"]]
    if missed:
        print(f"\nmissed targets: {', '.join(missed)}")
    return 1 if options.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
