"""The versioned store: atomic switch, retention, rollback, diff, and crashes that leave no trace."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from matcher.errors import StoreError
from matcher.model import Entity
from matcher.sources import ParseReport
from matcher.store import VERSION_RE, Store, hash_files
from tests.conftest import REPO
from tests.listkit import person, write

HASH_A = "a" * 64
HASH_B = "b" * 64


def people(*natives: str, name: str = "Some Body") -> list[Entity]:
    return [person("s", n, name) for n in natives]


@pytest.fixture
def store(settings) -> Store:
    return Store(settings.data_dir, retention=settings.retention)


def test_empty_store(store):
    assert store.sources() == []
    assert store.active("s") is None
    assert store.versions("s") == []
    with pytest.raises(StoreError, match="no active version"):
        store.load_entities("s")


def test_commit_writes_snapshot_meta_and_raw_files(store, tmp_path):
    raw = write(tmp_path / "in" / "list.xml", b"<x/>")
    content_hash, infos = hash_files([raw])
    report = ParseReport("s", published="2026-02-27", records=3)
    report.reject("rec 3", "no name")
    meta = store.commit(
        "s",
        people("1", "2"),
        fmt="un_xml",
        content_hash=content_hash,
        origin=["https://x/list.xml"],
        files=[raw],
        report=report,
    )
    assert VERSION_RE.match(meta.version) and meta.version.endswith(content_hash[:8])
    assert store.sources() == ["s"]
    assert store.active("s") == meta
    assert meta.published == "2026-02-27"
    assert meta.counts.entities == 2 and meta.counts.names == 2 and meta.counts.records == 3
    assert meta.counts.by_type == {"person": 2}
    assert meta.rejected.count == 1 and meta.rejected.reasons[0].reason == "no name"
    assert meta.files == infos and infos[0].bytes == 4
    assert meta.origin == ("https://x/list.xml",)
    assert meta.created_by.startswith("matcher ")
    folder = store.snapshot_dir("s", meta.version)
    assert (folder / "raw" / "list.xml").read_bytes() == b"<x/>"
    assert json.loads((folder / "meta.json").read_text())["version"] == meta.version
    assert [e.id for e in store.load_entities("s")] == ["s:1", "s:2"]
    assert list(store.load_entities("s"))[0] == people("1")[0]


def test_content_hash_is_order_independent_and_covers_names(tmp_path):
    a = write(tmp_path / "a.csv", b"1")
    b = write(tmp_path / "b.csv", b"2")
    assert hash_files([a, b])[0] == hash_files([b, a])[0]
    c = write(tmp_path / "c.csv", b"1")
    assert hash_files([a])[0] != hash_files([c])[0]


def test_version_ids_sort_in_commit_order_within_one_second(store):
    versions = [
        store.commit("s", people(str(i)), fmt="t", content_hash=h * 64).version for i, h in enumerate("fedc")
    ]
    assert versions == sorted(versions)
    assert len(set(versions)) == 4
    assert [m.version for m in store.versions("s")] == versions[::-1]


def test_atomic_switch_readers_see_the_old_version_until_commit_ends(store):
    old = store.commit("s", people("1", "2"), fmt="t", content_hash=HASH_A)
    token = store.state_token()
    seen_during: list[str] = []

    def entities():
        yield from people("1", "2", "3")
        # Half-way through the new import, readers still get the old version, complete.
        seen_during.append(store.active("s").version)
        seen_during.append(str(len(list(store.load_entities("s")))))
        assert store.state_token() == token
        yield from people("4")

    new = store.commit("s", entities(), fmt="t", content_hash=HASH_B)
    assert seen_during == [old.version, "2"]
    assert store.active("s").version == new.version
    assert store.state_token() != token
    pointer = store.source_dir("s") / "active"
    assert pointer.read_text() == f"{new.version}\n"
    assert not [p for p in pointer.parent.iterdir() if p.name.endswith(".tmp")]


def test_crash_half_way_leaves_active_intact_and_no_temp_dir(store):
    old = store.commit("s", people("1", "2"), fmt="t", content_hash=HASH_A)

    def broken():
        yield from people("1", "2", "3")
        raise RuntimeError("parser blew up")

    with pytest.raises(RuntimeError, match="parser blew up"):
        store.commit("s", broken(), fmt="t", content_hash=HASH_B)
    assert store.active("s") == old
    assert [m.version for m in store.versions("s")] == [old.version]
    assert [e.id for e in store.load_entities("s")] == ["s:1", "s:2"]
    assert list((store.data_dir / ".tmp").iterdir()) == []


def test_check_can_reject_before_anything_is_visible_or_add_warnings(store):
    old = store.commit("s", people("1"), fmt="t", content_hash=HASH_A)

    def refuse(meta):
        assert meta.counts.entities == 3
        raise StoreError("no thanks")

    with pytest.raises(StoreError, match="no thanks"):
        store.commit("s", people("1", "2", "3"), fmt="t", content_hash=HASH_B, check=refuse)
    assert store.active("s") == old and len(store.versions("s")) == 1
    meta = store.commit("s", people("1", "2"), fmt="t", content_hash=HASH_B, check=lambda m: ["small"])
    assert meta.warnings == ("small",)
    assert store.active("s").warnings == ("small",)


def test_sigkill_during_commit_leaves_active_readable_and_next_commit_cleans_up(store, tmp_path):
    old = store.commit("s", people("1", "2"), fmt="t", content_hash=HASH_A)
    marker = tmp_path / "half-way"
    script = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        from matcher.model import Entity, EntityType, Name
        from matcher.store import Store

        def entities():
            for i in range(1000):
                if i == 50:
                    Path(sys.argv[2]).write_text("half")
                    time.sleep(60)
                yield Entity(id=f"s:{i}", source="s", type=EntityType.PERSON, names=(Name(f"N {i}"),))

        Store(Path(sys.argv[1])).commit("s", entities(), fmt="t", content_hash="c" * 64)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(store.data_dir), str(marker)], cwd=REPO)
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert proc.poll() is None, "the importing process died before the kill"
            assert time.monotonic() < deadline, "the importing process never got half-way"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    leftovers = list((store.data_dir / ".tmp").iterdir())
    assert len(leftovers) == 1 and (leftovers[0] / "entities.jsonl.gz").exists()
    assert store.active("s") == old
    assert [e.id for e in store.load_entities("s")] == ["s:1", "s:2"]
    # The dead writer's lock is gone (the kernel released it) and its half snapshot is removed.
    new = store.commit("s", people("1", "2", "3"), fmt="t", content_hash=HASH_B)
    assert list((store.data_dir / ".tmp").iterdir()) == []
    assert store.active("s") == new


def test_retention_keeps_newest_and_always_the_active(settings):
    store = Store(settings.data_dir, retention=2)
    metas = [
        store.commit("s", people(*map(str, range(i + 1))), fmt="t", content_hash=h * 64)
        for i, h in enumerate("abcd")
    ]
    assert [m.version for m in store.versions("s")] == [metas[3].version, metas[2].version]
    store.activate("s", metas[2].version)
    metas.append(store.commit("s", people("x"), fmt="t", content_hash="e" * 64))
    # After a commit the newest is active again; the rolled-back-to version is kept only while active.
    assert [m.version for m in store.versions("s")] == [metas[4].version, metas[3].version]
    store.activate("s", metas[3].version)
    store.commit("s", people("y"), fmt="t", content_hash="f" * 64)
    assert len(store.versions("s")) == 2
    assert not (store.data_dir / ".tmp").exists() or list((store.data_dir / ".tmp").iterdir()) == []


def test_prune_never_removes_the_active_version(settings):
    store = Store(settings.data_dir, retention=2)
    oldest = store.commit("s", people("1"), fmt="t", content_hash="a" * 64)
    for h in "bc":
        store.commit("s", people("1", h), fmt="t", content_hash=h * 64)
    assert oldest.version not in [m.version for m in store.versions("s")]
    middle = store.versions("s")[1]
    store.activate("s", middle.version)
    store._prune("s")  # the invariant itself: active survives whatever its age
    assert store.active("s") == middle
    store2 = Store(settings.data_dir, retention=1)
    store2._prune("s")
    assert [m.version for m in store2.versions("s")] == [store.versions("s")[0].version, middle.version]


def test_rollback_is_activating_an_older_version(store):
    v1 = store.commit("s", people("1"), fmt="t", content_hash=HASH_A)
    v2 = store.commit("s", people("1", "2"), fmt="t", content_hash=HASH_B)
    assert store.previous("s") == v1
    token = store.state_token()
    assert store.activate("s", v1.version) == v1
    assert store.active("s") == v1 and store.state_token() != token
    assert [e.id for e in store.load_entities("s")] == ["s:1"]
    assert [e.id for e in store.load_entities("s", v2.version)] == ["s:1", "s:2"]
    assert store.previous("s") is None
    store.activate("s", v2.version)
    assert store.state_token() == token  # the token follows the pointers, not time


def test_activate_unknown_version(store):
    store.commit("s", people("1"), fmt="t", content_hash=HASH_A)
    with pytest.raises(StoreError, match="no version 20990101T000000Z-00000000 of s"):
        store.activate("s", "20990101T000000Z-00000000")
    with pytest.raises(StoreError, match="invalid version id"):
        store.activate("s", "../../etc")


def test_diff_added_removed_changed(store):
    store.commit("s", people("1", "2", "3"), fmt="t", content_hash=HASH_A)
    v2 = store.commit(
        "s", [*people("1"), *people("2", name="Other Body"), *people("4", "5")], fmt="t", content_hash=HASH_B
    )
    diff = store.diff("s")
    assert (diff.added, diff.removed, diff.changed) == (("s:4", "s:5"), ("s:3",), ("s:2",))
    assert diff.to_version == v2.version
    back = store.diff("s", from_version=v2.version, to_version=store.versions("s")[1].version)
    assert (back.added, back.removed, back.changed) == (("s:3",), ("s:4", "s:5"), ("s:2",))
    assert diff.to_dict()["added"] == ["s:4", "s:5"]


def test_diff_ignores_source_file_only(store):
    a = Entity(
        id="s:1", source="s", type=person("s", "1").type, names=person("s", "1").names, source_file="a.csv"
    )
    b = Entity(id="s:1", source="s", type=a.type, names=a.names, source_file="b.xlsx")
    store.commit("s", [a], fmt="t", content_hash=HASH_A)
    store.commit("s", [b], fmt="t", content_hash=HASH_B)
    assert store.diff("s").changed == ()


def test_diff_needs_two_versions(store):
    store.commit("s", people("1"), fmt="t", content_hash=HASH_A)
    with pytest.raises(StoreError, match="no version of s older than"):
        store.diff("s")


def test_duplicate_or_foreign_entities_are_refused(store):
    with pytest.raises(StoreError, match="duplicate entity id s:1"):
        store.commit("s", people("1", "1"), fmt="t", content_hash=HASH_A)
    with pytest.raises(StoreError, match="belongs to other"):
        store.commit("s", [person("other", "1")], fmt="t", content_hash=HASH_A)
    assert store.active("s") is None


def test_files_must_match_the_content_hash(store, tmp_path):
    raw = write(tmp_path / "a.xml", b"<a/>")
    with pytest.raises(StoreError, match="changed while being imported"):
        store.commit("s", people("1"), fmt="t", content_hash=HASH_A, files=[raw])


def test_bad_source_ids_and_hashes(store):
    with pytest.raises(StoreError, match="invalid source id"):
        store.commit("../x", people("1"), fmt="t", content_hash=HASH_A)
    with pytest.raises(StoreError, match="lowercase hex"):
        store.commit("s", people("1"), fmt="t", content_hash="XYZ")


def test_corrupt_snapshot_is_a_store_error(store):
    meta = store.commit("s", people("1", "2"), fmt="t", content_hash=HASH_A)
    path = store.snapshot_dir("s", meta.version) / "entities.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"id": "s:1"')[:-6])
    with pytest.raises(StoreError, match="corrupt snapshot"):
        list(store.load_entities("s"))


def test_missing_active_version_is_reported(store):
    meta = store.commit("s", people("1"), fmt="t", content_hash=HASH_A)
    (store.snapshot_dir("s", meta.version) / "meta.json").unlink()
    with pytest.raises(StoreError, match="is missing"):
        store.active("s")


def test_unwritable_data_dir(tmp_path):
    blocker = write(tmp_path / "file", b"")
    with pytest.raises(StoreError, match="not writable"):
        Store(blocker / "data").commit("s", people("1"), fmt="t", content_hash=HASH_A)


def test_mark_checked_and_last_checked(store):
    assert store.last_checked("s") is None
    store.commit("s", people("1"), fmt="t", content_hash=HASH_A)
    store.mark_checked("s")
    checked = store.last_checked("s")
    assert checked is not None and checked >= store.active("s").fetched


# --- Freshness: the staleness rule shared by `lists status`, /v1/lists, /readyz and /metrics ---

IMPORTED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def imported(tmp_path: Path) -> Store:
    store = Store(tmp_path / "data")
    store.commit("s", [person("s", "1")], fmt="t", content_hash="a" * 64, fetched_at=IMPORTED)
    return store


def test_age_counts_from_the_import_when_no_refresh_has_succeeded_since(tmp_path: Path) -> None:
    store = imported(tmp_path)
    meta = store.active("s")
    assert meta is not None

    fresh = store.freshness(meta, stale_hours=24, now=IMPORTED + timedelta(hours=23))
    assert (fresh.checked_at, fresh.age_hours, fresh.stale) == (IMPORTED, 23.0, False)

    assert store.freshness(meta, stale_hours=24, now=IMPORTED + timedelta(hours=25)).stale


def test_a_refresh_that_found_nothing_new_keeps_the_list_fresh(tmp_path: Path) -> None:
    store = imported(tmp_path)
    meta = store.active("s")
    assert meta is not None
    checked = IMPORTED + timedelta(hours=20)
    store.mark_checked("s", checked)

    fresh = store.freshness(meta, stale_hours=24, now=IMPORTED + timedelta(hours=30))
    assert (fresh.checked_at, fresh.age_hours, fresh.stale) == (checked, 10.0, False)
