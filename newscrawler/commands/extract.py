"""`scrapy extract FILE_OR_URL`: the article the crawl would store of one page, or why it would not.

Runs the crawl's own stages on the page (:func:`newscrawler.records.article_record`:
extraction, fallbacks, cleaning, validation) with the project's settings and, with
``--site``, a site profile, and prints the record as JSON. A page the crawl would drop is
printed all the same, with ``"dropped": {"reason", "message"}``. A diagnostic: it never
writes to the archive, never asks it what is known, and fetches a URL on any host the user
names (a private address included: the user named it).
"""

from __future__ import annotations

import gzip
import json
import sys
from argparse import ArgumentParser, Namespace
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES
from twisted.python.failure import Failure
from w3lib.url import is_url

from newscrawler.records import Outcome, Recipe, article_record
from newscrawler.sites import SiteProfile, SiteProfileError, load_profile

#: What a diagnostic turns off: nothing is read from or written to an archive, nothing judged.
DIAGNOSTIC_SETTINGS = {
    "ARCHIVE_ENABLED": False,
    "INCREMENTAL_ENABLED": False,
    "RAW_ARCHIVE_ENABLED": False,
    "HEALTH_CHECK_ENABLED": False,
    "PROGRESS_INTERVAL": 0,
    "EXTRACT_WORKERS": 0,
}


def read_page(path: Path) -> str:
    """A saved page as text; .gz files are decompressed, undecodable bytes replaced."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def as_json(outcome: Outcome) -> str:
    """The record as JSON (readable umlauts), with the drop reason when there is one."""
    shown: dict[str, Any] | None = dict(outcome.record) if outcome.record is not None else None
    if shown is not None:
        shown["dropped"] = (
            {"reason": outcome.problem.reason, "message": outcome.problem.message}
            if outcome.problem
            else None
        )
    return json.dumps(shown, ensure_ascii=False, indent=2)


class Command(ScrapyCommand):
    """Thin adapter: reading or fetching and printing here, the work in newscrawler.records."""

    requires_project = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options] <file_or_url>"

    def short_desc(self) -> str:
        return "Show the article the crawl would store of a saved page or a URL (JSON), or why not"

    def add_options(self, parser: ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="URL the saved page came from (resolves relative links)")
        parser.add_argument("--site", help="extract with this site profile (sites.toml)")
        parser.add_argument(
            "--label",
            dest="labels",
            action="append",
            help="heading of the related-articles block (repeatable; replaces the defaults)",
        )

    def process_options(self, args: list[str], opts: Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        for name, value in DIAGNOSTIC_SETTINGS.items():
            self.settings.set(name, value, priority="cmdline")
        if (self.settings.getpriority("LOG_LEVEL") or 0) < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")  # the JSON is the output

    def run(self, args: list[str], opts: Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one file or URL")
        assert self.settings is not None
        target = args[0]
        recipe = Recipe.from_settings(self.settings)
        if opts.labels:
            recipe = Recipe(
                related_labels=tuple(opts.labels),
                tail_markers=recipe.tail_markers,
                insert_markers=recipe.insert_markers,
                min_words=recipe.min_words,
                page_quality=recipe.page_quality,
            )
        profile = self._profile(opts.site)
        if is_url(target):
            self.fetch_and_show(target, recipe, profile)
            return
        path = Path(target)
        if not path.is_file():
            raise UsageError(f"{target} is neither an http(s) URL nor a file")
        url = opts.url or path.resolve().as_uri()
        self.show(article_record(read_page(path), url, recipe=recipe, profile=profile))

    def _profile(self, name: str | None) -> SiteProfile | None:
        if not name:
            return None
        assert self.settings is not None
        try:
            return load_profile(name, self.settings.get("SITES_FILE") or None)
        except SiteProfileError as exc:
            raise UsageError(str(exc)) from None

    def show(self, outcome: Outcome) -> None:
        sys.stdout.write(as_json(outcome) + "\n")
        if outcome.problem is not None:
            print(
                f"the crawl would drop this page ({outcome.problem.reason}): "
                f"{outcome.problem.message}",
                file=sys.stderr,
            )

    def fetch_and_show(self, url: str, recipe: Recipe, profile: SiteProfile | None) -> None:
        """Download with the project's downloader (safety, charset repair) and show the record."""
        assert self.crawler_process is not None and self.settings is not None
        host = urlsplit(url).hostname or ""
        private_ok = [*self.settings.getlist("SAFETY_PRIVATE_HOSTS"), host]
        self.settings.set("SAFETY_PRIVATE_HOSTS", private_ok, priority="cmdline")
        failures: list[str] = []

        def on_response(response: Response) -> None:
            if not isinstance(response, TextResponse):
                failures.append(f"{response.url} is not a text page ({response.status})")
                return
            self.show(
                article_record(
                    response.text,
                    response.url,
                    status=response.status,
                    recipe=recipe,
                    profile=profile,
                )
            )

        def on_error(failure: Failure) -> None:
            failures.append(f"cannot fetch {url}: {failure.getErrorMessage()}")

        request = Request(
            url,
            callback=on_response,
            errback=on_error,
            dont_filter=True,
            meta={"handle_httpstatus_all": True},
        )

        class ExtractSpider(Spider):
            name = "extract"

            async def start(self) -> AsyncIterator[Request]:
                yield request

        self.crawler_process.crawl(ExtractSpider)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        for failure in failures:
            print(f"scrapy extract: error: {failure}", file=sys.stderr)
            self.exitcode = 1
