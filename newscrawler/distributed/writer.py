"""The archive writer: the stream's items through the project's own pipelines into SQLite.

The writer is a Scrapy crawl without downloads: :class:`StreamSpider`'s ``start()`` reads the
stream in a consumer group and yields its articles as items, so they pass the very pipelines
of a single-process crawl (clean < validate < dedup < archive, from ``ITEM_PIPELINES``) with
the same stats and drop reasons. Two pipelines of its own go round the archive pipeline:

- :class:`RunStampPipeline` (790) stamps each article with its worker run's ``crawls`` row;
- :class:`CommitPipeline` (900) acknowledges (and deletes) stream entries only once the batch
  that holds them is committed, and then publishes the recrawl facts of their URLs to Redis
  (:mod:`newscrawler.distributed.state`).

Entries a writer read and never acknowledged (it was killed) stay pending in the group; any
writer claims them after ``WRITER_CLAIM_SECONDS``. Writing is idempotent (the archive is keyed
on the URL, an unchanged text is only marked seen), so an entry written twice is one row.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any, cast

from itemadapter import ItemAdapter
from redis import Redis
from redis.exceptions import ResponseError
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawler.archive import Archive, FlushCounts
from newscrawler.distributed._redis import consumer_name, decode, redis_from_settings
from newscrawler.distributed.state import publish_recrawl_info
from newscrawler.distributed.stream import DEFAULT_STREAM, decode_entry
from newscrawler.extensions.archive import ArchiveExtension, archive_extension
from newscrawler.stats import stats_of
from newscrawler.urls import canonicalize_url

__all__ = ["CommitPipeline", "RunStampPipeline", "StreamReader", "StreamSpider"]

logger = logging.getLogger(__name__)

DEFAULT_GROUP = "archive-writer"
#: Seconds between two reads of an empty stream.
POLL_SECONDS = 0.2
#: Longest wait for yielded items to come through the pipelines before a commit, seconds.
THROUGH_TIMEOUT = 60.0


class StreamReader:
    """The consumer-group side of the stream: read new entries, claim a dead writer's."""

    def __init__(
        self, server: Redis, stream: str, group: str, *, claim_seconds: float, count: int
    ) -> None:
        self.server = server
        self.stream = stream
        self.group = group
        self.consumer = consumer_name()
        self.claim_ms = int(claim_seconds * 1000)
        self.count = count
        self._next_claim = 0.0
        self.claimed = 0

    def ensure_group(self) -> None:
        try:
            self.server.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def read(self) -> list[tuple[str, dict[Any, Any]]]:
        """Entries pending too long in the group (a dead writer's) first, then new ones."""
        now = time.monotonic()
        if now >= self._next_claim:
            self._next_claim = now + self.claim_ms / 2000
            answer: Any = self.server.xautoclaim(
                self.stream, self.group, self.consumer, self.claim_ms, "0-0", count=self.count
            )
            claimed = [(decode(entry_id), fields) for entry_id, fields in answer[1] if fields]
            if claimed:
                self.claimed += len(claimed)
                logger.info("claimed %d entries another writer left pending", len(claimed))
                return claimed
        answer = cast(Any, self.server).xreadgroup(
            self.group, self.consumer, {self.stream: ">"}, count=self.count
        )
        if not answer:
            return []
        return [(decode(entry_id), fields) for entry_id, fields in answer[0][1]]

    def ack(self, entry_ids: list[str]) -> None:
        if entry_ids:
            pipe = self.server.pipeline(transaction=True)
            pipe.xack(self.stream, self.group, *entry_ids)
            pipe.xdel(self.stream, *entry_ids)
            pipe.execute()


class StreamSpider(Spider):
    """Yields the stream's articles as items (``scrapy archive-writer`` runs it).

    ``until_idle``: stop once the stream has been empty that many seconds (default: never).
    """

    name = "archive-writer"

    def __init__(self, until_idle: float | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.until_idle = float(until_idle) if until_idle not in (None, "") else None
        self.crawl_args: dict[str, Any] = {"until_idle": self.until_idle}
        self.reader: StreamReader

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> StreamSpider:
        spider: StreamSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("archive-writer needs REDIS_URL (redis://HOST:6379/0)")
        spider.reader = StreamReader(
            redis_from_settings(settings),
            settings.get("REDIS_STREAM") or DEFAULT_STREAM,
            settings.get("WRITER_GROUP") or DEFAULT_GROUP,
            claim_seconds=settings.getfloat("WRITER_CLAIM_SECONDS", 60.0),
            count=settings.getint("ARCHIVE_BATCH_SIZE", 50),
        )
        return spider

    async def start(self) -> AsyncIterator[Any]:
        commit = self.crawler.get_item_pipeline(CommitPipeline)
        if commit is None:
            raise NotConfigured("archive-writer needs CommitPipeline in ITEM_PIPELINES")
        reader = self.reader
        reader.ensure_group()
        commit.reader = reader
        idle_since = time.monotonic()
        while True:
            entries = reader.read()
            if not entries:
                await commit.through()
                commit.commit()
                if self.until_idle is not None and time.monotonic() - idle_since >= self.until_idle:
                    self.crawler.stats.set_value("newscrawler/writer/claimed", reader.claimed)
                    return
                await asyncio.sleep(POLL_SECONDS)
                continue
            idle_since = time.monotonic()
            for entry_id, fields in entries:
                try:
                    kind, run, payload = decode_entry(fields)
                except (ValueError, TypeError):
                    logger.exception(
                        "unreadable stream entry %s: acknowledged, not archived", entry_id
                    )
                    self.crawler.stats.inc_value("newscrawler/writer/unreadable")
                    reader.ack([entry_id])
                    continue
                if kind == "article":
                    commit.expect(payload, entry_id, run)
                    yield payload
                else:  # a run's start or end: after everything the stream held before it
                    await commit.through()
                    commit.commit()
                    commit.record_run(kind, run, payload)
                    reader.ack([entry_id])


class CommitPipeline:
    """Acknowledge stream entries once their batch is committed; keep Redis's view of the archive.

    Also keeps the ``crawls`` rows of worker runs (``run_start``/``run_end`` entries). Counts
    ``newscrawler/writer/acknowledged`` and ``newscrawler/writer/published`` (URLs whose
    recrawl facts went to Redis).
    """

    def __init__(self, crawler: Crawler, extension: ArchiveExtension, server: Redis) -> None:
        self.crawler = crawler
        self.stats = stats_of(crawler)
        self.extension = extension
        self.server = server
        self.reader: StreamReader | None = None
        self._expected: dict[int, tuple[Any, str, str]] = {}
        self._through: list[tuple[str, str, Any]] = []  # entry id, run, item
        self._crawl_ids: dict[str, int] = {}
        self._tallies: dict[str, dict[str, int]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CommitPipeline:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured("CommitPipeline needs REDIS_URL")
        pipeline = cls(
            crawler,
            archive_extension(crawler, "the archive writer"),
            redis_from_settings(crawler.settings),
        )
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.item_error, signal=signals.item_error)
        return pipeline

    @property
    def archive(self) -> Archive:
        return self.extension.archive

    # -- the items between the stream and the archive ---------------------------------------

    def expect(self, item: Any, entry_id: str, run: str) -> None:
        self._expected[id(item)] = (item, entry_id, run)

    def run_of(self, item: Any) -> str | None:
        expected = self._expected.get(id(item))
        return expected[2] if expected else None

    async def through(self) -> None:
        """Wait until every yielded item has left the pipelines (archived, dropped or failed)."""
        deadline = time.monotonic() + THROUGH_TIMEOUT
        while self._expected and time.monotonic() < deadline:
            await asyncio.sleep(0.005)

    def _arrived(self, item: Any, outcome: str) -> None:
        expected = self._expected.pop(id(item), None)
        if expected is None:
            return
        _, entry_id, run = expected
        tally = self._tallies.setdefault(run, {})
        tally[outcome] = tally.get(outcome, 0) + 1
        self._through.append((entry_id, run, item))

    def process_item(self, item: Any) -> Any:
        self._arrived(item, "archived")
        if self.archive.pending == 0:  # the archive pipeline has just committed its batch
            self._acknowledge()
        return item

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Spider) -> None:
        duplicate = type(exception).__name__ in ("DuplicateUrl", "DuplicateContent")
        self._arrived(item, "duplicates" if duplicate else "dropped")
        # A stretch of drops (a rerun's known URLs) must not wait for the next article to be
        # acknowledged: commit what they queued (aliases) once they fill a batch.
        if self.archive.pending == 0 and len(self._through) >= self.extension.batch_size:
            self.commit()

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        # Not acknowledged: the entry stays pending and is tried again after WRITER_CLAIM_SECONDS.
        expected = self._expected.pop(id(item), None)
        self.stats.inc_value("newscrawler/writer/item_errors")
        logger.error("writer failed on %s: %s", expected[1] if expected else "?", failure.value)

    def commit(self) -> None:
        """Write what is queued, then acknowledge every entry that is through."""
        self.count(self.archive.flush())  # nothing to do when nothing is queued
        self._acknowledge()

    def count(self, counts: FlushCounts) -> None:
        for name in ("new", "updated", "unchanged"):
            value = getattr(counts, name)
            if value:
                self.stats.inc_value(f"newscrawler/archive/articles_{name}", value)

    def _acknowledge(self) -> None:
        through, self._through = self._through, []
        if not through or self.reader is None:
            self._through = through
            return
        archive = self.archive
        facts = []
        for url in dict.fromkeys(u for _, _, item in through for u in _urls_of(item)):
            info = archive.recrawl_info(url)
            if info is not None:
                facts.append((url, info))
        published = publish_recrawl_info(self.server, facts)
        self.reader.ack([entry_id for entry_id, _, _ in through])
        self.stats.inc_value("newscrawler/writer/acknowledged", len(through))
        self.stats.inc_value("newscrawler/writer/published", published)

    def close_spider(self) -> None:
        self.commit()

    # -- worker runs ---------------------------------------------------------------------------

    def crawl_id_for(self, run: str) -> int:
        """The ``crawls`` row of a worker run (made now if its start entry was never seen)."""
        if run in self._crawl_ids:
            return self._crawl_ids[run]
        found = self._lookup_run(run)
        if found is None:
            return self._insert_run(run, {"spider": "news", "args": {"worker_run": run}})
        return found

    def _insert_run(self, run: str, start: dict[str, Any]) -> int:
        table = self.archive.db.table("crawls")
        table.insert(
            {
                "spider": start.get("spider") or "news",
                "site": start.get("site"),
                "start_urls": json.dumps(list(start.get("start_urls") or [])),
                "args": json.dumps(
                    {**(start.get("args") or {}), "worker_run": run}, sort_keys=True
                ),
                "started_at": start.get("started_at"),
            }
        )
        self._crawl_ids[run] = int(table.last_pk or 0)
        return self._crawl_ids[run]

    def record_run(self, kind: str, run: str, payload: dict[str, Any]) -> None:
        if kind == "run_start":
            if run not in self._crawl_ids and self._lookup_run(run) is None:
                self._insert_run(run, payload)
            return
        if kind != "run_end":
            logger.warning("unknown stream entry kind %r of run %s", kind, run)
            return
        crawl_id = self.crawl_id_for(run)
        db = self.archive.db
        new, updated = db.execute(
            "select count(*) filter (where coalesce(versions, 1) = 1), "
            "count(*) filter (where versions > 1) from articles where crawl_id = ?",
            [crawl_id],
        ).fetchone()
        tally = self._tallies.pop(run, {})
        db.table("crawls").update(
            crawl_id,
            {
                "finished_at": payload.get("finished_at"),
                "finish_reason": payload.get("finish_reason"),
                "stats": json.dumps(payload.get("stats") or {}, sort_keys=True, default=str),
                "articles_new": int(new or 0),
                "articles_updated": int(updated or 0),
                "articles_unchanged": max(
                    0, tally.get("archived", 0) - int(new or 0) - int(updated or 0)
                ),
                "duplicates": tally.get("duplicates", 0),
                "dropped": tally.get("dropped", 0),
            },
        )
        self.stats.inc_value("newscrawler/writer/worker_runs")

    def _lookup_run(self, run: str) -> int | None:
        row = self.archive.db.execute(
            "select id from crawls where json_extract(args, '$.worker_run') = ? order by id limit 1",
            [run],
        ).fetchone()
        if row is None:
            return None
        self._crawl_ids[run] = int(row[0])
        return self._crawl_ids[run]


def _urls_of(item: Any) -> Iterable[str]:
    """The canonical URLs an item's page answers to: its own, the fetched one, redirect hops."""
    adapter = ItemAdapter(item)
    url = adapter.get("url")
    if url:
        yield canonicalize_url(url)
    for other in [adapter.get("fetched_url"), *(adapter.get("redirect_urls") or [])]:
        if other:
            yield canonicalize_url(other)


class RunStampPipeline:
    """Stamp each article with the ``crawls`` row of the worker run that fetched it.

    The archive stamps a batch with its current ``crawl_id``: when the run changes, what is
    queued is committed first. The writer's own row gets its id back at the end, so the
    archive pipeline records the writer's run there.
    """

    def __init__(self, crawler: Crawler, extension: ArchiveExtension) -> None:
        self.crawler = crawler
        self.extension = extension
        self._writer_crawl_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunStampPipeline:
        return cls(crawler, archive_extension(crawler, "the archive writer"))

    def _commit(self) -> CommitPipeline:
        commit = self.crawler.get_item_pipeline(CommitPipeline)
        if commit is None:
            raise NotConfigured("RunStampPipeline needs CommitPipeline in ITEM_PIPELINES")
        return commit

    def process_item(self, item: Any) -> Any:
        commit = self._commit()
        run = commit.run_of(item)
        if run is None:
            return item
        archive = self.extension.archive
        if self._writer_crawl_id is None:
            self._writer_crawl_id = archive.crawl_id
        crawl_id = commit.crawl_id_for(run)
        if archive.crawl_id != crawl_id:
            if archive.pending:
                commit.count(archive.flush())
            archive.crawl_id = crawl_id
        return item

    def close_spider(self) -> None:
        if self._writer_crawl_id is None:
            return
        archive = self.extension.archive
        if archive.pending:
            self._commit().count(archive.flush())
        archive.crawl_id = self._writer_crawl_id
