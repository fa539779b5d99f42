"""Request fingerprints on the canonical URL, so tracking variants of a URL are fetched once."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.request import fingerprint

from newscrawler.urls import canonicalize_url


class CanonicalRequestFingerprinter:
    """Scrapy's default fingerprint, computed on :func:`canonicalize_url` of the request URL.

    ``/a/?utm_source=x`` and ``/a/#comments`` are the same request as ``/a/`` to the
    duplicate filter, the HTTP cache and JOBDIR resumption.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalRequestFingerprinter:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        canonical = canonicalize_url(request.url)
        if canonical != request.url:
            request = request.replace(url=canonical)
        return fingerprint(request)
