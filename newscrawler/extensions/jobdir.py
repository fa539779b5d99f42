"""JOBDIR resumes only what a clean stop left: a crawl that was killed leaves a queue not to trust.

Scrapy persists its request queue in ``JOBDIR`` when a crawl stops gracefully. A crawl killed
outright (``kill -9``, an out-of-memory kill, a power cut) leaves that queue half-written;
resuming from it loses requests (Scrapy logs ``struct.error`` and carries on) and the run
would still end with exit 0. So while a crawl runs, this extension keeps a marker file in
``JOBDIR``, removed when the spider closes; a crawl that finds the marker at start refuses
with one line that says what to do. The archive needs no JOBDIR to resume: it remembers what
is stored, and the next run fetches the rest.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawler.archive.errors import utc_now

__all__ = ["MARKER", "JobdirGuard"]

#: The marker file kept in JOBDIR while a crawl runs.
MARKER = "newscrawler-running.json"


class JobdirGuard:
    """Refuse to resume from a ``JOBDIR`` whose last crawl did not stop cleanly."""

    def __init__(self, jobdir: Path) -> None:
        self.marker = jobdir / MARKER

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobdirGuard:
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured  # nothing to guard; says nothing
        guard = cls(Path(jobdir))
        guard.check()
        crawler.signals.connect(guard.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def check(self) -> None:
        """Raise ``ValueError`` (the crawl stops with its one-line message) on a killed run's JOBDIR."""
        if not self.marker.exists():
            return
        try:
            left = json.loads(self.marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            left = {}
        raise ValueError(
            f"JOBDIR={self.marker.parent} was left by a crawl that did not stop cleanly "
            f"(pid {left.get('pid', '?')}, started {left.get('started_at', '?')}): its request "
            "queue cannot be trusted; delete that folder to start afresh (the archive keeps what "
            "was stored) or point JOBDIR elsewhere"
        )

    def spider_opened(self) -> None:
        self.marker.parent.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(
            json.dumps({"pid": os.getpid(), "started_at": utc_now()}), encoding="utf-8"
        )

    def spider_closed(self) -> None:
        # Scrapy has written its queue by now (the scheduler closes before this signal).
        self.marker.unlink(missing_ok=True)
