"""``scrapy export-warc``: the archived raw responses as a WARC 1.1 file, for pywb and ReplayWeb.page.

    scrapy export-warc                                   # -> archive/news.warc.gz
    scrapy export-warc -o demo.warc.gz --site example-news.de --since 2024-07-01

Reads the raw-pages file (``RAW_ARCHIVE_PATH``, by default ``archive/news-raw.db`` beside
``ARCHIVE_PATH``) read-only and writes one gzip member per record: a ``warcinfo`` record,
then a ``response`` record per stored response, oldest fetch first, each with the HTTP status
line and headers, ``WARC-Target-URI``, ``WARC-Date`` (when the response was first fetched)
and block and payload digests (warcio computes them).

The raw-pages file keeps the body Scrapy handed to the spider, so after any gzip or deflate
was undone: ``Content-Encoding`` and ``Transfer-Encoding`` are left out of the recorded
headers and ``Content-Length`` is the stored body's length, or a replay tool would try to
decode the body a second time.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from sqlite_utils import Database
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from newscrawler import __version__
from newscrawler.archive.rawpages import RawPage, RawPageStore, raw_path_for
from newscrawler.urls import site_of

__all__ = ["Command", "export_warc", "http_headers", "warc_date"]

#: Response headers that describe a transfer encoding the stored body no longer has.
_DROPPED_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def warc_date(fetched_at: str) -> str:
    """``2024-07-06T08:15:00.123+00:00`` -> ``2024-07-06T08:15:00.123000Z`` (WARC 1.1, UTC)."""
    moment = datetime.fromisoformat(fetched_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def http_headers(page: RawPage) -> StatusAndHeaders:
    """The response's status line and headers as they describe the stored body."""
    try:
        reason = HTTPStatus(page.status).phrase
    except ValueError:
        reason = "Unknown"
    headers = [
        (name, value)
        for name, values in page.headers.items()
        if name.lower() not in _DROPPED_HEADERS
        for value in values
    ]
    headers.append(("Content-Length", str(len(page.body))))
    return StatusAndHeaders(f"{page.status} {reason}", headers, protocol="HTTP/1.1")


def _pages(
    conn: sqlite3.Connection, store: RawPageStore, *, site: str | None, since: str | None
) -> Iterator[RawPage]:
    where, params = [], []
    if since:
        where.append("fetched_at >= ?")
        params.append(since)
    sql = "select id, url from pages"
    if where:
        sql += " where " + " and ".join(where)
    sql += " order by fetched_at, id"
    for pid, url in conn.execute(sql, params).fetchall():
        if site and site_of(url) != site.lower().removeprefix("www."):
            continue
        page = store.get(int(pid))
        if page is not None:
            yield page


def export_warc(
    raw_path: str | Path,
    out: IO[bytes],
    *,
    site: str | None = None,
    since: str | None = None,
    filename: str = "news.warc.gz",
) -> int:
    """Write the stored responses of the raw-pages file to ``out`` as WARC 1.1; return how many.

    ``site`` keeps the pages of one site (a host without ``www.``, as ``articles.site``);
    ``since`` (YYYY-MM-DD) those fetched on or after that day (UTC).
    """
    if since is not None:
        try:
            since = date.fromisoformat(since).isoformat()
        except ValueError:
            raise ValueError(f"--since must be a day as YYYY-MM-DD, got {since!r}") from None
    conn = sqlite3.connect(f"file:{Path(raw_path)}?mode=ro", uri=True)
    store = RawPageStore(Database(conn), Path(raw_path))
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            filename,
            {
                "software": f"newscrawler/{__version__} (scrapy export-warc), warcio",
                "format": "WARC File Format 1.1",
                "description": "Raw responses of the articles archived by newscrawler",
            },
        )
    )
    count = 0
    try:
        for page in _pages(conn, store, site=site, since=since):
            record = writer.create_warc_record(
                page.url,
                "response",
                payload=BytesIO(page.body),
                length=len(page.body),
                http_headers=http_headers(page),
                warc_headers_dict={"WARC-Date": warc_date(page.fetched_at)},
            )
            writer.write_record(record)
            count += 1
    finally:
        conn.close()
    return count


class Command(ScrapyCommand):
    """Thin adapter: options and messages here, the records in :func:`export_warc`."""

    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Write the archived raw responses as a WARC 1.1 file (for pywb, ReplayWeb.page)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-o",
            "--output",
            help="the WARC file to write (default: ARCHIVE_PATH with .warc.gz, archive/news.warc.gz)",
        )
        parser.add_argument(
            "--site", help="only this site's pages (a host without www., e.g. example-news.de)"
        )
        parser.add_argument("--since", help="only pages fetched on or after this day (YYYY-MM-DD)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("scrapy export-warc takes no arguments (see -o, --site, --since)")
        assert self.settings is not None
        archive = Path(self.settings.get("ARCHIVE_PATH") or "archive/news.db")
        raw_path = Path(self.settings.get("RAW_ARCHIVE_PATH") or raw_path_for(archive))
        if not raw_path.is_file():
            raise UsageError(
                f"no raw-pages file at {str(raw_path)!r}: crawl first with RAW_ARCHIVE_ENABLED=True, "
                "or point RAW_ARCHIVE_PATH (or ARCHIVE_PATH) at the archive"
            )
        output = Path(opts.output) if opts.output else archive.with_suffix(".warc.gz")
        try:
            with output.open("wb") as out:
                count = export_warc(
                    raw_path, out, site=opts.site, since=opts.since, filename=output.name
                )
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        except (OSError, sqlite3.Error) as exc:
            raise UsageError(f"cannot export {raw_path} to {output}: {exc}") from exc
        print(f"wrote {count} responses to {output}", file=sys.stderr)
