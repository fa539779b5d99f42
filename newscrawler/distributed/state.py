"""What workers need from the archive, kept in Redis by the writer: is a URL archived, its validators.

The writer (:mod:`newscrawler.distributed.writer`) publishes, after each committed batch, the
recrawl facts of every URL it wrote or aliased (``archive.recrawl_info``) into one hash per
site, ``newscrawler:archived:<site>``. :class:`RedisArchiveState` answers the incremental
middleware's questions from there, so a worker on another machine never opens the SQLite file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from redis import Redis
from scrapy.crawler import Crawler

from newscrawler.distributed._redis import Keys, redis_from_settings
from newscrawler.urls import site_of

__all__ = ["RedisArchiveState", "publish_recrawl_info"]


class RedisArchiveState:
    """The archive's incremental look-ups (``recrawl_info``, ``feed_state``), answered from Redis.

    Stands in for the :class:`~newscrawler.extensions.archive.ArchiveExtension` that
    :class:`~newscrawler.middlewares.IncrementalMiddleware` holds: ``.archive`` is itself.
    """

    def __init__(self, server: Redis) -> None:
        self.server = server

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisArchiveState:
        return cls(redis_from_settings(crawler.settings))

    @property
    def archive(self) -> RedisArchiveState:
        return self

    def recrawl_info(self, url: str) -> dict[str, Any] | None:
        raw = self.server.hget(Keys.archived(site_of(url)), url)
        return None if raw is None else dict(json.loads(raw))

    def feed_state(self, url: str) -> dict[str, Any] | None:
        """Feed validators are not shared yet: every feed fetch is unconditional."""
        return None


def publish_recrawl_info(server: Redis, facts: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
    """Write ``(url, recrawl_info)`` pairs into the per-site hashes, in one round trip."""
    pipe = server.pipeline(transaction=False)
    count = 0
    for url, info in facts:
        pipe.hset(Keys.archived(site_of(url)), url, json.dumps(dict(info), default=str))
        count += 1
    if count:
        pipe.execute()
    return count
