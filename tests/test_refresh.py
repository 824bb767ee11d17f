"""Refresh and import: every rejection leaves the active version untouched; good data goes live.

The catalog is written per test (tests.listkit.write_catalog) with URLs on a local HTTP server, and
the list files are real UN-format XML parsed by the real un_xml parser.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from matcher import refresh
from matcher.errors import CatalogError, DownloadError, FormatError, ParseError, ShrinkError, SourceError
from matcher.fetch import OfflineError
from matcher.index import index_path
from matcher.refresh import RefreshStatus, import_files, open_store, refresh_sources
from matcher.settings import Settings
from tests.listkit import ListServer, free_port, un_refs, un_xml, write, write_catalog

TEN = un_xml(un_refs(10))


@pytest.fixture
def server():
    with ListServer() as running:
        yield running


@pytest.fixture
def catalog_dir(tmp_path):
    return tmp_path / "catalog"


def make_settings(settings: Settings, catalog_dir, **overrides) -> Settings:
    values = {"http_retries": 1, "http_timeout": 5.0, **overrides}
    return dataclasses.replace(settings, catalog_dir=catalog_dir, **values)


@pytest.fixture
def un_source(server, catalog_dir, settings):
    """Catalog source ``un`` served from /un.xml with a floor of 3; returns (settings, set_body)."""
    url = server.url("/un.xml")
    write_catalog(catalog_dir, "un", urls=[url], url_files=["consolidated.xml"], min_count=3)

    def serve(body: bytes, **options) -> None:
        server.serve("/un.xml", body, **options)

    return make_settings(settings, catalog_dir), serve


def refresh_one(settings, source="un", **options):
    [result] = refresh_sources(settings, [source], **options)
    return result


def test_first_refresh_downloads_parses_and_activates(un_source):
    settings, serve = un_source
    serve(TEN, etag='"v1"')
    result = refresh_one(settings)
    assert result.status is RefreshStatus.UPDATED and result.ok and result.previous is None
    meta = result.meta
    assert meta.counts.entities == 10 and meta.published == "2026-02-27" and meta.format == "un_xml"
    assert meta.origin[0].endswith("/un.xml") and meta.files[0].name == "consolidated.xml"
    store = open_store(settings)
    assert store.active("un") == meta
    assert sorted(e.id for e in store.load_entities("un")) == [f"un:{r}" for r in un_refs(10)]
    http = json.loads((store.source_dir("un") / "http.json").read_text())
    assert http["version"] == meta.version and http["urls"][meta.origin[0]] == {"etag": '"v1"'}
    assert "10 entities" in result.describe() and "updated to" in result.describe()


def test_second_refresh_uses_etag_and_reports_unchanged(un_source, server):
    settings, serve = un_source
    serve(TEN, etag='"v1"')
    first = refresh_one(settings)
    second = refresh_one(settings)
    assert second.status is RefreshStatus.UNCHANGED and second.meta == first.meta
    assert server.requests[-1][1]["if-none-match"] == '"v1"'
    assert len(open_store(settings).versions("un")) == 1
    # --force ignores the validators and re-imports.
    forced = refresh_one(settings, force=True)
    assert "if-none-match" not in server.requests[-1][1]
    assert forced.status is RefreshStatus.UPDATED and forced.meta.content_hash == first.meta.content_hash


def test_same_content_without_validators_is_unchanged(un_source):
    settings, serve = un_source
    serve(TEN)
    first = refresh_one(settings)
    second = refresh_one(settings)
    assert second.status is RefreshStatus.UNCHANGED and second.meta.version == first.meta.version
    assert "same content" in second.describe()
    store = open_store(settings)
    assert len(store.versions("un")) == 1
    assert store.last_checked("un") >= first.meta.fetched


def test_new_content_becomes_a_new_version(un_source):
    settings, serve = un_source
    serve(TEN)
    first = refresh_one(settings)
    serve(un_xml(un_refs(11)))
    second = refresh_one(settings)
    assert second.status is RefreshStatus.UPDATED and second.previous == first.meta.version
    diff = open_store(settings).diff("un")
    assert diff.added == ("un:QDi.011",) and diff.removed == ()


def assert_untouched(settings, before):
    store = open_store(settings)
    assert store.active("un") == before
    assert [m.version for m in store.versions("un")] == [before.version]
    assert len(list(store.load_entities("un"))) == before.counts.entities
    assert list((settings.data_dir / ".tmp").iterdir()) == []


@pytest.fixture
def active_ten(un_source):
    settings, serve = un_source
    serve(TEN)
    return settings, serve, refresh_one(settings).meta


def test_download_failure(active_ten):
    settings, serve, before = active_ten
    serve(TEN, status=404)
    result = refresh_one(settings)
    assert result.status is RefreshStatus.FAILED and not result.ok
    assert isinstance(result.error, DownloadError) and "HTTP 404" in result.error.message
    assert result.error.where.endswith("/un.xml")
    assert_untouched(settings, before)


def test_truncated_file(active_ten):
    settings, serve, before = active_ten
    serve(TEN[: len(TEN) // 2])
    result = refresh_one(settings)
    assert isinstance(result.error, ParseError) and "truncated" in result.error.message
    assert result.error.where.endswith("/un.xml"), "names the URL, not the temp file"
    assert_untouched(settings, before)


def test_wrong_format(active_ten):
    settings, serve, before = active_ten
    serve(b'<?xml version="1.0"?><export xmlns="http://eu.europa.ec/fpi/fsd/export"/>')
    result = refresh_one(settings)
    assert isinstance(result.error, FormatError) and "CONSOLIDATED_LIST" in result.error.message
    assert_untouched(settings, before)


def test_zero_entities(active_ten):
    settings, serve, before = active_ten
    serve(un_xml([]))
    result = refresh_one(settings)
    assert isinstance(result.error, FormatError) and "no entities" in result.error.message
    assert_untouched(settings, before)


def test_below_the_floor_from_the_network(active_ten, catalog_dir, server):
    settings, serve, before = active_ten
    write_catalog(
        catalog_dir, "un", urls=[server.url("/un.xml")], url_files=["consolidated.xml"], min_count=50
    )
    serve(un_xml(un_refs(9)))
    result = refresh_one(settings, force=True)
    assert isinstance(result.error, ParseError)
    assert "below the floor of 50" in result.error.message and "truncated" in result.error.message
    assert_untouched(settings, before)


def test_shrink_over_the_limit_is_rejected_then_accepted_with_force(active_ten):
    settings, serve, before = active_ten
    serve(un_xml(un_refs(7)))
    result = refresh_one(settings)
    assert isinstance(result.error, ShrinkError)
    assert "30% fewer" in result.error.message and "--force" in result.error.message
    assert_untouched(settings, before)
    forced = refresh_one(settings, force=True)
    assert forced.status is RefreshStatus.UPDATED and forced.meta.counts.entities == 7
    assert any("accepted because of --force" in w for w in forced.warnings)
    assert open_store(settings).active("un").counts.entities == 7


def test_shrink_at_the_limit_is_accepted(active_ten):
    settings, serve, _ = active_ten
    serve(un_xml(un_refs(8)))  # exactly 20% fewer: not more than MATCHER_MAX_SHRINK
    assert refresh_one(settings).status is RefreshStatus.UPDATED


def test_offline(active_ten, catalog_dir):
    settings, _, before = active_ten
    write_catalog(catalog_dir, "un", urls=[f"http://127.0.0.1:{free_port()}/un.xml"], min_count=3)
    result = refresh_one(settings)
    assert isinstance(result.error, OfflineError)
    assert "offline" in result.error.message and "nothing was changed" in result.error.message
    assert_untouched(settings, before)


def test_one_failing_source_does_not_stop_the_others(server, catalog_dir, settings):
    write_catalog(catalog_dir, "good", urls=[server.serve("/good.xml", TEN)], min_count=3)
    write_catalog(catalog_dir, "bad", urls=[server.url("/missing.xml")], min_count=3)
    settings = make_settings(settings, catalog_dir)
    results = refresh_sources(settings)
    assert [(r.source, r.status) for r in results] == [
        ("bad", RefreshStatus.FAILED),
        ("good", RefreshStatus.UPDATED),
    ]
    assert open_store(settings).sources() == ["good"]


def test_unexpected_parser_crash_is_one_failed_result(un_source, monkeypatch):
    settings, serve = un_source
    serve(TEN)

    def crash(*args):
        raise KeyError("boom")

    monkeypatch.setattr(refresh, "parse", crash)
    result = refresh_one(settings)
    assert isinstance(result.error, SourceError) and "unexpected KeyError" in result.error.message
    assert open_store(settings).active("un") is None


def test_unknown_source_id_fails_before_any_work(un_source):
    settings, _ = un_source
    with pytest.raises(CatalogError, match="unknown list source 'nope'"):
        refresh_sources(settings, ["un", "nope"])
    assert open_store(settings).sources() == []


def test_the_index_is_built_before_the_version_becomes_visible(un_source, monkeypatch):
    settings, serve = un_source
    serve(TEN)
    seen = []
    real = refresh._build_index

    def spy(stage, meta, entities):
        # Nothing is active yet while the index is built: readers never see a version without it.
        seen.append((meta.version, open_store(settings).active_version("un")))
        real(stage, meta, entities)

    monkeypatch.setattr(refresh, "_build_index", spy)
    result = refresh_one(settings)
    assert seen == [(result.meta.version, None)]
    assert index_path(open_store(settings).snapshot_dir("un", result.meta.version)).is_file()
    refresh_one(settings)  # unchanged: no commit, no index build
    assert len(seen) == 1


def test_multi_file_source_reuses_unmodified_files_from_the_active_version(server, catalog_dir, settings):
    urls = [
        server.serve("/a.xml", un_xml(un_refs(5)), etag='"a1"'),
        server.serve("/b.xml", un_xml(un_refs(5, start=6)), etag='"b1"'),
    ]
    write_catalog(catalog_dir, "un", urls=urls, url_files=["a.xml", "b.xml"], files=["*.xml"], min_count=3)
    settings = make_settings(settings, catalog_dir)
    first = refresh_one(settings)
    assert first.meta.counts.entities == 10
    server.serve("/b.xml", un_xml(un_refs(6, start=6)), etag='"b2"')
    second = refresh_one(settings)
    assert second.status is RefreshStatus.UPDATED and second.meta.counts.entities == 11
    assert server.requests[-2][1]["if-none-match"] == '"a1"'  # a.xml answered 304 ...
    assert {f.name for f in second.meta.files} == {"a.xml", "b.xml"}  # ... and was taken from raw/
    assert second.meta.files[0] in first.meta.files


def test_rollback_makes_the_saved_validators_stale(un_source, server):
    settings, serve = un_source
    serve(TEN, etag='"v1"')
    first = refresh_one(settings)
    serve(un_xml(un_refs(11)), etag='"v2"')
    refresh_one(settings)
    open_store(settings).activate("un", first.meta.version)
    again = refresh_one(settings)
    assert "if-none-match" not in server.requests[-1][1]
    assert again.status is RefreshStatus.UPDATED and again.meta.counts.entities == 11


# --- Offline mirror and local imports --------------------------------------------------------


def test_from_dir_imports_each_source_folder_and_skips_absent_ones(tmp_path, catalog_dir, settings):
    write_catalog(catalog_dir, "un", min_count=3)
    write_catalog(catalog_dir, "eu_like", min_count=3, files=["*.xml"], local_dirs=["eu_like", "eu_mirror"])
    write_catalog(catalog_dir, "absent", min_count=3)
    mirror = tmp_path / "mirror"
    write(mirror / "un" / "CONSOLIDATED.XML", TEN)
    write(mirror / "un" / "2025-04-19" / "consolidated.xml", un_xml(un_refs(3)))  # older copy: ignored
    write(mirror / "un" / "notes.txt", "not a list file")
    write(mirror / "eu_mirror" / "sample.xml", un_xml(un_refs(4)))
    settings = make_settings(settings, catalog_dir)
    results = {r.source: r for r in refresh_sources(settings, from_dir=mirror)}
    assert results["un"].status is RefreshStatus.UPDATED and results["un"].meta.counts.entities == 10
    assert results["un"].meta.origin == (str((mirror / "un" / "CONSOLIDATED.XML").resolve()),)
    assert results["eu_like"].meta.counts.entities == 4
    assert results["absent"].status is RefreshStatus.SKIPPED and "absent/" in results["absent"].note
    explicit = refresh_sources(settings, ["absent"], from_dir=mirror)[0]
    assert isinstance(explicit.error, SourceError) and "no folder for absent" in explicit.error.message


def test_from_dir_below_the_floor_is_imported_with_a_warning(tmp_path, catalog_dir, settings):
    write_catalog(catalog_dir, "un", min_count=100)
    write(tmp_path / "mirror" / "un" / "consolidated.xml", un_xml(un_refs(5)))
    settings = make_settings(settings, catalog_dir)
    [result] = refresh_sources(settings, from_dir=tmp_path / "mirror")
    assert result.status is RefreshStatus.UPDATED and result.meta.counts.entities == 5
    assert any("below the floor of 100" in w for w in result.warnings)
    assert open_store(settings).active("un").warnings == result.warnings


def test_from_dir_missing(tmp_path, settings):
    with pytest.raises(SourceError, match="mirror folder not found"):
        refresh_sources(settings, from_dir=tmp_path / "nowhere")


def test_import_files_checks_shrink_and_unchanged(tmp_path, catalog_dir, settings):
    write_catalog(catalog_dir, "un", min_count=3)
    settings = make_settings(settings, catalog_dir)
    ten = write(tmp_path / "ten" / "consolidated.xml", TEN)
    seven = write(tmp_path / "seven" / "consolidated.xml", un_xml(un_refs(7)))
    first = import_files(settings, "un", [ten])
    assert first.status is RefreshStatus.UPDATED
    assert import_files(settings, "un", [ten]).status is RefreshStatus.UNCHANGED
    with pytest.raises(ShrinkError):
        import_files(settings, "un", [seven])
    assert open_store(settings).active("un") == first.meta
    assert import_files(settings, "un", [seven], force=True).meta.counts.entities == 7
    # A folder stands for its matching files.
    assert import_files(settings, "un", [tmp_path / "ten"]).meta.counts.entities == 10


def test_import_errors_name_the_file(tmp_path, catalog_dir, settings):
    write_catalog(catalog_dir, "un", min_count=3)
    settings = make_settings(settings, catalog_dir)
    with pytest.raises(SourceError, match="file not found") as info:
        import_files(settings, "un", [tmp_path / "nope.xml"])
    assert info.value.where == str(tmp_path / "nope.xml")
    cut = write(tmp_path / "cut.xml", TEN[:300])
    with pytest.raises(ParseError) as info:
        import_files(settings, "un", [cut])
    assert str(cut) in str(info.value.where)
    assert open_store(settings).active("un") is None


USER_CSV = "id,name,type\nC-1,Ivan PETROV,person\nC-2,ACME TRADING LLC,organization\n"


def test_user_list_needs_a_format_once_then_remembers_it(tmp_path, settings):
    path = write(tmp_path / "blocked.csv", USER_CSV)
    with pytest.raises(CatalogError, match="needs --format"):
        import_files(settings, "blocked", [path])
    first = import_files(settings, "blocked", [path], fmt="user_csv")
    assert first.meta.format == "user_csv" and first.meta.counts.entities == 2
    write(path, USER_CSV + "C-3,Third Party,person\n")
    second = import_files(settings, "blocked", [path])
    assert second.meta.format == "user_csv" and second.meta.counts.entities == 3
    assert [e.id for e in open_store(settings).load_entities("blocked")] == [
        "blocked:C-1",
        "blocked:C-2",
        "blocked:C-3",
    ]


def test_user_list_bad_slug_or_format(tmp_path, settings):
    path = write(tmp_path / "x.csv", USER_CSV)
    with pytest.raises(CatalogError, match="invalid source id"):
        import_files(settings, "Bad-Slug", [path], fmt="user_csv")
    with pytest.raises(FormatError, match="unknown list format 'nope'"):
        import_files(settings, "mine", [path], fmt="nope")
