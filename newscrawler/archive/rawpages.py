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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from newscrawler.archive.errors import ArchiveError, utc_now
from newscrawler.rawcodec import PackedPage, pack_page, page_id

__all__ = ["RawPage", "RawPageStore", "page_id", "raw_path_for"]

logger = logging.getLogger(__name__)

raw_migrations = Migrations("newscrawler-raw")


@raw_migrations()
def m001_pages(db: Database) -> None:
    """One row per distinct response (URL, status, body) that produced an archived item."""
    db.table("pages").create(
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
    db.table("pages").create_index(["url"])


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

    def add(
        self,
        url: str,
        status: int,
        body: bytes,
        *,
        headers: Mapping[str, list[str]] | None = None,
        encoding: str | None = None,
        packed: PackedPage | None = None,
    ) -> int:
        """Queue a response; return its page id (valid at once, written by the next flush).

        ``packed`` is this response already packed (by an extraction worker): not packed again.
        """
        if packed is None:
            packed = pack_page(url, status, body)
        pid = packed.id
        now = utc_now()
        if pid in self._queue:
            self._queue[pid]["last_fetched_at"] = now
            return pid
        self._queue[pid] = {
            "id": pid,
            "url": url,
            "status": status,
            "headers": json.dumps(dict(headers or {}), ensure_ascii=False, sort_keys=True),
            "fetched_at": now,
            "last_fetched_at": now,
            "encoding": encoding,
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

    def missing(self, ids: Iterable[int]) -> set[int]:
        """Those of ``ids`` that this file does not hold (written ones only, not the queue)."""
        wanted = sorted(set(ids))
        stored: set[int] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            stored.update(
                int(row[0])
                for row in self.db.execute(f"select id from pages where id in ({marks})", chunk)
            )
        return set(wanted) - stored

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
