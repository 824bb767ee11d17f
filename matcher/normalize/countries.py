"""Country names and codes -> ISO 3166-1 alpha-2, for comparing countries across lists.

Lists write countries as names in several languages ("Russia", "Russian Federation",
"Belarus / Bélarus"), as codes, or with qualifiers ("Iran (Islamic Republic of)"). rigour's
territory database (derived from Wikidata and ISO 3166) resolves all of those; we only split the
bilingual "A / B" form Canada uses and cache the lookups.
"""

from __future__ import annotations

from functools import lru_cache

from rigour.territories import lookup_territory


@lru_cache(maxsize=20_000)
def normalize_country(text: str) -> str | None:
    """The lowercase ISO 3166-1 alpha-2 code (or rigour's territory code) for ``text``, or None."""
    text = " ".join(text.split())
    if not text:
        return None
    for part in (text, *text.split("/")):
        territory = lookup_territory(part.strip())
        if territory is not None:
            return str(territory.code)
    return None


def normalize_countries(values: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Every resolvable country among ``values``; unresolvable ones are left out."""
    return frozenset(code for code in (normalize_country(v) for v in values) if code)
