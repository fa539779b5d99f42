"""Spider middleware: page signals the pruned text cannot show (a declared paywall)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

from newscrawler.extract.quality import paywall_declared
from newscrawler.items import ArticleItem

__all__ = ["PageSignalsMiddleware"]


class PageSignalsMiddleware:
    """Spider middleware: set ``paywalled`` on each article item from its page's structured data."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageSignalsMiddleware:
        if not crawler.settings.getbool("SAFETY_ENABLED", True):
            raise NotConfigured("SAFETY_ENABLED is off")
        return cls()

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for item in result:
            yield self._mark(response, item)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        for item in result:
            yield self._mark(response, item)

    @staticmethod
    def _mark(response: Response, item: Any) -> Any:
        if (
            isinstance(item, ArticleItem)
            and isinstance(response, TextResponse)
            and item.paywalled is None
        ):
            item.paywalled = paywall_declared(response.text)
        return item
