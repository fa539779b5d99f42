"""Downloader middleware for scheduled, incremental crawls.

:class:`IncrementalMiddleware` asks the archive, not an in-memory set, whether a URL is
already archived: known articles are not fetched again unless the recrawl policy selects
them, and re-checks and feed/sitemap fetches are conditional (a 304 costs no parsing).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from newscrawler.extensions.archive import ArchiveExtension, archive_extension
from newscrawler.stats import site_stat, stats_of
from newscrawler.switches import require_enabled
from newscrawler.urls import canonicalize_url

__all__ = ["IncrementalMiddleware", "recheck_due"]

logger = logging.getLogger(__name__)


def recheck_due(
    info: dict[str, Any],
    now: datetime,
    *,
    window: timedelta,
    first_interval: timedelta,
    backoff: float,
) -> bool:
    """Whether a known page is due for a re-check under the adaptive revisit policy.

    Only pages first seen (or first dropped) less than ``window`` ago are re-checked, and
    only once the wait since the last check has passed: ``first_interval``, times
    ``backoff`` for every re-check that found the page unchanged (1 h, 3 h, 9 h, ...). A
    change starts the count again. So a run right after another re-checks nothing.
    """
    first_seen = _parse_time(info.get("first_seen_at"))
    last_seen = _parse_time(info.get("last_seen_at"))
    if first_seen is None or now - first_seen >= window:
        return False
    if last_seen is None:
        return True
    checks = int(info.get("unchanged_checks") or 0)
    wait = first_interval.total_seconds() * backoff ** min(checks, 64)
    return (now - last_seen).total_seconds() >= wait


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class IncrementalMiddleware:
    """Skip archived articles; make re-checks and feed fetches conditional.

    Requests carry ``meta["newscrawler_kind"]``: ``"start"`` (always fetched), ``"feed"``
    (feeds and sitemaps: conditional), or none (a page that may be an article). An archived
    URL (or an alias of one) is fetched again only when :func:`recheck_due` says so (first
    seen less than ``RECRAWL_DAYS`` ago, and the adaptive wait since the last check is over),
    or when a feed or sitemap says it changed after we last saw it (``meta["lastmod"]``); then
    with ``If-None-Match``/``If-Modified-Since``. Pages dropped earlier as too short or not an
    article are remembered by the archive and re-checked on the same policy.
    """

    def __init__(
        self,
        crawler: Crawler,
        archive: ArchiveExtension,
        recrawl_days: float,
        *,
        first_interval_hours: float = 1.0,
        backoff: float = 3.0,
    ) -> None:
        self.crawler = crawler
        self.stats = stats_of(crawler)
        self.archive = archive
        self.recrawl_days = recrawl_days
        self.first_interval = timedelta(hours=first_interval_hours)
        self.backoff = backoff

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        settings = crawler.settings
        require_enabled(settings, "INCREMENTAL_ENABLED", "every page is fetched")
        days = settings.getfloat("RECRAWL_DAYS", 2.0)
        if days < 0:
            raise NotConfigured(f"RECRAWL_DAYS must not be negative, got {days}")
        hours = settings.getfloat("RECRAWL_INTERVAL_HOURS", 1.0)
        backoff = settings.getfloat("RECRAWL_BACKOFF", 3.0)
        if hours < 0 or backoff < 1:
            raise ValueError(
                "RECRAWL_INTERVAL_HOURS must be 0 or more and RECRAWL_BACKOFF at least 1, "
                f"got {hours} and {backoff}"
            )
        policy = {"first_interval_hours": hours, "backoff": backoff}
        if settings.get("REDIS_URL") and settings.get("DISTRIBUTED_ROLE", "worker") == "worker":
            # Distributed worker: the writer keeps what is archived in Redis (no SQLite file here).
            from newscrawler.distributed.state import RedisArchiveState

            return cls(crawler, RedisArchiveState.from_crawler(crawler), days, **policy)  # type: ignore[arg-type]
        return cls(crawler, archive_extension(crawler, "incremental crawling"), days, **policy)

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        kind = request.meta.get("newscrawler_kind")
        if kind in ("start", "repair") or request.meta.get("newscrawler_conditional"):
            return None
        archive = self.archive.archive
        url = canonicalize_url(request.url)
        if kind == "feed":
            state = archive.feed_state(url)
            if state:
                self._make_conditional(
                    request, state.get("http_etag"), state.get("http_last_modified")
                )
            return None
        known = archive.recrawl_info(url)
        if known is None:
            return None
        now = datetime.now(UTC)
        last_seen = _parse_time(known["last_seen_at"])
        lastmod = _parse_time(request.meta.get("lastmod"))
        # An alias is re-checked only when a feed says it changed: its article has its own URL.
        due = not known["alias"] and recheck_due(
            known,
            now,
            window=timedelta(days=self.recrawl_days),
            first_interval=self.first_interval,
            backoff=self.backoff,
        )
        changed = lastmod is not None and last_seen is not None and lastmod > last_seen
        dropped = known.get("dropped")
        if not (due or changed):
            if dropped:
                self.stats.inc_value("newscrawler/incremental/skipped_dropped")
                raise IgnoreRequest(f"dropped earlier ({dropped}), not due for a re-check: {url}")
            self.stats.inc_value("newscrawler/incremental/skipped_known")
            self.stats.inc_value(site_stat(url, "known_skipped"))
            self._walk_on(url, request)
            raise IgnoreRequest(f"already archived: {url}")
        if dropped:
            self.stats.inc_value("newscrawler/incremental/rechecked_dropped")
        self.stats.inc_value("newscrawler/incremental/recrawled")
        self._make_conditional(request, known["http_etag"], known["http_last_modified"])
        return None

    def _walk_on(self, url: str, request: Request) -> None:
        """Follow a skipped article's related links, as the crawl would have from its page.

        A run killed between an article and its related articles left them unfetched; the
        article is not re-checked (not due), so its stored related block is walked instead.
        Archived targets are walked too: each is skipped in its turn and walks on, so an article
        behind a chain of archived ones (seed -> archived -> new) is still reached at the depth
        an uninterrupted crawl reaches it. Requests already seen are dropped by the duplicate
        filter; ``DEPTH_LIMIT`` holds.
        """
        lookup = getattr(self.archive.archive, "related_urls", None)
        if lookup is None or self.crawler.engine is None:
            return
        depth = int(request.meta.get("depth", 0)) + 1
        limit = self.crawler.settings.getint("DEPTH_LIMIT")
        if limit and depth > limit:
            return
        for target in lookup(url):
            self.stats.inc_value("newscrawler/incremental/walked_from_archive")
            self.crawler.engine.crawl(Request(target, meta={"depth": depth}))

    @staticmethod
    def _make_conditional(request: Request, etag: str | None, last_modified: str | None) -> None:
        if etag:
            request.headers["If-None-Match"] = etag
        if last_modified:
            request.headers["If-Modified-Since"] = last_modified
        if etag or last_modified:
            request.meta["newscrawler_conditional"] = True
            allowed = set(request.meta.get("handle_httpstatus_list", []))
            request.meta["handle_httpstatus_list"] = sorted(allowed | {304})
