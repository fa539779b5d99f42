"""Spider middleware: Scrapy's depth limit, remembering which links it cut off.

A crawl bounded by ``DEPTH_LIMIT`` used to end with 447 of 2,799 articles and exit 0 without a
word. Scrapy counts the cut links (``depth/request_ignored_count``) but many of them lead to
pages the crawl reached by a shorter path or archived before; this middleware keeps the cut
URLs (up to a bound) so that the end-of-run report can say how many lead to pages the archive
does not have.
"""

from __future__ import annotations

from scrapy.http import Request, Response
from scrapy.spidermiddlewares.depth import DepthMiddleware as ScrapyDepthMiddleware

from newscrawler.urls import canonicalize_url

__all__ = ["DepthMiddleware"]

#: At most this many cut-off URLs are kept (a few hundred KB); beyond it they are only counted.
MAX_KEPT = 10_000


class DepthMiddleware(ScrapyDepthMiddleware):
    """:class:`scrapy.spidermiddlewares.depth.DepthMiddleware`, keeping the URLs it cuts off."""

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        processed = super().get_processed_request(request, response)
        if processed is None and response is not None and len(self.cut_off) < MAX_KEPT:
            self.cut_off.add(canonicalize_url(request.url))
        return processed

    @property
    def cut_off(self) -> set[str]:
        """Canonical URLs of the links cut off by ``DEPTH_LIMIT`` (at most :data:`MAX_KEPT`)."""
        if not hasattr(self, "_cut_off"):
            self._cut_off: set[str] = set()
        return self._cut_off
