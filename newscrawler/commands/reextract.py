"""``scrapy reextract``: run today's extraction and cleaning over the stored raw pages, offline.

An archive benefits from a better extractor without recrawling: every article row points at
its raw response (``raw_page_id`` in the raw-pages file). This command reads the response
from that file, runs on it the library functions the crawl runs (extraction, fallbacks,
cleaning, validation: :class:`Reextractor`) with the project settings and the crawl's site
profile, and updates the row in place when something changed. No crawler, no engine, no
downloader: nothing touches the network.

    scrapy reextract                           # the whole archive (ARCHIVE_PATH)
    scrapy reextract --site example-news.de --dry-run
    scrapy reextract --id 12 --id 14 -s ARCHIVE_PATH=archive/other.db

Kept as they are: ``url`` and ``site`` (the row's key), ``duplicate_of``/``similarity``
(deduplication decides those at crawl time), and the crawl and seen-at bookkeeping.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from newscrawler import __version__
from newscrawler.archive import Archive, ArchiveError, article_row
from newscrawler.archive.derived import ANALYST_COLUMNS
from newscrawler.archive.rawpages import RawPage, RawPageStore, raw_path_for
from newscrawler.records import Recipe, article_record
from newscrawler.sites import SiteProfile, load_profile
from newscrawler.workers.job import Page

__all__ = ["Command", "Dropped", "ReextractReport", "Reextractor"]

#: Article columns that extraction and cleaning produce, compared and rewritten.
EXTRACTED_COLUMNS = (
    "title",
    "subtitle",
    "authors",
    "published_at",
    "modified_at",
    "language",
    "section",
    "tags",
    "body",
    "image",
    "word_count",
    "content_hash",
    "source_attribution",
    *ANALYST_COLUMNS,
)


class Dropped(Exception):
    """The crawl would not keep this page today; ``reason`` names the drop (``TooShort``, …)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ReextractReport:
    """What one run did; ``fields`` counts changed columns over all changed rows."""

    changed: int = 0
    unchanged: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    fields: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.changed + self.unchanged + sum(self.failed.values())

    def summary(self, archive: Path, raw: Path, *, dry_run: bool) -> str:
        failed = sum(self.failed.values())
        lines = [
            f"Re-extracted {self.total} articles of {archive} from {raw}"
            + (" (dry run: nothing written)" if dry_run else "")
            + f" with extractor {__version__}:",
            f"  changed:   {self.changed}",
            f"  unchanged: {self.unchanged}",
            f"  failed:    {failed}",
        ]
        for reason, count in sorted(self.failed.items()):
            lines.append(f"    {reason}: {count}")
        if self.fields:
            changed = ", ".join(f"{name} {count}" for name, count in sorted(self.fields.items()))
            lines.append(f"  columns changed: {changed}")
        return "\n".join(lines)


class Reextractor:
    """Re-run the crawl's extraction stages on stored pages and update the archive's rows.

    The same library functions the crawl runs, in the same order
    (:func:`newscrawler.records.article_record`): extraction, fallbacks, body cleaning, the
    record's cleaning and validation, the content hash.
    """

    def __init__(self, settings: BaseSettings, archive: Archive, store: RawPageStore) -> None:
        self.archive = archive
        self.store = store
        self.sites_file = settings.get("SITES_FILE") or None
        self.recipe = Recipe.from_settings(settings)
        self._profiles: dict[str, SiteProfile] = {}

    def profile(self, name: str | None) -> SiteProfile | None:
        """The site profile the crawl ran with (by name), loaded once."""
        if not name:
            return None
        if name not in self._profiles:
            self._profiles[name] = load_profile(name, self.sites_file)
        return self._profiles[name]

    def extract(self, page: RawPage, profile_name: str | None) -> dict[str, Any]:
        """The record the crawl would make of this stored response today (raises :class:`Dropped`)."""
        outcome = article_record(
            Page(page.url, page.status, page.body, page.encoding or "utf-8").text,
            page.url,
            status=page.status,
            fetched_at=page.fetched_at,
            recipe=self.recipe,
            profile=self.profile(profile_name),
        )
        if outcome.problem is not None or outcome.record is None:
            raise Dropped(outcome.problem.reason if outcome.problem else "NotExtracted")
        return outcome.record

    def run(
        self, *, site: str | None = None, ids: list[int] | None = None, dry_run: bool = False
    ) -> ReextractReport:
        report = ReextractReport()
        where: list[str] = ["1 = 1"]
        params: list[str | int] = []
        if site:
            where.append("a.site = ?")
            params.append(site)
        if ids:
            where.append(f"a.id in ({','.join('?' * len(ids))})")
            params.extend(ids)
        rows = self.archive.db.execute(
            f"select a.id, a.url, a.raw_page_id, a.extractor_version, c.args, "
            f"{', '.join('a.' + c for c in EXTRACTED_COLUMNS)} "
            "from articles a left join crawls c on c.id = a.crawl_id "
            f"where {' and '.join(where)} order by a.id",
            params,
        ).fetchall()
        names = ["id", "url", "raw_page_id", "extractor_version", "args", *EXTRACTED_COLUMNS]
        db = self.archive.db
        with db.atomic():  # all or nothing: a failed write leaves the archive as it was
            for values in rows:
                self._one(dict(zip(names, values, strict=True)), report, dry_run=dry_run)
        return report

    def _one(self, row: dict[str, Any], report: ReextractReport, *, dry_run: bool) -> None:
        if row["raw_page_id"] is None:
            report.failed["no raw page recorded"] += 1
            return
        page = self.store.get(int(row["raw_page_id"]))
        if page is None:
            report.failed["raw page missing from the raw-pages file"] += 1
            return
        profile = json.loads(row["args"] or "{}").get("site")
        try:
            record = self.extract(page, profile)
        except Dropped as exc:
            report.failed[f"dropped: {exc.reason}"] += 1
            return
        except Exception as exc:  # one bad page must not stop the run; it is counted
            report.failed[f"error: {type(exc).__name__}"] += 1
            return
        full = article_row({**record, "url": row["url"]})
        new = {column: full[column] for column in EXTRACTED_COLUMNS}
        changes = {column: value for column, value in new.items() if value != row[column]}
        related = [(link["url"], link.get("title")) for link in record["related"]]
        stored_related = [
            tuple(r)
            for r in self.archive.db.execute(
                "select target_url, anchor_text from related_links where article_id = ? order by position",
                [row["id"]],
            ).fetchall()
        ]
        if changes or related != stored_related:
            report.changed += 1
            report.fields.update(changes.keys())
            if related != stored_related:
                report.fields["related_links"] += 1
            if not dry_run:
                self._write(row["id"], {**changes, "extractor_version": __version__}, related)
        else:
            report.unchanged += 1
            if not dry_run and row["extractor_version"] != __version__:
                self._write(row["id"], {"extractor_version": __version__}, None)

    def _write(
        self, article_id: int, changes: dict[str, Any], related: list[tuple[str, str | None]] | None
    ) -> None:
        self.archive.db.table("articles").update(article_id, changes)
        if related is None:
            return
        self.archive.replace_related_links(
            article_id, [{"url": url, "title": title} for url, title in related]
        )


class Command(ScrapyCommand):
    """Thin adapter: options and the report here, the work in :class:`Reextractor`."""

    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Re-run extraction and cleaning over the stored raw pages (offline) and update the archive"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only articles of this site (the articles.site value)")
        parser.add_argument(
            "--id", dest="ids", type=int, action="append", help="only this article id (repeatable)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, write nothing"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("scrapy reextract takes no arguments (see --site, --id)")
        assert self.settings is not None
        archive_path = self.settings.get("ARCHIVE_PATH")
        if not archive_path or not Path(archive_path).is_file():
            raise UsageError(
                f"no archive at ARCHIVE_PATH={archive_path!r}: crawl first, or pass -s ARCHIVE_PATH=FILE"
            )
        raw_path = Path(self.settings.get("RAW_ARCHIVE_PATH") or raw_path_for(archive_path))
        if not raw_path.is_file():
            raise UsageError(
                f"no raw pages at {raw_path}: crawls store them there unless RAW_ARCHIVE_ENABLED is off "
                "(set RAW_ARCHIVE_PATH if they live elsewhere)"
            )
        timeout = self.settings.getfloat("ARCHIVE_TIMEOUT", 30.0)
        try:
            archive = Archive.open(archive_path, timeout=timeout)
            store = RawPageStore.open(raw_path, timeout=timeout)
        except ArchiveError as exc:
            raise UsageError(str(exc)) from exc
        try:
            report = Reextractor(self.settings, archive, store).run(
                site=opts.site, ids=opts.ids, dry_run=opts.dry_run
            )
        except sqlite3.Error as exc:
            print(f"reextract failed, the archive is unchanged: {exc}")
            self.exitcode = 1
            return
        finally:
            archive.db.close()
            store.db.close()
        print(report.summary(Path(archive_path), raw_path, dry_run=opts.dry_run))
