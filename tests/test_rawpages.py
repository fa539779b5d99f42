"""Provenance: every archived article points at its raw response, stored compressed outside the browsed archive."""

from __future__ import annotations

import json
import sqlite3
import zlib
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from newscrawler.archive.rawpages import RawPageStore, page_id, raw_path_for
from newscrawler.demo.server import DEMO_SITE

from .helpers import run_crawl

SEED_PATH = "/2024/07/06/die-nato-und-suedkorea-bereiten-ein-gemeinsames-projekt-zur-unterstuetzung-der-ukraine-vor-stoltenberg/"


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_raw_pages_live_next_to_the_archive_not_in_it(demo_crawl):
    archive, _ = demo_crawl
    raw = archive.with_name("news-raw.db")
    assert raw_path_for(archive) == raw and raw.is_file()
    tables = {
        name for (name,) in query(archive, "select name from sqlite_master where type = 'table'")
    }
    assert "pages" not in tables


def test_every_article_points_at_the_exact_response_it_came_from(demo_crawl):
    archive, _ = demo_crawl
    raw = raw_path_for(archive)
    articles = query(archive, "select url, fetched_url, raw_page_id, http_status from articles")
    assert articles
    for url, fetched_url, raw_page_id, http_status in articles:
        ((page_url, status, headers, fetched_at, encoding, html_zlib),) = query(
            raw,
            "select url, status, headers, fetched_at, encoding, html_zlib from pages where id = ?",
            (raw_page_id,),
        )
        assert page_url == fetched_url and status == http_status == 200
        path = urlsplit(page_url).path
        # Byte for byte what the demo site served.
        assert (
            zlib.decompress(html_zlib) == (DEMO_SITE / path.strip("/") / "index.html").read_bytes()
        ), url
        assert json.loads(headers)["Content-Type"][0].startswith("text/html")
        assert datetime.fromisoformat(fetched_at).utcoffset().total_seconds() == 0
        assert encoding == "utf-8"


def test_only_responses_that_made_an_item_are_stored(demo_crawl):
    archive, _result = demo_crawl
    raw = raw_path_for(archive)
    urls = [url for (url,) in query(raw, "select url from pages")]
    assert len(urls) == len(set(urls))
    assert not any(url.endswith(("/impressum/", "/category/politik/", "/feed/")) for url in urls)
    stored = {pid for (pid,) in query(archive, "select raw_page_id from articles")}
    # The rest are pages whose item was dropped as a duplicate: kept for provenance too.
    assert stored <= {pid for (pid,) in query(raw, "select id from pages")}


def test_raw_pages_can_be_switched_off_or_moved(demo_server, tmp_path):
    start = demo_server.url.rstrip("/") + SEED_PATH
    off = tmp_path / "off" / "news.db"
    result = run_crawl(
        off, "-a", f"start_urls={start}", "-s", "DEPTH_LIMIT=1", "-s", "RAW_ARCHIVE_ENABLED=False"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert not raw_path_for(off).exists()
    ((articles, stamped),) = query(off, "select count(*), count(raw_page_id) from articles")
    assert articles > 1 and stamped == 0

    moved = tmp_path / "elsewhere" / "pages.sqlite"
    archive = tmp_path / "on" / "news.db"
    result = run_crawl(
        archive,
        "-a",
        f"start_urls={start}",
        "-s",
        "DEPTH_LIMIT=1",
        "-s",
        f"RAW_ARCHIVE_PATH={moved}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert not raw_path_for(archive).exists()
    stamped = {pid for (pid,) in query(archive, "select raw_page_id from articles")}
    assert None not in stamped and len(stamped) > 1
    assert stamped <= {pid for (pid,) in query(moved, "select id from pages")}


def test_a_page_fetched_again_unchanged_is_stored_once(tmp_path):
    store = RawPageStore.open(tmp_path / "raw.db", batch_size=1)
    body = b"<html><body><h1>Titel</h1></body></html>"
    first = store.add("https://example.org/a/", 200, body, encoding="utf-8")
    store.db.execute("update pages set last_fetched_at = '2000-01-01T00:00:00+00:00'")
    assert (
        store.add("https://example.org/a/", 200, body)
        == first
        == page_id("https://example.org/a/", 200, body)
    )
    changed = store.add("https://example.org/a/", 200, body + b" ", encoding="utf-8")
    store.close()
    assert changed != first
    store = RawPageStore.open(tmp_path / "raw.db")
    assert store.db.execute("select count(*) from pages").fetchone()[0] == 2
    assert store.db.execute(
        "select last_fetched_at > '2000' from pages where id = ?", [first]
    ).fetchone()[0]
    page = store.get(first)
    assert page is not None and page.body == body and page.url == "https://example.org/a/"
    assert store.get(12345) is None


def test_raw_path_puts_raw_before_the_extension():
    assert raw_path_for("archive/news.db") == Path("archive/news-raw.db")
    assert raw_path_for("/data/crawl.sqlite") == Path("/data/crawl.sqlite-raw.db")
