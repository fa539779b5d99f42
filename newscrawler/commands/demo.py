"""``scrapy demo``: serve the bundled demo site on 127.0.0.1, crawl it into the archive, summarise."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from newscrawler.demo.server import DEMO_SITE, DEMO_SITE2, DemoServer
from newscrawler.extensions.report import crawl_summary


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
        servers = [_serve(opts.site_dir, opts.port)]
        sites = [("demo", servers[0].url)]
        if not opts.only_first:
            port = opts.port + 1 if opts.port else 0
            try:
                servers.append(_serve(DEMO_SITE2, port, url_host="localhost"))
            except UsageError:
                servers[0].stop()
                raise
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


def _serve(root: Path, port: int, **options: Any) -> DemoServer:
    """A demo server, or a one-line error when its port is taken."""
    try:
        return DemoServer(root, port=port, **options)
    except OSError as exc:
        raise UsageError(
            f"cannot serve the demo site on port {port} ({exc.strerror}): is another demo "
            "running? Pass --port N for another port, or --port 0 for any free one"
        ) from None


def _summary(runs: list[dict[str, Any]], archive: Path, elapsed: float) -> str:
    """The crawls' summary (the same every ``scrapy crawl`` logs), and where to look next."""
    return "\n".join(
        [
            crawl_summary(runs, archive, elapsed),
            "",
            "Explore it:",
            f"  datasette {archive}",
            f"  sqlite-utils search {archive} articles Stoltenberg",
        ]
    )
