"""Two demo sites into one archive: the second republishes some of the first one's stories."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newscrawler.demo.server import DEMO_SITE2, DemoServer

from .helpers import run_crawl

#: newscrawler/demo/SITE2.md: site-2 copy -> site-1 original, and the site's own stories.
COPIES = {
    "/wirtschaft/gasspeicher-vor-dem-winter-gut-gefuellt-104162.html": "/2024/07/05/gasspeicher-zu-mehr-als-80-prozent-gefuellt/",
    "/wirtschaft/euroraum-teuerung-sinkt-auf-2-5-prozent-104031.html": "/2024/07/01/inflation-im-euroraum-geht-leicht-zurueck/",
    "/politik/orban-am-ruder-ungarn-fuehrt-den-eu-rat-104094.html": "/2024/07/03/ungarn-uebernimmt-den-eu-ratsvorsitz/",
    "/kultur/bayreuth-letzte-tickets-fuer-den-gruenen-huegel-104120.html": "/2024/07/04/bayreuther-festspiele-restkarten-gehen-online-in-den-verkauf/",
    "/politik/haushalt-2025-ampel-legt-entwurf-vor-104121.html": "/2024/07/04/bundesregierung-einigt-sich-auf-haushaltsentwurf-fuer-2025/",
    "/politik/nato-suedkorea-ukraine-projekt-stoltenberg-104187.html": "/2024/07/06/die-nato-und-suedkorea-bereiten-ein-gemeinsames-projekt-zur-unterstuetzung-der-ukraine-vor-stoltenberg/",
}  # fmt: skip
SITE2_ARTICLES = 14
STORIES = 34  # 26 on site 1, 8 of site 2's own


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture(scope="module")
def two_sites(demo_crawl, tmp_path_factory) -> Path:
    archive, _ = demo_crawl
    copy = tmp_path_factory.mktemp("two-sites") / "news.db"
    with sqlite3.connect(archive) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with DemoServer(DEMO_SITE2, url_host="localhost") as server:
        result = run_crawl(copy, "-a", "site=demo2", "-a", f"start_urls={server.url}")
    assert result.returncode == 0, result.stderr[-3000:]
    return copy


def query(archive: Path, sql: str) -> list[sqlite3.Row]:
    with sqlite3.connect(archive) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql).fetchall()


def test_every_site2_article_is_archived_under_its_own_site(two_sites):
    rows = query(two_sites, "select url from articles where site = 'localhost'")
    assert len(rows) == SITE2_ARTICLES


def test_each_republished_copy_points_at_its_site1_original(two_sites):
    rows = {path_of(r["url"]): r for r in query(two_sites, "select * from articles")}
    ids = {path: row["id"] for path, row in rows.items() if row["site"] == "127.0.0.1"}
    for copy, original in COPIES.items():
        row = rows[copy]
        assert row["duplicate_of"] == ids[original], copy
        assert 0.7 <= row["similarity"] <= 1.0
        assert rows[original]["duplicate_of"] is None


def test_site2_own_stories_are_not_merged_with_same_topic_stories(two_sites):
    own = query(two_sites, "select url, duplicate_of from articles where site = 'localhost'")
    for row in own:
        if path_of(row["url"]) not in COPIES:
            assert row["duplicate_of"] is None, row["url"]


def test_each_story_once(two_sites):
    (row,) = query(two_sites, "select count(*) as n from articles where duplicate_of is null")
    assert row["n"] == STORIES


def test_the_seed_copy_keeps_its_attribution(two_sites):
    rows = {
        path_of(r["url"]): r
        for r in query(two_sites, "select url, source_attribution from articles")
    }
    assert (
        rows["/politik/nato-suedkorea-ukraine-projekt-stoltenberg-104187.html"][
            "source_attribution"
        ]
        == "UNIAN"
    )
