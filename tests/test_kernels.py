"""Retrieval accumulation (matcher.kernels): summing, flooding rule, readings, ranking, reuse."""

from __future__ import annotations

import importlib.util
import random
import threading
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import matcher.kernels
from matcher.index import Postings
from matcher.kernels import Scratch, rank, scratch


def _postings(lists: dict[str, list[int]]) -> Postings:
    return Postings.from_lists(lists)


def _rank(
    postings: Postings,
    readings: list[tuple[float, list[tuple[float, tuple[int, ...]]]]],
    n: int,
    lengths: list[float] | None = None,
    common: int = 1500,
    limit: int = 10,
) -> list[tuple[float, int]]:
    lengths_array = np.array(lengths or [1.0] * n, dtype=np.float32)
    return rank(Scratch(n), postings.bounds, postings.data, lengths_array, readings, common, limit)


def test_a_group_counts_once_per_record_however_many_of_its_slots_list_it() -> None:
    p = _postings({"a": [0, 1], "b": [1, 2], "c": [2]})
    a, b, c = p.slots["a"], p.slots["b"], p.slots["c"]
    result = dict((rec, score) for score, rec in _rank(p, [(1.0, [(0.5, (a, b)), (0.25, (c,))])], 3))
    assert result == {0: 0.5, 1: 0.5, 2: 0.75}


def test_a_common_group_only_reranks_what_rarer_groups_found() -> None:
    p = _postings({"rare": [3], "common": [0, 1, 2, 3]})
    groups = [(1.0, (p.slots["common"],)), (1.0, (p.slots["rare"],))]
    assert _rank(p, [(1.0, groups)], 4, common=2) == [(2.0, 3)]
    # Alone, or when nothing rarer reached anything, a common group still finds its records.
    assert len(_rank(p, [(1.0, groups[:1])], 4, common=2)) == 4


def test_readings_are_alternatives_scaled_by_their_share_of_words() -> None:
    p = _postings({"x": [0], "y": [0, 1]})
    x, y = p.slots["x"], p.slots["y"]
    readings = [(1.0, [(1.0, (x,))]), (0.5, [(1.0, (x,)), (1.0, (y,))])]
    # Record 0: best of 1.0 and (1 + 1) * 0.5, not their sum; record 1: 0.5 from the second.
    assert _rank(p, readings, 2) == [(1.0, 0), (0.5, 1)]


def test_ties_go_to_the_shorter_name_then_the_lower_record_id_and_limit_holds() -> None:
    p = _postings({"w": [4, 3, 2, 1, 0]})
    ranked = _rank(p, [(1.0, [(1.0, (p.slots["w"],))])], 5, lengths=[3, 2, 2, 1, 2], limit=3)
    assert [rec for _, rec in ranked] == [3, 1, 2]


def test_tables_are_clean_for_the_next_query() -> None:
    p = _postings({"a": [0, 1], "b": [2]})
    tables = Scratch(3)
    lengths = np.ones(3, dtype=np.float32)
    first = rank(tables, p.bounds, p.data, lengths, [(1.0, [(1.0, (p.slots["a"],))])], 1500, 10)
    second = rank(tables, p.bounds, p.data, lengths, [(1.0, [(1.0, (p.slots["b"],))])], 1500, 10)
    assert first == [(1.0, 0), (1.0, 1)]
    assert second == [(1.0, 2)]


def _reference(
    p: Postings,
    readings: list[tuple[float, list[tuple[float, tuple[int, ...]]]]],
    n: int,
    lengths: np.ndarray,
    common: int,
    limit: int,
) -> list[tuple[float, int]]:
    """The rules written with numpy over every record, as retrieval was first built."""
    best = np.zeros(n, dtype=np.float32)
    for ratio, groups in readings:
        arrays = [
            (w, np.concatenate([p.data[p.bounds[s] : p.bounds[s + 1]] for s in slots])) for w, slots in groups
        ]
        arrays.sort(key=lambda g: len(g[1]))
        scores = np.zeros(n, dtype=np.float32)
        found = False
        for weight, hit in arrays:
            if len(hit) <= common or not found:
                scores[hit] += np.float32(weight)
                found = True
            else:
                known = hit[scores[hit] > 0]
                scores[known] += np.float32(weight)
        if ratio != 1:
            scores *= np.float32(ratio)
        best = np.maximum(best, scores)
    hits = np.flatnonzero(best > 0)
    keys = best[hits] - np.float32(0.01) * lengths[hits]
    order = sorted(range(len(hits)), key=lambda i: (-keys[i], hits[i]))[:limit]
    return [(float(best[hits[i]]), int(hits[i])) for i in order]


def _as_python() -> ModuleType:
    """The module's source run as plain Python (what a ``MATCHER_COMPILE=0`` build runs)."""
    source = Path(matcher.kernels.__file__).with_name("kernels.py")
    spec = importlib.util.spec_from_file_location("kernels_as_python", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("build", ["installed", "python"])
def test_agrees_with_the_dense_reference_on_random_tables(build: str) -> None:
    module = matcher.kernels if build == "installed" else _as_python()
    rng = random.Random(5)
    for _ in range(50):
        n = rng.randint(1, 300)
        p = _postings({f"k{i}": sorted(rng.sample(range(n), rng.randint(1, n))) for i in range(30)})
        lengths = np.array([rng.randint(1, 6) for _ in range(n)], dtype=np.float32)
        readings = [
            (
                rng.choice([1.0, 0.75, 0.5]),
                [
                    (rng.choice([1.0, 0.5, 0.3, 0.42]), tuple(rng.sample(range(30), rng.randint(1, 3))))
                    for _ in range(rng.randint(1, 5))
                ],
            )
            for _ in range(rng.randint(1, 3))
        ]
        common, limit = rng.randint(1, n), rng.randint(1, 20)
        got = module.rank(module.Scratch(n), p.bounds, p.data, lengths, readings, common, limit)
        assert got == _reference(p, readings, n, lengths, common, limit)


def test_each_thread_gets_its_own_tables() -> None:
    mine = scratch(10)
    assert scratch(10) is mine
    assert scratch(11) is not mine
    other: list[Scratch] = []
    thread = threading.Thread(target=lambda: other.append(scratch(11)))
    thread.start()
    thread.join()
    assert other[0] is not scratch(11)


@pytest.mark.parametrize("build", ["installed", "python"])
def test_probe_finds_exactly_the_words_sharing_a_deletion_hash(build: str) -> None:
    module = matcher.kernels if build == "installed" else _as_python()
    rng = random.Random(6)
    words = ["".join(rng.choice("abcde") for _ in range(rng.randint(7, 11))) for _ in range(300)]
    hashes = [(h, i) for i, w in enumerate(words) for h in set(module.word_hashes(w))]
    hashes.sort()
    table = np.array([h for h, _ in hashes], dtype=np.uint32)
    ids = np.array([i for _, i in hashes], dtype=np.uint32)
    for query in ["".join(rng.choice("abcde") for _ in range(rng.randint(7, 11))) for _ in range(100)]:
        mine = set(module.word_hashes(query))
        expected = {i for i, w in enumerate(words) if mine & set(module.word_hashes(w))}
        assert module.probe(query, table, ids) == expected
    assert module.probe("abcdefg", np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint32)) == set()
