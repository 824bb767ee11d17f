"""The analyst page end to end: gunicorn on a free port, headless Chromium driven by selenium.

Fixture strategy: one server for the module (``matcher serve``, one worker, no auth) over a fresh
data directory with ``tests/fixtures/api/un_small.xml`` imported as ``un``, and one browser for
the module (Debian's ``chromium`` with ``chromium-driver``; a fresh profile directory, no network
services, no sandbox as root in CI). The tests use the page as an analyst does (type, click,
choose a file) and read what it shows. Screenshots go to ``tests/artifacts/`` (gitignored), at
desktop and phone widths. Skipped with the reason when Chromium or its driver is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from matcher.refresh import import_files
from matcher.settings import Settings
from tests.api.conftest import UN_SMALL
from tests.conftest import REPO
from tests.serverkit import Server

pytestmark = [pytest.mark.e2e]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = REPO / "tests" / "artifacts"
WAIT = 30


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("page")
    data_dir = root / "data"
    import_files(Settings.from_env({}, data_dir=data_dir), "un", [UN_SMALL])
    server = Server(data_dir, root / "server.log", {"MATCHER_RELOAD_INTERVAL": "0.5"}, workers=1)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()) or shutil.which(CHROMIUM) is None:
        pytest.skip(f"needs Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER}); see .ci/run")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (dev extra)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, condition: Any, timeout: float = WAIT) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def visible(css: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    return ec.visibility_of_element_located((By.CSS_SELECTOR, css))


def shot(driver: Any, name: str, width: int = 1280) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(width, 1000)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(int(height), 700), 4000))
    path = ARTIFACTS / f"page-{name}.png"
    assert driver.save_screenshot(str(path)), path
    driver.set_window_size(1280, 1000)
    return path


def open_page(driver: Any, server: Server) -> None:
    driver.get(server.url + "/")
    wait_for(driver, lambda d: d.execute_script("return document.body.dataset.ready") == "1")
    # No script error, no CSP violation, no failed asset: the console has no SEVERE entry.
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


def tab(driver: Any, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, f"tab-{name}").click()
    wait_for(driver, visible(f"#panel-{name}"))


def test_search_finds_the_listed_person_with_explanation_and_provenance(browser, page_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(browser, page_server)
    field = browser.find_element(By.ID, "q-name")
    field.send_keys("Ivan Sidorov")
    browser.find_element(By.ID, "q-type").send_keys("Person")
    field.send_keys(Keys.ENTER)  # the keyboard submits the form
    first = wait_for(browser, visible("#results li.result"))
    assert first.find_element(By.TAG_NAME, "h3").text == "IVAN PETROVICH SIDOROV"
    assert "un:TLi.001" in first.find_element(By.CSS_SELECTOR, ".meta").text
    assert "ALERT" in first.find_element(By.CSS_SELECTOR, ".decision").text
    marks = [m.text for m in first.find_elements(By.CSS_SELECTOR, ".names mark")]
    assert "Ivan" in marks and "Sidorov" in marks
    assert "exact" in first.find_element(By.CSS_SELECTOR, ".explain").text
    width = browser.execute_script("return document.querySelector('#results .bar > span').style.width")
    assert width == "100%"
    first.find_element(By.CSS_SELECTOR, "button[aria-expanded]").click()
    detail = wait_for(browser, visible("#results .detail h4"))
    box = detail.find_element(By.XPATH, "..")
    wait_for(browser, lambda d: "Content hash" in box.text)
    assert "Иван Петрович Сидоров" in box.text and "un_small.xml" in box.text
    shot(browser, "search")
    shot(browser, "search-phone", width=390)
    scroll_width = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll_width <= 1280


def test_list_status_shows_the_served_version(browser, page_server):
    from selenium.webdriver.common.by import By

    open_page(browser, page_server)
    tab(browser, "lists")
    row = wait_for(browser, visible("#lists-table tbody tr"))
    wait_for(
        browser,
        lambda d: (
            "un"
            in [
                r.find_element(By.TAG_NAME, "th").text
                for r in d.find_elements(By.CSS_SELECTOR, "#lists-table tbody tr")
            ]
        ),
    )
    rows = {
        r.find_element(By.TAG_NAME, "th").text: r.text
        for r in browser.find_elements(By.CSS_SELECTOR, "#lists-table tbody tr")
    }
    assert "up to date" in rows["un"] and "2026-02-27" in rows["un"]
    assert row.is_displayed()
    assert not browser.find_element(By.ID, "stale-warning").is_displayed()
    shot(browser, "lists")


def test_bulk_upload_round_trip(browser, page_server, tmp_path):
    from selenium.webdriver.common.by import By

    names = ["Ivan Sidorov", "Jane Example", "Golden Crescent Exchange", "=1+1", ""] * 8
    path = tmp_path / "customers.csv"
    path.write_text("id,name\n" + "".join(f"c-{i},{n}\n" for i, n in enumerate(names)), encoding="utf-8")
    open_page(browser, page_server)
    tab(browser, "bulk")
    browser.find_element(By.ID, "b-file").send_keys(str(path))
    browser.find_element(By.ID, "b-submit").click()
    link = wait_for(browser, visible("#bulk-download"))
    assert link.get_attribute("data-rows") == str(len(names))
    assert link.get_attribute("download") == "customers-screened.csv"
    assert link.get_attribute("href").startswith("blob:")
    assert browser.find_element(By.ID, "bulk-progress").get_attribute("value") == "100"
    status = browser.find_element(By.ID, "bulk-status").text
    assert status == f"{len(names)} rows screened: 16 alerts, 8 errors."
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    link.click()
    saved = downloads / "customers-screened.csv"
    wait_for(browser, lambda d: saved.exists() and saved.stat().st_size > 0)
    text = saved.read_text(encoding="utf-8")
    lines = text.strip().splitlines()
    assert len(lines) == len(names) + 1
    assert lines[0].startswith("id,name,match_id")
    assert lines[4].startswith("c-3,'=1+1,")  # neutralised in the download
    shot(browser, "bulk")


def test_text_screening_highlights_the_listed_person(browser, page_server):
    from selenium.webdriver.common.by import By

    article = (
        "VIENNA (Reuters) - Ivan Petrovich Sidorov, a businessman, met Jane Doe of Acme Widgets "
        "on Tuesday.\nSidorov declined to comment on the Golden Crescent Exchange deal."
    )
    open_page(browser, page_server)
    tab(browser, "text")
    area = browser.find_element(By.ID, "t-text")
    area.send_keys(article)
    browser.find_element(By.CSS_SELECTOR, "#text-form button[type=submit]").click()
    wait_for(browser, visible("#text-view a.mention.flagged"))
    flagged = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#text-view a.mention.flagged")]
    assert "Ivan Petrovich Sidorov" in flagged and "Sidorov" in flagged
    assert "Golden Crescent Exchange" in flagged
    assert "Jane Doe" not in flagged
    assert browser.find_element(By.ID, "text-view").text == article  # the text, unchanged, in place
    party = browser.find_element(By.CSS_SELECTOR, "#parties > li.alert")
    assert "flagged" in party.find_element(By.TAG_NAME, "h4").text
    assert "un:" in party.text
    shot(browser, "text")
    shot(browser, "text-phone", width=390)


@pytest.fixture(scope="module")
def keyed_page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """API keys on, and lists stale after about a second (MATCHER_STALE_HOURS=0.0003)."""
    from matcher.api.keys import KeyStore

    root = tmp_path_factory.mktemp("keyed-page")
    data_dir = root / "data"
    import_files(Settings.from_env({}, data_dir=data_dir), "un", [UN_SMALL])
    key, _ = KeyStore(data_dir).create(["screen"], name="page e2e", rate_limit=0)
    env = {"MATCHER_AUTH": "keys", "MATCHER_STALE_HOURS": "0.0003", "MATCHER_RELOAD_INTERVAL": "0.5"}
    server = Server(data_dir, root / "server.log", env, workers=1)
    try:
        server.start()
        yield server, key
    finally:
        server.stop()


def test_with_keys_on_the_page_asks_for_a_key_and_warns_of_stale_lists(browser, keyed_page_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    server, key = keyed_page_server
    browser.get(server.url + "/")
    wait_for(browser, lambda d: d.execute_script("return document.body.dataset.ready") == "1")
    assert browser.find_element(By.ID, "key-panel").is_displayed()
    browser.find_element(By.ID, "q-name").send_keys("Ivan Sidorov", Keys.ENTER)
    wait_for(browser, lambda d: "API key" in d.find_element(By.ID, "search-status").text)
    assert browser.switch_to.active_element.get_attribute("id") == "api-key"  # focus moved to the key
    browser.find_element(By.ID, "api-key").send_keys(key, Keys.ENTER)
    wait_for(browser, lambda d: "saved" in d.find_element(By.ID, "key-status").text)
    assert browser.execute_script("return sessionStorage.getItem('matcher.apiKey')") == key
    assert browser.execute_script("return document.cookie") == ""
    browser.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
    first = wait_for(browser, visible("#results li.result"))
    assert first.find_element(By.TAG_NAME, "h3").text == "IVAN PETROVICH SIDOROV"
    warning = wait_for(browser, visible("#stale-warning"))
    assert "un is stale" in warning.text
    assert browser.find_element(By.ID, "stale-badge").is_displayed()
    shot(browser, "keys-stale")
    browser.get_log("browser")  # the expected 401 before the key was given


# --- Against a real list (../shared/data): OFAC's SDN list and the seed article -------------------


@pytest.fixture(scope="module")
def real_page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from matcher.refresh import refresh_sources
    from tests.conftest import shared_path

    lists = shared_path("lists")
    root = tmp_path_factory.mktemp("real-page")
    data_dir = root / "data"
    [result] = refresh_sources(Settings.from_env({}, data_dir=data_dir), ["ofac_sdn"], from_dir=lists)
    assert result.ok, result.describe()
    server = Server(data_dir, root / "server.log", {"MATCHER_RELOAD_INTERVAL": "0.5"}, workers=1)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.mark.shared
@pytest.mark.slow
def test_real_list_search_and_seed_article(browser, real_page_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from tests.conftest import shared_path

    open_page(browser, real_page_server)
    browser.find_element(By.ID, "q-name").send_keys("Dmitry Peskov", Keys.ENTER)
    first = wait_for(browser, visible("#results li.result"))
    assert first.find_element(By.TAG_NAME, "h3").text == "PESKOV, Dmitriy Sergeevich"
    assert "ofac_sdn:" in first.text and "ALERT" in first.text
    shot(browser, "real-search")

    article = shared_path("news", "blinken-china-sanctions.txt").read_text(encoding="utf-8")
    tab(browser, "text")
    area = browser.find_element(By.ID, "t-text")
    browser.execute_script("arguments[0].value = arguments[1];", area, article)  # a paste, not 5 KB of keys
    browser.find_element(By.CSS_SELECTOR, "#text-form button[type=submit]").click()
    wait_for(browser, visible("#text-view a.mention.flagged"))
    flagged = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "#text-view a.mention.flagged")}
    assert "Dmitry Peskov" in flagged
    assert not flagged & {"Antony Blinken", "Xi Jinping", "Wang Yi", "Financial Times", "Bank of Taizhou"}
    peskov = next(
        p for p in browser.find_elements(By.CSS_SELECTOR, "#parties > li.alert") if "Peskov" in p.text
    )
    assert "PESKOV, Dmitriy Sergeevich" in peskov.text
    shot(browser, "real-text")
