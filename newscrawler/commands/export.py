"""``scrapy export``: articles of the archive as JSON Lines or CSV, filtered by site, day and query.

    scrapy export --format jsonl -o articles.jsonl
    scrapy export --format csv --site example-news.de --since 2024-07-01 --until 2024-07-07
    scrapy export --query 'nato AND ukraine' --include-duplicates > hits.jsonl

Copies of a story (``duplicate_of`` set) are left out unless ``--include-duplicates``.
Days are the page's own publication day (``published_day``); ``--query`` is an FTS5 query
and orders the rows by relevance (bm25), otherwise they come oldest first.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

__all__ = ["Command", "export_articles", "select_articles"]

FORMATS = ("jsonl", "csv")
_JSON_COLUMNS = ("authors", "tags")


def _day(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{option} must be a day as YYYY-MM-DD, got {value!r}") from None


def select_articles(
    conn: sqlite3.Connection,
    *,
    site: str | None = None,
    since: str | None = None,
    until: str | None = None,
    query: str | None = None,
    include_duplicates: bool = False,
) -> Iterator[dict[str, Any]]:
    """Rows of ``articles`` (every column) matching the filters, as dicts."""
    since, until = _day(since, "--since"), _day(until, "--until")
    columns = {row[1] for row in conn.execute("pragma table_info(articles)")}
    # Archives from before migration m004 have no published_day: fall back to the stated date.
    day = "a.published_day" if "published_day" in columns else "substr(a.published_at, 1, 10)"
    where: list[str] = []
    params: dict[str, Any] = {}
    joins = ""
    order = f"{day}, a.published_at, a.id"
    if site:
        where.append("a.site = :site")
        params["site"] = site
    if since:
        where.append(f"{day} >= :since")
        params["since"] = since
    if until:
        where.append(f"{day} <= :until")
        params["until"] = until
    if not include_duplicates:
        where.append("a.duplicate_of is null")
    if query:
        joins = "join articles_fts on articles_fts.rowid = a.rowid"
        where.append("articles_fts match :query")
        params["query"] = query
        order = "articles_fts.rank, a.id"
    sql = f"select a.* from articles a {joins}"
    if where:
        sql += " where " + " and ".join(where)
    sql += f" order by {order}"
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def export_articles(
    archive: str | Path, out: IO[str], *, format: str = "jsonl", **filters: Any
) -> int:
    """Write the selected articles to ``out``; return how many. Opens the archive read-only."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    conn = sqlite3.connect(f"file:{Path(archive)}?mode=ro", uri=True)
    count = 0
    try:
        rows = select_articles(conn, **filters)
        writer: csv.DictWriter[str] | None = None
        for row in rows:
            if format == "jsonl":
                for column in _JSON_COLUMNS:
                    if isinstance(row.get(column), str):
                        row[column] = json.loads(row[column])
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                if writer is None:
                    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
                    writer.writeheader()
                writer.writerow(row)
            count += 1
    finally:
        conn.close()
    return count


class Command(ScrapyCommand):
    """Thin adapter: options and output here, the selection in :func:`select_articles`."""

    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return (
            "Export articles of the archive as JSON Lines or CSV (filters: site, days, FTS query)"
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--format", choices=FORMATS, default="jsonl", help="jsonl (default) or csv"
        )
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")
        parser.add_argument(
            "--site", help="only this site (the articles.site value, e.g. example-news.de)"
        )
        parser.add_argument("--since", help="published on or after this day (YYYY-MM-DD)")
        parser.add_argument("--until", help="published on or before this day (YYYY-MM-DD)")
        parser.add_argument("--query", help="full-text (FTS5) query; rows come best match first")
        parser.add_argument(
            "--include-duplicates",
            action="store_true",
            help="keep copies of a story (duplicate_of set)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(
                "scrapy export takes no arguments (see --site, --since, --until, --query)"
            )
        assert self.settings is not None
        archive = self.settings.get("ARCHIVE_PATH")
        if not archive or not Path(archive).is_file():
            raise UsageError(
                f"no archive at ARCHIVE_PATH={archive!r}: crawl first, or pass -s ARCHIVE_PATH=FILE"
            )
        filters = {
            "site": opts.site,
            "since": opts.since,
            "until": opts.until,
            "query": opts.query,
            "include_duplicates": opts.include_duplicates,
        }
        out: IO[str] = (
            open(opts.output, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed below unless stdout)
            if opts.output
            else sys.stdout
        )
        try:
            count = export_articles(archive, out, format=opts.format, **filters)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        except sqlite3.OperationalError as exc:
            raise UsageError(f"cannot export from {archive}: {exc}") from exc
        finally:
            if opts.output:
                out.close()
        print(f"exported {count} articles to {opts.output or 'stdout'}", file=sys.stderr)
