"""Provenance: the raw response of every archived article, compressed, in a SQLite file of its own.

Why a separate file (``archive/news-raw.db`` next to ``archive/news.db``) and not WARC or a
table of the archive: Datasette and FTS stay fast because the browsed database holds no
HTML; a SQLite file needs no new dependency, is written in the same batched, WAL-mode way
as the archive, and gives ``scrapy reextract`` random access by id (WARC would need an
offset index of our own). Pages are zlib-compressed (stdlib; zstd would save ~20 % more
but needs a third-party package on Python 3.11).

Page ids are content-addressed (the first 63 bits of SHA-256 over URL, status and body; see
:mod:`newscrawler.rawcodec`): the id is known before the batch is written, so
``item.raw_page_id`` is set at once, a re-fetch of an unchanged page lands on the same row,
and two crawls writing the same file cannot hand out the same id for different pages.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from newscrawler.archive import ArchiveError, utc_now
from newscrawler.items import PREPACKED, take_from_worker
from newscrawler.rawcodec import PackedPage, pack_page, page_id

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["RawPage", "RawPageStore", "RawPagesMiddleware", "page_id", "raw_path_for"]

logger = logging.getLogger(__name__)

raw_migrations = Migrations("newscrawler-raw")


@raw_migrations()
def m001_pages(db: Database) -> None:
    """One row per distinct response (URL, status, body) that produced an archived item."""
    db["pages"].create(
        {
            "id": int,
            "url": str,  # the response URL (after redirects), as fetched
            "status": int,
            "headers": str,  # JSON object: header name -> list of values
            "fetched_at": str,  # first fetch of this exact response (UTC)
            "last_fetched_at": str,  # latest fetch of it (UTC)
            "encoding": str,  # the encoding Scrapy decoded the body with
            "body_sha256": str,
            "html_size": int,  # bytes before compression
            "html_zlib": bytes,  # zlib-compressed response body
        },
        pk="id",
        not_null={"url", "html_zlib"},
    )
    db["pages"].create_index(["url"])


def raw_path_for(archive_path: str | Path) -> Path:
    """``archive/news.db`` -> ``archive/news-raw.db``: where the raw pages live by default."""
    path = Path(archive_path)
    if path.suffix == ".db":
        return path.with_name(f"{path.stem}-raw.db")
    return path.with_name(f"{path.name}-raw.db")


@dataclass(frozen=True)
class RawPage:
    """One stored response, decompressed."""

    id: int
    url: str
    status: int
    headers: dict[str, list[str]]
    fetched_at: str
    encoding: str | None
    body: bytes


class RawPageStore:
    """The raw-pages file: queue responses with :meth:`add`, write them with :meth:`flush`."""

    def __init__(self, db: Database, path: Path, *, batch_size: int = 50) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.db = db
        self.path = path
        self.batch_size = batch_size
        self._queue: dict[int, dict[str, Any]] = {}

    @classmethod
    def open(cls, path: str | Path, *, timeout: float = 30.0, batch_size: int = 50) -> RawPageStore:
        """Open (creating it and its folder if needed) and migrate the raw-pages file."""
        file = Path(path)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(file, timeout=timeout, isolation_level=None)
            db = Database(conn)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            raw_migrations.apply(db)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(
                f"cannot open the raw-pages file {str(file)!r} ({exc}); point RAW_ARCHIVE_PATH "
                "at another file or set RAW_ARCHIVE_ENABLED=False"
            ) from exc
        return cls(db, file, batch_size=batch_size)

    def add(self, response: Response, packed: PackedPage | None = None) -> int:
        """Queue a response; return its page id (valid at once, written by the next flush).

        ``packed`` is this response already packed (by an extraction worker): not packed again.
        """
        if packed is None:
            packed = pack_page(response.url, response.status, response.body)
        pid = packed.id
        now = utc_now()
        if pid in self._queue:
            self._queue[pid]["last_fetched_at"] = now
            return pid
        self._queue[pid] = {
            "id": pid,
            "url": response.url,
            "status": response.status,
            "headers": json.dumps(_headers(response), ensure_ascii=False, sort_keys=True),
            "fetched_at": now,
            "last_fetched_at": now,
            "encoding": getattr(response, "encoding", None),
            "body_sha256": packed.body_sha256,
            "html_size": packed.html_size,
            "html_zlib": packed.html_zlib,
        }
        if len(self._queue) >= self.batch_size:
            self.flush()
        return pid

    @property
    def pending(self) -> int:
        """Responses queued and not yet written."""
        return len(self._queue)

    def flush(self) -> int:
        """Write the queue in one transaction; a page stored before only gets its last fetch time."""
        if not self._queue:
            return 0
        rows = list(self._queue.values())
        with self.db.atomic():
            self.db.conn.executemany(
                "insert into pages (id, url, status, headers, fetched_at, last_fetched_at, encoding, "
                "body_sha256, html_size, html_zlib) values (:id, :url, :status, :headers, :fetched_at, "
                ":last_fetched_at, :encoding, :body_sha256, :html_size, :html_zlib) "
                "on conflict(id) do update set last_fetched_at = excluded.last_fetched_at",
                rows,
            )
        self._queue.clear()
        return len(rows)

    def get(self, pid: int) -> RawPage | None:
        """The stored response with this id, decompressed; ``None`` if the file does not hold it."""
        row = self.db.execute(
            "select id, url, status, headers, fetched_at, encoding, html_zlib from pages where id = ?",
            [pid],
        ).fetchone()
        if row is None:
            return None
        return RawPage(
            id=int(row[0]),
            url=row[1],
            status=int(row[2]),
            headers=json.loads(row[3] or "{}"),
            fetched_at=row[4],
            encoding=row[5],
            body=zlib.decompress(row[6]),
        )

    def close(self) -> None:
        """Write what is queued and close the file."""
        try:
            self.flush()
        finally:
            self.db.close()


def _headers(response: Response) -> dict[str, list[str]]:
    values: Iterable[tuple[bytes, list[bytes]]] = response.headers.items()
    return {
        name.decode("latin-1"): [value.decode("latin-1") for value in vals] for name, vals in values
    }


class RawPagesMiddleware(BaseSpiderMiddleware):
    """Store the response behind every item and stamp the item's ``raw_page_id`` (provenance).

    A spider middleware because only here are a response and the items made from it seen
    together. Listing pages (which yield only requests) are not stored.
    """

    def __init__(self, crawler: Crawler, store: RawPageStore) -> None:
        super().__init__(crawler)
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawPagesMiddleware:
        settings = crawler.settings
        if not settings.getbool("RAW_ARCHIVE_ENABLED", True):
            raise NotConfigured("RAW_ARCHIVE_ENABLED is off: raw pages are not stored")
        if not settings.getbool("ARCHIVE_ENABLED", True):
            raise NotConfigured("ARCHIVE_ENABLED is off: no archive rows to give provenance to")
        path = settings.get("RAW_ARCHIVE_PATH") or (
            raw_path_for(settings["ARCHIVE_PATH"]) if settings.get("ARCHIVE_PATH") else None
        )
        if not path:
            raise NotConfigured(
                "RAW_ARCHIVE_PATH and ARCHIVE_PATH are empty: nowhere to store raw pages"
            )
        batch_size = settings.getint("RAW_ARCHIVE_BATCH_SIZE", 50)
        if batch_size < 1:
            raise NotConfigured(f"RAW_ARCHIVE_BATCH_SIZE must be at least 1, got {batch_size}")
        store = RawPageStore.open(
            path, timeout=settings.getfloat("ARCHIVE_TIMEOUT", 30.0), batch_size=batch_size
        )
        middleware = cls(crawler, store)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if response is None:
            return item
        adapter = ItemAdapter(item)
        if "raw_page_id" not in adapter.field_names() and not isinstance(item, dict):
            return item
        # An extraction worker may have packed this very response already (see workers.py).
        packed = take_from_worker(item, PREPACKED)
        adapter["raw_page_id"] = self.store.add(
            response, packed if isinstance(packed, PackedPage) else None
        )
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("newscrawler/raw_pages/stored")
        return item

    def spider_closed(self) -> None:
        try:
            self.store.close()
        except Exception:
            logger.exception(
                "could not write %d raw pages to %s", self.store.pending, self.store.path
            )
