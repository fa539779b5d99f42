"""Politeness on the site, not per process: a Redis lease per download, shared by all workers.

Scrapy's ``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY`` hold inside one process;
with N workers a site would see N times both. :class:`SitePolitenessMiddleware` takes, before
each download, one of the site's ``CONCURRENT_REQUESTS_PER_DOMAIN`` leases in Redis and no
sooner than ``DOWNLOAD_DELAY`` after the site's previous start (server time), and gives it
back when the response or the error comes. A lease of a worker that died expires after
``DOWNLOAD_TIMEOUT`` plus 30 seconds. The distributed mode (``REDIS_URL``) sets the local
delay to 0 and switches AutoThrottle off, so the shared lease is the one limit.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from urllib.parse import urlsplit

from redis import Redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newscrawler.distributed._redis import Keys, consumer_name, redis_from_settings
from newscrawler.stats import stats_of

__all__ = ["SitePolitenessMiddleware"]

logger = logging.getLogger(__name__)

# KEYS: holders (zset token -> expiry), next start. ARGV: token, concurrency, delay, ttl.
# Returns 0 (taken), -1 (all leases held) or the milliseconds until the delay has passed.
_ACQUIRE = """
local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < nxt then return math.max(1, math.ceil((nxt - now) * 1000)) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[4])) + 60)
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], string.format('%.6f', now + tonumber(ARGV[3])), 'EX', math.ceil(tonumber(ARGV[3])) + 60)
end
return 0
"""
#: Seconds between two tries while every lease of the site is held.
POLL_SECONDS = 0.05
#: The meta key of a request's lease: ``(host, token)``.
LEASE_META = "newscrawler_site_lease"


class SitePolitenessMiddleware:
    """Downloader middleware: a site-wide download lease in Redis (see the module docstring).

    Counts ``newscrawler/distributed/polite_waits`` (tries that had to wait) and
    ``newscrawler/distributed/polite_timeouts`` (downloads let through after waiting twice a
    lease's lifetime, which only a stuck Redis causes).
    """

    def __init__(
        self, crawler: Crawler, server: Redis, *, concurrency: int, delay: float, ttl: float
    ) -> None:
        self.stats = stats_of(crawler)
        self.server = server
        self.concurrency = concurrency
        self.delay = delay
        self.ttl = ttl
        self._acquire = server.register_script(_ACQUIRE)
        self._tokens = itertools.count()
        self._me = consumer_name()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SitePolitenessMiddleware:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("SitePolitenessMiddleware needs REDIS_URL")
        if not settings.getbool("REDIS_POLITENESS_ENABLED", True):
            raise NotConfigured("REDIS_POLITENESS_ENABLED is off: limits hold per worker only")
        concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
        if concurrency < 1:
            raise NotConfigured("CONCURRENT_REQUESTS_PER_DOMAIN must be at least 1")
        return cls(
            crawler,
            redis_from_settings(settings),
            concurrency=concurrency,
            delay=settings.getfloat("REDIS_SITE_DELAY", settings.getfloat("DOWNLOAD_DELAY")),
            ttl=settings.getfloat("DOWNLOAD_TIMEOUT", 180.0) + 30.0,
        )

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = (urlsplit(request.url).hostname or "").lower()
        if not host:
            return
        holders, next_start = Keys.polite(host)
        token = f"{self._me}:{next(self._tokens)}"
        deadline = time.monotonic() + 2 * self.ttl
        while True:
            wait = int(self._acquire(keys=[holders, next_start], args=[token, self.concurrency, self.delay, self.ttl]))  # fmt: skip
            if wait == 0:
                request.meta[LEASE_META] = (host, token)
                return
            self.stats.inc_value("newscrawler/distributed/polite_waits")
            if time.monotonic() > deadline:
                self.stats.inc_value("newscrawler/distributed/polite_timeouts")
                logger.warning(
                    "no download lease for %s after %.0fs: %s", host, 2 * self.ttl, request.url
                )
                return
            await asyncio.sleep(POLL_SECONDS if wait < 0 else wait / 1000)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        self._release(request)
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        self._release(request)

    def _release(self, request: Request) -> None:
        lease = request.meta.pop(LEASE_META, None)
        if lease is not None:
            self.server.zrem(Keys.polite(lease[0])[0], lease[1])
