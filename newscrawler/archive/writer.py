"""Full batches written on a thread of their own, so the crawl's reactor thread goes on crawling.

A batch of 50 articles takes ~70 ms to write (rows, the full-text index, LSH buckets, the
commit); on the reactor thread that is a pause in which no response is handled and the
extraction worker runs dry. SQLite does that work with the GIL released, so on a thread it
overlaps with the crawl. The thread writes through a second connection to the same file; WAL
lets the crawl's connection read meanwhile (it does not see the batch until it commits, so
:class:`~newscrawler.archive.Archive` also looks at the batch in flight where it matters).

One batch is in flight at a time: the next one waits for it, so memory stays bounded and
batches commit in order. An error is not lost in the thread: the archive gets the batch back
with the error when it next waits (and re-queues the records).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlite_utils import Database

__all__ = ["BackgroundWriter"]

Batch = tuple[list[dict[str, Any]], list[tuple[str, str, str]]]


class BackgroundWriter:
    """One thread and one connection that write batches, one at a time."""

    def __init__(self, path: Path, *, timeout: float) -> None:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        self.db = Database(conn)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-writer")
        self._future: Future[Any] | None = None
        #: The batch in flight (articles, aliases), until :meth:`wait` returns it.
        self.batch: Batch | None = None

    def start(
        self,
        write: Callable[[Database, list[dict[str, Any]], list[tuple[str, str, str]]], Any],
        articles: list[dict[str, Any]],
        aliases: list[tuple[str, str, str]],
    ) -> None:
        """Write a batch with ``write(db, articles, aliases)`` on the thread; call :meth:`wait` first."""
        if self.batch is not None:
            raise RuntimeError("a batch is still in flight: wait() for it first")
        self.batch = (articles, aliases)
        self._future = self._executor.submit(write, self.db, articles, aliases)

    def wait(self) -> tuple[Batch, Any]:
        """The batch in flight and what writing it returned, or the exception it raised."""
        if self.batch is None or self._future is None:
            raise RuntimeError("no batch in flight")
        try:
            outcome: Any = self._future.result()
        except BaseException as exc:  # handed to the archive, which re-queues the batch
            outcome = exc
        batch, self.batch, self._future = self.batch, None, None
        return batch, outcome

    def close(self) -> None:
        """Let a batch in flight finish (its outcome is dropped: the caller already flushed or gave up)."""
        self._executor.shutdown(wait=True)
        self.batch = self._future = None
        self.db.close()
