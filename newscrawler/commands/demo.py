"""``scrapy demo``: serve the bundled demo site on 127.0.0.1, crawl it into the archive, summarise."""

from __future__ import annotations

import argparse
import sqlite3
import time
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from newscrawler.demo.server import DEMO_SITE, DemoServer


class Command(ScrapyCommand):
    requires_project = True
    # A local site needs no politeness delays. Applied at command-line priority (the project's
    # settings.py would beat a command default), unless -s sets the same name.
    demo_settings: dict[str, Any] = {
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "LOG_LEVEL": "WARNING",
    }

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Crawl the bundled demo news site (served on 127.0.0.1) into the archive"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--port",
            type=int,
            default=8765,
            help="port to serve the demo site on (default: 8765, so that article URLs stay the same from run to run; 0: any free port)",
        )
        parser.add_argument("--site-dir", type=Path, default=DEMO_SITE, help="serve this folder instead of the bundled site")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        for name, value in self.demo_settings.items():
            if (self.settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
                self.settings.set(name, value, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("scrapy demo takes no arguments")
        assert self.crawler_process is not None and self.settings is not None
        server = DemoServer(opts.site_dir, port=opts.port)
        print(f"Serving the demo site at {server.url}")
        crawler = self.crawler_process.create_crawler("news")
        started = time.monotonic()
        try:
            self.crawler_process.crawl(crawler, site="demo", start_urls=server.url)
            self.crawler_process.start()
        finally:
            server.stop()
        elapsed = time.monotonic() - started
        if self.crawler_process.bootstrap_failed or crawler.stats is None:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats()
        archive = Path(self.settings.get("ARCHIVE_PATH"))
        print(_summary(stats, archive, elapsed))
        if stats.get("finish_reason") != "finished" or stats.get("log_count/ERROR"):
            self.exitcode = 1


def _summary(stats: dict[str, Any], archive: Path, elapsed: float) -> str:
    crawl_id = stats.get("newscrawler/archive/crawl_id")
    with sqlite3.connect(f"file:{archive}?mode=ro", uri=True) as conn:
        total = conn.execute("select count(*) from articles").fetchone()[0]
        links, resolved = conn.execute(
            "select count(*), count(target_article_id) from related_links"
        ).fetchone()
        aliases = conn.execute("select count(*) from url_aliases").fetchone()[0]
    duplicates = stats.get("newscrawler/dedup/duplicate_url", 0) + stats.get(
        "newscrawler/dedup/duplicate_content", 0
    )
    dropped = stats.get("item_dropped_count", 0) - duplicates
    return "\n".join(
        [
            f"Crawl {crawl_id} finished ({stats.get('finish_reason')}) in {elapsed:.1f}s: "
            f"{stats.get('response_received_count', 0)} pages fetched.",
            f"  articles archived:  {stats.get('newscrawler/archive/articles_new', 0)} new, "
            f"{stats.get('newscrawler/archive/articles_updated', 0)} updated, "
            f"{stats.get('newscrawler/archive/articles_unchanged', 0)} unchanged "
            f"({total} in the archive)",
            f"  related links:      {links} ({resolved} resolved to archived articles)",
            f"  duplicates skipped: {duplicates} (URL aliases recorded: {aliases}); other drops: {dropped}",
            f"  archive:            {archive}",
            "",
            "Explore it:",
            f"  datasette {archive} -m {Path('newscrawler/archive/metadata.yml')}",
            f"  sqlite-utils search {archive} articles Stoltenberg",
        ]
    )
