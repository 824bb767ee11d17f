"""The engine holder: hot reload by polling the store, reuse of unchanged lists, failures."""

from __future__ import annotations

import os

from matcher.api import EngineHolder
from matcher.refresh import import_files
from matcher.settings import Settings
from matcher.store import Store
from tests.api.conftest import write_version
from tests.serverkit import wait_until


def test_poller_swaps_in_a_new_version_while_the_old_engine_keeps_working(data_dir, tmp_path):
    store = Store(data_dir)
    holder = EngineHolder(store, threshold=0.8, interval=0.05)
    assert holder.check() is True and holder.check() is False  # loaded once, then unchanged
    old = holder.get()
    assert old is not None and old.ready
    try:
        import_files(Settings.from_env({}, data_dir=data_dir), "un", [write_version(tmp_path / "v2")])
        new_version = store.active_version("un")
        wait_until(lambda: holder.current.engine.list_versions["un"] == new_version, timeout=5, what="reload")
    finally:
        holder.stop()
    new = holder.current
    assert new is not old and new.token == store.state_token()
    assert new.metas["un"].version == new_version
    # A request that took the old reference still gets answers from the old version.
    assert old.engine.match("Oskar Vanderbilt-Newentry").list_versions["un"] != new_version
    assert new.engine.match("Oskar Vanderbilt-Newentry").matches[0].entity.id == "un:TLi.099"


def test_a_reload_keeps_every_list_searchable(data_dir, tmp_path, fixtures):
    settings = Settings.from_env({}, data_dir=data_dir)
    import_files(settings, "watch", [fixtures / "un" / "entity.xml"], fmt="un_xml")
    holder = EngineHolder(Store(data_dir), threshold=0.8)
    holder.check()
    import_files(settings, "un", [write_version(tmp_path / "v2")])
    assert holder.check() is True
    engine = holder.current.engine
    assert set(engine.list_versions) == {"un", "watch"}
    # The unchanged list is still found after the other one was reloaded.
    assert engine.match("Test Front for Testing").matches[0].entity.id == "watch:CDe.901"
    assert engine.match("Oskar Vanderbilt-Newentry").matches[0].entity.id == "un:TLi.099"


def test_an_empty_store_loads_an_empty_engine(tmp_path):
    holder = EngineHolder(Store(tmp_path / "nothing"), threshold=0.8)
    assert holder.check() is True
    assert holder.current is not None and not holder.current.ready


def test_poller_starts_once_per_process(data_dir):
    holder = EngineHolder(Store(data_dir), threshold=0.8, interval=10)
    try:
        holder.get()
        first = holder._thread
        holder.get()
        assert holder._thread is first and first.is_alive()
        assert holder._pid == os.getpid()
        holder._pid = -1  # what a fork looks like to the holder
        holder.get()
        assert holder._thread is not first and holder._thread.is_alive()
    finally:
        holder.stop()
