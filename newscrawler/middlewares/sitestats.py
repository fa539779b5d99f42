"""Downloader middleware: per-site response counters for the end-of-run health check."""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from newscrawler.stats import site_stat, stats_of

__all__ = ["BLOCKED_STATUSES", "SiteStatsMiddleware"]

#: Statuses that mean "the site refuses us" rather than "this page is broken".
BLOCKED_STATUSES = frozenset({401, 403, 407, 429, 451})


class SiteStatsMiddleware:
    """Per-site response counters: ``newscrawler/site/<host>/responses``, ``…/status/<code>``, ``…/blocked``."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = stats_of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteStatsMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if request.meta.get("newscrawler_kind") == "robots" or response.url.endswith("/robots.txt"):
            return response
        self.stats.inc_value(site_stat(response.url, "responses"))
        self.stats.inc_value(site_stat(response.url, f"status/{response.status}"))
        if response.status in BLOCKED_STATUSES:
            self.stats.inc_value(site_stat(response.url, "blocked"))
        return response

    def process_exception(
        self, request: Request, exception: BaseException, spider: Spider | None = None
    ) -> Any:
        if not isinstance(exception, IgnoreRequest):
            self.stats.inc_value(site_stat(request.url, f"errors/{type(exception).__name__}"))
        return None
