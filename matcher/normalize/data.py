"""Loaders for the curated tables in ``normalize/data/*.yml``.

Each table is a commented YAML file (the comments say why an entry is there and where it came from).
They are read lazily, once per process, behind ``functools.cache``: nothing is loaded at import time,
so ``import matcher`` stays cheap for the CLI.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml


def _load(name: str) -> Any:
    text = resources.files("matcher.normalize").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def confusables() -> dict[str, str]:
    """Non-Latin lookalike letter -> Latin letter (applied only inside Latin words)."""
    table = _load("confusables.yml")
    return {k: v for part in table.values() for k, v in part.items()}


@cache
def cyrillic_lookalikes() -> dict[str, str]:
    """Latin letter -> the Cyrillic letter it imitates (the inverse of the Cyrillic table)."""
    table: dict[str, str] = {}
    for cyr, lat in _load("confusables.yml")["cyrillic"].items():
        table.setdefault(str(lat), str(cyr))
    return table


@cache
def honorifics() -> frozenset[str]:
    return frozenset(str(x) for x in _load("honorifics.yml"))


@cache
def particles() -> frozenset[str]:
    return frozenset(str(x) for x in _load("particles.yml"))


@cache
def org_generic_words() -> frozenset[str]:
    return frozenset(str(x) for x in _load("org_words.yml")["generic"])


@cache
def org_abbreviations() -> dict[str, str]:
    return {str(k): str(v) for k, v in _load("org_words.yml")["abbreviations"].items()}


@cache
def cjk_legal_forms() -> tuple[tuple[str, str], ...]:
    """(suffix, generic form), longest suffix first so 股份有限公司 wins over 有限公司."""
    forms = _load("org_words.yml")["cjk_legal_forms"]
    return tuple(sorted(((str(k), str(v)) for k, v in forms.items()), key=lambda kv: -len(kv[0])))


@cache
def vessel_prefixes() -> frozenset[str]:
    return frozenset(str(x) for x in _load("vessel.yml")["prefixes"])


@cache
def number_words() -> dict[str, int]:
    return {str(k): int(v) for k, v in _load("numbers.yml").items()}


@cache
def korean_surnames() -> dict[str, str]:
    return {str(k): str(v) for k, v in _load("korean.yml")["surnames"].items()}


@cache
def korean_transcription_syllables() -> frozenset[str]:
    """Syllables of foreign names that Sino-Korean given names do not have (korean.yml)."""
    return frozenset(str(x) for x in _load("korean.yml")["transcription"])


@cache
def chinese_surnames() -> frozenset[str]:
    """Common Chinese surnames (chinese_surnames.yml): a short Han name starting with one is native."""
    return frozenset(str(_load("chinese_surnames.yml")["surnames"]).split())


@cache
def transcription_characters() -> frozenset[str]:
    """Characters Chinese spells foreign names with and native names hardly ever use."""
    return frozenset(str(_load("chinese_surnames.yml")["transcription"]).split())


@cache
def abjad_compounds() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    """Heads, article spellings and spellings of Allah that make two abjad words one compound
    name (abjad_compounds.yml)."""
    data = _load("abjad_compounds.yml")
    return (
        frozenset(str(x) for x in data["heads"]),
        tuple(str(x) for x in data["articles"]),
        frozenset(str(x) for x in data["allah"]),
    )


@cache
def nominative_endings() -> frozenset[str]:
    """Endings Baltic languages add to foreign names (Putinas, Vladimirs): see inflections.yml."""
    return frozenset(str(x) for x in _load("inflections.yml")["nominative_endings"])


@cache
def translit_rewrites(name: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """A list of ``[pattern, replacement]`` rewrites from translit.yml, compiled."""
    return tuple((re.compile(str(p)), str(r)) for p, r in _load("translit.yml")[name])


@cache
def translit_markers(name: str) -> re.Pattern[str]:
    """One pattern matching any of a list of markers from translit.yml."""
    return re.compile("|".join(f"(?:{p})" for p in _load("translit.yml")[name]))


@cache
def syllabic_rules() -> dict[str, tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]]:
    """Per script, ``(pattern, replacements)`` rules offering the alphabetic spellings a syllabic
    script's syllable stands for (see syllabic.yml)."""
    return {
        str(script): tuple((re.compile(str(p)), tuple(str(r) for r in repl)) for p, repl in rules)
        for script, rules in _load("syllabic.yml").items()
    }
