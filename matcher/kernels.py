"""Retrieval's two inner loops over numpy arrays, compiled by Cython.

**Summing postings** (:func:`rank`). :meth:`matcher.index.Blocking.candidates` hands it, per query
reading, the weighted groups of vocabulary slots its tokens reached; it adds each group's weight to
every record the group lists (once per record, however many of the group's slots list it), keeps
each record's best total over the readings, and returns the ``limit`` best records. Rules, as the
module docstring of :mod:`matcher.index` describes them:

- groups are taken smallest first; a group listing more than ``common`` records (a common given
  name, "bank") only adds weight to records an earlier group of the reading reached, unless none
  did: it re-ranks rather than floods the candidates;
- a reading of another length than the first is scaled by ``ratio`` (the share of words);
- records rank by total less 0.01 per word of their first reading (ties go to the shorter name),
  then by record id.

Done with numpy, a query cost a dozen array operations over every record of every list per reading
(zeroing, fancy-index adds, maximum, nonzero, partition), a tenth of the time of a whole query.
Here only the records the query reaches are touched: each group is a loop over slices of the
postings array, and the tables are cleared by the same lists of touched records.

**Probing the two-deletion table** (:func:`probe`) of :class:`matcher.index.FuzzyWords`: the
polynomial hashes of a word and of its one- and two-letter deletions (:func:`word_hashes`, the
scalar twin of :func:`matcher.index._deletion_hashes`), each looked up by binary search in the
sorted table. A word of twelve letters has 79 of them; as Python integers and numpy calls that was
the costliest step of a query that needs the fallback.

This file is Cython's pure-Python mode: ``setup.py`` compiles it, and a pure-Python build
(``MATCHER_COMPILE=0``) runs it as the same Python, slower but with the same results.
"""

from __future__ import annotations

import threading
from typing import Final

import cython
import numpy as np

_local = threading.local()

#: Deletion hashes are polynomial modulo a prime under 2**31, so every product of two residues
#: fits in 62 bits: numpy's int64 holds them for the whole table, and C's 64-bit integers for one
#: query word. Collisions only add words the edit distance then rejects.
HASH_MOD: Final = 2147483647  # 2**31 - 1
HASH_BASE: Final = 257
INV: Final = 16711935  # pow(HASH_BASE, -1, HASH_MOD), checked in the tests
INV2: Final = INV * INV % HASH_MOD


@cython.cclass
class Scratch:
    """Per-record working tables for :func:`rank`, reused across queries (zeroed after each by the
    lists of touched records). One per thread and record count (:func:`scratch`)."""

    size: cython.Py_ssize_t
    stamp: cython.uint
    current: cython.float[::1]
    best: cython.float[::1]
    mark: cython.uint[::1]
    reading_ids: cython.uint[::1]
    query_ids: cython.uint[::1]
    top_keys: cython.float[::1]
    top_scores: cython.float[::1]
    top_ids: cython.uint[::1]

    def __init__(self, size: cython.Py_ssize_t) -> None:
        self.size = size
        self.stamp = 0
        self.current = np.zeros(size, dtype=np.float32)
        self.best = np.zeros(size, dtype=np.float32)
        self.mark = np.zeros(size, dtype=np.uint32)
        self.reading_ids = np.zeros(size, dtype=np.uint32)
        self.query_ids = np.zeros(size, dtype=np.uint32)
        self.reserve(64)

    def reserve(self, limit: cython.Py_ssize_t) -> None:
        """Room for the ``limit`` best records."""
        self.top_keys = np.zeros(limit, dtype=np.float32)
        self.top_scores = np.zeros(limit, dtype=np.float32)
        self.top_ids = np.zeros(limit, dtype=np.uint32)


def scratch(size: int) -> Scratch:
    """This thread's tables for ``size`` records: the engine serves requests from several threads
    of one worker, and a table shared between two queries would mix their scores."""
    found: Scratch | None = getattr(_local, "scratch", None)
    if found is None or found.size != size:
        found = Scratch(size)
        _local.scratch = found
    return found


@cython.cfunc
@cython.inline
def _group_size(bounds: cython.longlong[::1], slots: tuple) -> cython.Py_ssize_t:  # type: ignore[type-arg]
    total: cython.Py_ssize_t = 0
    slot: cython.Py_ssize_t
    for slot in slots:
        total += bounds[slot + 1] - bounds[slot]
    return total


def rank(
    tables: Scratch,
    bounds: cython.longlong[::1],
    data: cython.uint[::1],
    lengths: cython.float[::1],
    readings: list,  # type: ignore[type-arg]
    common: cython.Py_ssize_t,
    limit: cython.Py_ssize_t,
) -> list[tuple[float, int]]:
    """``(retrieval score, record id)`` of the best ``limit`` records, best first.

    ``readings`` holds one ``(ratio, groups)`` per query reading, each group a ``(weight, slots)``
    pair of a float and a tuple of postings slots (rows of ``bounds``)."""
    current: cython.float[::1] = tables.current
    best: cython.float[::1] = tables.best
    mark: cython.uint[::1] = tables.mark
    reading_ids: cython.uint[::1] = tables.reading_ids
    query_ids: cython.uint[::1] = tables.query_ids
    reached: cython.Py_ssize_t = 0
    ratio: cython.float
    weight: cython.float
    value: cython.float
    stamp: cython.uint
    rec: cython.uint
    touched: cython.Py_ssize_t
    k: cython.Py_ssize_t
    end: cython.Py_ssize_t
    slot: cython.Py_ssize_t
    found: cython.bint
    flood: cython.bint
    for ratio_object, groups in readings:
        ratio = ratio_object
        # Smallest group first; equal sizes keep the tokens' order.
        ordered = sorted([(_group_size(bounds, slots), k, w, slots) for k, (w, slots) in enumerate(groups)])
        touched = 0
        found = False
        for size, _, weight_object, slots in ordered:
            weight = weight_object
            flood = found and size > common
            if tables.stamp == 0xFFFFFFFF:
                mark[:] = 0
                tables.stamp = 0
            tables.stamp += 1
            stamp = tables.stamp
            for slot in slots:
                end = bounds[slot + 1]
                for k in range(bounds[slot], end):
                    rec = data[k]
                    if mark[rec] == stamp:
                        continue
                    mark[rec] = stamp
                    if flood:
                        if current[rec] > 0:
                            current[rec] += weight
                    else:
                        if current[rec] == 0:
                            reading_ids[touched] = rec
                            touched += 1
                        current[rec] += weight
            found = True
        for k in range(touched):
            rec = reading_ids[k]
            value = current[rec]
            current[rec] = 0
            if ratio != 1:
                value *= ratio
            if best[rec] == 0:
                query_ids[reached] = rec
                reached += 1
            if value > best[rec]:
                best[rec] = value
    if tables.top_ids.shape[0] < limit:
        tables.reserve(limit)
    return _top(tables, query_ids, reached, lengths, limit)


@cython.cfunc
def _top(
    tables: Scratch,
    ids: cython.uint[::1],
    count: cython.Py_ssize_t,
    lengths: cython.float[::1],
    limit: cython.Py_ssize_t,
) -> list:  # type: ignore[type-arg]
    """The ``limit`` best of ``count`` reached records, by sort key descending then record id
    (clearing ``best`` for the next query). An insertion into a short sorted array: a query reaches
    hundreds of records and keeps a dozen."""
    best: cython.float[::1] = tables.best
    keys: cython.float[::1] = tables.top_keys
    scores: cython.float[::1] = tables.top_scores
    kept_ids: cython.uint[::1] = tables.top_ids
    kept: cython.Py_ssize_t = 0
    k: cython.Py_ssize_t
    pos: cython.Py_ssize_t
    rec: cython.uint
    score: cython.float
    key: cython.float
    factor: cython.float = 0.01
    for k in range(count):
        rec = ids[k]
        score = best[rec]
        best[rec] = 0
        key = score - factor * lengths[rec]
        if kept < limit:
            pos = kept
            kept += 1
        elif key > keys[kept - 1] or (key == keys[kept - 1] and rec < kept_ids[kept - 1]):
            pos = kept - 1
        else:
            continue
        while pos > 0 and (keys[pos - 1] < key or (keys[pos - 1] == key and kept_ids[pos - 1] > rec)):
            keys[pos] = keys[pos - 1]
            scores[pos] = scores[pos - 1]
            kept_ids[pos] = kept_ids[pos - 1]
            pos -= 1
        keys[pos] = key
        scores[pos] = score
        kept_ids[pos] = rec
    return [(float(scores[k]), int(kept_ids[k])) for k in range(kept)]


@cython.cfunc
def _fill(word: str, out: cython.uint[::1]) -> cython.Py_ssize_t:
    """Write the hashes of ``word`` and of its one- and two-letter deletions into ``out``, in the
    order of :func:`matcher.index._deletion_hashes` (see there for the formula)."""
    n: cython.Py_ssize_t = len(word)
    m: cython.longlong = HASH_MOD
    base: cython.longlong = HASH_BASE
    inv: cython.longlong = INV
    inv2: cython.longlong = INV2
    prefix: cython.longlong[::1] = np.zeros(n + 1, dtype=np.int64)
    power: cython.longlong = 1
    code: cython.longlong
    whole: cython.longlong
    i: cython.Py_ssize_t
    j: cython.Py_ssize_t
    k: cython.Py_ssize_t = 0
    for i in range(n):
        code = ord(word[i]) + 1
        prefix[i + 1] = (prefix[i] + code * power % m) % m
        power = power * base % m
    whole = prefix[n]
    out[k] = whole
    k += 1
    for i in range(n):
        out[k] = (prefix[i] + (whole - prefix[i + 1] + m) % m * inv) % m
        k += 1
    for i in range(n):
        for j in range(i + 1, n):
            out[k] = (
                prefix[i]
                + (prefix[j] - prefix[i + 1] + m) % m * inv % m
                + (whole - prefix[j + 1] + m) % m * inv2 % m
            ) % m
            k += 1
    return k


def word_hashes(word: str) -> list[int]:
    """The hashes of ``word``, of its one-letter deletions and of its two-letter deletions, in the
    order of :func:`matcher.index._deletion_hashes` for a table of words of that length."""
    n = len(word)
    out = np.zeros(1 + n + n * (n - 1) // 2, dtype=np.uint32)
    _fill(word, out)
    return [int(h) for h in out]


def probe(word: str, hashes: cython.uint[::1], ids: cython.uint[::1]) -> set[int]:
    """Ids of the table's words that share a hash with ``word`` or one of its deletions (within
    two edits, or a collision): ``hashes`` sorted, ``ids`` the word of each hash."""
    n: cython.Py_ssize_t = len(word)
    count: cython.Py_ssize_t = 1 + n + n * (n - 1) // 2
    probes = np.zeros(count, dtype=np.uint32)
    _fill(word, probes)
    probes.sort()
    found: cython.uint[::1] = probes
    out: set[int] = set()
    size: cython.Py_ssize_t = hashes.shape[0]
    # The probes are sorted, so each search starts where the last one ended.
    start: cython.Py_ssize_t = 0
    lo: cython.Py_ssize_t
    hi: cython.Py_ssize_t
    mid: cython.Py_ssize_t
    k: cython.Py_ssize_t
    h: cython.uint
    for k in range(count):
        h = found[k]
        if k > 0 and h == found[k - 1]:
            continue
        lo = start
        hi = size
        while lo < hi:
            mid = (lo + hi) >> 1
            if hashes[mid] < h:
                lo = mid + 1
            else:
                hi = mid
        start = lo
        while lo < size and hashes[lo] == h:
            out.add(int(ids[lo]))
            lo += 1
    return out
