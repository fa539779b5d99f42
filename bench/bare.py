"""The bare baseline: a Scrapy spider that only follows links, with Scrapy's default settings.

    scrapy runspider bench/bare.py -a start_url=http://127.0.0.1:PORT/

It follows every link on the start URL's host (the synthetic site has no other links), with
the news spider's deny list, so both crawls fetch the same pages. No items, no pipelines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor


class BareSpider(Spider):
    """Follow links, nothing else: what Scrapy itself costs per page."""

    name = "bare"

    def __init__(self, start_url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not start_url:
            raise ValueError("bare spider: pass -a start_url=URL")
        self.start_urls = [start_url]
        self.allowed_domains = [urlsplit(start_url).hostname or ""]
        self.links = LinkExtractor(
            deny=(r"/wp-admin/", r"/wp-comments-post", r"/(?:impressum|datenschutz)(?:/|$)"),
            unique=True,
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Request]:
        for link in self.links.extract_links(response):
            yield response.follow(link.url, callback=self.parse)
