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

from newscrawler.demo.server import DEMO_SITE, DEMO_SITE2, DemoServer


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
        return "Crawl the two bundled demo news sites (served on loopback) into the archive"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--port",
            type=int,
            default=8765,
            help="port of the first demo site, on 127.0.0.1 (default 8765, so that article URLs stay "
            "the same from run to run; 0: any free port); the second site, on localhost, takes the next",
        )
        parser.add_argument(
            "--site-dir", type=Path, default=DEMO_SITE, help="serve this folder as the first site"
        )
        parser.add_argument(
            "--only-first", action="store_true", help="crawl the first demo site only"
        )

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
        servers = [DemoServer(opts.site_dir, port=opts.port)]
        sites = [("demo", servers[0].url)]
        if not opts.only_first:
            port = opts.port + 1 if opts.port else 0
            servers.append(DemoServer(DEMO_SITE2, port=port, url_host="localhost"))
            sites.append(("demo2", servers[1].url))
        for name, url in sites:
            print(f"Serving demo site {name!r} at {url}")
        crawlers = [self.crawler_process.create_crawler("news") for _ in sites]
        started = time.monotonic()

        def crawl_next(_: object = None, index: int = 0) -> Any:
            # One site after the other: the second site's copies find the first site's stories.
            if index < len(sites):
                name, url = sites[index]
                assert self.crawler_process is not None
                running: Any = self.crawler_process.crawl(
                    crawlers[index], site=name, start_urls=url
                )
                if hasattr(running, "addCallback"):  # a Twisted Deferred
                    running.addCallback(crawl_next, index + 1)
                else:  # an asyncio Task (Scrapy's asyncio crawler process)
                    running.add_done_callback(lambda _task: crawl_next(None, index + 1))
            return None

        try:
            crawl_next()
            self.crawler_process.start()
        finally:
            for server in servers:
                server.stop()
        elapsed = time.monotonic() - started
        if self.crawler_process.bootstrap_failed or any(c.stats is None for c in crawlers):
            self.exitcode = 1
            return
        all_stats = [c.stats.get_stats() for c in crawlers if c.stats is not None]
        archive = Path(self.settings.get("ARCHIVE_PATH"))
        print(_summary(all_stats, archive, elapsed))
        if any(s.get("finish_reason") != "finished" or s.get("log_count/ERROR") for s in all_stats):
            self.exitcode = 1


def _summary(runs: list[dict[str, Any]], archive: Path, elapsed: float) -> str:
    def total(key: str) -> int:
        return sum(int(stats.get(key, 0) or 0) for stats in runs)

    with sqlite3.connect(f"file:{archive}?mode=ro", uri=True) as conn:
        articles, stories, copies = conn.execute(
            "select count(*), count(*) - count(duplicate_of), count(duplicate_of) from articles"
        ).fetchone()
        links, resolved = conn.execute(
            "select count(*), count(target_article_id) from related_links"
        ).fetchone()
        aliases = conn.execute("select count(*) from url_aliases").fetchone()[0]
    skipped = total("newscrawler/dedup/duplicate_url") + total(
        "newscrawler/dedup/duplicate_content"
    )
    crawl_ids = ", ".join(str(stats.get("newscrawler/archive/crawl_id")) for stats in runs)
    return "\n".join(
        [
            f"Crawls {crawl_ids} finished in {elapsed:.1f}s: {total('response_received_count')} pages "
            f"fetched; already archived: {total('newscrawler/incremental/skipped_known')} skipped, "
            f"{total('newscrawler/incremental/not_modified')} re-checked unchanged (HTTP 304).",
            f"  articles archived:  {total('newscrawler/archive/articles_new')} new, "
            f"{total('newscrawler/archive/articles_updated')} updated, "
            f"{total('newscrawler/archive/articles_unchanged')} unchanged "
            f"({articles} in the archive: {stories} stories, {copies} copies linked to their first copy)",
            f"  related links:      {links} ({resolved} resolved to archived articles)",
            f"  duplicates skipped: {skipped} (URL aliases recorded: {aliases})",
            f"  archive:            {archive}",
            "",
            "Explore it:",
            f"  datasette {archive} -m {Path('newscrawler/archive/metadata.yml')}",
            f"  sqlite-utils search {archive} articles Stoltenberg",
        ]
    )
