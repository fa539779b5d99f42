"""`scrapy extract FILE_OR_URL`: print the extracted article of a saved page or a fetched URL as JSON."""

from __future__ import annotations

import gzip
import json
import sys
from argparse import ArgumentParser, Namespace
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.http import Response, TextResponse
from w3lib.url import is_url

from newscrawler.extract import extract_article


def read_page(path: Path) -> str:
    """A saved page as text; .gz files are decompressed, undecodable bytes replaced."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def print_article(article: dict[str, Any] | None) -> None:
    """JSON to stdout, readable umlauts; `null` when the input was not HTML."""
    sys.stdout.write(json.dumps(article, ensure_ascii=False, indent=2) + "\n")


class Command(ScrapyCommand):
    """Thin adapter: fetching and printing here, all extraction logic in newscrawler.extract."""

    requires_project = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options] <file_or_url>"

    def short_desc(self) -> str:
        return "Extract the article of a saved page or a URL and print it as JSON"

    def add_options(self, parser: ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="URL the saved page came from (resolves relative links)")
        parser.add_argument(
            "--label",
            dest="labels",
            action="append",
            help="heading of the related-articles block (repeatable; replaces the defaults)",
        )

    def run(self, args: list[str], opts: Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one file or URL")
        target = args[0]
        labels = opts.labels or None
        if is_url(target):
            self.fetch_and_print(target, labels)
            return
        path = Path(target)
        if not path.is_file():
            raise UsageError(f"{target} is neither an http(s) URL nor a file")
        url = opts.url or path.resolve().as_uri()
        print_article(extract_article(read_page(path), url, related_labels=labels))

    def fetch_and_print(self, url: str, labels: list[str] | None) -> None:
        """Download with the crawler process (project settings, middlewares) and extract."""

        def on_response(response: Response) -> None:
            if not isinstance(response, TextResponse):
                print_article(None)
                return
            print_article(extract_article(response.text, response.url, related_labels=labels))

        request = Request(url, callback=on_response, dont_filter=True)

        class ExtractSpider(Spider):
            name = "extract"

            async def start(self) -> AsyncIterator[Request]:
                yield request

        assert self.crawler_process is not None
        self.crawler_process.crawl(ExtractSpider)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
