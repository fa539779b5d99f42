"""The crawl's stats: the collector, and the keys of our per-site counters."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from newscrawler.urls import site_of

__all__ = ["site_stat", "stats_of"]


def stats_of(crawler: Crawler) -> StatsCollector:
    """The crawler's stats collector (set by ``Crawler.__init__``)."""
    if crawler.stats is None:
        raise RuntimeError("the crawler has no stats collector yet")
    return crawler.stats


def site_stat(url: str, name: str) -> str:
    """The stats key of a per-site counter: ``newscrawler/site/<host>/<name>``."""
    return f"newscrawler/site/{site_of(url) or '-'}/{name}"
