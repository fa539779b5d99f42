"""The reader's front end: ``datasette ARCHIVE`` with nothing else typed, over a real crawl of the demo.

HTTP checks first (a real Datasette subprocess on 127.0.0.1), then a real headless Chromium
at desktop and phone widths. Screenshots go to ``test-artifacts/frontend/``:
``{index,browse,article,search,search-empty,articles-table,crawl-health}-{desktop,phone}.png``.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bench.frontend import pages
from newscrawler.archive.frontend.pages import paragraphs

from .demo_site import SEED_PATH
from .frontend_helpers import (
    METADATA,
    WIDTHS,
    chromium,
    datasette_server,
    fetch,
    horizontal_overflow,
    screenshot,
    set_width,
    skip_or_fail_without_browser,
)
from .helpers import ROOT

SEED_TITLE = "Die NATO und Südkorea bereiten ein gemeinsames Projekt zur Unterstützung der Ukraine vor – Stoltenberg"


def seed_row(archive: Path) -> dict[str, Any]:
    with sqlite3.connect(archive) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("select * from articles where url like ?", (f"%{SEED_PATH}",)).fetchone()
    return dict(row)


@pytest.fixture(scope="module")
def archive(demo_crawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the crawled demo archive (named news.db) where the seed has a copy on another site.

    Deduplication stores a copy of a story from another outlet as a row with ``duplicate_of``;
    the demo is one site, so the copy is added here, as tests/test_datasette.py does.
    """
    source, _ = demo_crawl
    copy = tmp_path_factory.mktemp("frontend") / "news.db"
    with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    seed = seed_row(copy)
    with sqlite3.connect(copy) as conn:
        conn.execute(
            "insert into articles (url, site, title, body, duplicate_of, similarity, "
            "source_attribution, published_at, published_day) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                "https://other.example/nato-suedkorea",
                "other.example",
                "NATO und Südkorea planen Ukraine-Projekt",
                seed["body"],
                seed["id"],
                0.93,
                "UNIAN",
                seed["published_at"],
                seed["published_day"],
            ],
        )
    return copy


@pytest.fixture(scope="module")
def served(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``datasette news.db``: the plugin supplies metadata, templates and static files."""
    with datasette_server(archive, tmp_path_factory.mktemp("datasette")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    skip_or_fail_without_browser()
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def get_ok(url: str) -> str:
    status, text = fetch(url)
    assert status == 200, (url, status, text[:500])
    return text


# --- HTTP: what `datasette news.db` serves --------------------------------------------------


def test_the_plain_command_loads_the_plugin_and_the_bundled_metadata(served):
    plugins = json.loads(get_ok(f"{served}/-/plugins.json"))
    (plugin,) = [p for p in plugins if p["name"] == "newscrawler"]
    assert plugin["templates"] and plugin["static"]
    metadata = json.loads(get_ok(f"{served}/-/metadata.json"))
    assert metadata["title"] == "newscrawler archive"
    queries = {q["name"] for q in json.loads(get_ok(f"{served}/news.json"))["queries"]}
    assert {"browse", "search_ranked", "crawl_health"} <= queries


def test_the_documented_m_command_serves_the_same_front_end(archive, tmp_path):
    with datasette_server(archive, tmp_path, "-m", str(METADATA)) as url:
        html = get_ok(f"{url}/")
        assert "Articles per day and site" in html and "<svg" in html
        queries = {q["name"] for q in json.loads(get_ok(f"{url}/news.json"))["queries"]}
    assert {"browse", "search_ranked", "crawl_health"} <= queries


def test_internal_tables_are_hidden(served):
    tables = {t["name"]: t["hidden"] for t in json.loads(get_ok(f"{served}/news.json"))["tables"]}
    internal = [name for name in tables if name.startswith(("_", "articles_fts", "article_lsh"))]
    assert "_sqlite_migrations" in internal
    assert all(tables[name] for name in internal), tables
    assert not tables["articles"] and not tables["crawls"]


def test_an_empty_search_shows_no_error(served):
    html = get_ok(f"{served}/news/search_ranked")
    assert "message-error" not in html and "fts5" not in html
    data = json.loads(get_ok(f"{served}/news/search_ranked.json?q=&_shape=objects"))
    assert data["rows"] == []


def test_article_ids_in_query_results_are_links(served, archive):
    seed = seed_row(archive)
    html = get_ok(f"{served}/news/search_ranked?q=S%C3%BCdkorea")
    assert f'<a href="/news/articles/{seed["id"]}">{seed["id"]}</a>' in html
    assert f'<a href="/news/articles/{seed["id"]}">{SEED_TITLE}</a>' in html
    assert "<mark>**Südkorea**</mark>" in html
    html = get_ok(f"{served}/news/article_with_related?id={seed['id']}")
    assert re.search(r'<td class="col-other_id"><a href="/news/articles/\d+">', html)
    html = get_ok(f"{served}/news/near_duplicates")
    assert re.search(r'<td class="col-story_id"><a href="/news/articles/\d+">', html)
    html = get_ok(f"{served}/news/crawl_health")
    assert re.search(r'<td class="col-crawl_id"><a href="/news/crawls/1">1</a>', html)


def test_article_bodies_are_shortened_in_the_table(served, archive):
    html = get_ok(f"{served}/news/articles")
    seed = seed_row(archive)
    assert seed["body"][:150] in html
    assert seed["body"] not in html  # not the whole text in a cell
    assert 'class="nc-body-cell"' in html


def test_the_article_page_reads_as_an_article(served, archive):
    seed = seed_row(archive)
    html = get_ok(f"{served}/news/articles/{seed['id']}")
    assert f"<h1>{SEED_TITLE}</h1>" in html
    assert json.loads(seed["authors"])[0] in html
    body = html.split('<div class="nc-body">')[1].split("</div>")[0]
    shown = re.findall(r"<p>(.*?)</p>", body, re.S)
    expected = paragraphs(seed["body"])
    if seed["subtitle"] and expected[0] == seed["subtitle"]:
        expected = expected[1:]
    assert len(shown) == len(expected) >= 5
    with sqlite3.connect(archive) as conn:
        related = conn.execute(
            "select target_article_id from related_links where article_id = ? and target_article_id is not null",
            [seed["id"]],
        ).fetchall()
    assert related
    for (target,) in related:
        assert f'href="/news/articles/{target}"' in html
    assert "Copies of this text" in html and "other.example" in html
    assert "Versions" in html


def test_a_copy_links_to_the_original_it_copies(served, archive):
    with sqlite3.connect(archive) as conn:
        (copy_id,) = conn.execute("select id from articles where site = 'other.example'").fetchone()
    html = get_ok(f"{served}/news/articles/{copy_id}")
    seed = seed_row(archive)
    assert "This text copies" in html
    assert f'href="/news/articles/{seed["id"]}">{SEED_TITLE}</a>' in html


def test_crawl_health_gives_a_verdict_per_run(archive, tmp_path):
    from datasette.app import Datasette

    copy = tmp_path / "news.db"
    with sqlite3.connect(archive) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    runs = {
        "refused": ({"downloader/exception_count": 3}, "finished"),
        "bounded": ({"response_received_count": 2, "downloader/response_status_count/200": 2}, "closespider_pagecount"),
        "errors": ({"response_received_count": 10, "downloader/response_status_count/200": 9, "downloader/response_status_count/500": 1}, "finished"),
        "mostly404": ({"response_received_count": 10, "downloader/response_status_count/404": 8}, "finished"),
        "killed": ({"response_received_count": 10}, None),
    }  # fmt: skip
    with sqlite3.connect(copy) as conn:
        for site, (stats, reason) in runs.items():
            conn.execute(
                "insert into crawls (spider, site, start_urls, started_at, finished_at, finish_reason, stats) "
                "values ('news', ?, '[]', '2024-07-08T10:00:00+00:00', ?, ?, ?)",
                [
                    site,
                    None if reason is None else "2024-07-08T10:01:00+00:00",
                    reason,
                    json.dumps(stats),
                ],
            )

    async def rows() -> list[dict[str, Any]]:
        datasette = Datasette([str(copy)])
        response = await datasette.client.get("/news/crawl_health.json?_shape=objects")
        assert response.status_code == 200, response.text[:300]
        return response.json()["rows"]

    verdicts = {r["site"]: (r["verdict"], r["why"]) for r in asyncio.run(rows())}
    assert verdicts["demo"] == ("ok", "")
    assert verdicts["refused"][0] == "failing" and "no page" in verdicts["refused"][1]
    assert verdicts["bounded"] == ("ok", "stopped at its own bound (closespider_pagecount)")
    assert verdicts["errors"][0] == "warning" and "1 HTTP" in verdicts["errors"][1]
    assert verdicts["mostly404"][0] == "failing"
    assert verdicts["killed"][0] == "unfinished"


# --- A real browser at desktop and phone widths ---------------------------------------------


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_index_page_has_the_charts(browser, served, width):
    from selenium.webdriver.common.by import By

    set_width(browser, width)
    browser.get(f"{served}/")
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.nc-chart")
    assert len(charts) == 2
    days, health = charts
    assert days.find_elements(By.TAG_NAME, "rect")  # a bar per day with articles
    assert health.find_elements(By.TAG_NAME, "rect")  # a bar per crawl run
    assert days.size["width"] <= WIDTHS[width][0]
    assert "ok" in browser.find_element(By.CSS_SELECTOR, "table.nc-latest-runs").text
    assert horizontal_overflow(browser) == 0
    screenshot(browser, f"index-{width}")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_search_from_the_index_page(browser, served, width):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    set_width(browser, width)
    browser.get(f"{served}/")
    box = browser.find_element(By.ID, "nc-q")
    box.send_keys("Südkorea")
    box.submit()
    WebDriverWait(browser, 10).until(lambda d: "search_ranked" in d.current_url)
    first = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert first.find_element(By.CSS_SELECTOR, "td.col-title").text == SEED_TITLE
    assert first.find_element(By.CSS_SELECTOR, "td.col-snippet mark").text == "**Südkorea**"
    assert not browser.find_elements(By.ID, "sql-query")  # the SQL is folded away
    screenshot(browser, f"search-{width}")
    browser.get(f"{served}/news/search_ranked")
    assert not browser.find_elements(By.CSS_SELECTOR, ".message-error")
    assert "fts5" not in browser.find_element(By.TAG_NAME, "body").text
    assert horizontal_overflow(browser) == 0
    screenshot(browser, f"search-empty-{width}")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_browse_shows_title_site_date_and_lead(browser, served, archive, width):
    from selenium.webdriver.common.by import By

    set_width(browser, width)
    browser.get(f"{served}/")
    browser.find_element(By.LINK_TEXT, "Browse articles").click()
    headers = [
        th.get_attribute("textContent").strip()  # hidden on a phone: each cell names its column
        for th in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns th")
    ]
    assert headers == ["id", "title", "site", "published", "lead"]
    rows = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    with sqlite3.connect(archive) as conn:
        (unique,) = conn.execute(
            "select count(*) from articles where duplicate_of is null"
        ).fetchone()
    assert len(rows) == unique
    leads = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "td.col-lead")]
    assert all(0 < len(lead) <= 282 for lead in leads)  # a lead, not the body
    assert horizontal_overflow(browser) == 0
    screenshot(browser, f"browse-{width}")
    rows[0].find_element(By.CSS_SELECTOR, "td.col-title a").click()
    assert "/news/articles/" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, ".nc-article h1").text


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_article_page_shows_the_whole_body_within_the_screen(browser, served, archive, width):
    from selenium.webdriver.common.by import By

    seed = seed_row(archive)
    set_width(browser, width)
    browser.get(f"{served}/news/articles/{seed['id']}")
    assert browser.find_element(By.CSS_SELECTOR, ".nc-article h1").text == SEED_TITLE
    assert "Olena Hrytsenko" in browser.find_element(By.CSS_SELECTOR, ".nc-byline").text
    body = browser.find_elements(By.CSS_SELECTOR, ".nc-body p")
    assert len(body) >= 5
    window = browser.execute_script("return window.innerWidth")
    for paragraph in body:  # nothing cut off at the right edge
        assert paragraph.rect["x"] + paragraph.rect["width"] <= window
    assert " ".join(body[-1].text.split()) == " ".join(paragraphs(seed["body"])[-1].split())
    assert horizontal_overflow(browser) == 0
    related = browser.find_elements(By.CSS_SELECTOR, ".nc-related a")
    assert related and all("/news/articles/" in a.get_attribute("href") for a in related[:2])
    assert browser.find_element(By.CSS_SELECTOR, "details.nc-raw").get_attribute("open") is None
    screenshot(browser, f"article-{width}")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_articles_table_puts_rows_on_the_first_screen(browser, served, width):
    from selenium.webdriver.common.by import By

    set_width(browser, width)
    browser.get(f"{served}/news/articles")
    folded = browser.find_element(By.CSS_SELECTOR, "details.nc-columns")
    assert folded.get_attribute("open") is None
    assert "columns mean" in folded.find_element(By.TAG_NAME, "summary").text
    # The column descriptions no longer fill the first screen: folded, they take one line.
    assert folded.rect["height"] < 40
    facets = browser.find_element(By.CSS_SELECTOR, ".facet-info").rect["y"]
    assert facets < browser.execute_script("return window.innerHeight")
    links = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr td.col-title a")
    assert "/news/articles/" in links.get_attribute("href")
    screenshot(browser, f"articles-table-{width}", full_page=False)


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_crawl_health_has_a_verdict_column(browser, served, width):
    from selenium.webdriver.common.by import By

    set_width(browser, width)
    browser.get(f"{served}/news/{quote('crawl_health')}")
    assert browser.find_element(By.CSS_SELECTOR, "td.col-verdict").text.endswith("ok")
    assert horizontal_overflow(browser) == 0
    screenshot(browser, f"crawl-health-{width}")


# --- The benchmark ------------------------------------------------------------------------


def test_the_frontend_benchmark_times_every_page(tmp_path):
    """``python -m bench.frontend`` at a tiny size: it runs end to end and prints every page."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.frontend", "--articles", "300", "--repeat", "1",
         "--crawl-days", "2", "--dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = result.stdout.split("  under 100 ms\n", 1)[1]
    for name in pages(1, "2024-01-01"):
        assert name in table, f"{name} is not in the timing table"
    assert " inf " not in table  # no page failed (an HTTP error is timed as inf)
    assert "pages under 100 ms (median)" in result.stdout
