"""Scrapy middlewares, one per module; re-exported here so settings keep short paths."""

from newscrawler.middlewares.depth import DepthMiddleware
from newscrawler.middlewares.incremental import IncrementalMiddleware
from newscrawler.middlewares.pagesignals import PageSignalsMiddleware
from newscrawler.middlewares.rawpages import RawPagesMiddleware
from newscrawler.middlewares.safety import (
    CharsetRepairMiddleware,
    ResponseGuardMiddleware,
    SafetyMiddleware,
)
from newscrawler.middlewares.sitestats import SiteStatsMiddleware

__all__ = [
    "CharsetRepairMiddleware",
    "DepthMiddleware",
    "IncrementalMiddleware",
    "PageSignalsMiddleware",
    "RawPagesMiddleware",
    "ResponseGuardMiddleware",
    "SafetyMiddleware",
    "SiteStatsMiddleware",
]
