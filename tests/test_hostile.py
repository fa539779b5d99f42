"""The fault-injection site (tests/hostile/): a real crawl of a site where chosen URLs misbehave.

Every valid article is archived once, with its title and a clean body; no bad page is archived;
nothing is requested from a disallowed path, another host or a non-HTTP link; the crawl ends
on its own; each failure is counted by kind; and the gzip bomb does not balloon the process.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawler.extract.quality import page_problem, paywall_declared
from newscrawler.middlewares.safety import (
    decompressed_size_exceeds,
    is_private_address,
    is_private_name,
)
from newscrawler.records import find_problem

from .helpers import ROOT
from .hostile.server import HostileServer
from .hostile.site import (
    A_NORMAL,
    A_XSS,
    BAD,
    DISALLOWED,
    PRIVATE_LINKS,
    VALID,
    build_routes,
    gzip_bomb,
    other_site_routes,
)

#: Peak memory of the crawl process: well below what the bomb alone unpacks to (512 MB); about
#: 200 MB. Read as VmHWM from /proc, not from wait4's ru_maxrss: Linux carries the high-water
#: mark across fork and exec, so ru_maxrss reports the (large) pytest process that forked it.
MAX_RSS_MB = 400


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[HostileServer, HostileServer]]:
    """The fault site on 127.0.0.1, and another host (``localhost``, another port) it links to."""
    with (
        HostileServer(other_site_routes(), url_host="localhost") as other,
        HostileServer(build_routes(other.url)) as main,
    ):
        yield main, other


def crawl_measured(archive: Path, *args: str, timeout: float = 120) -> tuple[int, str, int]:
    """``scrapy crawl news`` like ``run_crawl``, returning (exit status, stderr, peak RSS in kB)."""
    command = [
        sys.executable, "-m", "scrapy", "crawl", "news",
        "-s", f"ARCHIVE_PATH={archive}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        "-s", "LOG_LEVEL=INFO", "-s", "DOWNLOAD_TIMEOUT=4", *args,
    ]  # fmt: skip
    log = archive.with_suffix(".log")
    with log.open("w") as err:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)
        deadline = time.monotonic() + timeout
        peak_kb = 0
        while True:
            peak_kb = max(peak_kb, high_water_mark_kb(proc.pid))
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"crawl did not end within {timeout}s")
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, log.read_text(), peak_kb


def high_water_mark_kb(pid: int) -> int:
    """The process's peak resident memory since its exec (VmHWM), 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else 0


@pytest.fixture(scope="module")
def hostile_crawl(sites, tmp_path_factory) -> tuple[Path, int, str, int]:
    main, _ = sites
    archive = tmp_path_factory.mktemp("hostile") / "news.db"
    code, stderr, rss = crawl_measured(archive, "-a", f"start_urls={main.url}")
    return archive, code, stderr, rss


def rows(archive: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    with sqlite3.connect(archive) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def stats_of(archive: Path) -> dict:
    (crawl,) = rows(archive, "select stats from crawls")
    return json.loads(crawl["stats"])


def test_every_valid_article_is_archived_once_with_its_title_and_a_clean_body(hostile_crawl):
    archive, *_ = hostile_crawl
    archived = {urlsplit(r["url"]).path: r for r in rows(archive, "select * from articles")}
    assert len(rows(archive, "select url from articles")) == len(archived)  # no duplicates
    assert set(archived) == set(VALID)
    for path, article in VALID.items():
        row = archived[path]
        assert row["title"] == article.title, path
        assert row["body"] == "\n\n".join(article.paragraphs), path
        assert "\ufffd" not in row["title"] + row["body"], path


def test_no_bad_page_is_archived(hostile_crawl):
    archive, *_ = hostile_crawl
    paths = {urlsplit(r["url"]).path for r in rows(archive, "select url from articles")}
    assert not paths & set(BAD)
    assert not any(path.startswith(DISALLOWED) for path in paths)


def test_nothing_is_requested_from_disallowed_paths_other_hosts_or_non_http_links(
    hostile_crawl, sites
):
    main, other = sites
    requested = main.paths()
    assert not [p for p in requested if p.startswith(DISALLOWED)]
    assert other.paths() == []
    # Only the paths the site serves (plus the over-long redirect chain, cut at REDIRECT_MAX_TIMES).
    assert not [p for p in requested if ":" in p or p.startswith(("/etc", "/pub"))]
    assert max(int(p.split("/")[2]) for p in requested if p.startswith("/hop/")) <= 11
    # Tracking and comment variants of one article: fetched once.
    assert sum(1 for p in requested if urlsplit(p).path == A_NORMAL.path) == 1
    assert requested.count("/robots.txt") <= 2  # Scrapy's robots check and the sitemap lookup


def test_the_crawl_ends_on_its_own_and_records_why(hostile_crawl):
    archive, code, stderr, _ = hostile_crawl
    (crawl,) = rows(archive, "select * from crawls")
    assert crawl["finish_reason"] == "finished"
    # Given-up retries (500, 429, the tarpit, the truncated body) are logged errors: exit 2.
    assert code == 2, stderr[-3000:]
    assert "Unhandled error" not in stderr


def test_every_failure_is_counted_by_kind(hostile_crawl):
    archive, *_ = hostile_crawl
    stats = stats_of(archive)
    expected = {
        "retry/reason_count/503 Service Unavailable": 1,  # then 200: archived
        "httperror/response_ignored_status_count/429": 1,
        "httperror/response_ignored_status_count/500": 1,
        "httperror/response_ignored_status_count/404": 1,
        "item_dropped_reasons_count/NotFoundPage": 1,  # soft 404
        "item_dropped_reasons_count/ErrorPage": 1,  # error page served with 200
        "item_dropped_reasons_count/ConsentWall": 1,
        "item_dropped_reasons_count/PaywallTeaser": 1,
        "item_dropped_reasons_count/NotAnArticle": 1,  # the imprint
        "item_dropped_reasons_count/EmptyBody": 1,  # the date-archive listing
        "newscrawler/extract/not_html": 1,  # the empty 200
        "newscrawler/safety/binary_content": 1,  # the PDF
        "newscrawler/safety/decompression_bomb": 1,
        "newscrawler/safety/redirect_loop": 1,
        "newscrawler/safety/redirect_limit": 1,
        "newscrawler/safety/refused_scheme": 1,  # ftp://127.0.0.1/ passes the link extractor
        "newscrawler/safety/charset_repaired": 1,
        "downloader/exception_type_count/scrapy.exceptions.ResponseDataLossError": 3,
        "robotstxt/forbidden": 1,
        "offsite/filtered": 4,
    }
    assert {key: stats.get(key) for key in expected} == expected
    # The tarpit times out on all 3 tries (more under load, when the slow article may too).
    assert stats["downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError"] >= 3


def test_memory_stays_bounded(hostile_crawl):
    *_, rss_kb = hostile_crawl
    print(f"peak RSS of the hostile crawl: {rss_kb // 1024} MB")
    assert rss_kb < MAX_RSS_MB * 1024, f"peak RSS {rss_kb // 1024} MB"
    assert len(gzip_bomb()) < 1024 * 1024  # tiny on the wire


def test_stored_text_is_plain_and_sql_text_is_just_text(hostile_crawl):
    archive, *_ = hostile_crawl
    (row,) = rows(archive, "select * from articles where url like ?", (f"%{A_XSS.path}",))
    assert row["title"] == A_XSS.title  # quotes and SQL stored verbatim, through parameters
    for bad in (
        "<",
        "alert",
        "onerror",
        "onclick",
        "steal(",
        "Eingeschleuster",
        "JavaScript",
        "color: red",
    ):
        assert bad not in row["body"], bad
    assert rows(archive, "select count(*) as n from articles")[0]["n"] == len(VALID)  # table intact


def test_datasette_shows_stored_markup_escaped(hostile_crawl):
    from datasette.app import Datasette

    archive, *_ = hostile_crawl
    (row,) = rows(archive, "select id from articles where url like ?", (f"%{A_XSS.path}",))

    async def fetch() -> str:
        response = await Datasette([str(archive)]).client.get(
            f"/{archive.stem}/articles/{row['id']}"
        )
        assert response.status_code == 200
        return response.text

    page = asyncio.run(fetch())
    assert "<script>alert('x')</script>" not in page
    assert html.escape("<script>alert(") in page or "&lt;script&gt;alert(" in page


def test_private_and_non_http_links_are_refused_even_when_following_offsite(sites, tmp_path):
    main, other = sites
    before = len(main.paths())
    archive = tmp_path / "news.db"
    start = main.url.rstrip("/") + PRIVATE_LINKS
    _code, stderr, _ = crawl_measured(
        archive, "-a", f"start_urls={start}", "-a", "follow_offsite=1", "-s", "DEPTH_LIMIT=1"
    )
    assert other.paths() == []
    assert [p for p in main.paths()[before:] if p != "/robots.txt"] == [PRIVATE_LINKS]
    stats = stats_of(archive)
    # localhost, 169.254.169.254, 10.0.0.7 and http://[::1]:9/…
    assert stats["newscrawler/safety/refused_private"] == 4
    assert stats["newscrawler/safety/refused_scheme"] == 2  # file:///etc/passwd, ftp://
    assert "root:" not in stderr


# -- the pieces, directly ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "private"),
    [("127.0.0.1", True), ("10.0.0.7", True), ("192.168.1.1", True), ("172.16.0.1", True),
     ("169.254.169.254", True), ("::1", True), ("fe80::1", True), ("::ffff:127.0.0.1", True), ("0.0.0.0", True),
     ("localhost", True), ("db.internal", True), ("printer.local", True), ("intranet", True),
     ("93.184.216.34", False), ("2606:4700::1111", False), ("www.tagesschau.de", False)],
)  # fmt: skip
def test_private_targets_are_recognised(host, private):
    assert is_private_name(host) is private


def test_a_public_address_is_not_private():
    assert not is_private_address("8.8.8.8")


def test_decompression_check_stops_at_the_limit():
    bomb = gzip_bomb()
    started = time.monotonic()
    assert decompressed_size_exceeds(bomb, "gzip", 20 * 1024 * 1024) is True
    assert time.monotonic() - started < 2
    import gzip as gz

    assert decompressed_size_exceeds(gz.compress(b"x" * 1000), "gzip", 20 * 1024 * 1024) is False
    assert decompressed_size_exceeds(b"not gzip", "gzip", 100) is None


@pytest.mark.parametrize(
    ("title", "body", "url", "reason"),
    [
        ("Seite nicht gefunden", "Leider nichts.", "/2024/01/01/x/", "not_found"),
        ("Fehler 404", "Leider nichts.", "/x/", "not_found"),
        (
            "Vermisster Wanderer nicht gefunden",
            "Die Suche geht weiter. " * 60,
            "/2024/01/01/x/",
            None,
        ),
        ("Ein Fehler ist aufgetreten", "Bitte später.", "/x/", "error_page"),
        ("Bevor Sie fortfahren", "Cookies", "/x/", "consent_wall"),
        ("Impressum", "Anschrift", "/2024/01/01/x/", "imprint"),
        ("Kontakt zur Redaktion", "Schreiben Sie uns. " * 60, "/kontakt/", "imprint"),
        ("Kategorie: Politik", "Teaser", "/category/politik/", "listing"),
        ("Gipfel in Rom", "Ein langer Text über den Gipfel. " * 60, "/2024/01/01/gipfel/", None),
    ],
)
def test_page_quality_reasons(title, body, url, reason):
    assert page_problem(url="https://x.de" + url, title=title, body=body, http_status=200) == reason


def test_paywall_teaser_is_recognised_by_text_or_structured_data():
    teaser = "Der Stadtrat hat entschieden. " * 10
    assert (
        page_problem(
            url="https://x.de/a/", title="Plan", body=teaser + "\n\nJetzt weiterlesen mit Plus"
        )
        == "paywall_teaser"
    )
    assert (
        page_problem(url="https://x.de/a/", title="Plan", body=teaser, paywalled=True)
        == "paywall_teaser"
    )
    assert page_problem(url="https://x.de/a/", title="Plan", body=teaser) is None
    assert paywall_declared('{"@type": "NewsArticle", "isAccessibleForFree": false}')
    assert not paywall_declared('{"@type": "NewsArticle", "isAccessibleForFree": true}')


def test_paywall_statement_is_found_in_every_spelling_and_place():
    page = "<html><head>" + "<meta name=x>" * 2000 + "</head><body>{}</body></html>"
    assert paywall_declared(
        page.format('<script type="application/ld+json">{"isAccessibleForFree": "False"}</script>')
    )
    assert paywall_declared(
        page.format('<script type="application/ld+json">{"ISACCESSIBLEFORFREE":false}</script>')
    )
    assert paywall_declared(page.format('<meta itemprop="isAccessibleForFree" content="false">'))
    # free in the article, not free in the second (paid) part further down
    two = '{"isAccessibleForFree": true} <p>text</p> {"hasPart": {"isAccessibleForFree": false}}'
    assert paywall_declared(page.format(two))
    assert not paywall_declared(page.format("<p>isAccessible for free of charge</p>"))
    assert not paywall_declared(page.format(""))


def test_proxy_credentials_reach_neither_logs_nor_stats_nor_archive(tmp_path):
    """A crawl through an authenticating proxy (credentials in the environment, as documented)."""
    import base64

    from newscrawler.demo.server import DEMO_SITE

    secret = "s3cr3t-Token_42"
    with HostileServer(
        static_root=DEMO_SITE
    ) as proxy:  # answers absolute-URI requests like a proxy
        origin = "http://127.0.0.1:9/"  # nothing listens there: only the proxy can answer
        command = [
            sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={origin}2024/07/06/"
            "die-nato-und-suedkorea-bereiten-ein-gemeinsames-projekt-zur-unterstuetzung-der-ukraine-vor-stoltenberg/",
            "-s", f"ARCHIVE_PATH={tmp_path / 'news.db'}", "-s", "DEPTH_LIMIT=1", "-s", "LOG_LEVEL=DEBUG",
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        ]  # fmt: skip
        env = {
            **os.environ,
            "http_proxy": f"http://newsroom:{secret}@127.0.0.1:{proxy.port}",
            "no_proxy": "",
        }
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert any(p.startswith("http://127.0.0.1:9/") for p in proxy.paths()), (
            "the crawl did not use the proxy"
        )
    assert result.returncode == 0, result.stderr[-3000:]
    encoded = base64.b64encode(f"newsroom:{secret}".encode()).decode()
    dumps = result.stdout + result.stderr
    for db in tmp_path.glob("*.db"):
        with sqlite3.connect(db) as conn:
            dumps += "\n".join(str(line) for line in conn.iterdump())
    assert rows(tmp_path / "news.db", "select count(*) as n from articles")[0]["n"] >= 1
    assert secret not in dumps and encoded not in dumps


def test_a_page_with_an_empty_body_is_judged_on_the_lead_it_showed():
    consent = (
        "Wir und unsere Werbepartner verwenden Cookies. Mit einem Klick auf „Alle akzeptieren“ "
        "geben Sie Ihre Einwilligung; in den Datenschutzeinstellungen widerrufen Sie sie."
    )
    record = {"url": "https://x.de/a/", "title": "Nachrichten", "body": "", "subtitle": consent}
    problem = find_problem(record, min_words=50)
    assert problem is not None and problem.reason == "ConsentWall"  # not remembered: retried
    plain = find_problem({**record, "subtitle": "Ein kurzer Vorspann."}, min_words=50)
    assert plain is not None and plain.reason == "EmptyBody"
