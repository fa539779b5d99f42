"""Diagnostics never write: `scrapy extract`, `parse`, `shell` and `check` leave the archive alone,
and `scrapy extract` shows exactly the cleaned, validated article the crawl would store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from newscrawler.archive import Archive
from newscrawler.demo.server import DEMO_SITE

from .helpers import ROOT

SEED_PAGE = (
    DEMO_SITE / "2024/07/06/die-nato-und-suedkorea-bereiten-ein-gemeinsames-projekt-zur-"
    "unterstuetzung-der-ukraine-vor-stoltenberg/index.html"
)
SEED_URL = "https://ostwest.example/2024/07/06/die-nato-und-suedkorea/"


def scrapy(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def test_extract_shows_the_cleaned_article_the_crawl_would_store():
    result = scrapy("extract", str(SEED_PAGE), "--url", SEED_URL)
    assert result.returncode == 0, result.stderr[-3000:]
    article = json.loads(result.stdout)
    assert article["dropped"] is None
    assert "< strong>" not in article["body"] and "Ähnliche Themen" not in article["body"]
    assert article["source_attribution"] == "UNIAN"
    assert article["word_count"] == len(article["body"].split())
    assert len(article["content_hash"]) == 64
    assert article["related"] and all(link["url"].startswith("http") for link in article["related"])


def test_extract_says_why_the_crawl_would_drop_a_page(tmp_path):
    stub = tmp_path / "stub.html"
    stub.write_text(
        "<html><head><title>Eilmeldung</title><meta property='og:type' content='article'></head>"
        "<body><article><h1>Eilmeldung</h1><p>Über Sachsen ziehen schwere Gewitter. "
        "Weitere Einzelheiten folgen in Kürze.</p></article>"
        "</body></html>",
        encoding="utf-8",
    )
    result = scrapy("extract", str(stub), "--url", "https://example.org/2024/07/06/eil/")
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout)["dropped"]["reason"] == "TooShort"
    assert "the crawl would drop this page (TooShort)" in result.stderr


def test_extract_fetches_a_url_on_a_private_host_while_a_crawl_holds_the_archive(
    demo_server, tmp_path
):
    archive = tmp_path / "news.db"
    busy = Archive.open(archive, writer_lock=True)  # as a running crawl holds it
    try:
        url = demo_server.url.rstrip("/") + "/" + str(SEED_PAGE.parent.relative_to(DEMO_SITE)) + "/"
        result = scrapy("extract", url, "-s", f"ARCHIVE_PATH={archive}")
    finally:
        busy.close()
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout)["title"].startswith("Die NATO und Südkorea")
    assert "WARNING" not in result.stderr and "Traceback" not in result.stderr
    reopened = Archive.open(archive)
    assert reopened.db.execute("select count(*) from crawls").fetchone()[0] == 0
    reopened.close()


def test_extract_of_an_unreachable_url_is_one_line_and_exit_1():
    result = scrapy("extract", "http://127.0.0.1:9/nothing-here/")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "scrapy extract: error" in line]
    assert lines and "cannot fetch http://127.0.0.1:9/nothing-here/" in lines[0]


def test_parse_and_check_leave_the_archive_untouched(demo_server, tmp_path):
    archive = tmp_path / "news.db"
    url = demo_server.url.rstrip("/") + "/" + str(SEED_PAGE.parent.relative_to(DEMO_SITE)) + "/"
    parsed = scrapy(
        "parse", "--spider", "news", "-a", f"start_urls={url}", url, "-s", f"ARCHIVE_PATH={archive}"
    )
    assert parsed.returncode == 0, parsed.stderr[-3000:]
    assert "Die NATO und Südkorea" in parsed.stdout  # the item parse printed
    checked = scrapy("check", "news", "-s", f"ARCHIVE_PATH={archive}")
    assert checked.returncode == 0, checked.stderr[-3000:]
    assert not archive.exists() and not Path(str(archive).replace(".db", "-raw.db")).exists()
