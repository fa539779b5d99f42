"""Scrapy extensions, one per module; re-exported here so settings keep short paths."""

from newscrawler.extensions.archive import ArchiveExtension
from newscrawler.extensions.health import HealthCheck
from newscrawler.extensions.jobdir import JobdirGuard

__all__ = ["ArchiveExtension", "HealthCheck", "JobdirGuard"]
