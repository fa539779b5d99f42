"""``scrapy crawl``, with an exit status that scheduled jobs can act on.

Scrapy's own command exits 0 whenever the spider started. Ours also exits non-zero when the
run did not do its job, so cron mail or a failed systemd unit shows it:

- 1: the crawl could not start (bad argument, bad setting, archive busy or unusable);
- 2: it started but ended for another reason than ``finished``/a ``CLOSESPIDER_*`` bound, or
  logged errors;
- 3: the health check failed a site (no article found, blocked, extraction failing).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawler.extensions.health import failing_sites

#: Finish reasons of a run that did its job (a CLOSESPIDER_* bound is a planned end).
GOOD_REASONS = frozenset(
    {"finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout",
     "closespider_timeout_no_item"}
)  # fmt: skip


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider; exit non-zero when the run failed or a site looks broken"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("scrapy crawl takes exactly one spider name")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        running: Any = self.crawler_process.crawl(crawler, **opts.spargs)  # Task or Deferred
        # A crawl that cannot start (bad argument, setting or archive) says why in one line.
        if hasattr(running, "add_done_callback"):  # an asyncio Task
            running.add_done_callback(_report_start_failure)
        else:  # a Twisted Deferred
            running.addErrback(lambda failure: _print_start_failure(failure.value))
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or crawler.stats is None:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats()
        if failing_sites(stats):
            self.exitcode = 3
        elif stats.get("finish_reason") not in GOOD_REASONS or stats.get("log_count/ERROR"):
            self.exitcode = 2


def _report_start_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:  # retrieving it silences asyncio
        _print_start_failure(task.exception())


def _print_start_failure(error: BaseException | None) -> None:
    print(f"scrapy crawl: error: {error}", file=sys.stderr)
