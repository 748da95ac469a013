"""aligner serve in real headless Chromium (Debian's chromium and chromedriver, driven by
Selenium): the demonstration pair in Yiddish and English, confirm, merge, split, undo with the
keyboard and the mouse, the TMX export, and a screenshot for a person to look at."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
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

from aligner.review import load_beads, review_target
from aligner.store.session import Database
from tests.conftest import REPO, Cli
from tests.exporting import WORK, aligned_demo
from tests.test_web_helpers import running_server

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
def browser(tmp_path: Path) -> Iterator[WebDriver]:
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
    sqlite_cli: Cli, browser: WebDriver, tmp_path: Path
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
