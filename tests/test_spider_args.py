"""The spider's arguments: typos stop the run, a URL list can be fetched and nothing else, and one
page's related block cannot take the whole run."""

from __future__ import annotations

from newscrawler.demo.server import DEMO_SITE

from .helpers import crawl_stats, rows, run_crawl
from .hostile.server import HostileServer

SEED = "/2024/07/06/die-nato-und-suedkorea-bereiten-ein-gemeinsames-projekt-zur-unterstuetzung-der-ukraine-vor-stoltenberg/"
OTHER = "/2024/07/06/em-aus-im-viertelfinale-deutschland-verliert-gegen-spanien/"


def test_a_misspelt_argument_stops_the_run_with_a_suggestion(tmp_path):
    result = run_crawl(
        tmp_path / "news.db",
        "-a",
        "start_urls=http://127.0.0.1:9/",
        "-a",
        "sinse=2024-07-01",
        timeout=60,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "-a sinse" in line]
    assert lines and "did you mean since?" in lines[-1]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "news.db").exists()


def test_fetch_only_takes_the_listed_urls_and_follows_nothing(tmp_path):
    urls = tmp_path / "urls.txt"
    with HostileServer(static_root=DEMO_SITE) as server:
        base = server.url.rstrip("/")
        urls.write_text(
            f"# two articles\n{base}{SEED}\n\n{base}{OTHER}  # the match\n", encoding="utf-8"
        )
        result = run_crawl(
            tmp_path / "news.db",
            "-a",
            f"urls_file={urls}",
            "-a",
            "fetch_only=1",
            "-a",
            "_job=scrapyd-1",
        )
        asked = {p for p in server.paths() if p != "/robots.txt"}
    assert result.returncode == 0, result.stderr[-3000:]
    assert asked == {SEED, OTHER}
    archived = {
        r[0].split("/", 3)[3] for r in rows(tmp_path / "news.db", "select url from articles")
    }
    assert archived == {SEED.lstrip("/"), OTHER.lstrip("/")}
    assert crawl_stats(tmp_path / "news.db")[-1]["newscrawler/fetch_only/not_followed"] > 0


def test_one_page_with_a_huge_related_block_takes_at_most_related_max_links(tmp_path):
    site = tmp_path / "site"
    page = site / "2024/07/09/viele-links/index.html"
    page.parent.mkdir(parents=True)
    links = "".join(
        f'<li><a href="/2024/07/0{1 + i % 8}/thema-{i}/">Thema Nummer {i}</a></li>'
        for i in range(300)
    )
    body = " ".join(["Ein Satz über die Lage in der Stadt, der lang genug ist."] * 12)
    page.write_text(
        f"<html lang='de'><head><title>Viele Links</title><meta property='og:type' content='article'>"
        f"</head><body><article><h1>Viele Links</h1><p>{body}</p></article>"
        f"<section><h2>Ähnliche Themen</h2><ul>{links}</ul></section></body></html>",
        encoding="utf-8",
    )
    with HostileServer(static_root=site) as server:
        result = run_crawl(
            tmp_path / "news.db", "-a", f"start_urls={server.url.rstrip('/')}/2024/07/09/viele-links/",
            "-s", "DEPTH_LIMIT=1", "-s", "RELATED_MAX_LINKS=50",
        )  # fmt: skip
        asked = [p for p in server.paths() if p.startswith("/2024/07/0") and "viele-links" not in p]
    assert result.returncode in (0, 3), result.stderr[-3000:]
    assert rows(tmp_path / "news.db", "select count(*) from related_links")[0][0] == 50
    assert crawl_stats(tmp_path / "news.db")[-1]["newscrawler/related/over_limit"] == 250
    assert len(asked) <= 50
