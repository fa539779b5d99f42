"""The crawl's one open archive: an extension decides the settings once, opens and closes it.

The incremental middleware and deduplication read the archive and the archive pipeline writes
it; one connection lets them all see what the current batch already queued. Components find it
with ``crawler.get_extension(ArchiveExtension)`` (:func:`archive_extension`), never through an
attribute hung on the crawler.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawler.archive import Archive
from newscrawler.switches import require_enabled

__all__ = ["ArchiveExtension", "archive_extension"]

logger = logging.getLogger(__name__)


class ArchiveExtension:
    """Owns ``ARCHIVE_ENABLED``/``ARCHIVE_PATH``: opens the archive at start-up, closes it at the end.

    Opening takes the archive's writer lock, so a second crawl on the same file stops with a
    clear message. It happens when the crawl starts, before any other component: a busy,
    unwritable or foreign file stops the run with one line that names ``ARCHIVE_PATH``, instead
    of tracebacks from whichever component touched it first.
    """

    def __init__(self, path: str, *, timeout: float = 30.0, batch_size: int = 50) -> None:
        self.path = path
        self.timeout = timeout
        self.batch_size = batch_size
        self._archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveExtension:
        settings = crawler.settings
        require_enabled(
            settings, "ARCHIVE_ENABLED", "nothing is read from or written to an archive"
        )
        path = settings.get("ARCHIVE_PATH")
        if not path:
            raise NotConfigured(
                "ARCHIVE_PATH is empty: set it to the archive's SQLite file, or ARCHIVE_ENABLED=0"
            )
        batch_size = settings.getint("ARCHIVE_BATCH_SIZE", 50)
        if batch_size < 1:
            raise NotConfigured(f"ARCHIVE_BATCH_SIZE must be at least 1, got {batch_size}")
        extension = cls(
            str(path), timeout=settings.getfloat("ARCHIVE_TIMEOUT", 30.0), batch_size=batch_size
        )
        extension.archive  # noqa: B018 (open now: ArchiveError/ArchiveBusy stop the run at start)
        # engine_stopped, after every spider_closed handler (the archive pipeline records the
        # end of the crawl there) has run.
        crawler.signals.connect(extension.release, signal=signals.engine_stopped)
        return extension

    @property
    def opened(self) -> bool:
        """Whether the archive is open now (it opens on first use of :attr:`archive`)."""
        return self._archive is not None

    @property
    def archive(self) -> Archive:
        """The crawl's one open :class:`Archive` (opened again should it have been released)."""
        if self._archive is None:
            self._archive = Archive.open(
                self.path, timeout=self.timeout, batch_size=self.batch_size, writer_lock=True
            )
        return self._archive

    def release(self) -> None:
        """Close the file and release the writer lock (what is still queued is not written here:
        the archive pipeline flushes, or dumps what it cannot write, before this runs)."""
        archive, self._archive = self._archive, None
        if archive is not None:
            archive.release()


def archive_extension(crawler: Crawler, component: str) -> ArchiveExtension:
    """The crawl's :class:`ArchiveExtension`; ``NotConfigured`` naming ``component`` without one."""
    extension = crawler.get_extension(ArchiveExtension)
    if extension is None:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_ENABLED", True):
            raise NotConfigured  # switched off on purpose; the extension has said so once
        if not settings.get("ARCHIVE_PATH"):
            raise NotConfigured(f"{component} is off too: ARCHIVE_PATH is empty")
        raise NotConfigured(
            f"{component} needs the archive: enable newscrawler.extensions.ArchiveExtension in "
            "EXTENSIONS with ARCHIVE_ENABLED on and ARCHIVE_PATH set"
        )
    return extension
