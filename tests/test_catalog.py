"""The catalog in lists/: every fixed source is there and valid, and bad files fail with file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.catalog import DEFAULT_CATALOG_DIR, check_slug, get_source, load_catalog
from matcher.errors import CatalogError
from matcher.sources import FORMATS
from tests.listkit import write, write_catalog

FIXED = {
    "ofac_sdn": "ofac_csv",
    "ofac_cons": "ofac_xml",
    "un": "un_xml",
    "eu": "eu_xml",
    "uk": "uk_fcdo",
    "uk_ofsi": "uk_ofsi",
    "ca_sema": "ca_sema",
    "au_dfat": "au_dfat",
}


def test_repo_catalog_has_every_fixed_source_with_its_format():
    catalog = load_catalog()
    assert {s: spec.format for s, spec in catalog.items()} == FIXED
    for spec in catalog.values():
        assert spec.format in FORMATS
        assert spec.urls and all(u.startswith("https://") for u in spec.urls)
        assert len(spec.url_files) == len(spec.urls)
        assert spec.ids.startswith(f"{spec.id}:")
        assert spec.min_count >= 100, "a floor must catch a truncated file"
        assert spec.publisher_page.startswith("https://")


def test_repo_catalog_details_that_refresh_relies_on():
    catalog = load_catalog(DEFAULT_CATALOG_DIR)
    assert catalog["ofac_cons"].local_dirs == ("ofac_cons", "ofac_consolidated")
    assert catalog["eu"].local_dirs == ("eu", "eu_fsf")
    assert catalog["un"].local_dirs == ("un",)  # default: [id]
    # OFAC's exports are upper case on the server; they are saved under the legacy names.
    assert catalog["ofac_sdn"].url_files == ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
    # The EU URL ends in /content?token=..., so the catalog names the file.
    assert catalog["eu"].url_files == ("xmlFullSanctionsList_1_1.xml",)
    assert catalog["un"].url_files == ("consolidated.xml",)


def test_file_globs_match_case_insensitively():
    spec = get_source("ofac_sdn")
    assert spec.matches("SDN.CSV") and spec.matches("sdn_comments.csv")
    assert not spec.matches("cons_prim.csv")
    assert get_source("eu").matches("sample_eu_fsf.XML")


def test_get_source_unknown_names_the_known_ids():
    with pytest.raises(CatalogError, match="unknown list source 'nope'.*ofac_sdn"):
        get_source("nope")


@pytest.mark.parametrize("slug", ["my_list", "blocked2", "a"])
def test_user_list_slugs_accepted(slug):
    assert check_slug(slug) == slug


@pytest.mark.parametrize("slug", ["", "My-List", "a/b", "..", "un:1", "é"])
def test_bad_slugs_rejected(slug):
    with pytest.raises(CatalogError, match="invalid source id"):
        check_slug(slug)


def test_catalog_is_cached_per_directory(tmp_path):
    write_catalog(tmp_path, "un", min_count=7)
    first = load_catalog(tmp_path)
    (tmp_path / "un.yml").write_text("garbage: [")  # not re-read: cached
    assert load_catalog(tmp_path) == first
    first["un"] = None  # type: ignore[assignment]  # callers get a copy
    assert load_catalog(tmp_path)["un"].min_count == 7


def _bad(tmp_path: Path, text: str) -> CatalogError:
    from matcher.catalog import clear_cache

    write(tmp_path / "un.yml", text)
    clear_cache()
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    return info.value


GOOD = """id: un
title: T
authority: A
publisher_page: https://example.org
format: un_xml
urls: [https://example.org/consolidated.xml]
files: [consolidated.xml]
min_count: 10
ids: "un:<REFERENCE_NUMBER>"
"""


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (("min_count: 10", "min_count: 0"), "min_count", "at least 1"),
        (("min_count: 10", "min_count: ten"), "min_count", "whole number"),
        (("id: un", "id: other"), "id", "must equal the file name"),
        (("format: un_xml", "format: Un-XML"), "format", "format name"),
        (("urls: [https://example.org/consolidated.xml]", "urls: [ftp://x/y.xml]"), "urls", "http"),
        (("urls: [https://example.org/consolidated.xml]", "urls: []"), "urls", "non-empty"),
        (
            ("urls: [https://example.org/consolidated.xml]", "urls: [https://example.org/]"),
            "urls",
            "file name",
        ),
        (("files: [consolidated.xml]", "files: []"), "files", "at least one"),
        (("title: T", "title: ''"), "title", "non-empty"),
        (("min_count: 10", "min_count: 10\nmin_cout: 3"), "min_cout", "unknown field"),
        (('ids: "un:<REFERENCE_NUMBER>"', ""), "ids", "missing field"),
        (
            ("files: [consolidated.xml]", "files: [consolidated.xml]\nlocal_dirs: [../up]"),
            "local_dirs",
            "plain",
        ),
    ],
)
def test_bad_field_names_file_and_field(tmp_path, change, field, message):
    error = _bad(tmp_path, GOOD.replace(*change))
    assert message in error.message
    assert error.where == f"{tmp_path / 'un.yml'}: {field}"


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    error = _bad(tmp_path, GOOD + "files: [unclosed\n")
    assert "not valid YAML" in error.message
    assert error.where is not None and error.where.startswith(f"{tmp_path / 'un.yml'}:")


def test_not_a_mapping(tmp_path):
    assert "mapping" in _bad(tmp_path, "- a\n- b\n").message


def test_empty_or_missing_catalog_dir(tmp_path):
    with pytest.raises(CatalogError, match="no \\*.yml"):
        load_catalog(tmp_path)
    with pytest.raises(CatalogError, match="not found"):
        load_catalog(tmp_path / "absent")


def test_url_with_explicit_file_name(tmp_path):
    write_catalog(tmp_path, "eu", urls=["https://example.org/content?token=x"], url_files=["full.xml"])
    spec = load_catalog(tmp_path)["eu"]
    assert spec.urls == ("https://example.org/content?token=x",)
    assert spec.url_files == ("full.xml",)
