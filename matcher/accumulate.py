"""Retrieval scores summed over postings and ranked, in one pass compiled by Cython.

:meth:`matcher.index.Blocking.candidates` hands this module, per query reading, the weighted groups
of vocabulary slots its tokens reached; :func:`rank` adds each group's weight to every record the
group lists (once per record, however many of the group's slots list it), keeps each record's best
total over the readings, and returns the ``limit`` best records. Rules, as the module docstring of
:mod:`matcher.index` describes them:

- groups are taken smallest first; a group listing more than ``common`` records (a common given
  name, "bank") only adds weight to records an earlier group of the reading reached, unless none
  did: it re-ranks rather than floods the candidates;
- a reading of another length than the first is scaled by ``ratio`` (the share of words);
- records rank by total less 0.01 per word of their first reading (ties go to the shorter name),
  then by record id.

Why compiled: done with numpy, a query cost a dozen array operations over every record of every
list per reading (zeroing, fancy-index adds, maximum, nonzero, partition), a tenth of the time of a
whole query. Here only the records the query reaches are touched: each group is a loop over slices
of the postings array, and the tables are cleared by the same lists of touched records.

This file is Cython's pure-Python mode: ``setup.py`` compiles it, and a pure-Python build
(``MATCHER_COMPILE=0``) runs it as the same Python, slower but with the same results.
"""

from __future__ import annotations

import threading

import cython
import numpy as np

_local = threading.local()


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

    def __init__(self, size: cython.Py_ssize_t) -> None:
        self.size = size
        self.stamp = 0
        self.current = np.zeros(size, dtype=np.float32)
        self.best = np.zeros(size, dtype=np.float32)
        self.mark = np.zeros(size, dtype=np.uint32)
        self.reading_ids = np.zeros(size, dtype=np.uint32)
        self.query_ids = np.zeros(size, dtype=np.uint32)


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
    return _top(best, query_ids, reached, lengths, limit)


@cython.cfunc
def _top(
    best: cython.float[::1],
    ids: cython.uint[::1],
    count: cython.Py_ssize_t,
    lengths: cython.float[::1],
    limit: cython.Py_ssize_t,
) -> list:  # type: ignore[type-arg]
    """The ``limit`` best of ``count`` reached records (clearing ``best`` for the next query)."""
    ranked: list = []  # type: ignore[type-arg]
    # Sort keys are (-key, record id): a record enters while its key is at least the worst kept.
    worst: cython.float = -1e30
    k: cython.Py_ssize_t
    rec: cython.uint
    score: cython.float
    key: cython.float
    factor: cython.float = 0.01
    for k in range(count):
        rec = ids[k]
        score = best[rec]
        best[rec] = 0
        key = score - factor * lengths[rec]
        if key >= worst:
            ranked.append((-key, rec, score))
            if len(ranked) >= 2 * limit:
                # Keep the list short: a query can reach thousands of records.
                ranked.sort()
                del ranked[limit:]
                worst = -ranked[limit - 1][0]
    ranked.sort()
    return [(float(score), int(rec)) for _, rec, score in ranked[:limit]]
