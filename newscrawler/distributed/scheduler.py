"""scrapy-redis's scheduler, scoped to a site and a run, with leased requests and an idle exit.

One run of a site is one frontier in Redis that any number of workers share: the request
queue (:class:`~newscrawler.distributed.queue.LeasedQueue`) and scrapy-redis's dupefilter,
under keys named after the site and the run (``REDIS_RUN``; by default the site's current run,
which the first worker starts and the worker that sees it drained ends, so the next crawl is a
new run that can fetch again what a killed run lost). The start requests are pushed once per
run, by the first worker that offers them; ``REDIS_SEED_ONLY`` pushes them and exits.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from redis import Redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter  # type: ignore[import-untyped]
from scrapy_redis.scheduler import Scheduler  # type: ignore[import-untyped]
from twisted.internet.task import LoopingCall

from newscrawler.distributed._redis import Keys, consumer_name, decode, redis_from_settings
from newscrawler.distributed.queue import LeasedQueue

__all__ = ["FingerprintDupeFilter", "RedisScheduler", "site_key"]

logger = logging.getLogger(__name__)

# Compare-and-delete: end the site's current run only if it is still this one.
_END_RUN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
#: How often the scheduler looks at the shared queue, seconds.
TICK_SECONDS = 0.25
#: Every this many ticks it acknowledges done requests (renewing the rest every quarter lease).
ACK_TICKS = 4


def site_key(spider: Spider) -> str:
    """The site a crawl is of: its ``-a site=`` profile name, else its first start URL's host."""
    args = getattr(spider, "crawl_args", {}) or {}
    if args.get("site"):
        return str(args["site"])
    start_urls = list(getattr(spider, "start_urls", []) or [])
    host = urlsplit(start_urls[0]).hostname if start_urls else None
    return host or spider.name


class FingerprintDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's dupefilter on the crawl's own request fingerprints (canonical URLs).

    The set is the run's, shared by its workers: closing one worker leaves it alone.
    """

    def __init__(self, server: Redis, key: str, fingerprinter: Any) -> None:
        super().__init__(server, key)
        self.fingerprinter = fingerprinter

    def request_fingerprint(self, request: Request) -> str:
        return str(self.fingerprinter.fingerprint(request).hex())

    def close(self, reason: str = "") -> None:
        """Other workers of the run still use the set: nothing to clear."""


class RedisScheduler(Scheduler):  # type: ignore[misc]
    """The shared frontier of a site's run (see the module docstring). Settings:

    ``REDIS_URL``, ``REDIS_RUN``, ``REDIS_LEASE_SECONDS`` (a popped request returns to the
    queue when its worker stops renewing it this long), ``REDIS_IDLE_TIMEOUT`` (a worker exits
    once the run has had nothing queued and nothing leased this long), ``REDIS_SEED_ONLY``.
    """

    def __init__(
        self,
        crawler: Crawler,
        server: Redis,
        *,
        run: str,
        lease_seconds: float,
        idle_timeout: float,
        seed_only: bool,
        run_ttl: int,
    ) -> None:
        super().__init__(server, persist=True)
        self.crawler = crawler
        self.stats = crawler.stats
        self.run = run
        self.lease_seconds = lease_seconds
        self.idle_timeout = idle_timeout
        self.seed_only = seed_only
        self.run_ttl = run_ttl
        self.site_limit = 0
        self.worker = consumer_name()
        self.keys: Keys | None = None
        self.queue: LeasedQueue
        self._local: deque[Request] = deque()
        self._leases: dict[str, Request] = {}
        self._done_once: set[str] = set()
        self._seeder: bool | None = None
        self._idle_since: float | None = None
        self._drained = False
        self._closing = False
        self._ticks = 0
        self._loop: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("RedisScheduler needs REDIS_URL (redis://HOST:6379/0)")
        lease = settings.getfloat("REDIS_LEASE_SECONDS", 60.0)
        if lease <= TICK_SECONDS * 8:
            raise NotConfigured(f"REDIS_LEASE_SECONDS must be more than 2, got {lease:g}")
        server = redis_from_settings(settings)
        server.ping()
        scheduler = cls(
            crawler,
            server,
            run=settings.get("REDIS_RUN") or "",
            lease_seconds=lease,
            idle_timeout=settings.getfloat("REDIS_IDLE_TIMEOUT", 30.0),
            seed_only=settings.getbool("REDIS_SEED_ONLY", False),
            run_ttl=settings.getint("REDIS_RUN_TTL", 7 * 86400),
        )
        if settings.getbool("REDIS_POLITENESS_ENABLED", True):
            scheduler.site_limit = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    # -- the run ----------------------------------------------------------------------------

    def open(self, spider: Spider) -> None:
        self.spider = spider
        site = site_key(spider)
        run = self.run or self._current_run(site)
        self.keys = keys = Keys(site, run)
        self.queue = LeasedQueue(
            self.server,
            spider,
            keys,
            lease_seconds=self.lease_seconds,
            site_limit=self.site_limit,
            serializer=self.serializer,
        )
        self.df = FingerprintDupeFilter(
            self.server, keys.dupefilter, self.crawler.request_fingerprinter
        )
        self.stats.set_value("newscrawler/distributed/site", site)
        self.stats.set_value("newscrawler/distributed/run", run)
        self.stats.set_value("newscrawler/distributed/worker", self.worker)
        queued, expired, live = self.queue.counts()
        logger.info(
            "worker %s joins run %s of site %s: %d queued, %d leased (%d expired)",
            self.worker,
            run,
            site,
            queued,
            live + expired,
            expired,
        )
        if not self.seed_only:
            self._loop = LoopingCall(self._tick)
            self._loop.start(TICK_SECONDS, now=False).addErrback(
                lambda failure: logger.error("lease loop stopped: %s", failure.value)
            )

    def _current_run(self, site: str) -> str:
        """The site's current run; a new one (named after the time) if there is none."""
        key = Keys.current_run(site)
        fresh = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(2)
        self.server.set(key, fresh, nx=True)
        return decode(self.server.get(key) or fresh)

    def close(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        # Popped by _wake but never handed to the engine: not done, whatever the reason.
        waiting = {request.meta.get("newscrawler_lease") for request in self._local}
        if reason == "finished":  # the engine was idle: every leased request is through
            self.queue.ack([lease for lease in self._leases if lease not in waiting])
            self.queue.release([lease for lease in self._leases if lease in waiting])
        else:  # stopped mid-crawl: what this worker held goes back to the queue now
            self.queue.ack(sorted(self._done_once - waiting))
            self.queue.release(
                [
                    lease
                    for lease in self._leases
                    if lease not in self._done_once or lease in waiting
                ]
            )
        self._leases.clear()
        self._local.clear()
        self.stats.set_value("newscrawler/distributed/leases_returned", self.queue.returned)
        if self._drained and self.keys is not None:
            self._end_run(self.keys)

    def _end_run(self, keys: Keys) -> None:
        """The run is drained: the next crawl of the site starts a new one."""
        if not self.run:
            self.server.eval(_END_RUN, 1, Keys.current_run(keys.site), keys.run)
        for key in keys.all():
            self.server.expire(key, self.run_ttl)
        logger.info("run %s of site %s is drained", keys.run, keys.site)

    # -- requests -----------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.pop("newscrawler_wake", False):  # popped by _wake: already leased
            self._local.append(request)
            return True
        meta = request.meta
        seed = meta.get("is_start_request") and not (meta.get("redirect_times") or meta.get("retry_times"))  # fmt: skip
        if seed and not self._seeding():
            self.stats.inc_value("newscrawler/distributed/seed_skipped")
            return False
        return bool(super().enqueue_request(request))

    def _seeding(self) -> bool:
        """Does this worker push the run's start requests? The first one to offer them does."""
        if self._seeder is None:
            assert self.keys is not None
            self.server.set(self.keys.seeded, self.worker, nx=True)
            self._seeder = decode(self.server.get(self.keys.seeded)) == self.worker
            if self._seeder:
                self.stats.set_value("newscrawler/distributed/seeded", True)
        return self._seeder

    def next_request(self) -> Request | None:
        if self._local:
            request: Request | None = self._local.popleft()
        elif self.seed_only:
            return None
        else:
            request = self.queue.pop()
            if request is not None:
                self._leases[request.meta["newscrawler_lease"]] = request
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self._local) or (not self.seed_only and len(self.queue) > 0)

    def __len__(self) -> int:
        return len(self._local) + (0 if self.seed_only else len(self.queue))

    # -- leases and the idle worker -------------------------------------------------------------

    def _tick(self) -> None:
        try:
            self._ticks += 1
            if self._ticks % ACK_TICKS == 0:  # done requests acknowledged within 2 s
                renew = self._ticks % max(ACK_TICKS, int(self.lease_seconds / 4 / TICK_SECONDS))
                self._keep_leases(renew=renew < ACK_TICKS)
            self._wake()
            self._close_if_drained()
        except Exception:  # Redis away for longer than the client retries: try next tick
            logger.exception("shared-queue upkeep failed")

    def _in_flight(self) -> set[int]:
        engine = self.crawler.engine
        held = {id(request) for request in self._local}
        if engine is not None:
            held.update(id(request) for request in engine.downloader.active)
            if engine.scraper.slot is not None:
                held.update(id(request) for request in engine.scraper.slot.active)
        return held

    def _keep_leases(self, *, renew: bool) -> None:
        """Acknowledge the leases of requests done (seen done twice, so a request between the
        downloader and the scraper is never taken for done); with ``renew``, renew the rest."""
        in_flight = self._in_flight()
        done = {lease for lease, request in self._leases.items() if id(request) not in in_flight}
        acked = sorted(done & self._done_once)
        self._done_once = done - self._done_once
        self.queue.ack(acked)
        for lease in acked:
            del self._leases[lease]
        if renew:
            self.queue.renew(list(self._leases))

    def _wake(self) -> None:
        """An idle worker asks the shared queue now, not at the engine's next heartbeat (5 s)."""
        engine = self.crawler.engine
        if (
            self._closing
            or self._local
            or self.seed_only
            or engine is None
            or engine.spider is None
        ):
            return
        if engine.downloader.active or (engine.scraper.slot and engine.scraper.slot.active):
            return  # busy: the engine asks the scheduler whenever a request ends
        for request in self.queue.pop_many(1):
            self._leases[request.meta["newscrawler_lease"]] = request
            request.meta["newscrawler_wake"] = True
            self.stats.inc_value("newscrawler/distributed/woken")
            engine.crawl(request)

    def _close_if_drained(self) -> None:
        """Close as soon as the idle timeout has passed, not at the engine's next heartbeat."""
        engine = self.crawler.engine
        if self._closing or engine is None or engine.spider is None or not engine.spider_is_idle():
            return
        try:
            self.spider_idle(engine.spider)
        except DontCloseSpider:
            return
        self._closing = True
        deferred_from_coro(engine.close_spider_async(reason="finished"))

    def spider_idle(self, spider: Spider) -> None:
        """Stay while the run has work queued or leased; exit once it had none for
        ``REDIS_IDLE_TIMEOUT`` seconds."""
        if self.seed_only:
            return
        queued, expired, live = self.queue.counts()
        if queued or expired or live or self._local:
            self._idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        if now - self._idle_since < self.idle_timeout:
            raise DontCloseSpider
        self._drained = True
        self._closing = True  # no more wake-ups: the engine closes now
