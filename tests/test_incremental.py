"""Scheduled, incremental crawls of the demo site: nothing fetched twice, versions kept, health exit codes."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest

from newscrawler.demo.server import DEMO_SITE, DemoServer
from newscrawler.spiders.discovery import parse_entries

from .helpers import ROOT, crawl_stats, revisit_args, run_crawl
from .hostile.server import HostileServer
from .hostile.site import D, _art, _page, article_html

SEED_PATH = "/2024/07/06/die-nato-und-suedkorea-bereiten-ein-gemeinsames-projekt-zur-unterstuetzung-der-ukraine-vor-stoltenberg/"


def count(archive: Path, sql: str) -> int:
    with sqlite3.connect(archive) as conn:
        return conn.execute(sql).fetchone()[0]


@pytest.fixture
def site_copy(tmp_path) -> Path:
    """A copy of the demo site that a test may change between runs."""
    root = tmp_path / "site"
    shutil.copytree(DEMO_SITE, root)
    return root


def test_second_run_fetches_no_known_article(demo_server, tmp_path):
    archive = tmp_path / "news.db"
    args = ("-a", "site=demo", "-a", f"start_urls={demo_server.url}", "-s", "RECRAWL_DAYS=0")
    assert run_crawl(archive, *args).returncode == 0
    assert run_crawl(archive, *args).returncode == 0
    first, second = crawl_stats(archive)
    assert first["newscrawler/pages/article"] >= 26
    assert second.get("newscrawler/pages/article", 0) == 0  # no article page fetched again
    assert (
        second["newscrawler/incremental/skipped_known"] >= 20
    )  # those linked from listings, feed and sitemap
    assert second["response_received_count"] < first["response_received_count"] / 2
    assert second.get("item_scraped_count", 0) == 0
    assert count(archive, "select count(*) from articles") == 26


def test_young_articles_are_rechecked_conditionally_and_cost_no_parsing(demo_server, tmp_path):
    archive = tmp_path / "news.db"
    # No wait before a re-check (the default waits an hour: tests/test_revisit.py).
    args = (
        "-a",
        "site=demo",
        "-a",
        f"start_urls={demo_server.url}",
        "-s",
        "RECRAWL_INTERVAL_HOURS=0",
    )
    assert run_crawl(archive, *args).returncode == 0
    assert run_crawl(archive, *args).returncode == 0
    second = crawl_stats(archive)[1]
    assert second["newscrawler/incremental/recrawled"] >= 26
    assert second["newscrawler/incremental/not_modified"] >= 26
    assert second.get("newscrawler/pages/article", 0) == 0
    assert second["downloader/response_status_count/304"] >= 26


def test_a_changed_article_gets_a_new_version(site_copy, tmp_path):
    archive = tmp_path / "news.db"
    with DemoServer(site_copy) as server:
        args = revisit_args(server.url)
        assert run_crawl(archive, *args).returncode == 0
        page = site_copy / SEED_PATH.strip("/") / "index.html"
        html = page.read_text(encoding="utf-8")
        page.write_text(
            html.replace(
                "bis 2034 hofft.", "bis 2034 hofft. Update: Der Gipfel beginnt am Dienstag."
            ),
            encoding="utf-8",
        )
        assert run_crawl(archive, *args).returncode == 0
    with sqlite3.connect(archive) as conn:
        conn.row_factory = sqlite3.Row
        article = conn.execute(
            "select * from articles where url like ?", (f"%{SEED_PATH}",)
        ).fetchone()
        versions = conn.execute(
            "select * from article_versions where article_id = ?", (article["id"],)
        ).fetchall()
    assert "Update: Der Gipfel beginnt am Dienstag." in article["body"]
    assert article["versions"] == 2
    assert len(versions) == 1
    assert "Update:" not in versions[0]["body"]
    assert json.loads(versions[0]["changed_fields"]) == ["body"]
    assert crawl_stats(archive)[1]["newscrawler/archive/articles_updated"] == 1


def test_a_site_that_yields_no_article_fails_the_run_loudly(tmp_path):
    root = tmp_path / "broken"
    root.mkdir()
    (root / "index.html").write_text(
        "<html><body><p>Wartungsarbeiten</p></body></html>", encoding="utf-8"
    )
    with DemoServer(root) as server:
        result = run_crawl(tmp_path / "news.db", "-a", f"start_urls={server.url}")
    assert result.returncode == 3
    assert "is failing: no article found" in result.stderr
    stats = crawl_stats(tmp_path / "news.db")[0]
    assert stats["newscrawler/health/failing_sites"] == 1
    assert stats["newscrawler/health/127.0.0.1"].startswith("no article found")


def test_a_healthy_run_records_ok(demo_crawl):
    archive, _ = demo_crawl
    stats = crawl_stats(archive)[0]
    assert stats["newscrawler/health/127.0.0.1"] == "ok"
    assert stats["newscrawler/health/failing_sites"] == 0


def test_backfill_keeps_to_the_date_range(demo_server, tmp_path):
    archive = tmp_path / "news.db"
    result = run_crawl(archive, "-a", "site=demo", "-a", f"start_urls={demo_server.url}",
                       "-a", "since=2024-07-05", "-a", "until=2024-07-06")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(archive) as conn:
        days = [row[0][:10] for row in conn.execute("select published_at from articles")]
    assert days and set(days) <= {"2024-07-05", "2024-07-06"}
    assert len(days) == 6  # the demo site's articles of those two days


def test_bad_backfill_dates_are_refused(tmp_path):
    result = run_crawl(
        tmp_path / "news.db", "-a", "start_urls=http://127.0.0.1:9/", "-a", "since=July"
    )
    assert result.returncode == 1
    assert "is not a date (use YYYY-MM-DD)" in result.stderr


def test_feeds_and_sitemaps_alone_find_the_articles(demo_server, tmp_path):
    archive = tmp_path / "news.db"
    result = run_crawl(archive, "-a", "site=demo", "-a", f"start_urls={demo_server.url}",
                       "-a", "discover=feeds,sitemaps")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    stats = crawl_stats(archive)[0]
    assert (
        stats["newscrawler/pages/feed"] >= 2
    )  # /feed/ (autodiscovered) and /sitemap.xml (robots.txt)
    assert stats.get("newscrawler/pages/listing", 0) == 1  # the home page; no listing link followed
    # The sitemap lists 23 genuine articles and the republished copy; related links lead on,
    # as deep as DEPTH_LIMIT allows (robots.txt -> sitemap -> article -> related).
    assert stats["newscrawler/discovery/entries"] >= 24
    assert count(archive, "select count(*) from articles") >= 24
    with sqlite3.connect(archive) as conn:
        states = dict(conn.execute("select url, last_status from feed_state"))
    base = demo_server.url
    assert states == {base + "feed/": 200, base + "sitemap.xml": 200}


def test_news_sitemap_fields_are_kept():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>/2024/07/06/nato/</loc><lastmod>2024-07-06T12:00:00+02:00</lastmod>
  <news:news><news:publication><news:name>Ostwest</news:name><news:language>de</news:language></news:publication>
   <news:publication_date>2024-07-06T10:15:00+02:00</news:publication_date>
   <news:title>NATO und S\xc3\xbcdkorea</news:title><news:keywords>NATO, S\xc3\xbcdkorea, Ukraine</news:keywords></news:news>
 </url>
</urlset>"""
    kind, entries = parse_entries(body, "https://example.org/sitemap.xml")
    assert kind == "urlset"
    (entry,) = entries
    assert entry.url == "https://example.org/2024/07/06/nato/"
    assert entry.published == "2024-07-06T10:15:00+02:00"
    assert entry.lastmod == "2024-07-06T12:00:00+02:00"
    assert entry.title == "NATO und Südkorea"
    assert entry.keywords == ["NATO", "Südkorea", "Ukraine"]


def test_rss_and_atom_entries_carry_their_dates():
    rss = b"""<rss version="2.0"><channel><item><title>A</title><link>/a/</link>
      <pubDate>Sat, 06 Jul 2024 10:15:00 +0200</pubDate></item></channel></rss>"""
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>B</title>
      <link rel="alternate" href="https://example.org/b/"/><published>2024-07-07T08:00:00Z</published></entry></feed>"""
    assert (
        parse_entries(rss, "https://example.org/feed/")[1][0].published
        == "2024-07-06T10:15:00+02:00"
    )
    (entry,) = parse_entries(atom, "https://example.org/feed/")[1]
    assert (entry.url, entry.published) == ("https://example.org/b/", "2024-07-07T08:00:00+00:00")


def test_a_second_crawl_on_the_same_archive_is_refused(demo_server, tmp_path):
    archive = tmp_path / "news.db"
    slow = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "site=demo", "-a", f"start_urls={demo_server.url}",
         "-s", f"ARCHIVE_PATH={archive}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0.3",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while count_or_zero(archive) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)  # wait until the first crawl holds the archive
        second = run_crawl(archive, "-a", "site=demo", "-a", f"start_urls={demo_server.url}")
        assert second.returncode == 1
        assert "another crawl is writing" in second.stderr
        assert slow.wait(timeout=120) == 0
    finally:
        if slow.poll() is None:
            slow.kill()
    assert count(archive, "select count(*) from articles") == 26
    assert count(archive, "select count(*) from crawls") == 1


def count_or_zero(archive: Path) -> int:
    try:
        return count(archive, "select count(*) from crawls")
    except sqlite3.Error:
        return 0


def test_pause_and_resume_with_jobdir(demo_server, tmp_path):
    archive, jobdir = tmp_path / "news.db", tmp_path / "job"
    args = ("-a", "site=demo", "-a", f"start_urls={demo_server.url}", "-s", f"JOBDIR={jobdir}")
    first = run_crawl(archive, *args, "-s", "CLOSESPIDER_PAGECOUNT=12")
    assert first.returncode == 0, first.stderr[-2000:]
    partial = count(archive, "select count(*) from articles")
    assert 0 < partial < 26
    assert run_crawl(archive, *args).returncode == 0
    assert count(archive, "select count(*) from articles") == 26


NEW_ARTICLES = (
    "/2024/07/09/nato-gipfel-beginnt-in-washington/",
    "/2024/07/09/strompreise-sinken-weiter/",
)
GONE = "/2024/07/07/studie-rechenzentren-verbrauchen-immer-mehr-strom/"
EDITED = "/2024/07/05/gasspeicher-zu-mehr-als-80-prozent-gefuellt/"


def publish(root: Path, path: str, source: str, headline: str, sentence: str) -> None:
    """A new article page made from an existing one, announced in the feed and the sitemap."""
    html = (root / source.strip("/") / "index.html").read_text(encoding="utf-8")
    old_headline = html.split('<h1 class="entry-title">', 1)[1].split("</h1>", 1)[0]
    html = html.replace(old_headline, headline).replace(source, path)
    html = html.replace("<p>", f"<p>{sentence} ", 2)  # a different text, not a copy
    page = root / path.strip("/") / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(html, encoding="utf-8")
    for file, entry in (
        ("sitemap.xml", f"<url><loc>{path}</loc><lastmod>2024-07-09T08:00:00+02:00</lastmod></url>\n"),
        ("feed/index.xml", f"<item><title>{headline}</title><link>{path}</link>"
                           "<pubDate>Tue, 09 Jul 2024 08:00:00 +0200</pubDate></item>\n"),
    ):  # fmt: skip
        target = root / file
        text = target.read_text(encoding="utf-8")
        anchor = "<url>" if file == "sitemap.xml" else "<item>"
        target.write_text(text.replace(anchor, entry + anchor, 1), encoding="utf-8")


def test_a_site_that_changes_between_runs(site_copy, tmp_path):
    """Run 2 fetches only what is new or re-checked, stores the edit as a version, counts the 404."""
    archive = tmp_path / "news.db"
    with DemoServer(site_copy) as server:
        args = revisit_args(server.url)
        assert run_crawl(archive, *args).returncode == 0
        publish(site_copy, NEW_ARTICLES[0], EDITED, "NATO-Gipfel beginnt in Washington",
                "Am Dienstagabend hat in Washington der Jubiläumsgipfel der NATO begonnen, zu dem mehr als dreißig Staats- und Regierungschefs angereist sind.")  # fmt: skip
        publish(site_copy, NEW_ARTICLES[1], GONE, "Strompreise sinken weiter",
                "Die Großhandelspreise für Strom sind im Juli erneut gefallen, wie aus einer Auswertung mehrerer Vergleichsportale hervorgeht.")  # fmt: skip
        edited = site_copy / EDITED.strip("/") / "index.html"
        edited.write_text(
            edited.read_text(encoding="utf-8").replace(
                "Versorgungslage als stabil.</p>",
                "Versorgungslage als stabil. Update: Die Bundesnetzagentur bestätigte die Zahlen am Abend.</p>",
            ),
            encoding="utf-8",
        )  # fmt: skip
        shutil.rmtree(site_copy / GONE.strip("/"))
        second = run_crawl(archive, *args)
    assert second.returncode == 0, second.stderr[-2000:]
    run1, run2 = crawl_stats(archive)
    # Run 2 parses only the two new pages and the edited one; every other archived article is
    # answered 304 (re-checked, not modified) or not asked for at all.
    assert run2["newscrawler/pages/article"] == 3
    assert run2["newscrawler/archive/articles_new"] == 2
    assert run2["newscrawler/archive/articles_updated"] == 1
    assert run2["newscrawler/site/127.0.0.1/status/404"] == 1
    assert run2["newscrawler/incremental/not_modified"] >= 20
    assert run2["downloader/request_count"] <= run1["downloader/request_count"] + len(NEW_ARTICLES)
    with sqlite3.connect(archive) as conn:
        urls = {row[0].split("/", 3)[3] for row in conn.execute("select url from articles")}
        versions = conn.execute(
            "select v.body from article_versions v join articles a on a.id = v.article_id where a.url like ?",
            (f"%{EDITED}",),
        ).fetchall()
    assert {p.lstrip("/") for p in NEW_ARTICLES} <= urls
    assert GONE.lstrip("/") in urls  # a page that went away stays archived
    assert len(versions) == 1 and "Update:" not in versions[0][0]


def test_a_sitemap_index_alone_leads_to_the_articles(site_copy, tmp_path):
    (site_copy / "sitemap_index.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>/sitemap.xml</loc></sitemap></sitemapindex>",
        encoding="utf-8",
    )
    archive = tmp_path / "news.db"
    with DemoServer(site_copy) as server:
        result = run_crawl(archive, "-a", f"start_urls={server.url}sitemap_index.xml",
                           "-a", "discover=sitemaps", "-s", "DEPTH_LIMIT=2")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    stats = crawl_stats(archive)[0]
    assert stats.get("newscrawler/pages/listing", 0) == 0  # no HTML listing page was needed
    assert stats["newscrawler/discovery/entries"] >= 24
    assert count(archive, "select count(*) from articles") >= 23


def chain_site() -> dict:
    """Four articles whose related blocks form a chain: A -> B -> C -> D."""
    slugs = ["kette-eins", "kette-zwei", "kette-drei", "kette-vier"]
    arts = [
        _art(slug, f"Kette {slug.split('-')[1]}: der Stadtrat berät", count=5) for slug in slugs
    ]
    for article, following in pairwise(arts):
        article.related = [(following.path, following.title)]
    return {
        a.path: _page(200, article_html(a.title, a.paragraphs, path=a.path, related=a.related))
        for a in arts
    }


def test_a_deeper_run_walks_through_archived_articles_to_the_new_one(tmp_path):
    # A run to depth 2 from A archives A, B and C. The next run, to depth 3, fetches only A (its
    # start page): B and C are archived and not due, so their stored related blocks are walked,
    # through both of them, to D, as an uninterrupted crawl to depth 3 would reach it.
    archive = tmp_path / "news.db"
    with HostileServer(chain_site()) as server:
        start = server.url.rstrip("/") + D + "kette-eins/"
        args = ("-a", f"start_urls={start}", "-s", "RECRAWL_DAYS=0")
        assert run_crawl(archive, *args, "-s", "DEPTH_LIMIT=2").returncode == 0
        assert count(archive, "select count(*) from articles") == 3
        second = run_crawl(archive, *args, "-s", "DEPTH_LIMIT=3")
        assert second.returncode == 0, second.stderr[-2000:]
        fetched = server.paths()
    assert count(archive, "select count(*) from articles") == 4
    assert fetched.count(D + "kette-zwei/") == 1 and fetched.count(D + "kette-vier/") == 1
