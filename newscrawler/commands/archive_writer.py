"""``scrapy archive-writer``: the one writer of the archive in the distributed mode.

    scrapy archive-writer -s REDIS_URL=redis://HOST:6379/0 -s ARCHIVE_PATH=archive/news.db
    scrapy archive-writer -s REDIS_URL=… --until-idle 60     # batch jobs and tests

Reads the workers' stream (``REDIS_STREAM``) in the consumer group ``WRITER_GROUP`` and runs
the project's clean < validate < dedup < archive pipelines on it; a thin adapter over
:mod:`newscrawler.distributed.writer`. Exits 0 when it stopped on its own (``--until-idle``),
1 when it could not start, 2 when it logged errors.
"""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Archive what distributed workers crawl (reads the Redis stream; REDIS_URL)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--until-idle",
            type=float,
            metavar="SECONDS",
            help="exit once the stream has been empty this long (default: run until stopped)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if not self.settings.get("REDIS_URL"):
            raise UsageError("archive-writer needs -s REDIS_URL=redis://HOST:6379/0")
        if opts.until_idle is not None and opts.until_idle < 0:
            raise UsageError("--until-idle takes a number of seconds, 0 or more")
        # The distributed add-on reads this: the project's pipelines, no downloads, no pool.
        self.settings.set("DISTRIBUTED_ROLE", "writer", priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("archive-writer takes no arguments")
        assert self.crawler_process is not None
        # Imported here: Scrapy imports every command to list them, and a lean install (no
        # `redis` extra) must still run `scrapy demo` and `scrapy crawl`.
        try:
            from newscrawler.distributed.writer import StreamSpider
        except ImportError as exc:
            raise UsageError(
                f"archive-writer needs the redis extra ({exc.name} is missing): pip install -e '.[redis]'"
            ) from None
        crawler = self.crawler_process.create_crawler(StreamSpider)
        self.crawler_process.crawl(crawler, until_idle=opts.until_idle)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or crawler.stats is None:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats()
        if stats.get("log_count/ERROR"):
            self.exitcode = 2
