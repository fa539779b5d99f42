"""Item pipelines, one job each: clean < validate < deduplicate < archive.

They are thin adapters: the work is done by ``newscrawler.extract`` (text, boilerplate,
signatures) and ``newscrawler.archive`` (storage). Every drop is a :class:`DropItem`
subclass, so Scrapy's stats count it under ``item_dropped_reasons_count/<Reason>``.
"""

from __future__ import annotations

import atexit
import logging
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import create_looping_call

from newscrawler import __version__
from newscrawler.archive import Archive, ArchiveError, utc_now
from newscrawler.dedup.hashing import content_hash
from newscrawler.dedup.minhash import BodyDigest, signature_of
from newscrawler.extensions.archive import ArchiveExtension, archive_extension
from newscrawler.extract.boilerplate import INSERT_MARKERS, TAIL_MARKERS
from newscrawler.extract.clean import CleanedBody, clean_body
from newscrawler.items import WorkerOutput
from newscrawler.middlewares.rawpages import RawPagesMiddleware
from newscrawler.records import Problem, cleaned_fields, find_problem
from newscrawler.stats import stats_of
from newscrawler.urls import canonicalize_url, site_of

logger = logging.getLogger(__name__)

__all__ = [
    "ArchivePipeline",
    "CleanPipeline",
    "ConsentWall",
    "DedupPipeline",
    "DuplicateContent",
    "DuplicateUrl",
    "EmptyBody",
    "ErrorPage",
    "MissingTitle",
    "NotAnArticle",
    "NotFoundPage",
    "PaywallTeaser",
    "TooShort",
    "ValidatePipeline",
]


# -- drop reasons -----------------------------------------------------------------------------


class MissingTitle(DropItem):
    """The page yielded no headline."""


class EmptyBody(DropItem):
    """The page yielded no article text."""


class TooShort(DropItem):
    """The text is shorter than VALIDATE_MIN_WORDS: a teaser, a stub or an error page."""


class NotFoundPage(DropItem):
    """A "not found" page served as if it were content (a soft 404)."""


class ErrorPage(DropItem):
    """A server error or maintenance page (or any response with an HTTP error status)."""


class ConsentWall(DropItem):
    """A cookie-consent interstitial instead of the article."""


class PaywallTeaser(DropItem):
    """Only the teaser of a paywalled article: archiving it would pass a fragment off as the text."""


class NotAnArticle(DropItem):
    """An imprint, privacy, contact or listing page that carries an article template."""


#: Drop reasons by :class:`~newscrawler.records.Problem` reason.
DROPS: dict[str, type[DropItem]] = {
    cls.__name__: cls
    for cls in (
        MissingTitle,
        EmptyBody,
        TooShort,
        NotFoundPage,
        ErrorPage,
        ConsentWall,
        PaywallTeaser,
        NotAnArticle,
    )
}


#: Drops of pages that may still become articles (a stub that grows, a teaser that opens):
#: the archive remembers them and later runs re-check them on the recrawl policy.
REMEMBERED_DROPS = (MissingTitle, EmptyBody, TooShort, NotAnArticle, PaywallTeaser)


class DuplicateUrl(DropItem):
    """This run already handled the article at this canonical URL."""


class DuplicateContent(DropItem):
    """The same text is archived under another URL; this URL is recorded as an alias."""


# -- 1. clean -------------------------------------------------------------------------------------


class CleanPipeline:
    """Repair the text (named rules of ``extract.text``) and cut boilerplate, then measure it.

    Counts each rule that changed something under ``newscrawler/clean/<rule>``. When an
    extraction worker already cleaned this very body (the item carries its
    :class:`~newscrawler.extract.clean.CleanedBody` in ``item.worker.cleaned``),
    its result is taken instead of cleaning again on the reactor thread: same text, same stats.
    """

    def __init__(self, stats: StatsCollector, tail_markers: Any, insert_markers: Any) -> None:
        self.stats = stats
        self.tail_markers = tail_markers
        self.insert_markers = insert_markers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        settings = crawler.settings
        tail = settings.getdict("CLEAN_TAIL_MARKERS") or TAIL_MARKERS
        inserts = settings.getdict("CLEAN_INSERT_MARKERS") or INSERT_MARKERS
        return cls(stats_of(crawler), tail, inserts)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        body = adapter.get("body") or ""
        cleaned = _take_precleaned(adapter)
        if cleaned is None or cleaned.source != body:
            cleaned = clean_body(body, self.tail_markers, self.insert_markers)
        for name in cleaned.fired:
            self.stats.inc_value(f"newscrawler/clean/{name}")
        for name, value in cleaned_fields(adapter, cleaned).items():
            adapter[name] = value
        return item


def _worker_output(adapter: ItemAdapter) -> WorkerOutput | None:
    worker = adapter.get("worker")
    return worker if isinstance(worker, WorkerOutput) else None


def _take_precleaned(adapter: ItemAdapter) -> CleanedBody | None:
    """The worker's body cleaning, taken off the item (the caller checks it is of this body)."""
    worker = _worker_output(adapter)
    if worker is None:
        return None
    cleaned, worker.cleaned = worker.cleaned, None
    return cleaned


def _take_digest(adapter: ItemAdapter, body: str) -> BodyDigest | None:
    """The worker's digest, if it was made of this very body (a later stage may have changed it)."""
    worker = _worker_output(adapter)
    if worker is None:
        return None
    digest, worker.digest = worker.digest, None
    return digest if digest is not None and digest.body == body else None


# -- 2. validate ----------------------------------------------------------------------------------


class ValidatePipeline:
    """Drop what is not an article: no title, no text, a page that only looks like an article
    (``extract.quality``: soft 404, error, consent, paywall teaser, imprint, listing), or too
    little text (VALIDATE_MIN_WORDS)."""

    def __init__(self, min_words: int, *, page_quality: bool = True) -> None:
        self.min_words = min_words
        self.page_quality = page_quality

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        min_words = crawler.settings.getint("VALIDATE_MIN_WORDS", 25)
        if min_words < 0:
            raise NotConfigured(f"VALIDATE_MIN_WORDS must not be negative, got {min_words}")
        return cls(min_words, page_quality=crawler.settings.getbool("VALIDATE_PAGE_QUALITY", True))

    def process_item(self, item: Any) -> Any:
        problem = find_problem(
            ItemAdapter(item), min_words=self.min_words, page_quality=self.page_quality
        )
        if problem is not None:
            raise drop_for(problem)
        return item


def drop_for(problem: Problem) -> DropItem:
    """The :class:`DropItem` subclass that stands for ``problem``, logged at INFO (expected)."""
    return DROPS[problem.reason](problem.message, log_level="INFO")


# -- 3. deduplicate -----------------------------------------------------------------------------


class DedupPipeline:
    """One article, one row; copies of a story linked to its first copy.

    1. URL: ``url`` becomes its canonical form (``site`` and ``content_hash`` are set too);
       a URL this run already handled is dropped (:class:`DuplicateUrl`). The fetched URL and
       any redirect hops are recorded as aliases.
    2. Exact text: the same normalised text under another URL of the *same site* is the same
       article: dropped (:class:`DuplicateContent`) and the URL recorded as an alias. On
       another site it is a republication: kept, with ``duplicate_of_url`` and similarity 1.
    3. Near-identical text (MinHash/LSH; the share of the shorter text found in the other
       reaches ``DEDUP_NEAR_THRESHOLD``): kept, linked to the first copy with that similarity,
       so queries can include or exclude copies.

    A URL archived in an earlier run passes: the archive updates it if its text changed.
    """

    def __init__(
        self, crawler: Crawler, archive: ArchiveExtension, *, near: bool, threshold: float
    ) -> None:
        self.crawler = crawler
        self.stats = stats_of(crawler)
        self.extension = archive
        self.near = near
        self.threshold = threshold
        # Bounded by the run (CLOSESPIDER_PAGECOUNT), not by the archive's size.
        self._urls_this_run: set[str] = set()
        self._hashes_this_run: dict[str, tuple[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        settings = crawler.settings
        extension = archive_extension(crawler, "deduplication")
        threshold = settings.getfloat("DEDUP_NEAR_THRESHOLD", 0.7)
        if not 0.0 < threshold <= 1.0:
            raise NotConfigured(f"DEDUP_NEAR_THRESHOLD must be in (0, 1], got {threshold}")
        pipeline = cls(
            crawler,
            extension,
            near=settings.getbool("DEDUP_NEAR_ENABLED", True),
            threshold=threshold,
        )
        crawler.signals.connect(pipeline.request_dropped, signal=signals.request_dropped)
        return pipeline

    def open_spider(self) -> None:
        self.extension.archive  # noqa: B018 (open now: a busy archive stops the crawl before any fetch)

    def request_dropped(self, request: Any, spider: Spider) -> None:
        """A redirect that ends at an already-crawled URL still makes its hops aliases of it."""
        hops = request.meta.get("redirect_urls")
        if hops:  # most dropped requests are plain repeats of a known URL: nothing to record
            self._alias_redirects(hops, canonicalize_url(request.url))

    def _alias_redirects(self, hops: list[str], url: str) -> None:
        archive = self.extension.archive
        for hop in map(canonicalize_url, hops):
            if hop != url:
                archive.add_alias(hop, url, "redirect")
                self.stats.inc_value("newscrawler/dedup/redirect_alias")

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = canonicalize_url(adapter["url"])
        adapter["url"] = url
        site = site_of(url)
        adapter["site"] = site
        body = adapter.get("body") or ""
        worker_digest = _take_digest(adapter, body)
        digest = worker_digest.content_hash if worker_digest else content_hash(body)
        adapter["content_hash"] = digest
        archive = self.extension.archive
        fetched = adapter.get("fetched_url")
        if fetched:  # add_alias ignores a URL that is the article's own
            archive.add_alias(canonicalize_url(fetched), url, "fetched_as")
        self._alias_redirects(adapter.get("redirect_urls") or [], url)
        if url in self._urls_this_run:
            self.stats.inc_value("newscrawler/dedup/duplicate_url")
            raise DuplicateUrl(f"already handled in this run: {url}", log_level="INFO")

        first = self._hashes_this_run.get(digest) or archive.article_for_hash(digest)
        if first is not None and first[0] != url:
            first_url, first_site = first
            if first_site == site:
                archive.add_alias(url, first_url, "duplicate_content")
                self.stats.inc_value("newscrawler/dedup/duplicate_content")
                raise DuplicateContent(f"same text as {first_url}: {url}", log_level="INFO")
            adapter["duplicate_of_url"] = first_url
            adapter["similarity"] = 1.0
            self.stats.inc_value("newscrawler/dedup/republished_copy")
        self._urls_this_run.add(url)
        self._hashes_this_run.setdefault(digest, (url, site))

        if self.near and body:
            signature = worker_digest.signature if worker_digest else signature_of(body)
            if signature is not None:
                archive.add_signature(url, signature)
                if not adapter.get("duplicate_of_url"):
                    match = archive.find_near_duplicate(
                        signature, url=url, threshold=self.threshold
                    )
                    if match is not None:
                        adapter["duplicate_of_url"] = match.url
                        adapter["similarity"] = round(match.similarity, 3)
                        self.stats.inc_value("newscrawler/dedup/near_duplicate")
        return item


# -- 4. archive -----------------------------------------------------------------------------------


class ArchivePipeline:
    """Write articles, related links and the crawl run into the SQLite archive (ARCHIVE_PATH).

    A batch is written when it is full (ARCHIVE_BATCH_SIZE) or, at the latest, every
    ARCHIVE_FLUSH_SECONDS, so a hard stop loses at most those last seconds. The raw pages of a
    batch are written before the batch itself: an article never points at a raw page that is
    not stored. Should the process end without closing the spider (a second Ctrl-C), what is
    queued is still written when the interpreter exits.
    """

    def __init__(
        self, crawler: Crawler, archive: ArchiveExtension, *, flush_seconds: float = 5.0
    ) -> None:
        self.crawler = crawler
        self.stats = stats_of(crawler)
        self.extension = archive
        self.flush_seconds = flush_seconds
        self._timer: Any = None
        self._finished = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        flush_seconds = crawler.settings.getfloat("ARCHIVE_FLUSH_SECONDS", 5.0)
        if flush_seconds < 0:  # a typo must not switch archiving off: the run stops
            raise ValueError(
                f"ARCHIVE_FLUSH_SECONDS must be 0 (full batches only) or more seconds, got {flush_seconds}"
            )
        pipeline = cls(
            crawler,
            archive_extension(crawler, "the archive pipeline"),
            flush_seconds=flush_seconds,
        )
        # spider_closed, not close_spider: only then do the stats hold finish_reason.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def item_dropped(self, item: Any, exception: BaseException, **kwargs: Any) -> None:
        """Remember a page dropped as no article yet, so later runs re-check it conditionally."""
        if not isinstance(exception, REMEMBERED_DROPS) or not self.extension.opened:
            return
        adapter = ItemAdapter(item)
        url = canonicalize_url(adapter.get("fetched_url") or adapter.get("url") or "")
        if not url:
            return
        try:
            self.archive.record_dropped(
                url,
                site=site_of(url),
                reason=type(exception).__name__,
                etag=adapter.get("http_etag"),
                last_modified=adapter.get("http_last_modified"),
            )
        except Exception as exc:  # remembering is an optimisation: never end the crawl over it
            logger.warning("could not remember the dropped page %s: %s", url, exc)
            return
        self.stats.inc_value("newscrawler/incremental/dropped_remembered")

    @property
    def archive(self) -> Archive:
        return self.extension.archive

    def open_spider(self) -> None:
        spider: Spider | None = self.crawler.spider
        name = spider.name if spider else "?"
        args = getattr(spider, "crawl_args", {}) if spider else {}
        self.archive.start_crawl(
            name,
            site=args.get("site"),
            start_urls=getattr(spider, "start_urls", []) or [],
            args=args,
        )
        self.stats.set_value("newscrawler/archive/crawl_id", self.archive.crawl_id)
        self.stats.set_value("newscrawler/archive/path", str(self.archive.path))
        if self.flush_seconds > 0:
            try:
                self._timer = create_looping_call(self._flush_due)
            except RuntimeError:  # no reactor or event loop (a pipeline driven by hand, in tests)
                logger.debug("no event loop: ARCHIVE_FLUSH_SECONDS has no effect")
            else:
                self._timer.start(self.flush_seconds, now=False)
        atexit.register(self._write_at_exit)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if "worker" in adapter:  # not an article field: never stored
            adapter["worker"] = None
        record = adapter.asdict()
        record["extractor_version"] = __version__
        if self.archive.pending + 1 >= self.archive.batch_size:
            self._write_raw_pages()  # this item completes the batch: its raw pages go first
        try:
            counts = self.archive.add_article(record)
        except Exception:
            # The record stays queued; the next flush or close_spider retries it.
            logger.exception("archive write failed, will retry: %s", record.get("url"))
            self.stats.inc_value("newscrawler/archive/write_errors")
            return item
        if counts:
            self._count(counts)
        return item

    def close_spider(self) -> None:
        self._stop_timer()
        self._flush_or_dump()

    def _stop_timer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and timer.running:
            timer.stop()

    def _write_raw_pages(self) -> None:
        """Write the raw pages queued so far (RawPagesMiddleware's store), if it is on."""
        try:
            middleware = self.crawler.get_spider_middleware(RawPagesMiddleware)
        except RuntimeError:  # no engine: a pipeline driven by hand stores no raw pages
            return
        if middleware is not None:
            middleware.store.flush()

    def _flush_due(self) -> None:
        """The timer's tick: write what is queued, however few (a failure waits for the next)."""
        if not self.extension.opened or not self.archive.pending:
            return
        try:
            self._write_raw_pages()
            self._count(self.archive.flush())
            self.stats.inc_value("newscrawler/archive/timed_flushes")
        except Exception as exc:  # the queue is kept: the next tick or the close retries it
            logger.warning("archive write failed, will retry: %s", exc)
            self.stats.inc_value("newscrawler/archive/write_errors")

    def _write_at_exit(self) -> None:
        """Last chance when the spider was never closed (a forced stop): write, or dump, the queue."""
        if self.extension.opened and self.archive.pending:
            self._flush_or_dump()
            self.extension.release()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.finish_now(reason)

    def finish_now(self, reason: str) -> None:
        """Write what is queued and close the run's ``crawls`` row: at the spider's close, or
        when a stop gives up waiting for it (:class:`~newscrawler.extensions.stop.StopDeadline`)."""
        if self._finished:
            return
        self._finished = True
        self._stop_timer()
        atexit.unregister(self._write_at_exit)
        if not self.extension.opened:
            return
        archive = self.archive
        self._flush_or_dump()
        stats = self.stats.get_stats()
        counts = {
            "articles_new": stats.get("newscrawler/archive/articles_new", 0),
            "articles_updated": stats.get("newscrawler/archive/articles_updated", 0),
            "articles_unchanged": stats.get("newscrawler/archive/articles_unchanged", 0),
            "duplicates": stats.get("newscrawler/dedup/duplicate_url", 0)
            + stats.get("newscrawler/dedup/duplicate_content", 0),
            "dropped": stats.get("item_dropped_count", 0),
        }
        try:
            archive.finish_crawl(reason, stats, counts)
        except Exception:
            logger.exception(
                "could not record the end of crawl %s in %s", archive.crawl_id, archive.path
            )
        finally:
            self.extension.release()

    def _count(self, counts: Any) -> None:
        for name in ("new", "updated", "unchanged"):
            value = getattr(counts, name)
            if value:
                self.stats.inc_value(f"newscrawler/archive/articles_{name}", value)
        if counts.aliases:
            self.stats.inc_value("newscrawler/archive/aliases", counts.aliases)

    def _flush_or_dump(self) -> None:
        archive = self.archive
        try:
            self._write_raw_pages()
            self._count(archive.flush())
        except Exception as exc:
            dump = Path(f"{archive.path}.unsaved-{utc_now().replace(':', '')}.jsonl")
            saved = archive.dump_pending(dump)
            logger.error(
                "could not write %d queued records to %s (%s); saved them to %s",
                saved,
                archive.path,
                exc,
                dump,
            )
            self.stats.inc_value("newscrawler/archive/unsaved_records", saved)
            raise ArchiveError(f"archive write failed; queued records saved to {dump}") from exc
