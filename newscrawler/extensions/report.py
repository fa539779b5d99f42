"""What a crawl tells its operator: a progress line while it runs, warnings, a summary at the end.

Scrapy's own output is a "Crawled N pages" line a minute and a 60-line stats dump at the end;
this extension replaces both (``LOGSTATS_INTERVAL = 0``, ``STATS_DUMP = False`` in the
settings; the full stats still go into ``crawls.stats``) with:

- every ``PROGRESS_INTERVAL`` seconds, one line: pages, articles kept, known, dropped, errors,
  and the rate since the last line;
- at the end, a warning when ``DEPTH_LIMIT`` cut off links the crawl would have followed, and
  a note when ``-O FILE`` received no article (the file is left as it was);
- the summary the demo prints: crawl id, pages, articles new/updated/unchanged, the archive's
  totals, related links, duplicates.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.asyncio import create_looping_call

from newscrawler.middlewares.depth import DepthMiddleware
from newscrawler.stats import stats_of

__all__ = ["CrawlReport", "crawl_summary", "progress_line"]

logger = logging.getLogger(__name__)


def progress_line(stats: Mapping[str, Any], *, previous_pages: int, seconds: float) -> str:
    """One line of progress from the crawl's stats (``previous_pages`` a line ago)."""
    pages = int(stats.get("response_received_count", 0))
    rate = (pages - previous_pages) / seconds if seconds > 0 else 0.0
    known = int(stats.get("newscrawler/incremental/skipped_known", 0)) + int(
        stats.get("newscrawler/incremental/not_modified", 0)
    )
    return (
        f"Progress: {pages} pages ({rate:.1f}/s), "
        f"{int(stats.get('item_scraped_count', 0))} articles kept, "
        f"{known} known, "
        f"{int(stats.get('item_dropped_count', 0))} dropped, "
        f"{int(stats.get('log_count/ERROR', 0))} errors"
    )


def crawl_summary(runs: Sequence[Mapping[str, Any]], archive: Path | None, elapsed: float) -> str:
    """The end-of-run summary of one or more crawls (their stats) into ``archive``."""

    def total(key: str) -> int:
        return sum(int(stats.get(key, 0) or 0) for stats in runs)

    crawl_ids = ", ".join(str(stats.get("newscrawler/archive/crawl_id", "-")) for stats in runs)
    lines = [
        f"Crawl{'s' if len(runs) > 1 else ''} {crawl_ids} finished in {elapsed:.1f}s: "
        f"{total('response_received_count')} pages fetched; already archived: "
        f"{total('newscrawler/incremental/skipped_known')} skipped, "
        f"{total('newscrawler/incremental/not_modified')} re-checked unchanged (HTTP 304).",
    ]
    skipped = total("newscrawler/dedup/duplicate_url") + total(
        "newscrawler/dedup/duplicate_content"
    )
    if archive is not None and archive.is_file():
        with sqlite3.connect(f"file:{archive}?mode=ro", uri=True) as conn:
            articles, stories, copies = conn.execute(
                "select count(*), count(*) - count(duplicate_of), count(duplicate_of) from articles"
            ).fetchone()
            links, resolved = conn.execute(
                "select count(*), count(target_article_id) from related_links"
            ).fetchone()
            aliases = conn.execute("select count(*) from url_aliases").fetchone()[0]
        lines += [
            f"  articles archived:  {total('newscrawler/archive/articles_new')} new, "
            f"{total('newscrawler/archive/articles_updated')} updated, "
            f"{total('newscrawler/archive/articles_unchanged')} unchanged "
            f"({articles} in the archive: {stories} stories, {copies} copies linked to their first copy)",
            f"  related links:      {links} ({resolved} resolved to archived articles)",
            f"  duplicates skipped: {skipped} (URL aliases recorded: {aliases})",
            f"  dropped:            {total('item_dropped_count')} (not articles, too short, duplicates…)",
            f"  archive:            {archive}",
        ]
    else:
        lines += [
            f"  articles kept:      {total('item_scraped_count')}",
            f"  duplicates skipped: {skipped}",
            f"  dropped:            {total('item_dropped_count')}",
        ]
    return "\n".join(lines)


class CrawlReport:
    """Progress lines, end-of-run warnings and the summary of one crawl."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.stats = stats_of(crawler)
        self.interval = interval
        self._task: Any = None
        self._started = time.monotonic()
        self._last = (self._started, 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 10.0)
        if interval < 0:
            raise ValueError(
                f"PROGRESS_INTERVAL must be 0 (no progress lines) or more seconds, got {interval}"
            )
        report = cls(crawler, interval)
        crawler.signals.connect(report.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(report.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(report.engine_stopped, signal=signals.engine_stopped)
        return report

    def spider_opened(self) -> None:
        self._started = time.monotonic()
        self._last = (self._started, 0)
        if self.interval > 0:
            self._task = create_looping_call(self.log_progress)
            self._task.start(self.interval, now=False)

    def log_progress(self) -> None:
        now = time.monotonic()
        stats = self.stats.get_stats()
        logger.info(progress_line(stats, previous_pages=self._last[1], seconds=now - self._last[0]))
        self._last = (now, int(stats.get("response_received_count", 0)))

    def spider_closed(self) -> None:
        task, self._task = self._task, None
        if task is not None and task.running:
            task.stop()
        self._note_empty_feeds()

    def engine_stopped(self) -> None:
        # After every spider_closed handler: the archive holds all this run wrote.
        path = self.stats.get_value("newscrawler/archive/path")
        self._warn_depth_limit(Path(path) if path else None)
        stats = self.stats.get_stats()
        logger.info(
            "%s",
            crawl_summary([stats], Path(path) if path else None, time.monotonic() - self._started),
        )

    def _warn_depth_limit(self, archive: Path | None) -> None:
        """Say how many links ``DEPTH_LIMIT`` cut off that lead to pages the archive lacks."""
        try:
            middleware = self.crawler.get_spider_middleware(DepthMiddleware)
        except RuntimeError:
            return
        if middleware is None or not middleware.cut_off:
            return
        missing = sorted(middleware.cut_off - _archived(archive, middleware.cut_off))
        if not missing:
            return
        settings = self.crawler.settings
        limit = settings.getint("DEPTH_LIMIT")
        # A limit the operator chose on the command line is meant: say it, don't warn.
        chosen = settings.getpriority("DEPTH_LIMIT") == SETTINGS_PRIORITIES["cmdline"]
        self.stats.set_value("newscrawler/depth/cut_off_unarchived", len(missing))
        logger.log(
            logging.INFO if chosen else logging.WARNING,
            "DEPTH_LIMIT=%d cut off %d links to pages not in the archive (more than %d hops "
            "from a start page, e.g. %s); raise it (-s DEPTH_LIMIT=%d) to archive what lies deeper",
            limit,
            len(missing),
            limit,
            missing[0],
            limit * 2,
        )

    def _note_empty_feeds(self) -> None:
        if self.stats.get_value("item_scraped_count", 0):
            return
        for uri, options in (self.crawler.settings.getdict("FEEDS") or {}).items():
            if options.get("overwrite"):
                logger.warning(
                    "-O %s: this run archived no new article, so nothing was written and the "
                    "file keeps its earlier content; `scrapy export` writes the whole archive",
                    uri,
                )


def _archived(archive: Path | None, urls: set[str]) -> set[str]:
    """Those of ``urls`` that the archive holds as an article or an alias of one."""
    if archive is None or not archive.is_file():
        return set()
    found: set[str] = set()
    wanted = sorted(urls)
    with sqlite3.connect(f"file:{archive}?mode=ro", uri=True) as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                url
                for (url,) in conn.execute(
                    f"select url from articles where url in ({marks}) "
                    f"union select url from url_aliases where url in ({marks})",
                    chunk + chunk,
                )
            )
    return found
