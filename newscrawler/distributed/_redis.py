"""The Redis connection and the key names every distributed component agrees on."""

from __future__ import annotations

import os
import socket
from typing import Any

from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry
from scrapy.settings import BaseSettings

__all__ = ["Keys", "consumer_name", "redis_from_settings"]

#: Prefix of every key newscrawler writes (one Redis can serve other applications too).
PREFIX = "newscrawler"


def redis_from_settings(settings: BaseSettings) -> Redis:
    """A client for ``REDIS_URL`` that rides out a Redis restart (``REDIS_RETRY_SECONDS``).

    A command that meets a refused or dropped connection is retried with a backoff capped at
    one second, for about ``REDIS_RETRY_SECONDS`` in all; a Redis restarted with its AOF comes
    back with every key, so the crawl just waits.
    """
    url = settings.get("REDIS_URL")
    if not url:
        raise ValueError("REDIS_URL is empty")
    seconds = max(1, settings.getint("REDIS_RETRY_SECONDS", 60))
    retry = Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=seconds)
    return Redis.from_url(
        url,
        retry=retry,
        retry_on_error=[RedisConnectionError, RedisTimeoutError, ConnectionResetError],
        socket_timeout=30,
        socket_connect_timeout=5,
    )


def consumer_name() -> str:
    """This process's name among workers and writers: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Keys:
    """Key names. A crawl's frontier is scoped to its site and its run; the rest is shared.

    - ``newscrawler:site:<site>:run``: the site's current run id (none between runs);
    - ``newscrawler:run:<site>:<run>:{requests,dupefilter,leases,leased,lease_seq,seeded}``:
      the run's frontier (a priority zset), request fingerprints, leases and seeding flag;
    - ``newscrawler:articles``: the stream of finished items (``REDIS_STREAM``);
    - ``newscrawler:archived:<site>``: what the writer archived (URL -> JSON of the recrawl facts);
    - ``newscrawler:polite:<host>`` and ``…:next``: a site's download leases and next start time.
    """

    def __init__(self, site: str, run: str) -> None:
        self.site = site
        self.run = run
        base = f"{PREFIX}:run:{site}:{run}"
        self.requests = f"{base}:requests"
        self.dupefilter = f"{base}:dupefilter"
        self.leases = f"{base}:leases"
        self.leased = f"{base}:leased"
        self.lease_seq = f"{base}:lease_seq"
        self.seeded = f"{base}:seeded"

    @staticmethod
    def current_run(site: str) -> str:
        return f"{PREFIX}:site:{site}:run"

    @staticmethod
    def archived(site: str) -> str:
        return f"{PREFIX}:archived:{site}"

    @staticmethod
    def polite(host: str) -> tuple[str, str]:
        return f"{PREFIX}:polite:{host}", f"{PREFIX}:polite:{host}:next"

    def all(self) -> list[str]:
        return [
            self.requests,
            self.dupefilter,
            self.leases,
            self.leased,
            self.lease_seq,
            self.seeded,
        ]


def decode(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
