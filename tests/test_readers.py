"""Readers while writing: sqlite3 (long read transactions), the sqlite-utils CLI and Datasette
query the archive during a real crawl. The crawl loses no item, and no reader ever sees a
half-written article.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from datasette.app import Datasette

from newscrawler.demo.server import DEMO_SITE

from .crawl_helpers import assert_complete, assert_consistent, crawl_command, start
from .hostile.server import HostileServer

SQLITE_UTILS = str(Path(sys.executable).with_name("sqlite-utils"))
#: One consistent snapshot: every article has its text, word count, FTS row and related links.
SNAPSHOT_CHECK = """
select
  (select count(*) from articles) as articles,
  (select count(*) from articles_fts) as fts,
  (select count(*) from articles a where a.body is null or a.title is null or a.content_hash is null
      or not exists (select 1 from related_links r where r.article_id = a.id)) as half_written
"""


class Readers:
    """Reader threads that run until stopped, counting queries and inconsistent snapshots."""

    def __init__(self, archive: Path) -> None:
        self.archive = archive
        self.stop = threading.Event()
        self.queries: dict[str, int] = {"sqlite3": 0, "sqlite-utils": 0, "datasette": 0}
        self.problems: list[str] = []
        self.threads = [
            threading.Thread(target=self._guard(self.sqlite3_reader), name="sqlite3"),
            threading.Thread(target=self._guard(self.sqlite_utils_reader), name="sqlite-utils"),
            threading.Thread(target=self._guard(self.datasette_reader), name="datasette"),
        ]

    def _guard(self, reader: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                reader()
            except Exception as exc:  # a reader failing is a finding, not a crash of the test
                self.problems.append(f"{reader.__name__}: {exc!r}")

        return run

    def ready(self) -> bool:
        try:
            with sqlite3.connect(f"file:{self.archive}?mode=ro", uri=True) as conn:
                conn.execute("select 1 from articles limit 1")
            return True
        except sqlite3.Error:
            return False

    def check(self, source: str, row: dict) -> None:
        self.queries[source] += 1
        if row["half_written"] or row["articles"] != row["fts"]:
            self.problems.append(f"{source} saw {row}")

    def sqlite3_reader(self) -> None:
        """Long read transactions: one snapshot held open across a pause while the crawler writes."""
        conn = sqlite3.connect(
            f"file:{self.archive}?mode=ro", uri=True, isolation_level=None, timeout=5
        )
        conn.row_factory = sqlite3.Row
        while not self.stop.is_set():
            conn.execute("begin")
            first = dict(conn.execute(SNAPSHOT_CHECK).fetchone())
            self.check("sqlite3", first)
            time.sleep(0.4)
            second = dict(conn.execute(SNAPSHOT_CHECK).fetchone())
            self.check("sqlite3", second)
            if second["articles"] != first["articles"]:
                self.problems.append("a read transaction saw the archive change under it")
            conn.execute("commit")
        conn.close()

    def sqlite_utils_reader(self) -> None:
        while not self.stop.is_set():
            out = subprocess.run(
                [SQLITE_UTILS, "query", str(self.archive), SNAPSHOT_CHECK],
                capture_output=True, text=True, timeout=30, check=False,
            )  # fmt: skip
            if out.returncode:
                self.problems.append(f"sqlite-utils: {out.stderr.strip()}")
                continue
            self.check("sqlite-utils", json.loads(out.stdout)[0])

    def datasette_reader(self) -> None:
        async def run() -> None:
            datasette = Datasette([str(self.archive)])
            name = self.archive.stem
            while not self.stop.is_set():
                response = await datasette.client.get(
                    f"/{name}.json", params={"sql": SNAPSHOT_CHECK, "_shape": "array"}
                )
                if response.status_code != 200:
                    self.problems.append(f"datasette {response.status_code}: {response.text[:300]}")
                else:
                    self.check("datasette", response.json()[0])
                page = await datasette.client.get(
                    f"/{name}/articles.json", params={"_search": "NATO", "_size": "5"}
                )
                if page.status_code != 200:
                    self.problems.append(f"datasette search {page.status_code}")
                await asyncio.sleep(0.05)

        asyncio.run(run())


def test_readers_during_a_crawl_never_cost_an_item_nor_see_half_an_article(tmp_path):
    archive = tmp_path / "news.db"
    with HostileServer(static_root=DEMO_SITE, delay=0.12) as server:
        # Small batches: many short write transactions for the readers to run into.
        crawl = start(
            crawl_command(server, archive, "-s", "ARCHIVE_BATCH_SIZE=2"), tmp_path / "crawl.log"
        )
        readers = Readers(archive)
        while not readers.ready():
            assert crawl.poll() is None, (tmp_path / "crawl.log").read_text()[-3000:]
            time.sleep(0.02)
        for thread in readers.threads:
            thread.start()
        code = crawl.wait(timeout=120)
        readers.stop.set()
        for thread in readers.threads:
            thread.join(timeout=30)
    log = (tmp_path / "crawl.log").read_text()
    assert code == 0, log[-3000:]
    assert "locked" not in log
    print(f"reader queries during the crawl: {readers.queries}")
    assert readers.problems == []
    assert all(count > 0 for count in readers.queries.values()), readers.queries
    assert_consistent(archive)
    assert_complete(archive)
    (crawl_row,) = sqlite3.connect(archive).execute("select stats from crawls").fetchall()
    stats = json.loads(crawl_row[0])
    assert "newscrawler/archive/write_errors" not in stats
    assert not list(tmp_path.glob("*.unsaved-*"))
