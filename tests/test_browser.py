"""A real browser on the real thing: Datasette serving a crawled demo archive, driven by headless Chromium.

What a newcomer does after ``scrapy demo``: search, narrow with a facet, open canned queries.
Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and Selenium
(the ``test`` extra). Without them the test skips, except under ``CI=true``, where it fails.
Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from .datasette_helpers import EMPTY_ON_DEMO, NOT_YET_IN_SCHEMA, QUERIES, has_schema, seed
from .frontend_helpers import METADATA, chromium, datasette_server, skip_or_fail_without_browser
from .helpers import ROOT

ARTIFACTS = ROOT / "test-artifacts"
SEED_TITLE = "Die NATO und Südkorea bereiten ein gemeinsames Projekt zur Unterstützung der Ukraine vor – Stoltenberg"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    skip_or_fail_without_browser()
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        driver.set_window_size(1280, 1600)
        yield driver


@pytest.fixture(scope="module")
def datasette_url(demo_crawl, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``datasette ARCHIVE -m metadata.yml`` (the README's command) on 127.0.0.1 at a free port."""
    archive, _ = demo_crawl
    log_dir = tmp_path_factory.mktemp("datasette")
    with datasette_server(archive, log_dir, "-m", str(METADATA)) as url:
        yield url


def screenshot(driver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def test_search_facet_and_canned_query_in_a_real_browser(browser, datasette_url, demo_crawl):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    # 1. Search the articles table from its search box.
    driver.get(f"{datasette_url}/news/articles")
    assert (
        "One row per article" in driver.find_element(By.TAG_NAME, "body").text
    )  # metadata description
    box = driver.find_element(By.ID, "_search")
    box.send_keys("Stoltenberg")
    box.submit()
    # submit() returns before the browser has navigated: wait (bounded) for the results page.
    WebDriverWait(driver, 10).until(lambda d: "_search=" in d.current_url)
    assert "_search=Stoltenberg" in driver.current_url
    table = driver.find_element(By.CSS_SELECTOR, "table.rows-and-columns").text
    assert SEED_TITLE in table
    screenshot(driver, "datasette-search")

    # 2. Narrow the search with the publication-day facet.
    facet = driver.find_element(By.CSS_SELECTOR, '.facet-info[data-column="published_day"]')
    facet.find_element(By.LINK_TEXT, "2024-07-06").click()
    WebDriverWait(driver, 10).until(lambda d: "published_day=2024-07-06" in d.current_url)
    days = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "td.col-published_day")]
    assert days and set(days) == {"2024-07-06"}
    assert SEED_TITLE in driver.find_element(By.CSS_SELECTOR, "table.rows-and-columns").text
    screenshot(driver, "datasette-facet")

    # 3. Open the ranked search from the database page and fill in its parameter.
    driver.get(f"{datasette_url}/news")
    driver.find_element(By.LINK_TEXT, QUERIES["search_ranked"]["title"]).click()
    query = driver.find_element(By.NAME, "q")
    query.clear()
    query.send_keys("Südkorea")
    driver.find_element(By.CSS_SELECTOR, 'form.sql input[type="submit"]').click()
    # As with the search box: the click returns before the results page has loaded.
    WebDriverWait(driver, 10).until(lambda d: "q=S%C3%BCdkorea" in d.current_url)
    first_row = WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    )
    assert first_row.find_element(By.CSS_SELECTOR, "td.col-title").text == SEED_TITLE
    assert "**Südkorea**" in first_row.find_element(By.CSS_SELECTOR, "td.col-snippet").text
    screenshot(driver, "datasette-search-ranked")


def test_every_canned_query_page_shows_rows_in_the_browser(browser, datasette_url, demo_crawl):
    from selenium.webdriver.common.by import By

    archive, _ = demo_crawl
    row = seed(archive)
    params = {"day": "2024-07-06", "q": "Stoltenberg", "id": str(row["id"]), "url": row["url"]}
    driver = browser
    for name, query in QUERIES.items():
        if name in NOT_YET_IN_SCHEMA and not has_schema(archive, *NOT_YET_IN_SCHEMA[name]):
            continue  # test_datasette names and skips these while they are absent
        args = "&".join(f"{p}={quote(v)}" for p, v in params.items() if f":{p}" in query["sql"])
        driver.get(f"{datasette_url}/news/{name}?{args}")
        assert query["title"] in driver.find_element(By.TAG_NAME, "h1").text
        assert not driver.find_elements(By.CSS_SELECTOR, ".message-error"), name
        if name not in EMPTY_ON_DEMO:
            assert driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr"), name
    screenshot(driver, "datasette-canned-query")
