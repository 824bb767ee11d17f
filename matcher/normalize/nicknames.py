"""Given-name nickname groups: Ted ~ Theodore, Ben ~ Benjamin, Jon ~ John.

The table is the ``nicknames`` package's hand-curated English data (carltonnorthern/nicknames,
Apache-2.0), read once. Each name maps to the canonical names it is a form of, so two names agree
when their groups intersect.
"""

from __future__ import annotations

from typing import Final

_EMPTY: Final[frozenset[str]] = frozenset()
_GROUPS: Final[dict[str, frozenset[str]]] = {}


def _groups() -> dict[str, frozenset[str]]:
    """The table, read on first use (the scorer asks for every pair of names it cannot otherwise
    align, so later calls only look up a module global)."""
    if not _GROUPS:
        from nicknames import name_triplets

        groups: dict[str, set[str]] = {}
        for triplet in name_triplets():
            canonical = triplet.name1.lower()
            for name in (canonical, triplet.name2.lower()):
                groups.setdefault(name, set()).add(canonical)
        _GROUPS.update((k, frozenset(v)) for k, v in groups.items())
    return _GROUPS


def nickname_groups(name: str) -> frozenset[str]:
    """Canonical names that ``name`` (lowercase ASCII) is a nickname or form of; empty if none."""
    return (_GROUPS or _groups()).get(name, _EMPTY)
