"""A rerun repairs an article left pointing at a raw page that was never stored (or was lost)."""

from __future__ import annotations

import json
import sqlite3

from newscrawler.archive.rawpages import raw_path_for

from .helpers import rows, run_crawl


def test_a_rerun_fetches_again_what_lost_its_raw_page(demo_server, demo_crawl, tmp_path):
    source, _ = demo_crawl
    archive = tmp_path / "news.db"
    for src, dst in ((source, archive), (raw_path_for(source), raw_path_for(archive))):
        with sqlite3.connect(src) as s, sqlite3.connect(dst) as d:
            s.backup(d)
    (article_id, url, lost) = rows(
        archive, "select id, url, raw_page_id from articles order by id limit 1"
    )[0]
    with sqlite3.connect(raw_path_for(archive)) as raw:
        raw.execute("delete from pages where id = ?", [lost])

    result = run_crawl(archive, "-a", "site=demo", "-a", f"start_urls={demo_server.url}")
    assert result.returncode == 0, result.stderr[-3000:]
    stats = json.loads(rows(archive, "select stats from crawls order by id desc limit 1")[0][0])
    assert stats["newscrawler/raw_pages/repair_requested"] == 1
    (pid,) = rows(archive, "select raw_page_id from articles where id = ?", (article_id,))[0]
    stored = rows(raw_path_for(archive), "select url from pages where id = ?", (pid,))
    assert stored and stored[0][0] == url
    # Every article now points at a stored page, and nothing else was fetched again for it.
    ids = {r[0] for r in rows(archive, "select raw_page_id from articles")}
    assert ids <= {r[0] for r in rows(raw_path_for(archive), "select id from pages")}
    assert (
        rows(archive, "select count(*) from articles")[0][0]
        == rows(source, "select count(*) from articles")[0][0]
    )
