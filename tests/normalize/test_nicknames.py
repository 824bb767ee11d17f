"""matcher.normalize.nicknames: given names and their familiar forms share a group."""

from __future__ import annotations

import pytest

from matcher.normalize.nicknames import nickname_groups

SAME_PERSON = [
    ("ted", "theodore"),
    ("jon", "john"),
    ("bill", "william"),
    ("bob", "robert"),
    ("liz", "elizabeth"),
    ("peggy", "margaret"),
]


@pytest.mark.parametrize(("short", "full"), SAME_PERSON, ids=[f"{a}~{b}" for a, b in SAME_PERSON])
def test_nickname_and_full_name_share_a_group(short: str, full: str) -> None:
    assert nickname_groups(short) & nickname_groups(full)


@pytest.mark.parametrize(("a", "b"), [("john", "mary"), ("ted", "william"), ("peggy", "elizabeth")])
def test_unrelated_names_share_no_group(a: str, b: str) -> None:
    assert not nickname_groups(a) & nickname_groups(b)


@pytest.mark.parametrize("name", ["xyzzy", "", "Bill"])  # the table is lowercase ASCII
def test_unknown_name_has_no_group(name: str) -> None:
    assert nickname_groups(name) == frozenset()
