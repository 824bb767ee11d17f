"""Normalisation: everything that turns a raw name into comparable tokens.

Modules, in pipeline order:

- :mod:`~matcher.normalize.text` folds text without changing script (NFKC, case, homoglyphs,
  diacritics, punctuation);
- :mod:`~matcher.normalize.translit` transliterates tokens to ASCII per script (ICU, pypinyin,
  pykakasi, Revised Romanisation);
- :mod:`~matcher.normalize.phonetic` computes romanisation keys and consonant skeletons;
- :mod:`~matcher.normalize.names` runs the whole pipeline for a name of a given entity type
  (titles, legal forms, abbreviations, vessel prefixes, acronyms, token classes);
- :mod:`~matcher.normalize.countries` resolves country names and codes to ISO 3166 alpha-2;
- :mod:`~matcher.normalize.identifiers` canonicalises identifier values for equality.

Curated tables live in ``normalize/data/*.yml`` with comments saying why each entry is there.
Everything here is pure and memoised; :func:`reset_caches` frees the memo tables.
"""

from __future__ import annotations

from matcher.normalize.names import NormName, Token, TokenClass, normalize_name
from matcher.normalize.phonetic import romanization_key, skeleton
from matcher.normalize.text import fold, tokenize
from matcher.normalize.translit import latinize


def reset_caches() -> None:
    """Clear every memo table (long-lived processes call this after a large bulk job)."""
    from matcher.normalize import names, phonetic, text, translit

    for fn in (
        names.normalize_name,
        phonetic.romanization_key,
        phonetic.skeleton,
        text.fold,
        translit.latinize,
    ):
        fn.cache_clear()


__all__ = [
    "NormName",
    "Token",
    "TokenClass",
    "fold",
    "latinize",
    "normalize_name",
    "reset_caches",
    "romanization_key",
    "skeleton",
    "tokenize",
]
