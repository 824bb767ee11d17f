"""Downloads from a real HTTP server on 127.0.0.1: conditional GET, retries, timeout, truncation, offline."""

from __future__ import annotations

import pytest

from matcher.errors import DownloadError
from matcher.fetch import ConnectFailure, OfflineError, Validators, fetch_files
from tests.listkit import ListServer, free_port

BODY = b"<CONSOLIDATED_LIST>" + b"x" * 200_000 + b"</CONSOLIDATED_LIST>"
LAST_MODIFIED = "Fri, 27 Feb 2026 00:00:09 GMT"


@pytest.fixture
def server():
    with ListServer() as running:
        yield running


def fetch(downloads, dest, **options):
    options = {"timeout": 5.0, "retries": 3, "max_bytes": 10_000_000, "backoff": 0.01, **options}
    return fetch_files(downloads, dest, **options)


def test_download_with_progress_and_validators(server, tmp_path):
    url = server.serve("/un.xml", BODY, etag='"v1"', last_modified=LAST_MODIFIED)
    calls = []
    [got] = fetch([(url, "consolidated.xml")], tmp_path, progress=lambda *a: calls.append(a))
    assert got.path == tmp_path / "consolidated.xml" and got.path.read_bytes() == BODY
    assert got.size == len(BODY) and not got.unchanged
    assert got.validators == Validators('"v1"', LAST_MODIFIED)
    assert calls[0] == ("consolidated.xml", 0, len(BODY))
    assert calls[-1] == ("consolidated.xml", len(BODY), len(BODY))
    assert [p.name for p in tmp_path.iterdir()] == ["consolidated.xml"]  # no .part left
    assert "matcher/" in server.requests[0][1]["user-agent"]


def test_etag_304_means_unchanged_and_nothing_written(server, tmp_path):
    url = server.serve("/un.xml", BODY, etag='"v1"')
    [got] = fetch([(url, "un.xml")], tmp_path, validators={url: Validators(etag='"v1"')})
    assert got.unchanged and got.path is None
    assert server.requests[0][1]["if-none-match"] == '"v1"'
    assert list(tmp_path.iterdir()) == []


def test_last_modified_304(server, tmp_path):
    url = server.serve("/un.xml", BODY, last_modified=LAST_MODIFIED)
    [got] = fetch([(url, "un.xml")], tmp_path, validators={url: Validators(last_modified=LAST_MODIFIED)})
    assert got.unchanged
    assert server.requests[0][1]["if-modified-since"] == LAST_MODIFIED


def test_changed_etag_downloads_again(server, tmp_path):
    url = server.serve("/un.xml", BODY, etag='"v2"')
    [got] = fetch([(url, "un.xml")], tmp_path, validators={url: Validators(etag='"v1"')})
    assert not got.unchanged and got.validators.etag == '"v2"'


def test_retries_after_500_then_succeeds(server, tmp_path):
    url = server.serve("/un.xml", BODY, fail_first=2)
    [got] = fetch([(url, "un.xml")], tmp_path, retries=3)
    assert got.path is not None and got.path.read_bytes() == BODY
    assert len(server.requests) == 3


def test_gives_up_after_the_configured_attempts(server, tmp_path):
    url = server.serve("/un.xml", BODY, fail_first=5)
    with pytest.raises(DownloadError, match=r"HTTP 500 \(after 2 attempts\)") as info:
        fetch([(url, "un.xml")], tmp_path, retries=2)
    assert info.value.where == url
    assert len(server.requests) == 2
    assert list(tmp_path.iterdir()) == []


def test_404_is_not_retried(server, tmp_path):
    url = server.url("/missing.xml")
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch([(url, "x.xml")], tmp_path, retries=3)
    assert len(server.requests) == 1


def test_timeout(server, tmp_path):
    url = server.serve("/slow.xml", BODY, delay=1.0)
    with pytest.raises(DownloadError, match="timed out") as info:
        fetch([(url, "slow.xml")], tmp_path, timeout=0.2, retries=1)
    assert not isinstance(info.value, OfflineError)
    assert list(tmp_path.iterdir()) == []


def test_truncated_body_is_retried_then_fails(server, tmp_path):
    url = server.serve("/cut.xml", BODY, truncate_to=1000)
    with pytest.raises(DownloadError, match="cut off") as info:
        fetch([(url, "cut.xml")], tmp_path, retries=2)
    assert info.value.where == url
    assert len(server.requests) == 2
    assert list(tmp_path.iterdir()) == []


def test_size_cap(server, tmp_path):
    url = server.serve("/big.xml", BODY)
    with pytest.raises(DownloadError, match="MATCHER_MAX_DOWNLOAD_MB"):
        fetch([(url, "big.xml")], tmp_path, max_bytes=1000)
    assert len(server.requests) == 1 and list(tmp_path.iterdir()) == []


def test_offline_when_every_url_refuses(tmp_path):
    port = free_port()
    downloads = [(f"http://127.0.0.1:{port}/a.csv", "a.csv"), (f"http://127.0.0.1:{port}/b.csv", "b.csv")]
    with pytest.raises(OfflineError) as info:
        fetch(downloads, tmp_path, retries=2)
    assert "offline" in info.value.message and "nothing was changed" in info.value.message
    assert info.value.where == downloads[0][0]
    assert isinstance(info.value, DownloadError)


def test_one_unreachable_host_among_reachable_is_not_offline(server, tmp_path):
    good = server.serve("/a.csv", b"a")
    bad = f"http://127.0.0.1:{free_port()}/b.csv"
    with pytest.raises(ConnectFailure) as info:
        fetch([(good, "a.csv"), (bad, "b.csv")], tmp_path, retries=1)
    assert not isinstance(info.value, OfflineError)
    assert info.value.where == bad


def test_validators_round_trip():
    v = Validators('"abc"', LAST_MODIFIED)
    assert Validators.from_dict(v.to_dict()) == v
    assert v.headers() == {"If-None-Match": '"abc"', "If-Modified-Since": LAST_MODIFIED}
    assert Validators().headers() == {} and Validators.from_dict({"etag": 3}) == Validators()
