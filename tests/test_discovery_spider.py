"""The spider's link choice on listing pages, and start pages that find nothing: callbacks and one real crawl."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawler.demo.server import DemoServer
from newscrawler.extensions.health import judge_site
from newscrawler.spiders.news import SECTION_PRIORITY, NewsSpider

from .helpers import run_crawl

START = "https://www.zeitung.example/"
FREE = "https://www.zeitung.example/politik/gipfel-endet-ohne-einigung-94104443.html"
PLUS = "https://www.zeitung.example/wirtschaft/sparen-mit-etf-so-geht-es-94104444.html"
SPORT = (
    "https://sport.zeitung.example/fussball/bayern-gewinnt-das-spitzenspiel-deutlich-94104446.html"
)
SISTER = (
    "https://www.schwesterblatt.example/politik/ein-anderer-bericht-ueber-den-gipfel-94104447.html"
)

HOME = f"""<!doctype html><html><head><title>Zeitung</title>
<meta property="og:type" content="article"></head><body>
<nav><a href="/politik/">Politik</a> <a href="/wirtschaft/">Wirtschaft</a> <a href="/kultur/">Kultur</a></nav>
<main>
<article><h2><a href="{FREE}">Gipfel endet ohne Einigung über das Klima</a></h2></article>
<article><span class="badge premium"></span><h2><a href="{PLUS}">Sparen mit ETF, so geht es</a></h2></article>
<article><h2><a href="{SPORT}">Bayern gewinnt das Spitzenspiel deutlich</a></h2></article>
<article><h2><a href="{SISTER}">Ein anderer Bericht über den Gipfel</a></h2></article>
</main>
<footer><a href="/impressum.html">Impressum</a> <a href="https://games.zeitung.example/">Spiele</a></footer>
</body></html>"""


def spider_for(settings: dict | None = None, **args: str) -> NewsSpider:
    crawler = get_crawler(NewsSpider, settings or {})
    spider = crawler._create_spider(start_urls=START, **args)
    crawler.spider = spider
    return spider


def start_response(html: str, url: str = START) -> HtmlResponse:
    request = Request(url, meta={"newscrawler_kind": "start", "depth": 0})
    return HtmlResponse(url, body=html.encode(), encoding="utf-8", request=request)


def parse(spider: NewsSpider, response: HtmlResponse) -> list:
    async def collect() -> list:
        return [output async for output in spider.parse(response)]

    return asyncio.run(collect())


def test_a_home_page_that_says_article_is_read_as_a_listing_and_its_articles_come_first():
    spider = spider_for(discover="links")
    requests = parse(spider, start_response(HOME))
    urls = [r.url for r in requests]
    assert urls[:2] == [FREE, SPORT]  # articles first; the subdomain of the www. host is the site
    assert [r.priority for r in requests[2:]] == [SECTION_PRIORITY] * 3
    assert {u.rsplit("/", 2)[-2] for u in urls[2:]} == {"politik", "wirtschaft", "kultur"}
    stats = spider.crawler.stats
    assert stats.get_value("newscrawler/links/paywalled_skipped") == 1
    assert stats.get_value("newscrawler/links/junk/legal") == 1
    assert stats.get_value("newscrawler/links/junk/games") == 1
    assert stats.get_value("newscrawler/site/zeitung.example/listing_pages") == 1
    assert not stats.get_value("newscrawler/site/zeitung.example/start_pages_empty")


def test_paywalled_teasers_are_followed_when_skip_paywalled_is_off():
    spider = spider_for({"SKIP_PAYWALLED": False}, discover="links")
    assert PLUS in [r.url for r in parse(spider, start_response(HOME))]


def test_sections_are_bounded_per_run():
    spider = spider_for({"FOLLOW_SECTIONS_MAX": 2}, discover="links")
    first = [r for r in parse(spider, start_response(HOME)) if r.priority == SECTION_PRIORITY]
    again = [r for r in parse(spider, start_response(HOME)) if r.priority == SECTION_PRIORITY]
    assert len(first) == 2 and again == []
    assert spider.crawler.stats.get_value("newscrawler/links/sections_over_bound") == 1 + 3


def test_subdomains_off_and_sister_brands_through_allowed_domains():
    spider = spider_for({"FOLLOW_SUBDOMAINS": False}, discover="links")
    assert SPORT not in [r.url for r in parse(spider, start_response(HOME))]
    sister = spider_for(
        discover="links", allowed_domains="www.zeitung.example,www.schwesterblatt.example"
    )
    urls = [r.url for r in parse(sister, start_response(HOME))]
    assert SISTER in urls and SPORT in urls


def test_a_start_page_with_nothing_to_follow_says_so(caplog):
    spider = spider_for(discover="links")
    html = '<html><body><p>Wartung</p><a href="/impressum/">Impressum</a></body></html>'
    with caplog.at_level(logging.WARNING):
        assert parse(spider, start_response(html)) == []
    assert spider.crawler.stats.get_value("newscrawler/site/zeitung.example/start_pages_empty") == 1
    assert [r.message for r in caplog.records if "led to no link" in r.message] == [
        f"start page {START} led to no link to follow (no article or section link on the site)"
    ]


def test_the_health_check_fails_a_site_whose_start_page_led_nowhere_or_was_an_article():
    ok = {"responses": 5, "article_pages": 3}
    assert judge_site(ok) is None
    assert judge_site({**ok, "start_pages_empty": 1}) == "1 start page(s) led to no link to follow"
    assert judge_site({**ok, "start_pages_as_article": 1}).startswith(
        "1 start page(s) taken for an article"
    )
    # a site that found nothing says that first
    assert judge_site({"responses": 1, "start_pages_empty": 1}).startswith("no article found")


# -- a real crawl of a local site -----------------------------------------------------------------


def article_html(title: str, path: str) -> str:
    text = " ".join(
        f"{title}: der {n}. Satz dieses Berichts erzählt, was geschah und warum." for n in range(12)
    )
    data = json.dumps(
        {"@type": "NewsArticle", "headline": title, "url": path, "datePublished": "2024-07-06"}
    )
    return (
        f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>'
        f'<script type="application/ld+json">{data}</script></head><body><article><h1>{title}</h1>'
        f"<p>{text}</p><p>{text}</p></article></body></html>"
    )  # fmt: skip


ARTICLES = {
    "/politik/gipfel-endet-ohne-einigung-ueber-das-klima/": "Gipfel endet ohne Einigung über das Klima",
    "/wirtschaft/haushalte-zahlen-ab-juli-weniger-fuer-strom/": "Haushalte zahlen ab Juli weniger für Strom",
}


def write_site(root: Path, home: str, with_articles: bool = True) -> None:
    root.mkdir()
    (root / "index.html").write_text(home, encoding="utf-8")
    for path, title in ARTICLES.items() if with_articles else []:
        folder = root / path.strip("/")
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(article_html(title, path), encoding="utf-8")


def stats_of(archive: Path) -> dict:
    with sqlite3.connect(archive) as conn:
        return json.loads(conn.execute("select stats from crawls").fetchone()[0])


def test_a_home_page_that_calls_itself_an_article_is_crawled_for_its_articles(tmp_path):
    teasers = "".join(
        f'<article><h2><a href="{p}">{t}</a></h2></article>' for p, t in ARTICLES.items()
    )
    home = (
        '<!doctype html><html><head><title>Zeitung</title><meta property="og:type" content="article">'
        f"</head><body><h1>Zeitung</h1>{teasers}</body></html>"
    )
    write_site(tmp_path / "site", home)
    with DemoServer(tmp_path / "site") as server:
        result = run_crawl(
            tmp_path / "news.db", "-a", f"start_urls={server.url}", "-s", "DEPTH_LIMIT=1"
        )
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "news.db") as conn:
        archived = {row[0].split("/", 3)[3] for row in conn.execute("select url from articles")}
    assert archived == {path.lstrip("/") for path in ARTICLES}  # the home page is not among them


def test_a_start_page_that_leads_nowhere_fails_the_run_with_one_line(tmp_path):
    home = "<!doctype html><html><head><title>Wartung</title></head><body><p>Wartungsarbeiten</p></body></html>"
    write_site(tmp_path / "site", home, with_articles=False)
    with DemoServer(tmp_path / "site") as server:
        result = run_crawl(tmp_path / "news.db", "-a", f"start_urls={server.url}")
    assert result.returncode == 3
    assert result.stderr.count("led to no link to follow") == 1
    assert "site 127.0.0.1 is failing" in result.stderr
    stats = stats_of(tmp_path / "news.db")
    assert stats["newscrawler/site/127.0.0.1/start_pages_empty"] == 1
    assert stats["newscrawler/health/failing_sites"] == 1


def test_a_section_start_page_taken_for_an_article_fails_the_site_but_its_links_are_followed(
    tmp_path,
):
    links = "".join(f'<li><a href="{p}">{t}</a></li>' for p, t in ARTICLES.items())
    section = (
        '<!doctype html><html><head><title>Politik</title><meta property="og:type" content="article">'
        f"</head><body><h1>Politik</h1><p>{'Die Politik des Tages im Überblick, mit allen Berichten. ' * 6}</p>"
        f"<ul>{links}</ul></body></html>"
    )
    write_site(tmp_path / "site", "<html><body></body></html>")
    (tmp_path / "site" / "politik").mkdir(exist_ok=True)
    (tmp_path / "site" / "politik" / "index.html").write_text(section, encoding="utf-8")
    with DemoServer(tmp_path / "site") as server:
        start = server.url.rstrip("/") + "/politik/"
        result = run_crawl(tmp_path / "news.db", "-a", f"start_urls={start}", "-s", "DEPTH_LIMIT=1")
    assert result.returncode == 3, result.stderr[-3000:]
    assert result.stderr.count("was taken for an article") == 1
    stats = stats_of(tmp_path / "news.db")
    assert stats["newscrawler/site/127.0.0.1/start_pages_as_article"] == 1
    assert stats["newscrawler/health/127.0.0.1"].startswith("1 start page(s) taken for an article")
    with sqlite3.connect(tmp_path / "news.db") as conn:
        archived = {row[0].split("/", 3)[3] for row in conn.execute("select url from articles")}
    assert {path.lstrip("/") for path in ARTICLES} <= archived
