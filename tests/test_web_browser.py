"""aligner serve in real headless Chromium (Debian's chromium and chromedriver, driven by
Selenium): the demonstration pair in Yiddish and English, confirm, merge, split, undo with the
keyboard and the mouse (the page's script sending its CSRF token, under the server's strict
Content-Security-Policy), the TMX export, a screenshot for a person to look at, and a page of
another site whose form tries to edit in the reviewer's name."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from aligner.services.review import load_beads, review_target
from aligner.store.session import Database
from tests.conftest import REPO, Cli
from tests.dbdump import database_dump
from tests.exporting import WORK, aligned_demo
from tests.test_web_helpers import free_port, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = REPO / "tests" / "artifacts"


def _require_chromium() -> None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    reason = f"{CHROMIUM} and {CHROMEDRIVER} are needed (apt-get install chromium chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    _require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for_version(driver: WebDriver, version: int) -> None:
    # The page reloads after an edit: an element read during the reload has gone stale.
    reloading = (StaleElementReferenceException, NoSuchElementException, WebDriverException)
    WebDriverWait(driver, 20, ignored_exceptions=reloading).until(
        lambda d: d.find_element(By.ID, "alignment").get_attribute("data-version") == str(version)
    )


def bead(driver: WebDriver, position: int) -> tuple[str, str]:
    row = driver.find_element(By.ID, f"bead-{position}")
    return row.find_element(By.CSS_SELECTOR, ".kind").text, row.find_element(
        By.CSS_SELECTOR, ".status"
    ).text


def press(driver: WebDriver, key: str) -> None:
    driver.find_element(By.TAG_NAME, "body").send_keys(key)


def test_review_the_yiddish_demonstration_in_chromium(
    sqlite_cli: Cli, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    aligned_demo(sqlite_cli, "yi-demo")  # run 1: 12 beads, bead 2 is 2-1
    with running_server(sqlite_cli.db_url, user="reviewer") as base:
        browser.get(f"{base}/runs/1")
        target = browser.find_element(By.CSS_SELECTOR, "#bead-0 td.side.tgt")
        assert (target.get_attribute("dir"), target.get_attribute("lang")) == ("rtl", "yi")
        assert target.value_of_css_property("direction") == "rtl"
        source = browser.find_element(By.CSS_SELECTOR, "#bead-0 td.side.src")
        assert (source.get_attribute("dir"), source.value_of_css_property("direction")) == (
            "ltr", "ltr",
        )  # fmt: skip
        assert "פֿאַרוואָס" in browser.find_element(By.ID, "bead-1").text
        shot = tmp_path / "alignment-en-yi.png"
        assert browser.save_screenshot(str(shot))
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(shot, ARTIFACTS / shot.name)

        press(browser, "c")  # confirm the selected (first) bead
        wait_for_version(browser, 1)
        assert bead(browser, 0) == ("1-1", "confirmed")
        assert "reviewer" in browser.find_element(By.ID, "bead-0").text

        press(browser, "j")
        press(browser, "m")  # merge bead 1 (1-1) with bead 2 (2-1)
        wait_for_version(browser, 2)
        assert bead(browser, 1) == ("3-2", "corrected")

        scissors = browser.find_element(By.CSS_SELECTOR, '#bead-1 td.src button.split[data-at="1"]')
        scissors.click()  # split before the second English sentence (and the second Yiddish)
        wait_for_version(browser, 3)
        assert [bead(browser, p) for p in (1, 2)] == [("1-1", "corrected"), ("2-1", "corrected")]

        press(browser, "u")  # undo the split
        wait_for_version(browser, 4)
        assert bead(browser, 1) == ("3-2", "corrected")
        browser.find_element(By.ID, "undo").click()  # and the merge
        wait_for_version(browser, 5)
        assert [bead(browser, p) for p in (1, 2)] == [("1-1", "auto"), ("2-1", "auto")]

        press(browser, "n")  # the next low-confidence bead, if any, is selected
        console = [entry["message"] for entry in browser.get_log("browser")]  # type: ignore[no-untyped-call]
        assert not [line for line in console if "Content Security Policy" in line], console
        export = browser.find_element(By.LINK_TEXT, "TMX, confirmed only").get_attribute("href")
        assert export is not None
        tmx = httpx.get(export).text
    assert tmx.count("<tu ") == 1 and '<prop type="x-status">confirmed</prop>' in tmx
    assert "The New International, May 1938" in tmx and "ניו אינטערנעשאַנאַל" in tmx
    with Database(sqlite_cli.db_url) as db, db.session() as session:
        current = review_target(session, 1)
        assert current.review is not None and current.version == 5
        statuses = [b.status for _, b in load_beads(session, current.review.id)]
        automatic = [b.status for _, b in load_beads(session, 1)]
    assert statuses == ["confirmed"] + ["auto"] * 11
    assert automatic == ["auto"] * 12  # the automatic run is never changed
    exported = sqlite_cli.ok("export", "tmx", WORK, "--tgt", "yi-demo", "--status", "confirmed")
    assert exported.stdout.count("<tu ") == 1


@contextmanager
def another_site(folder: Path, page: str) -> Iterator[str]:
    """``page`` served as index.html by a plain HTTP server on another origin; its address."""
    (folder / "index.html").write_text(page, encoding="utf-8")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_of_another_site_cannot_edit_in_the_reviewers_name(
    sqlite_cli: Cli, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    aligned_demo(sqlite_cli, "yi-demo")
    with running_server(sqlite_cli.db_url, user="reviewer") as base:
        browser.get(f"{base}/runs/1")  # the reviewer has the review open: a session cookie
        wait_for_version(browser, 0)
        before = database_dump(sqlite_cli.db_url)
        attack = (
            f'<form method="post" action="{base}/runs/1/edit">'
            '<input name="action" value="confirm"><input name="position" value="0">'
            '<input name="version" value="0"></form>'
            "<script>document.forms[0].submit()</script>"
        )
        evil = tmp_path / "evil"
        evil.mkdir()
        with another_site(evil, attack) as address:
            browser.get(address)
            WebDriverWait(browser, 20).until(lambda d: "Error 403" in d.page_source)
        assert "cross-site request refused" in browser.page_source
    assert database_dump(sqlite_cli.db_url) == before
