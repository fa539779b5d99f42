"""End to end: a real ``scrapy crawl news`` of the demo site on 127.0.0.1 into a real archive."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib

import pytest
from lxml import html as lxml_html

from newscrawler.archive.rawpages import raw_path_for
from newscrawler.extract.text import drop_lone_fragments, repair_line

from .demo_site import ARTICLE_PATH, GENUINE_ARTICLES, SEED_PATH, demo_pages
from .helpers import ROOT, rows, run_crawl

#: Facts of the demo site (newscrawler/demo/SITE.md); the shared ones are in tests/demo_site.py.
REPUBLISHED = {
    "/2024/07/02/strompreise-fuer-haushalte-sinken-im-zweiten-halbjahr/",
    "/2024/07/08/haushalte-zahlen-ab-juli-weniger-fuer-strom/",
}
AMP_PATH = "/2024/07/04/bundesregierung-einigt-sich-auf-haushaltsentwurf-fuer-2025/amp/"
ONLY_VIA_RELATED = (
    "/2024/06/24/stoltenberg-hofft-auf-nato-mitgliedschaft-der-ukraine-bis-2034/",
    "/2024/06/27/selenskyj-was-eine-nato-einladung-fuer-putin-bedeuten-wuerde/",
    "/2024/06/20/ukrainische-museen-digitalisieren-ihre-sammlungen/",
)
ARTIFACTS = ("< strong>", "\n„NATO\n", "Südkorea .", "Ähnliche Themen", "Weitere Nachrichten",
             "Leave a Reply", "Teilen:", "\u00ad", "\u200b", "  ")  # fmt: skip


def related_paths(page: lxml_html.HtmlElement) -> list[str]:
    """The hrefs of the page's "Ähnliche Themen" list, as the site wrote them."""
    heading = page.xpath(
        '//*[self::h2 or self::h3 or self::h4][starts-with(normalize-space(), "Ähnliche Themen")]'
    )
    assert heading, "every demo article has an Ähnliche Themen block"
    return heading[0].xpath("following-sibling::ul[1]//a/@href")


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_crawl_exits_cleanly_and_records_the_run(demo_crawl):
    archive, result = demo_crawl
    assert "Traceback" not in result.stderr
    assert "] ERROR:" not in result.stderr
    assert "log_count/ERROR" not in result.stderr
    (crawl,) = rows(archive, "select * from crawls")
    assert crawl["spider"] == "news" and crawl["site"] == "demo"
    assert crawl["finish_reason"] == "finished"
    assert crawl["finished_at"] >= crawl["started_at"]
    stats = json.loads(crawl["stats"])
    assert stats["newscrawler/archive/articles_new"] == crawl["articles_new"] > 0
    assert stats["item_scraped_count"] == crawl["articles_new"]


def test_every_demo_article_is_archived_exactly_once(demo_crawl):
    archive, _ = demo_crawl
    archived = [path_of(r["url"]) for r in rows(archive, "select url from articles")]
    assert len(archived) == len(set(archived))
    aliases = {
        path_of(r["url"])
        for r in rows(archive, "select url from url_aliases where reason = 'duplicate_content'")
    }
    # Each article page of the site is either archived or recorded as another URL of one.
    assert set(demo_pages()) == set(archived) | aliases
    assert len(archived) == GENUINE_ARTICLES
    assert SEED_PATH in archived
    for path in ONLY_VIA_RELATED:
        assert path in archived
    assert len(REPUBLISHED & set(archived)) == 1
    # Different stories of one site are never linked as copies of each other.
    assert (
        rows(archive, "select count(*) as n from articles where duplicate_of is not null")[0]["n"]
        == 0
    )
    assert len(REPUBLISHED & aliases) == 1
    assert all(ARTICLE_PATH.match(path) for path in archived)


def test_listing_and_imprint_pages_are_not_archived(demo_crawl):
    archive, _ = demo_crawl
    urls = [r["url"] for r in rows(archive, "select url from articles")]
    for path in ("/", "/impressum/", "/datenschutz/", "/category/politik/", "/page/2/"):
        assert not any(path_of(url) == path for url in urls)
    assert not any("/amp/" in url or "utm_" in url or "#" in url for url in urls)


def test_bodies_are_clean(demo_crawl):
    archive, _ = demo_crawl
    for row in rows(archive, "select url, body, title, word_count from articles"):
        for artifact in ARTIFACTS:
            assert artifact not in row["body"], (row["url"], artifact)
        assert row["word_count"] == len(row["body"].split()) > 100
        assert "\n\n" in row["body"]  # paragraphs kept
        assert "Nachrichten Ostwest" not in row["title"]


def test_cleaning_keeps_every_real_paragraph(demo_crawl):
    """Each text paragraph of a demo article's content survives extraction and cleaning."""
    archive, _ = demo_crawl
    pages = demo_pages()
    for row in rows(archive, "select url, body from articles"):
        page = pages[path_of(row["url"])]
        paragraphs = page.xpath('//div[contains(@class, "entry-content")]/p')
        assert paragraphs
        for paragraph in paragraphs:
            text = repair_line(paragraph.text_content())
            if text and drop_lone_fragments(text):
                assert text in row["body"], (row["url"], text[:80])


def test_seed_article_is_stored_clean_and_complete(demo_crawl):
    archive, _ = demo_crawl
    (seed,) = rows(archive, "select * from articles where url like ?", (f"%{SEED_PATH}",))
    assert (
        seed["title"]
        == "Die NATO und Südkorea bereiten ein gemeinsames Projekt zur Unterstützung der Ukraine vor – Stoltenberg"
    )
    body = seed["body"]
    assert body.startswith("Auf dem nächsten Gipfel wird die praktische Zusammenarbeit")
    assert "darüber berichtet Selenskyj antwortete" in body
    assert "auszuweiten Südkorea." in body
    assert body.endswith("was die Einladung der Ukraine zur NATO für Putin bedeuten würde.")
    assert seed["source_attribution"] == "UNIAN"
    assert seed["published_at"].startswith("2024-07-06T")
    assert seed["language"] == "de"
    assert seed["site"] == "127.0.0.1"


def test_every_related_link_is_recorded_and_resolved(demo_crawl):
    archive, _ = demo_crawl
    pages = demo_pages()
    articles = {path_of(r["url"]): r["id"] for r in rows(archive, "select id, url from articles")}
    for path, article_id in articles.items():
        expected = [p.split("#")[0] for p in related_paths(pages[path])]
        expected = [p for p in dict.fromkeys(expected) if p != path]
        links = rows(
            archive,
            "select target_url, target_article_id, anchor_text from related_links where article_id = ? order by position",
            (article_id,),
        )
        assert [path_of(link["target_url"]) for link in links] == expected, path
        for link in links:
            assert link["anchor_text"]
            assert link["target_article_id"] is not None, (path, link["target_url"])


def test_duplicates_are_stored_once_and_aliased(demo_crawl):
    archive, _result = demo_crawl
    (crawl,) = rows(archive, "select * from crawls")
    stats = json.loads(crawl["stats"])
    assert stats["newscrawler/dedup/duplicate_content"] >= 1
    assert stats["item_dropped_reasons_count/DuplicateContent"] >= 1
    hashes = [r["content_hash"] for r in rows(archive, "select content_hash from articles")]
    assert len(hashes) == len(set(hashes))
    reasons = {r["reason"] for r in rows(archive, "select reason from url_aliases")}
    assert "duplicate_content" in reasons


def test_redirect_hops_resolve_to_the_article(demo_crawl):
    archive, _ = demo_crawl
    target = "/2024/07/05/ki-verordnung-der-eu-was-unternehmen-jetzt-wissen-muessen/"
    (article,) = rows(archive, "select id from articles where url like ?", (f"%{target}",))
    aliases = {
        path_of(r["url"]): r
        for r in rows(archive, "select * from url_aliases where reason = 'redirect'")
    }
    for hop in ("/?p=4923", "/2024/07/05/ki-verordnung-der-eu/"):
        assert aliases[hop]["article_id"] == article["id"]


def test_full_text_search_finds_the_seed(demo_crawl):
    archive, _ = demo_crawl
    hits = rows(archive, "select articles.url from articles_fts join articles on articles.rowid = articles_fts.rowid "
                         "where articles_fts match 'Stoltenberg'")  # fmt: skip
    assert any(SEED_PATH in hit["url"] for hit in hits)


def test_second_run_adds_no_rows_and_a_second_crawl(demo_crawl, demo_server, tmp_path):
    archive, _ = demo_crawl
    copy = tmp_path / "news.db"
    with sqlite3.connect(archive) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    before = rows(copy, "select count(*) as n from articles")[0]["n"]
    links_before = rows(copy, "select count(*) as n from related_links")[0]["n"]
    result = run_crawl(copy, "-a", "site=demo", "-a", f"start_urls={demo_server.url}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert rows(copy, "select count(*) as n from articles")[0]["n"] == before
    assert rows(copy, "select count(*) as n from related_links")[0]["n"] == links_before
    crawls = rows(copy, "select * from crawls order by id")
    assert len(crawls) == 2
    assert crawls[1]["articles_new"] == 0
    stats = json.loads(crawls[1]["stats"])
    # Young articles are re-checked conditionally (304: not modified); none is stored again.
    seen_again = (
        stats.get("newscrawler/incremental/not_modified", 0) + crawls[1]["articles_unchanged"]
    )
    assert seen_again + stats.get("newscrawler/incremental/skipped_known", 0) >= before
    assert rows(copy, "select count(distinct crawl_id) as n from articles")[0]["n"] == 1


def test_depth_limit_bounds_the_related_walk(demo_server, tmp_path):
    start = demo_server.url.rstrip("/") + SEED_PATH
    result = run_crawl(tmp_path / "one.db", "-a", f"start_urls={start}", "-s", "DEPTH_LIMIT=1")
    assert result.returncode == 0, result.stderr[-3000:]
    one_hop = rows(tmp_path / "one.db", "select count(*) as n from articles")[0]["n"]
    assert one_hop == 1 + len(set(related_paths(demo_pages()[SEED_PATH])))
    result = run_crawl(
        tmp_path / "all.db", "-a", f"start_urls={start}", "-s", "DEPTH_LIMIT=0"
    )  # 0: no limit
    assert result.returncode == 0, result.stderr[-3000:]
    assert rows(tmp_path / "all.db", "select count(*) as n from articles")[0]["n"] > one_hop


def test_bad_arguments_fail_with_a_message(tmp_path):
    result = run_crawl(tmp_path / "news.db", "-a", "site=no-such-site")
    assert result.returncode != 0
    assert "no site profile named 'no-such-site'" in result.stderr
    result = run_crawl(tmp_path / "news.db")
    assert result.returncode != 0
    assert "pass -a start_urls=URL" in result.stderr


def test_a_corrupt_archive_stops_the_crawl_and_is_left_untouched(demo_server, tmp_path):
    archive = tmp_path / "news.db"
    archive.write_bytes(b"garbage" * 1000)
    result = run_crawl(archive, "-a", f"start_urls={demo_server.url}")
    assert result.returncode != 0
    assert "not a usable SQLite archive" in result.stderr
    assert archive.read_bytes() == b"garbage" * 1000


def test_feed_export_works_alongside_the_archive(demo_server, tmp_path):
    out = tmp_path / "articles.jsonl"
    start = demo_server.url.rstrip("/") + SEED_PATH
    result = run_crawl(
        tmp_path / "news.db", "-a", f"start_urls={start}", "-s", "DEPTH_LIMIT=1", "-O", str(out)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert any(item["url"].endswith(SEED_PATH) for item in items)
    assert all(item["title"] and item["body"] for item in items)


def test_demo_command_prints_a_summary(tmp_path):
    import subprocess
    import sys

    archive = tmp_path / "demo.db"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "demo", "--port", "0", "-s", f"ARCHIVE_PATH={archive}"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "articles archived:" in result.stdout
    assert f"datasette {archive}" in result.stdout
    assert rows(archive, "select count(*) as n from articles")[0]["n"] > 20


def test_extraction_workers_store_what_in_process_extraction_stores(
    demo_crawl, demo_server, tmp_path
):
    """The default crawl extracts, cleans, hashes and signatures in a worker process; with
    EXTRACT_WORKERS=0 all of it runs in the crawl's own process. The archive must not tell."""
    pooled, _ = demo_crawl
    archive = tmp_path / "news.db"
    result = run_crawl(
        archive, "-a", "site=demo", "-a", f"start_urls={demo_server.url}", "-s", "EXTRACT_WORKERS=0"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "extracted in the crawl's process" in result.stderr
    sql = """select a.url, a.title, a.authors, a.published_at, a.body, a.word_count, a.source_attribution,
                    a.content_hash, a.raw_page_id, s.signature, s.shingles
             from articles a left join article_signatures s on s.article_id = a.id"""
    ours = {r["url"]: tuple(r) for r in rows(archive, sql)}
    theirs = {r["url"]: tuple(r) for r in rows(pooled, sql)}
    # Which of the two same-text URLs becomes the article depends on the order of responses.
    assert {path_of(u) for u in set(ours) ^ set(theirs)} <= REPUBLISHED
    shared = set(ours) & set(theirs)
    assert len(shared) >= GENUINE_ARTICLES - 1
    assert all(ours[url] == theirs[url] for url in shared)
    assert all(ours[url][-1] for url in shared), "every article has a signature"
    # The raw response each article came from, packed by the worker, is the stored response.
    with sqlite3.connect(raw_path_for(pooled)) as raw:
        for url in shared:
            body_sha256, packed = raw.execute(
                "select body_sha256, html_zlib from pages where id = ?", [theirs[url][8]]
            ).fetchone()
            assert hashlib.sha256(zlib.decompress(packed)).hexdigest() == body_sha256


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (
            "<html><head><meta charset='iso-8859-1'></head><body><p>Grüße aus Köln</p></body></html>".encode(
                "latin-1"
            ),
            {},
        ),
        ("\ufeff<html><body><p>Straße „Zitat“</p></body></html>".encode("utf-8"), {}),
        (
            "<html><body><p>Öl und Wein – 5 €</p></body></html>".encode("cp1252"),
            {"Content-Type": "text/html; charset=windows-1252"},
        ),
        (
            b"<html><body><p>broken \xff\xfe bytes</p></body></html>",
            {"Content-Type": "text/html; charset=utf-8"},
        ),
    ],
)
def test_a_worker_decodes_a_page_exactly_as_scrapy_does(body, headers):
    """Workers get the response's bytes once and decode them themselves, not a second copy as text."""
    from scrapy.http import HtmlResponse

    from newscrawler.workers.job import Page

    response = HtmlResponse("https://example.org/a/", body=body, headers=headers)
    assert Page(response.url, 200, response.body, response.encoding).text == response.text


def test_batches_written_during_the_crawl_make_the_same_archive(demo_crawl, demo_server, tmp_path):
    """Batches of 3 are written while items are still on their way (the demo crawl's one batch
    is written at the end): the same articles, links, resolved targets and aliases."""
    whole, _ = demo_crawl
    archive = tmp_path / "news.db"
    result = run_crawl(
        archive,
        "-a",
        "site=demo",
        "-a",
        f"start_urls={demo_server.url}",
        "-s",
        "ARCHIVE_BATCH_SIZE=3",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    articles = "select url, title, body, content_hash, duplicate_of is not null from articles"
    links = """select a.url, r.position, r.target_url, t.url from related_links r join articles a on a.id = r.article_id
               left join articles t on t.id = r.target_article_id"""

    def republished(row: tuple) -> bool:
        return any(
            isinstance(v, str) and v.startswith("http") and path_of(v) in REPUBLISHED for v in row
        )

    for sql in (articles, links, "select url, reason from url_aliases"):
        ours, theirs = set(map(tuple, rows(archive, sql))), set(map(tuple, rows(whole, sql)))
        assert ours
        # Which of the two same-text URLs becomes the article depends on the order of responses.
        assert all(republished(row) for row in ours ^ theirs), sql
    (crawl,) = rows(archive, "select articles_new from crawls")
    assert crawl["articles_new"] == len(rows(archive, "select id from articles"))
