"""Workers hand finished items to the archive writer through a Redis Stream.

Each entry has a ``kind``: ``article`` (an item as JSON, without the worker's private output),
``run_start`` and ``run_end`` (one worker run: its spider arguments, then its finish reason
and stats, which the writer keeps as that run's ``crawls`` row). Every entry names its worker
run (``run``), so the writer stamps each article with the ``crawls`` row of the run that
fetched it. JSON, not pickle: a Redis reachable by many machines must not be a way to run code
in the writer.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import fields as dataclass_fields
from typing import Any

from itemadapter import ItemAdapter
from redis import Redis
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawler.archive import utc_now
from newscrawler.distributed._redis import consumer_name, decode, redis_from_settings
from newscrawler.items import WORKER_FIELD, ArticleItem
from newscrawler.stats import stats_of

__all__ = ["DEFAULT_STREAM", "StreamPipeline", "decode_entry", "encode_item"]

DEFAULT_STREAM = "newscrawler:articles"
_ITEM_FIELDS = frozenset(f.name for f in dataclass_fields(ArticleItem)) - {WORKER_FIELD}


def encode_item(item: Any) -> str:
    """An item as the JSON of a stream entry (its article fields; not the worker's output)."""
    record = {k: v for k, v in ItemAdapter(item).asdict().items() if k != WORKER_FIELD}
    return json.dumps(record, ensure_ascii=False, default=str)


def decode_entry(fields: dict[Any, Any]) -> tuple[str, str, Any]:
    """``(kind, run, payload)`` of a stream entry; for an article the payload is an ArticleItem."""
    data = {decode(k): decode(v) for k, v in fields.items()}
    kind = data.get("kind", "")
    payload = json.loads(data.get("data") or "{}")
    if kind == "article":
        payload = ArticleItem(**{k: v for k, v in payload.items() if k in _ITEM_FIELDS})
    return kind, data.get("run", ""), payload


class StreamPipeline:
    """Send each finished item to the stream ``REDIS_STREAM`` (in place of the archive pipelines).

    Also sends the run's start and end (spider arguments; finish reason and stats), so the
    writer records one ``crawls`` row per worker run. Counts ``newscrawler/distributed/streamed``.
    """

    def __init__(self, crawler: Crawler, server: Redis, stream: str) -> None:
        self.crawler = crawler
        self.stats = stats_of(crawler)
        self.server = server
        self.stream = stream
        self.run = f"{consumer_name()}:{int(time.time())}:{secrets.token_hex(3)}"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StreamPipeline:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("StreamPipeline needs REDIS_URL")
        pipeline = cls(
            crawler, redis_from_settings(settings), settings.get("REDIS_STREAM") or DEFAULT_STREAM
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def _send(self, kind: str, data: str) -> None:
        self.server.xadd(self.stream, {"kind": kind, "run": self.run, "data": data})

    def open_spider(self) -> None:
        spider = self.crawler.spider
        args = dict(getattr(spider, "crawl_args", {}) or {})
        stats = self.stats
        start = {
            "spider": spider.name if spider else "?",
            "site": args.get("site"),
            "start_urls": list(getattr(spider, "start_urls", []) or []),
            "args": {
                **args,
                "worker_run": self.run,
                "distributed_run": stats.get_value("newscrawler/distributed/run"),
            },
            "started_at": utc_now(),
        }
        stats.set_value("newscrawler/distributed/worker_run", self.run)
        self._send("run_start", json.dumps(start, default=str))

    def process_item(self, item: Any) -> Any:
        self._send("article", encode_item(item))
        self.stats.inc_value("newscrawler/distributed/streamed")
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.stats.get_stats()
        end = {"finish_reason": reason, "stats": stats, "finished_at": utc_now()}
        self._send("run_end", json.dumps(end, default=str, sort_keys=True))
