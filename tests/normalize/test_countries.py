"""matcher.normalize.countries: country names and codes in any form -> one ISO 3166 code."""

from __future__ import annotations

import pytest

from matcher.normalize.countries import normalize_countries, normalize_country

COUNTRIES = [
    ("Russia", "ru"),
    ("Russian Federation", "ru"),
    ("RU", "ru"),
    ("ru", "ru"),
    ("RUS", "ru"),
    ("Россия", "ru"),
    ("Iran (Islamic Republic of)", "ir"),
    ("Iran", "ir"),
    ("Korea, Democratic People's Republic of", "kp"),
    ("North Korea", "kp"),
    ("Syrian Arab Republic", "sy"),
    ("United Kingdom", "gb"),
    ("UK", "gb"),
    ("Great Britain", "gb"),
    ("United States", "us"),
    ("USA", "us"),
    ("Deutschland", "de"),
    ("Côte d'Ivoire", "ci"),
    ("Ivory Coast", "ci"),
    ("Burma", "mm"),
    ("Kosovo", "xk"),
    # Canada's bilingual "English / French" form.
    ("Belarus / Bélarus", "by"),
    ("  Pakistan ", "pk"),
]


@pytest.mark.parametrize(("text", "code"), COUNTRIES, ids=[t for t, _ in COUNTRIES])
def test_normalize_country(text: str, code: str) -> None:
    assert normalize_country(text) == code


@pytest.mark.parametrize("text", ["Atlantis", "", "   "])
def test_unknown_or_empty_is_none(text: str) -> None:
    assert normalize_country(text) is None


def test_normalize_countries_keeps_only_resolvable_ones() -> None:
    assert normalize_countries(["Russia", "RU", "Atlantis", "Germany"]) == frozenset({"ru", "de"})
    assert normalize_countries(()) == frozenset()
