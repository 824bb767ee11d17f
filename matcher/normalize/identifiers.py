"""Identifier values -> a canonical form for equality.

Lists write the same passport or IMO number with and without spaces, dashes, prefixes such as
"IMO" or "No.", and in mixed case. Equality after removing everything but letters and digits and
upper-casing is what compliance reviewers accept as "the same number"; check digits are not
verified here because lists publish numbers with known typos that still identify the party.
"""

from __future__ import annotations

import re

_PREFIX = re.compile(r"^(?:imo|mmsi|no|nr|number)(?:[\s.:#-]+|(?=\d))", re.IGNORECASE)


def normalize_identifier(value: str) -> str:
    """Canonical identifier: prefix-free, letters and digits only, upper case."""
    value = _PREFIX.sub("", value.strip())
    return "".join(c for c in value if c.isalnum()).upper()
