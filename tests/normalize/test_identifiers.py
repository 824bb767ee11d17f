"""matcher.normalize.identifiers: the same number written differently compares equal."""

from __future__ import annotations

import pytest

from matcher.normalize.identifiers import normalize_identifier

IDENTIFIERS = [
    ("IMO 9123456", "9123456"),
    ("IMO9123456", "9123456"),
    ("imo: 9123456", "9123456"),
    ("9123456", "9123456"),
    ("MMSI 273456789", "273456789"),
    ("No. AB-12 34", "AB1234"),
    ("Nr. 5", "5"),
    ("number#77", "77"),
    ("ab1234", "AB1234"),
    (" OA 123456 ", "OA123456"),
    ("A1B2-c3", "A1B2C3"),
    ("BC-77", "BC77"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "canonical"), IDENTIFIERS, ids=[r or "<empty>" for r, _ in IDENTIFIERS])
def test_normalize_identifier(raw: str, canonical: str) -> None:
    assert normalize_identifier(raw) == canonical


def test_different_numbers_stay_different() -> None:
    assert normalize_identifier("OA 123456") != normalize_identifier("OA 123457")


def test_prefix_word_must_end_before_the_number() -> None:
    assert normalize_identifier("NOR123456") == "NOR123456"
