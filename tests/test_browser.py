"""The search page in a real browser: headless Chromium, driven through ChromeDriver (Selenium).

A person types a Russian word into the search box in one form and expects to see items that use it
in another, with the word marked; opens an item and reads it. This test does exactly that, then
also takes screenshots (through the driver, and with Chromium's own ``--screenshot``).

Needs Debian's ``chromium`` and ``chromium-driver`` packages. Where they are absent the test skips
with the reason, unless KREMLIN_WATCH_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port
from tests.test_web import (
    BIDEN,
    BIDEN_EDITED_TITLE,
    DECREE,
    MACRON,
    TWIN_EN,
    TWIN_EN_EDITED_TITLE,
    running_server,
    seed,
    seed_twins,
    wait_for,
)
from tests.test_web_calls import seed_calls

#: Flags that keep a headless Chromium quiet, offline and independent of any user profile.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1200,900",
)
WAIT = 20


def _unavailable(reason: str) -> None:
    if os.environ.get("KREMLIN_WATCH_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (KREMLIN_WATCH_REQUIRE_BROWSER=1 makes the browser test mandatory)")
    pytest.skip(reason)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    _unavailable("no headless browser: install Debian's chromium and chromium-driver packages")
    raise AssertionError("unreachable")


def _chromedriver() -> str:
    found = shutil.which("chromedriver")
    if not found:
        _unavailable("no chromedriver: install Debian's chromium-driver package")
    return str(found)


def _served(tmp_path: Path, fill: Any) -> Iterator[str]:
    """An archive filled by ``fill(engine)``, served on a free port; yields the base URL."""
    from archive.engine import make_engine
    from archive.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    fill(engine)
    engine.dispose()
    port = free_port()
    with running_server(url, port):
        wait_for(f"http://127.0.0.1:{port}/openapi.json")
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """The seeded archive served on a free port; yields the base URL."""
    yield from _served(tmp_path, seed)


@pytest.fixture
def calls_site(tmp_path: Path) -> Iterator[str]:
    """An archive of real calls with their call records (`tests.test_web_calls`), served."""
    yield from _served(tmp_path, seed_calls)


@pytest.fixture
def twins_site(tmp_path: Path) -> Iterator[str]:
    """An archive with the Russian and the English version of a call (`tests.test_web`), served."""
    yield from _served(tmp_path, seed_twins)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """A headless Chromium under ChromeDriver, with a throw-away profile."""
    chromium = _chromium()
    driver_path = _chromedriver()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install selenium)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    # Both paths given: Selenium Manager has nothing to look up or download.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file; fails unless it is a non-empty PNG."""
    data = path.read_bytes()
    assert len(data) > 1000, f"{path} is too small to be a screenshot"
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_search_page_in_a_real_browser(site: str, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, WAIT)
    browser.get(site + "/")
    assert browser.title == "kremlin-watch search"
    box = browser.find_element(By.NAME, "q")
    # «санкциями» is in none of the items: they say «санкций»; the search must find them anyway.
    box.send_keys("санкциями", Keys.ENTER)
    wait.until(ready.text_to_be_present_in_element((By.ID, "count"), "found"))

    assert browser.find_element(By.ID, "count").text.startswith("2 items found")
    titles = [link.text for link in browser.find_elements(By.CSS_SELECTOR, "ol.results h2 a")]
    assert titles == [DECREE.title, BIDEN_EDITED_TITLE]  # newest first
    marked = {mark.text.lower() for mark in browser.find_elements(By.CSS_SELECTOR, "ol.results mark")}
    assert marked == {"санкций"}
    assert browser.find_element(By.NAME, "q").get_attribute("value") == "санкциями"
    # The decree's own angle brackets are shown as text, not taken for markup.
    assert "<b>принять</b>" in browser.find_element(By.CSS_SELECTOR, "ol.results").text
    assert browser.find_elements(By.CSS_SELECTOR, "ol.results b") == []
    results_png = tmp_path / "results.png"
    assert browser.save_screenshot(str(results_png))
    assert png_size(results_png)[0] > 0

    browser.find_element(By.LINK_TEXT, BIDEN_EDITED_TITLE).click()
    wait.until(ready.title_contains("Байденом"))
    assert browser.current_url == f"{site}/items/67487#lang-ru"  # the version the hit was
    assert browser.find_element(By.TAG_NAME, "h1").text == BIDEN_EDITED_TITLE
    text = browser.find_element(By.CSS_SELECTOR, "article.item").text
    assert "31.12.2021 02:20" in text  # Moscow time of 2021-12-30 23:20 UTC
    assert "колоссальной ошибкой" in text and BIDEN.lead in text
    assert browser.find_element(By.LINK_TEXT, BIDEN.url).get_attribute("href") == BIDEN.url
    assert "Earlier versions" in browser.find_element(By.TAG_NAME, "body").text
    item_png = tmp_path / "item.png"
    assert browser.save_screenshot(str(item_png))
    png_size(item_png)

    # The filters: phone calls only, English only, through the form's selects.
    browser.get(site + "/")
    browser.find_element(By.CSS_SELECTOR, "select[name=kind] option[value=call]").click()
    browser.find_element(By.CSS_SELECTOR, "select[name=lang] option[value=en]").click()
    browser.find_element(By.CSS_SELECTOR, "form.search button").click()
    wait.until(ready.url_contains("kind=call"))
    titles = [link.text for link in browser.find_elements(By.CSS_SELECTOR, "ol.results h2 a")]
    assert titles == ["Telephone conversation with President of France Emmanuel Macron"]


def test_calls_page_and_its_chart_in_a_real_browser(calls_site: str, browser: Any, tmp_path: Path) -> None:
    """A person opens the calls from the navigation, asks for France, and reads the table and chart."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, WAIT)
    browser.get(calls_site + "/")
    browser.find_element(By.LINK_TEXT, "Phone calls").click()
    wait.until(ready.title_contains("Phone calls"))
    assert browser.current_url == f"{calls_site}/calls"
    assert browser.find_element(By.ID, "count").text.startswith("14 calls")
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart g.bar")) == 8  # Nov 2021 – Jun 2022

    browser.find_element(By.NAME, "country").send_keys("FR", Keys.ENTER)
    wait.until(ready.url_contains("country=FR"))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.calls tbody tr")
    assert [row.find_element(By.CSS_SELECTOR, "td.when").text for row in rows] == [
        "18.03.2022 19:55",
        "10.03.2022 14:20",
        "20.02.2022 12:00",
    ]
    first = rows[0].find_elements(By.TAG_NAME, "td")
    assert first[1].text.startswith("Telephone conversation with President of France Emmanuel Macron")
    assert first[2].text == "Emmanuel Macron, President of France · France (FR)"
    assert first[3].text == "France"
    assert "Olaf Scholz, Federal Chancellor of Germany · Germany (DE)" in rows[1].text
    assert browser.find_element(By.NAME, "country").get_attribute("value") == "FR"

    # The chart: drawn by the browser (a real size), one bar per month, February and March 2022.
    chart = browser.find_element(By.CSS_SELECTOR, "svg.chart")
    assert chart.size["width"] > 300 and chart.size["height"] > 150
    assert (
        chart.find_element(By.TAG_NAME, "title").get_attribute("textContent") == "Calls per month by country"
    )
    months = chart.find_elements(By.CSS_SELECTOR, "g.bar")
    assert [m.find_element(By.TAG_NAME, "title").get_attribute("textContent") for m in months] == [
        "February 2022: 1 call (France 1)",
        "March 2022: 2 calls (France 2, Germany 1)",
    ]
    assert [m.find_element(By.CSS_SELECTOR, "text.label").text for m in months] == ["2022-02", "2022-03"]
    segments = [m.find_elements(By.CSS_SELECTOR, "rect.segment") for m in months]
    assert [len(parts) for parts in segments] == [1, 2]
    assert all(part.size["height"] > 0 and part.size["width"] > 0 for parts in segments for part in parts)
    legend = [key.text for key in chart.find_elements(By.CSS_SELECTOR, "g.key")]
    assert legend == ["France (FR)", "Germany (DE)"]
    shot = tmp_path / "calls.png"
    assert browser.save_screenshot(str(shot))
    png_size(shot)

    rows[0].find_element(By.CSS_SELECTOR, "td.title a").click()
    wait.until(ready.url_contains("/items/68017"))
    assert browser.find_element(By.TAG_NAME, "h1").text.endswith("Emmanuel Macron")


def test_both_versions_of_an_item_in_a_real_browser(twins_site: str, browser: Any) -> None:
    """A person opens a call held in both languages, reads the Russian version, jumps to the English."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, WAIT)
    browser.get(twins_site + "/items/70001")
    articles = browser.find_elements(By.CSS_SELECTOR, "article.item")
    assert [article.get_attribute("lang") for article in articles] == ["ru", "en"]
    assert browser.find_element(By.TAG_NAME, "h1").text == MACRON.title
    assert articles[1].find_element(By.CSS_SELECTOR, "h2.title").text == TWIN_EN_EDITED_TITLE
    assert articles[1].find_element(By.LINK_TEXT, TWIN_EN.url).get_attribute("href") == TWIN_EN.url
    browser.find_element(By.LINK_TEXT, "English").click()
    wait.until(ready.url_contains("#lang-en"))
    # The page scrolled to the English version (as far as the page's length allows): in view. Its top
    # may sit a fraction of a pixel above the window (layout rounds subpixel heights, such as those of
    # the edits' lists), never a whole pixel.
    top, scrolled, height = browser.execute_script(
        "return [arguments[0].getBoundingClientRect().top, window.scrollY, window.innerHeight]", articles[1]
    )
    assert scrolled > 0 and -1 < top < height / 2


def test_chromium_screenshot_of_the_results(site: str, tmp_path: Path) -> None:
    """Chromium's own ``--screenshot`` (no driver): what a person sees at 1200×900."""
    chromium = _chromium()
    shot = tmp_path / "screenshot.png"
    url = f"{site}/?q=%D1%81%D0%B0%D0%BD%D0%BA%D1%86%D0%B8%D1%8F%D0%BC%D0%B8"  # q=санкциями
    command = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--hide-scrollbars",
        f"--screenshot={shot}",
        url,
    ]
    subprocess.run(command, capture_output=True, timeout=60, check=True)
    assert png_size(shot) == (1200, 900)
    dom = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile2'}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "<mark>санкций</mark>" in dom and BIDEN_EDITED_TITLE in dom
    keep = os.environ.get("KREMLIN_WATCH_SCREENSHOTS")
    if keep:  # for people who want to look at the page
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "search-results.png")
