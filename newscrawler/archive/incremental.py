"""Incremental-crawl lookups of the archive: what is known, when it was seen, feed validators."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from newscrawler.archive.errors import utc_now

__all__ = ["IncrementalLookups"]


class IncrementalLookups:
    """The :class:`~newscrawler.archive.Archive` methods the recrawl policy and feeds use."""

    db: Database

    def recrawl_info(self, url: str) -> dict[str, Any] | None:
        """What the recrawl policy needs about an archived URL; ``None`` if unknown.

        For an alias (another URL of an archived article), ``alias`` is true and there are no
        validators: the stored ETag belongs to the article's own URL.
        """
        row = self.db.execute(
            "select first_seen_at, last_seen_at, http_etag, http_last_modified, 0, "
            "unchanged_checks, null from articles where url = ? "
            "union all select a.first_seen_at, a.last_seen_at, null, null, 1, a.unchanged_checks, "
            "null from url_aliases u join articles a on a.id = u.article_id where u.url = ? "
            "union all select first_dropped_at, last_checked_at, http_etag, http_last_modified, 0, "
            "unchanged_checks, reason from dropped_pages where url = ? limit 1",
            [url, url, url],
        ).fetchone()
        if row is None:
            return None
        keys = (
            "first_seen_at", "last_seen_at", "http_etag", "http_last_modified", "alias",
            "unchanged_checks", "dropped",
        )  # fmt: skip
        info = dict(zip(keys, row, strict=True))
        info["unchanged_checks"] = int(info["unchanged_checks"] or 0)
        return info

    def raw_page_refs(self, sites: Iterable[str]) -> list[tuple[str, int]]:
        """``(url, raw_page_id)`` of the articles of these sites that name a raw page."""
        names = sorted(set(sites))
        if not names:
            return []
        marks = ",".join("?" * len(names))
        rows = self.db.execute(
            f"select url, raw_page_id from articles where site in ({marks}) "
            "and raw_page_id is not null",
            names,
        ).fetchall()
        return [(str(url), int(pid)) for url, pid in rows]

    def related_urls(self, url: str) -> list[str]:
        """The related-articles links stored for the article at ``url``, in page order."""
        rows = self.db.execute(
            "select r.target_url from related_links r join articles a on a.id = r.article_id "
            "where a.url = ? order by r.position",
            [url],
        ).fetchall()
        return [str(row[0]) for row in rows]

    def touch(self, url: str) -> bool:
        """Mark an archived article (or a dropped page) as re-checked unchanged now (a 304).

        Each unchanged re-check lengthens the wait before the next (``unchanged_checks``).
        """
        now = utc_now()
        cursor = self.db.conn.execute(
            "update articles set last_seen_at = ?, unchanged_checks = unchanged_checks + 1 "
            "where url = ?",
            [now, url],
        )
        if cursor.rowcount:
            return True
        cursor = self.db.conn.execute(
            "update dropped_pages set last_checked_at = ?, unchanged_checks = unchanged_checks + 1 "
            "where url = ?",
            [now, url],
        )
        return bool(cursor.rowcount)

    def record_dropped(
        self,
        url: str,
        *,
        site: str,
        reason: str,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Remember a fetched page that was not archived (too short, not an article, ...).

        The next runs re-check it on the recrawl policy, conditionally, instead of fetching it
        whole every time; a page dropped again counts as re-checked unchanged.
        """
        if self.db.execute("select 1 from articles where url = ?", [url]).fetchone():
            return  # archived under this URL: an article, whatever this fetch was
        now = utc_now()
        self.db.execute(
            "insert into dropped_pages (url, site, reason, first_dropped_at, last_checked_at, "
            "unchanged_checks, http_etag, http_last_modified) values (?, ?, ?, ?, ?, 0, ?, ?) "
            "on conflict(url) do update set reason = excluded.reason, "
            "last_checked_at = excluded.last_checked_at, "
            "unchanged_checks = unchanged_checks + 1, "
            "http_etag = coalesce(excluded.http_etag, http_etag), "
            "http_last_modified = coalesce(excluded.http_last_modified, http_last_modified)",
            [url, site, reason, now, now, etag, last_modified],
        )

    def feed_state(self, url: str) -> dict[str, Any] | None:
        """The validators and last result of a feed or sitemap fetch, if any."""
        rows = list(self.db["feed_state"].rows_where("url = ?", [url]))
        return rows[0] if rows else None

    def record_feed_state(
        self,
        url: str,
        *,
        kind: str,
        status: int,
        etag: str | None,
        last_modified: str | None,
        entries: int | None,
    ) -> None:
        """Remember a feed or sitemap fetch, so the next run can ask "changed since?"."""
        previous = self.feed_state(url) or {}
        self.db.table("feed_state").upsert(
            {
                "url": url,
                "kind": kind,
                "http_etag": etag or previous.get("http_etag"),
                "http_last_modified": last_modified or previous.get("http_last_modified"),
                "last_status": status,
                "last_fetched_at": utc_now(),
                "entries": entries if entries is not None else previous.get("entries"),
            },
            pk="url",
        )
