"""The one open archive of a crawl, shared by the components that read or write it."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawler.archive import Archive

__all__ = ["archive_for"]


def archive_for(crawler: Crawler) -> Archive:
    """The crawl's one open :class:`Archive`, opened on first use from ``ARCHIVE_*`` settings.

    The incremental middleware and deduplication read it and the archive pipeline writes it;
    one connection lets them all see what the current batch already queued. Opening it takes
    the archive's writer lock, so a second crawl on the same file stops with a clear message.
    """
    archive: Archive | None = getattr(crawler, "_newscrawler_archive", None)
    if archive is None:
        settings = crawler.settings
        path = settings.get("ARCHIVE_PATH")
        if not path:
            raise NotConfigured("ARCHIVE_PATH is empty: set it to the archive's SQLite file")
        batch_size = settings.getint("ARCHIVE_BATCH_SIZE", 50)
        if batch_size < 1:
            raise NotConfigured(f"ARCHIVE_BATCH_SIZE must be at least 1, got {batch_size}")
        archive = Archive.open(
            path,
            timeout=settings.getfloat("ARCHIVE_TIMEOUT", 30.0),
            batch_size=batch_size,
            writer_lock=True,
        )
        crawler._newscrawler_archive = archive  # type: ignore[attr-defined]
    return archive
