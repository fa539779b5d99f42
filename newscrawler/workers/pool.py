"""Article extraction in worker processes, so the crawl's one reactor thread keeps crawling.

Scrapy runs every callback and pipeline on one thread; extraction (lxml parse, pruning, body
scoring: several ms per 80 KB page) is the largest piece of it, and it is a pure function
(:func:`newscrawler.extract.extract_article`), so it can run in a process pool on the other
cores. The spider awaits the pool's future with :func:`asyncio.wrap_future`, which does not
block the reactor: other responses are downloaded and parsed meanwhile.

``EXTRACT_WORKERS`` sizes the pool: empty (the default) means one fewer than the machine's
cores, and at least one; ``0`` extracts in the crawl's own process, as ``scrapy reextract`` does.
Workers come from a ``forkserver`` (a clean, single-threaded parent), never a fork of the
reactor's process, and run :func:`newscrawler.workers.job.extract_timed`, which imports no Scrapy.
The pool closes with the spider.

The worker also cleans the body (the costly part of :class:`~newscrawler.pipelines.CleanPipeline`:
mojibake repair, boilerplate, attribution; about 5 ms of an 80 KB page), with the pipeline's own
function (:func:`newscrawler.extract.clean.clean_body`) and markers; CleanPipeline then takes
that result when the item still carries the body the worker cleaned. For the same reason it
hashes and signatures the cleaned body for :class:`~newscrawler.pipelines.DedupPipeline`
(:func:`newscrawler.dedup.minhash.digest_of`, about 1 ms), and packs the response for
:class:`~newscrawler.middlewares.RawPagesMiddleware` (:func:`newscrawler.rawcodec.pack_page`,
SHA-256 and zlib, under 1 ms).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawler.extract.boilerplate import INSERT_MARKERS, TAIL_MARKERS
from newscrawler.workers.job import JobResult, Page, die_with, extract_timed

__all__ = ["ExtractionPool", "worker_count"]

logger = logging.getLogger(__name__)


def worker_count(value: Any) -> int:
    """``EXTRACT_WORKERS`` as a number: empty means cores - 1 (at least 1); 0 means in-process."""
    if value in (None, ""):
        return max(1, (os.cpu_count() or 1) - 1)
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise NotConfigured(
            f"EXTRACT_WORKERS must be a number of processes or empty, got {value!r}"
        ) from None
    if count < 0:
        raise NotConfigured(f"EXTRACT_WORKERS must not be negative, got {count}")
    return count


class ExtractionPool:
    """A process pool running :func:`extract_timed`; :meth:`extract` is awaited in async callbacks.

    An extension (``EXTENSIONS``), so the spider finds it with ``crawler.get_extension``. What
    the workers do besides extracting (clean, digest, pack) follows the components that will
    take it over, looked up with ``crawler.get_item_pipeline`` and
    ``crawler.get_spider_middleware`` when the first page arrives (the engine exists by then).
    """

    def __init__(
        self,
        workers: int,
        *,
        markers: tuple[Any, Any] | None = None,
        digest: bool = False,
        pack: bool = False,
    ) -> None:
        context = multiprocessing.get_context("forkserver")
        # The server preloads only the signal shield (not Scrapy's __main__, not even the job),
        # so workers ignore the process group's Ctrl-C and SIGTERM from the moment they are
        # forked; each imports just newscrawler.workers.job (~50 MB resident, no Scrapy).
        context.set_forkserver_preload(["newscrawler.workers.shield"])
        self.workers = workers
        self.markers = markers
        self.digest = digest
        #: Pack the raw response for the raw-pages file too (when RawPagesMiddleware stores it).
        self.pack = pack
        # Workers end with the crawl even when it is killed outright (kill -9, OOM killer).
        self._executor: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=die_with, initargs=(os.getpid(),)
        )
        self._crawler: Crawler | None = None
        #: The crawl this pool serves (to tell a failure from a stop in progress).
        self.owner: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPool:
        from scrapy.utils.reactor import is_asyncio_reactor_installed

        workers = worker_count(crawler.settings.get("EXTRACT_WORKERS"))
        if workers == 0:
            logger.info("EXTRACT_WORKERS is 0: articles are extracted in the crawl's process")
            raise NotConfigured
        if not is_asyncio_reactor_installed():
            raise NotConfigured(
                "the extraction pool needs the asyncio reactor (TWISTED_REACTOR); set EXTRACT_WORKERS=0 "
                "to extract in-process with another reactor"
            )
        pool = cls(workers)
        pool._crawler = crawler
        pool.owner = crawler
        crawler.signals.connect(pool.close, signal=signals.spider_closed)
        return pool

    def _take_over_from_components(self) -> None:
        """Decide once, from the running components, what the workers do besides extracting."""
        crawler, self._crawler = self._crawler, None
        if crawler is None:
            return
        from newscrawler.middlewares.rawpages import RawPagesMiddleware
        from newscrawler.pipelines import CleanPipeline, DedupPipeline

        settings = crawler.settings
        if crawler.get_item_pipeline(CleanPipeline) is not None:
            # Clean the body in the worker only when the pipeline that takes it over is on.
            self.markers = (
                settings.getdict("CLEAN_TAIL_MARKERS") or TAIL_MARKERS,
                settings.getdict("CLEAN_INSERT_MARKERS") or INSERT_MARKERS,
            )
            # Hash and sign the cleaned body there too when DedupPipeline will want them.
            self.digest = crawler.get_item_pipeline(DedupPipeline) is not None
        self.pack = crawler.get_spider_middleware(RawPagesMiddleware) is not None

    @property
    def available(self) -> bool:
        """False once closed or broken (a worker died): callers extract in-process then."""
        return self._executor is not None

    async def extract(
        self, page: Page, related_labels: Sequence[str] | None, selectors: Mapping[str, str] | None
    ) -> JobResult:
        """Extract in a worker without blocking the reactor; in-process if the pool is gone or broken.

        Exceptions of the extraction itself are raised here, as they would be in-process.
        """
        self._take_over_from_components()
        if self._executor is None:
            return extract_timed(page, related_labels, selectors)
        try:
            future = self._executor.submit(
                extract_timed, page, related_labels, selectors, self.markers, self.digest, self.pack
            )
            return await asyncio.wrap_future(future)
        except (BrokenProcessPool, RuntimeError) as exc:
            if self._executor is None:  # closed while this page waited
                return extract_timed(page, related_labels, selectors)
            if self.owner is not None and not self.owner.crawling:
                # A Ctrl-C to the process group reached a worker still starting up (before it
                # could ignore it): the crawl is stopping anyway, so this is no failure.
                logger.info(
                    "extraction pool stopped with the crawl; extracting in-process: %s", page.url
                )
                self.close()
                return extract_timed(page, related_labels, selectors)
            logger.error(
                "extraction pool failed (%s); extracting in-process from now on: %s", exc, page.url
            )
            self.close()
            return extract_timed(page, related_labels, selectors)

    def close(self) -> None:
        """Stop the workers (pending extractions are cancelled; the spider is closing anyway)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
