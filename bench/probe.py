"""A Scrapy extension for the benchmark only: CPU time per stage of the reactor thread, and the stats.

Enabled by ``bench.crawl`` with ``-s EXTENSIONS=…`` and ``-s BENCH_PROBE_OUT=FILE``. It wraps
the item pipelines' ``process_item``, the raw-pages middleware, the incremental middleware's
``process_request`` and the scheduler's duplicate filter with ``time.thread_time()`` counters,
and when the engine stops writes them, the Scrapy stats and the process's CPU time to FILE
as JSON. Wrapping only adds two clock reads per call (about 1 µs).
"""

from __future__ import annotations

import functools
import json
import resource
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

# Component class name -> the stage of the benchmark's report it belongs to.
STAGES = {
    "CleanPipeline": "cleaning",
    "ValidatePipeline": "cleaning",
    "DedupPipeline": "dedup",
    "IncrementalMiddleware": "dedup",
    "dupefilter": "dedup",
    "ArchivePipeline": "storage",
    "RawPagesMiddleware": "storage",
}


class Probe:
    """Counts reactor-thread CPU seconds per stage; writes everything to BENCH_PROBE_OUT at the end."""

    def __init__(self, crawler: Crawler, out: Path) -> None:
        self.crawler = crawler
        self.out = out
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.reactor_thread = threading.get_ident()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Probe:
        out = crawler.settings.get("BENCH_PROBE_OUT")
        if not out:
            raise NotConfigured(
                "BENCH_PROBE_OUT is empty: the benchmark probe has nowhere to write"
            )
        probe = cls(crawler, Path(out))
        crawler.signals.connect(probe.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(probe.engine_stopped, signal=signals.engine_stopped)
        return probe

    def _timed(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return method(*args, **kwargs)
            finally:
                self.cpu[name] += time.thread_time() - start
                self.calls[name] += 1

        return timed

    def spider_opened(self) -> None:
        engine = self.crawler.engine
        assert engine is not None
        itemproc = engine.scraper.itemproc
        methods = itemproc.methods["process_item"]
        for index, method in enumerate(methods):
            owner = type(getattr(method, "__self__", None)).__name__
            methods[index] = self._timed(owner, method)  # type: ignore[arg-type]
        for mw in engine.scraper.spidermw.middlewares:
            if type(mw).__name__ == "RawPagesMiddleware":
                mw.get_processed_item = self._timed("RawPagesMiddleware", mw.get_processed_item)  # type: ignore[method-assign]
        requests = engine.downloader.middleware.methods["process_request"]
        for index, method in enumerate(requests):
            owner = type(getattr(method, "__self__", None)).__name__
            if owner == "IncrementalMiddleware":
                requests[index] = self._timed(owner, method)  # type: ignore[arg-type]
        scheduler = getattr(getattr(engine, "_slot", None), "scheduler", None)
        df = getattr(scheduler, "df", None)
        if df is not None:
            df.request_seen = self._timed("dupefilter", df.request_seen)  # type: ignore[method-assign]

    def engine_stopped(self) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        report = {
            "reactor_thread_cpu": time.thread_time()
            if threading.get_ident() == self.reactor_thread
            else None,
            "process_cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_kb": usage.ru_maxrss,
            "components": dict(self.cpu),
            "calls": dict(self.calls),
            "stages": {
                stage: sum(v for k, v in self.cpu.items() if STAGES.get(k) == stage)
                for stage in sorted(set(STAGES.values()))
            },
            "stats": {k: v for k, v in stats.items() if isinstance(v, (int, float, str))},
        }
        self.out.write_text(json.dumps(report, indent=1, sort_keys=True, default=str))
