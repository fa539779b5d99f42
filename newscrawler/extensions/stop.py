"""A graceful stop that ends in seconds: after ``STOP_GRACE_SECONDS`` the crawl stops waiting.

Scrapy's graceful stop (the first Ctrl-C or SIGTERM) waits for every download in flight; on a
slow site that took 40–52 s, longer than ``docker stop`` (10 s) or a service manager waits
before SIGKILL. This extension lets the graceful stop run for ``STOP_GRACE_SECONDS``; if the
crawl is still closing then, it gives up the downloads in flight, writes what it holds (the
archive pipeline's queue and raw pages, and the run's ``crawls`` row with reason
``shutdown``) and stops the reactor. What had not finished downloading is fetched by the next
run.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import call_later

__all__ = ["StopDeadline"]

logger = logging.getLogger(__name__)

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopDeadline:
    """Bound the graceful stop to ``STOP_GRACE_SECONDS`` (0: wait as long as Scrapy does)."""

    def __init__(self, crawler: Crawler, grace: float) -> None:
        self.crawler = crawler
        self.grace = grace
        self._previous: dict[int, Any] = {}
        self._armed = False
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopDeadline:
        grace = crawler.settings.getfloat("STOP_GRACE_SECONDS", 8.0)
        if grace < 0:
            raise ValueError(
                f"STOP_GRACE_SECONDS must be 0 (wait for every download) or more, got {grace}"
            )
        if grace == 0:
            raise NotConfigured
        extension = cls(crawler, grace)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def engine_started(self) -> None:
        # Scrapy has installed its shutdown handlers by now; ours runs first, then theirs.
        if threading.current_thread() is not threading.main_thread():
            return  # signals can only be handled on the main thread
        for signum in _STOP_SIGNALS:
            previous = signal.getsignal(signum)
            if callable(previous):
                self._previous[signum] = previous
                signal.signal(signum, self._on_stop_signal)

    def spider_closed(self) -> None:
        self._closed = True

    def _on_stop_signal(self, signum: int, frame: Any) -> None:
        previous = self._previous.get(signum)
        if not self._armed:
            self._armed = True
            # No logging in a signal handler: the deadline is armed on the event loop.
            from twisted.internet import reactor

            reactor.callFromThread(call_later, self.grace, self._give_up)
        if previous is not None:
            previous(signum, frame)

    def _give_up(self) -> None:
        if self._closed:
            return  # the graceful stop finished in time
        from newscrawler.pipelines import ArchivePipeline
        from newscrawler.workers.pool import ExtractionPool

        logger.warning(
            "the graceful stop is still waiting for downloads after STOP_GRACE_SECONDS=%g: "
            "giving them up, writing what was received, stopping now",
            self.grace,
        )
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value("finish_reason", "shutdown")
            stats.inc_value("newscrawler/stop/downloads_given_up")
        pool = self.crawler.get_extension(ExtractionPool)
        if pool is not None:
            pool.close()
        try:
            pipeline = self.crawler.get_item_pipeline(ArchivePipeline)
        except RuntimeError:
            pipeline = None
        if pipeline is not None:
            pipeline.finish_now("shutdown")
        from twisted.internet import reactor

        running: Any = reactor  # the installed reactor (twisted types it as a module)
        if running.running:
            running.stop()
