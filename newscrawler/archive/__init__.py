"""The SQLite archive: open it, write articles in batches, record crawl runs. No Scrapy here.

The archive is an ordinary SQLite file (WAL mode) that ``datasette`` and ``sqlite-utils`` read
while a crawl writes it. Writes are batched: :meth:`Archive.add_article` queues, and
:meth:`Archive.flush` writes the queue in one transaction.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.db import jsonify_if_needed

from newscrawler.archive.derived import analyst_columns
from newscrawler.archive.duplicates import DuplicateLookups, NearMatch
from newscrawler.archive.errors import ArchiveBusy, ArchiveError, take_writer_lock, utc_now
from newscrawler.archive.incremental import IncrementalLookups
from newscrawler.archive.migrations import migrations
from newscrawler.dedup.minhash import Signature
from newscrawler.fields import COLUMN_FIELDS

__all__ = [
    "Archive",
    "ArchiveBusy",
    "ArchiveError",
    "FlushCounts",
    "NearMatch",
    "article_row",
    "utc_now",
]

logger = logging.getLogger(__name__)

# Article columns written from an item (newscrawler/fields.py); the rest is the archive's own
# bookkeeping.
ARTICLE_FIELDS = COLUMN_FIELDS
#: WAL pages between automatic checkpoints (SQLite's default is 1,000).
WAL_AUTOCHECKPOINT_PAGES = 16384
# Fields compared between two versions of an article to say what changed.
VERSIONED_FIELDS = ("title", "subtitle", "authors", "published_at", "modified_at", "body")
_JSON_FIELDS = frozenset({"authors", "tags"})


#: Schema migrations this version knows; an archive with others was written by a newer one.
_KNOWN_MIGRATIONS = frozenset(m.name for m in migrations._migrations)


def article_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """The ``articles`` columns an article record fills: its fields, JSON lists, analysts' dates."""
    row = {key: record.get(key) for key in ARTICLE_FIELDS}
    for key in _JSON_FIELDS:
        row[key] = json.dumps(list(row[key] or []), ensure_ascii=False)
    row.update(analyst_columns(record))  # dates for analysts (UTC, offset, day, source)
    return row


def insert_row(conn: sqlite3.Connection, table: str, row: Mapping[str, Any]) -> int:
    """Insert one row, values converted as sqlite-utils converts them; returns its rowid.

    Written out for the per-article writes of a flush: sqlite-utils' ``insert`` looks the
    table up and wraps each call in a savepoint of a fresh name, a statement SQLite must
    prepare anew every time, on the crawl's reactor thread, while the flush's transaction
    already makes the batch atomic.
    """
    cursor = conn.execute(
        _insert_sql(table, tuple(row)), [jsonify_if_needed(v) for v in row.values()]
    )
    return int(cursor.lastrowid or 0)


def insert_rows(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """:func:`insert_row` for rows that all have the first row's columns."""
    columns = tuple(rows[0])
    conn.executemany(
        _insert_sql(table, columns),
        [[jsonify_if_needed(row[c]) for c in columns] for row in rows],
    )


@lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f'insert into "{table}" ({names}) values ({", ".join("?" * len(columns))})'


@dataclass
class FlushCounts:
    """What one flush did to the ``articles`` table."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases: int = 0

    def __iadd__(self, other: FlushCounts) -> FlushCounts:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.aliases += other.aliases
        return self


class Archive(DuplicateLookups, IncrementalLookups):
    """One open archive file. Use :meth:`open`; close it with :meth:`close`.

    Lookups for deduplication live in :class:`DuplicateLookups` (``duplicates.py``), those of
    incremental crawls in :class:`IncrementalLookups` (``incremental.py``).
    """

    def __init__(
        self, db: Database, path: Path, *, batch_size: int = 50, lock_fd: int | None = None
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.db = db
        self.path = path
        self.batch_size = batch_size
        self.crawl_id: int | None = None
        self._lock_fd = lock_fd
        self._articles: list[dict[str, Any]] = []
        self._aliases: list[tuple[str, str, str]] = []
        # Signatures computed by deduplication, waiting for their article to be queued.
        self._signatures: dict[str, Signature] = {}

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        timeout: float = 30.0,
        batch_size: int = 50,
        writer_lock: bool = False,
    ) -> Archive:
        """Open (creating it and its folder if needed) and migrate the archive at ``path``.

        Raises :class:`ArchiveError` for a file that is not a SQLite database or cannot be
        created, and for one that stays locked longer than ``timeout`` seconds. With
        ``writer_lock``, :class:`ArchiveBusy` when another crawl is writing the archive.
        """
        file = Path(path)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            lock_fd = take_writer_lock(file) if writer_lock else None
        except OSError as exc:
            raise ArchiveError(
                f"cannot create the archive {str(file)!r}: {exc}; point ARCHIVE_PATH at a writable file"
            ) from exc
        try:
            return cls._open(file, timeout=timeout, batch_size=batch_size, lock_fd=lock_fd)
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            raise

    @classmethod
    def _open(cls, file: Path, *, timeout: float, batch_size: int, lock_fd: int | None) -> Archive:
        try:
            conn = sqlite3.connect(file, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot create the archive {str(file)!r}: {exc}") from exc
        db = Database(conn)
        try:
            # Before anything writes: an archive from a newer schema is refused untouched.
            unknown = [m.name for m in migrations.applied(db) if m.name not in _KNOWN_MIGRATIONS]
            if unknown:
                conn.close()
                raise ArchiveError(
                    f"{str(file)!r} was written by a newer newscrawler (schema migration(s) "
                    f"{', '.join(unknown)} unknown to this version). Nothing was written to it: "
                    "upgrade newscrawler, or point ARCHIVE_PATH at another file"
                )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            # Checkpoint the WAL every 16,384 pages (64 MB) rather than SQLite's 1,000: at
            # 100,000 articles the checkpoints a batch forced were most of why writing a batch
            # grew with the archive (bench/archive_scale.py --write-parts). Readers still see
            # every commit; the WAL is folded back when the last connection closes.
            conn.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
            migrations.apply(db)
        except sqlite3.OperationalError as exc:
            conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise ArchiveError(
                    f"the archive {str(file)!r} stayed locked for {timeout:g}s ({exc}); another "
                    "process holds a write lock on it"
                ) from exc
            raise ArchiveError(f"cannot open the archive {str(file)!r}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveError(
                f"{str(file)!r} is not a usable SQLite archive ({exc}). Nothing was written to it: "
                "move it aside, or point ARCHIVE_PATH at another file"
            ) from exc
        return cls(db, file, batch_size=batch_size, lock_fd=lock_fd)

    def close(self) -> None:
        """Flush what is queued, close the file and release the writer lock."""
        try:
            self.flush()
        finally:
            self.release()

    def release(self) -> None:
        """Close the file and release the writer lock without flushing."""
        self.db.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- crawl runs --------------------------------------------------------------------------

    def start_crawl(
        self,
        spider: str,
        *,
        site: str | None = None,
        start_urls: Iterable[str] = (),
        args: Mapping[str, Any] | None = None,
    ) -> int:
        """Record the start of a run; later articles are stamped with its id."""
        with self.db.atomic():
            table = self.db.table("crawls")
            table.insert(
                {
                    "spider": spider,
                    "site": site,
                    "start_urls": json.dumps(list(start_urls)),
                    "args": json.dumps(dict(args or {}), default=str, sort_keys=True),
                    "started_at": utc_now(),
                }
            )
            self.crawl_id = int(table.last_pk or 0)
        return self.crawl_id

    def finish_crawl(
        self, finish_reason: str, stats: Mapping[str, Any], counts: Mapping[str, int]
    ) -> None:
        """Close the run's row with its reason, counters and the full Scrapy stats."""
        if self.crawl_id is None:
            raise ArchiveError("finish_crawl() called before start_crawl()")
        with self.db.atomic():
            self.db.table("crawls").update(
                self.crawl_id,
                {
                    "finished_at": utc_now(),
                    "finish_reason": finish_reason,
                    "stats": json.dumps(dict(stats), default=str, sort_keys=True),
                    **{key: int(value) for key, value in counts.items()},
                },
            )

    # -- lookups (more in DuplicateLookups and IncrementalLookups) ------------------------------

    def article_id_for_url(self, url: str) -> int | None:
        """The article stored under ``url``, or reached through it (an alias); else ``None``."""
        row = self.db.execute(
            "select id from articles where url = ? "
            "union all select article_id from url_aliases where url = ? limit 1",
            [url, url],
        ).fetchone()
        return None if row is None else int(row[0])

    # -- writes ------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Articles queued and not yet written."""
        return len(self._articles)

    def add_article(self, record: Mapping[str, Any]) -> FlushCounts | None:
        """Queue an article (``related`` as a list of ``{url, title}``); flush when the batch is full.

        Returns the flush's counts when this call flushed, else ``None``.
        """
        if not record.get("url"):
            raise ValueError("an article record needs a url")
        queued = dict(record)
        signature = self._signatures.pop(queued["url"], None)
        if signature is not None:
            queued["_signature"] = signature
        self._articles.append(queued)
        if len(self._articles) >= self.batch_size:
            return self.flush()
        return None

    def add_alias(self, url: str, article_url: str, reason: str) -> None:
        """Queue "``url`` is another address of the article stored at ``article_url``"."""
        if url != article_url:
            self._aliases.append((url, article_url, reason))

    def flush(self) -> FlushCounts:
        """Write every queued article and alias in one transaction.

        On failure the queue is kept, so a later flush (or :meth:`dump_pending`) still has it.
        """
        counts = FlushCounts()
        if not self._articles and not self._aliases:
            return counts
        unresolved: list[tuple[str, str, str]] = []
        with self.db.atomic():
            for record in self._articles:
                self._write_article(record, counts)
            for alias in self._aliases:
                written = self._write_alias(*alias)
                if written is None:  # its article is not written yet (items interleave)
                    unresolved.append(alias)
                else:
                    counts.aliases += written
        self._articles.clear()
        # An alias queued before its article (items interleave between the pipelines) waits
        # for a later flush; what never finds its article is dropped with the queue at the end.
        self._aliases[:] = unresolved
        return counts

    def dump_pending(self, path: str | Path) -> int:
        """Move the unwritten queue to a JSON Lines file (last resort when the archive fails)."""
        if not self._articles and not self._aliases:
            return 0
        with open(path, "a", encoding="utf-8") as out:
            for record in self._articles:
                plain = {k: v for k, v in record.items() if not k.startswith("_")}
                out.write(json.dumps({"article": plain}, ensure_ascii=False, default=str) + "\n")
            for url, article_url, reason in self._aliases:
                out.write(json.dumps({"alias": [url, article_url, reason]}) + "\n")
        written = len(self._articles) + len(self._aliases)
        self._articles.clear()
        self._aliases.clear()
        return written

    def _write_article(self, record: Mapping[str, Any], counts: FlushCounts) -> None:
        now = utc_now()
        row = article_row(record)
        row["last_seen_at"] = now
        conn = self.db.conn
        existing = conn.execute(
            "select id, content_hash from articles where url = ?", [row["url"]]
        ).fetchone()
        duplicate_url = record.get("duplicate_of_url")
        if duplicate_url:
            row["duplicate_of"] = self.article_id_for_url(duplicate_url)
        if existing is None:
            row["first_seen_at"] = now
            row["crawl_id"] = self.crawl_id
            row["versions"] = 1
            article_id = insert_row(conn, "articles", row)
            # Dropped before (a stub that grew into an article): no longer a dropped page.
            conn.execute("delete from dropped_pages where url = ?", [row["url"]])
            counts.new += 1
            self._write_signature(article_id, record)
            # Links written earlier that point here now have their target.
            conn.execute(
                "update related_links set target_article_id = ? "
                "where target_url = ? and target_article_id is null",
                [article_id, row["url"]],
            )
        else:
            article_id = int(existing[0])
            if existing[1] == row["content_hash"]:
                # The same text: seen again; its raw page (if it had none, or a lost one) refreshed.
                conn.execute(
                    "update articles set last_seen_at = ?, unchanged_checks = unchanged_checks + 1, "
                    "raw_page_id = coalesce(?, raw_page_id) where id = ?",
                    [now, row.get("raw_page_id"), article_id],
                )
                counts.unchanged += 1
            else:
                row["unchanged_checks"] = 0  # it changed: re-check soon again
                row["crawl_id"] = self.crawl_id
                row["versions"] = self._keep_version(article_id, row, now)
                self.db.table("articles").update(article_id, row)
                self._write_signature(article_id, record)
                counts.updated += 1
        self.replace_related_links(article_id, record.get("related") or [])

    def _keep_version(self, article_id: int, new: Mapping[str, Any], now: str) -> int:
        """Copy the stored (older) text into ``article_versions``; return the new version number."""
        old = self.db.execute(
            "select title, subtitle, authors, published_at, modified_at, body, content_hash, "
            "first_seen_at, last_seen_at, crawl_id, coalesce(versions, 1) from articles where id = ?",
            [article_id],
        ).fetchone()
        fields = dict(
            zip(
                (*VERSIONED_FIELDS[:5], "body"),
                (old[0], old[1], old[2], old[3], old[4], old[5]),
                strict=False,
            )
        )
        changed = [
            name
            for name in VERSIONED_FIELDS
            if (new.get(name) or None) != (fields.get(name) or None)
        ]
        version = int(old[10])
        since = old[7]
        if version > 1:  # this version began when the one before it was replaced
            previous = self.db.execute(
                "select replaced_at from article_versions where article_id = ? and version = ?",
                [article_id, version - 1],
            ).fetchone()
            since = previous[0] if previous else None
        self.db.table("article_versions").insert(
            {
                "article_id": article_id,
                "version": version,
                **fields,
                "content_hash": old[6],
                "first_seen_at": since,
                "seen_at": old[8],
                "replaced_at": now,
                "crawl_id": old[9],
                "changed_fields": json.dumps(changed),
            }
        )
        return version + 1

    def replace_related_links(self, article_id: int, related: Iterable[Mapping[str, Any]]) -> None:
        """Store an article's related block (``{url, title}`` in page order), resolving targets."""
        conn = self.db.conn
        conn.execute("delete from related_links where article_id = ?", [article_id])
        rows = [
            {
                "article_id": article_id,
                "position": position,
                "target_url": link["url"],
                "anchor_text": link.get("title"),
                "target_article_id": self.article_id_for_url(link["url"]),
            }
            for position, link in enumerate(related, start=1)
        ]
        if rows:
            insert_rows(conn, "related_links", rows)

    def _write_alias(self, url: str, article_url: str, reason: str) -> int | None:
        """1 if written, 0 if known already or itself an article; ``None`` if ``article_url`` is
        not archived (yet)."""
        article_id = self.article_id_for_url(article_url)
        if article_id is None:
            return None
        if self.db.execute("select 1 from articles where url = ?", [url]).fetchone():
            return 0
        cursor = self.db.conn.execute(
            "insert or ignore into url_aliases (url, article_id, reason, first_seen_at) "
            "values (?, ?, ?, ?)",
            [url, article_id, reason, utc_now()],
        )
        if cursor.rowcount:
            # Links that named the alias resolve to the article too.
            self.db.conn.execute(
                "update related_links set target_article_id = ? "
                "where target_url = ? and target_article_id is null",
                [article_id, url],
            )
        return cursor.rowcount
