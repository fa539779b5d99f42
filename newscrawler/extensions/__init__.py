"""Scrapy extensions, one per module; re-exported here so settings keep short paths."""

from newscrawler.extensions.archive import ArchiveExtension
from newscrawler.extensions.health import HealthCheck
from newscrawler.extensions.jobdir import JobdirGuard
from newscrawler.extensions.report import CrawlReport
from newscrawler.extensions.stop import StopDeadline
from newscrawler.extensions.strict import StrictSettings

__all__ = [
    "ArchiveExtension",
    "CrawlReport",
    "HealthCheck",
    "JobdirGuard",
    "StopDeadline",
    "StrictSettings",
]
