"""Query workloads shared by the benchmarks: listed names with realistic data-entry variations,
and invented names that are on no list. Deterministic for a given random generator."""

from __future__ import annotations

import random
import string
from pathlib import Path

from matcher.refresh import refresh_sources
from matcher.settings import Settings

SYLLABLES = ["ka", "lo", "mer", "ti", "van", "dre", "sul", "po", "zen", "ra", "bel", "ox", "qui", "nar"]


def perturb(name: str, rng: random.Random) -> str:
    """One realistic variation of a listed name: a dropped or reordered word, a lower-cased
    name, or a deleted, swapped or substituted letter (or the name unchanged)."""
    words = name.split()
    op = rng.randrange(7)
    if op == 0 and len(words) >= 3:
        words.pop(rng.randrange(len(words)))
    elif op == 1 and len(words) >= 2:
        words.reverse()
    elif op == 2:
        return name.lower()
    elif op in (3, 4, 5) and words:
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            k = rng.randrange(len(w) - 1)
            if op == 3:
                w = w[:k] + w[k + 1 :]
            elif op == 4:
                w = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
            else:
                w = w[:k] + rng.choice(string.ascii_lowercase) + w[k + 1 :]
            words[i] = w
    return " ".join(words)


def invented(rng: random.Random) -> str:
    """A pronounceable name made of syllables that appears on no list."""
    return " ".join(
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        for _ in range(rng.randint(2, 3))
    )


def mixed(names: list[str], rng: random.Random, invented_share: float = 0.3) -> str:
    """One query: an invented name with probability ``invented_share``, else a varied listed one."""
    return invented(rng) if rng.random() < invented_share else perturb(rng.choice(names), rng)


def import_lists(settings: Settings, lists_dir: Path) -> str | None:
    """Import every list folder of ``lists_dir`` into ``settings.data_dir``, as ``matcher lists
    refresh --from-dir`` does: the line saying what failed, or None."""
    failed = [r for r in refresh_sources(settings, from_dir=lists_dir) if r.error]
    if failed:
        return "import failed: " + "; ".join(f"{r.source}: {r.error}" for r in failed)
    return None
