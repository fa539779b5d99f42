"""The end-of-run health check: a site that yields no articles, or mostly refusals, fails the run.

Scheduled jobs must not fail silently when a site changes its layout or starts blocking us. At
``spider_closed`` this extension judges every site the run touched from the per-site counters
(``newscrawler/site/<host>/…``), logs each failing site at ERROR level, and records the verdict
in the stats (``newscrawler/health/<host>`` and ``newscrawler/health/failing_sites``), which the
``crawl`` command turns into a non-zero exit status and the archive keeps in ``crawls.stats``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawler.stats import stats_of
from newscrawler.switches import require_enabled

__all__ = ["HealthCheck", "judge_site"]

logger = logging.getLogger(__name__)

_PREFIX = "newscrawler/site/"


def judge_site(
    counters: dict[str, int], *, max_failure_share: float = 0.5, bounded: bool = False
) -> str | None:
    """Why a site failed this run, or ``None`` when it is healthy.

    Found articles are article pages parsed, known articles skipped and 304 re-checks: an
    incremental run over an unchanged site finds its articles without fetching them. A start
    page that led to no link, or that was taken for an article although its URL is a home or
    section page's, fails the site too: such a run would otherwise find nothing, silently.
    A site that never answered (refused connections, timeouts, DNS) fails, and so does one
    whose requests mostly end in an HTTP error or a failure. A run that ended at its own
    ``CLOSESPIDER_*`` bound (``bounded``) is not failed for what it did not get to.
    """
    responses = counters.get("responses", 0)
    errors = sum(v for k, v in counters.items() if k.startswith("errors/"))
    if not responses and errors:
        kinds = sorted({k.partition("/")[2] for k in counters if k.startswith("errors/")})
        return f"unreachable: {errors} requests failed ({', '.join(kinds)}), no response"
    http_errors = sum(
        v
        for k, v in counters.items()
        if k.startswith("status/") and k[7:].isdigit() and int(k[7:]) >= 400
    )
    found = (
        counters.get("article_pages", 0)
        + counters.get("known_skipped", 0)
        + counters.get("not_modified", 0)
    )
    blocked = counters.get("blocked", 0)
    failures = counters.get("extract_failures", 0)
    if responses and blocked >= max_failure_share * responses:
        return f"blocked: {blocked} of {responses} responses refused (401/403/429/…)"
    attempts = responses + errors
    failed = http_errors - blocked + errors
    if attempts >= 10 and failed >= max_failure_share * attempts:
        return f"mostly errors: {failed} of {attempts} requests ended in an HTTP error or failed"
    # A bounded run stopped where it was told to: what it did not reach is no failure.
    if responses and found == 0 and not bounded:
        return f"no article found in {responses} responses (layout change, or wrong start URLs?)"
    empty = counters.get("start_pages_empty", 0)
    if empty:
        return f"{empty} start page(s) led to no link to follow"
    as_article = counters.get("start_pages_as_article", 0)
    if as_article:
        return f"{as_article} start page(s) taken for an article (a home or section page?)"
    pages = counters.get("article_pages", 0)
    if pages and failures >= max_failure_share * pages:
        return f"extraction failed on {failures} of {pages} article pages"
    return None


class HealthCheck:
    """Judge each site at the end of the run (``HEALTH_CHECK_ENABLED``, ``HEALTH_MAX_FAILURE_SHARE``)."""

    def __init__(self, crawler: Crawler, max_failure_share: float) -> None:
        self.crawler = crawler
        self.max_failure_share = max_failure_share

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HealthCheck:
        settings = crawler.settings
        require_enabled(settings, "HEALTH_CHECK_ENABLED", "no site is judged at the end")
        share = settings.getfloat("HEALTH_MAX_FAILURE_SHARE", 0.5)
        if not 0 < share <= 1:
            raise NotConfigured(f"HEALTH_MAX_FAILURE_SHARE must be in (0, 1], got {share}")
        extension = cls(crawler, share)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = stats_of(self.crawler)
        sites: dict[str, dict[str, int]] = {}
        for key, value in stats.get_stats().items():
            if key.startswith(_PREFIX) and isinstance(value, int):
                site, _, counter = key[len(_PREFIX) :].partition("/")
                sites.setdefault(site, {})[counter] = value
        failing = 0
        for site, counters in sorted(sites.items()):
            verdict = judge_site(
                counters,
                max_failure_share=self.max_failure_share,
                bounded=reason.startswith("closespider_"),
            )
            stats.set_value(f"newscrawler/health/{site}", verdict or "ok")
            if verdict:
                failing += 1
                logger.error("site %s is failing: %s", site, verdict)
        stats.set_value("newscrawler/health/failing_sites", failing)


def failing_sites(stats: dict[str, Any]) -> int:
    """How many sites the health check failed in a finished run's stats."""
    return int(stats.get("newscrawler/health/failing_sites", 0) or 0)
