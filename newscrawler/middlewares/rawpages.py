"""Spider middleware: keep the raw response behind every archived article (provenance)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from newscrawler.archive.rawpages import RawPageStore, raw_path_for
from newscrawler.extensions.archive import ArchiveExtension, archive_extension
from newscrawler.items import WorkerOutput
from newscrawler.switches import require_enabled
from newscrawler.urls import site_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["RawPagesMiddleware"]

#: At most this many lost raw pages are fetched again per run (the rest in the next runs).
_MAX_REPAIRS = 1000

logger = logging.getLogger(__name__)


def _headers(response: Response) -> dict[str, list[str]]:
    values: Iterable[tuple[bytes, list[bytes]]] = response.headers.items()
    return {
        name.decode("latin-1"): [value.decode("latin-1") for value in vals] for name, vals in values
    }


class RawPagesMiddleware(BaseSpiderMiddleware):
    """Store the response behind every item and stamp the item's ``raw_page_id`` (provenance).

    A spider middleware because only here are a response and the items made from it seen
    together. Listing pages (which yield only requests) are not stored.
    """

    def __init__(self, crawler: Crawler, store: RawPageStore) -> None:
        super().__init__(crawler)
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawPagesMiddleware:
        settings = crawler.settings
        require_enabled(settings, "RAW_ARCHIVE_ENABLED", "raw pages are not stored")
        archive = archive_extension(crawler, "storing raw pages")  # no rows to give provenance to
        path = settings.get("RAW_ARCHIVE_PATH") or raw_path_for(archive.path)
        batch_size = settings.getint("RAW_ARCHIVE_BATCH_SIZE", 50)
        if batch_size < 1:
            raise NotConfigured(f"RAW_ARCHIVE_BATCH_SIZE must be at least 1, got {batch_size}")
        store = RawPageStore.open(
            path, timeout=settings.getfloat("ARCHIVE_TIMEOUT", 30.0), batch_size=batch_size
        )
        middleware = cls(crawler, store)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The spider's start requests, then a re-fetch of every article of the crawled sites
        whose raw page is lost (a kill between two writes of an older version): the page is
        fetched and stored again, and the article row points at it once more."""
        async for request_or_item in start:
            yield request_or_item
        spider = self.crawler.spider
        parse_article = getattr(spider, "parse_article", None)
        extension = self.crawler.get_extension(ArchiveExtension)
        if parse_article is None or extension is None:
            return
        sites = {site_of(url) for url in getattr(spider, "start_urls", []) or []}
        refs = extension.archive.raw_page_refs(sites)
        lost = self.store.missing(pid for _, pid in refs)
        repairs = [url for url, pid in refs if pid in lost][:_MAX_REPAIRS]
        for url in repairs:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("newscrawler/raw_pages/repair_requested")
            yield Request(
                url,
                callback=parse_article,
                dont_filter=True,
                meta={"newscrawler_kind": "repair", "depth": 0},
            )
        if repairs:
            logger.info("re-fetching %d archived articles whose raw page is lost", len(repairs))

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if response is None:
            return item
        adapter = ItemAdapter(item)
        if "raw_page_id" not in adapter.field_names() and not isinstance(item, dict):
            return item
        # An extraction worker may have packed this very response already (see newscrawler/workers/pool.py).
        worker = adapter.get("worker") if "worker" in adapter.field_names() else None
        packed = None
        if isinstance(worker, WorkerOutput):
            packed, worker.packed = worker.packed, None
        adapter["raw_page_id"] = self.store.add(
            response.url,
            response.status,
            response.body,
            headers=_headers(response),
            encoding=getattr(response, "encoding", None),
            packed=packed,
        )
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("newscrawler/raw_pages/stored")
        return item

    def spider_closed(self) -> None:
        try:
            self.store.close()
        except Exception:
            logger.exception(
                "could not write %d raw pages to %s", self.store.pending, self.store.path
            )
