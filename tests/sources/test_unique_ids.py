"""The shared id check of the one-id-per-record parsers (UN, EU, Canada): which records are refused."""

from __future__ import annotations

from matcher.model import Entity
from matcher.sources.base import ParseReport, Rejected, UniqueIds
from tests.listkit import person


def build(native: str) -> Entity:
    if native == "bad":
        raise Rejected("no name")
    return person("s", native, "Some Body")


def test_missing_repeated_and_unmappable_records_are_reported_under_their_label() -> None:
    report = ParseReport("s")
    ids = UniqueIds(report, missing="no REF", duplicate="duplicate REF")

    assert ids.admit("1", "rec 1", build) is not None
    assert ids.admit(None, "rec 2", build) is None
    assert ids.admit("1", "rec 3", build) is None
    assert ids.admit("bad", "rec 4", build) is None

    assert [(r.record, r.reason) for r in report.rejects] == [
        ("rec 2", "no REF"),
        ("rec 3", "duplicate REF"),
        ("rec 4", "no name"),
    ]


def test_a_rejected_record_does_not_claim_its_id() -> None:
    report = ParseReport("s")
    ids = UniqueIds(report, missing="no REF", duplicate="duplicate REF")
    calls: list[str] = []

    def flaky(native: str) -> Entity:
        calls.append(native)
        if len(calls) == 1:
            raise Rejected("no name")
        return person("s", native, "Some Body")

    assert ids.admit("7", "first", flaky) is None
    entity = ids.admit("7", "second", flaky)

    assert entity is not None and entity.native_id == "7"
    assert [r.reason for r in report.rejects] == ["no name"]
