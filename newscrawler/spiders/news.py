"""The ``news`` spider: generic article crawling, driven by optional site profiles.

    scrapy crawl news -a start_urls=https://example.org/,https://example.org/politik/
    scrapy crawl news -a site=tagesschau

Listing pages (home, sections, feeds, sitemaps) only lead to articles; article pages are
extracted with :func:`newscrawler.extract.extract_article` and lead on through their
related-articles block, up to ``DEPTH_LIMIT`` hops from a start page. Which kind a page is
comes from :func:`~newscrawler.spiders.pagetypes.page_kind`; which links of a listing are
followed, and how eagerly, from :func:`~newscrawler.spiders.links.classify_link`
(docs/crawling-discovery.md).
"""

from __future__ import annotations

import difflib
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.response import get_base_url

from newscrawler import __version__
from newscrawler.extensions.archive import ArchiveExtension
from newscrawler.extract import extract_article
from newscrawler.fields import apply_fallbacks
from newscrawler.items import ArticleItem, WorkerOutput
from newscrawler.records import related_links, web_links
from newscrawler.sites import SiteProfile, SiteProfileError, load_profile
from newscrawler.spiders.discovery import (
    Entry,
    feed_kind,
    parse_entries,
    sitemaps_from_robots,
    to_date,
)
from newscrawler.spiders.links import (
    LinkEvidence,
    article_url_shape,
    classify_link,
    registrable_hosts,
)
from newscrawler.spiders.pagetypes import (
    FEED_LINKS,
    GENERIC_ARTICLE_URL,
    looks_like_article,
    page_kind,
)
from newscrawler.spiders.teasers import read_links
from newscrawler.stats import site_stat
from newscrawler.urls import canonicalize_url, date_in_url
from newscrawler.workers.job import JobResult, Page
from newscrawler.workers.pool import ExtractionPool

__all__ = ["NewsSpider", "looks_like_article"]

#: Sections and topics wait behind articles (and their related links) in the scheduler.
SECTION_PRIORITY = -10


class NewsSpider(Spider):
    """Crawl news sites: listings lead to articles, articles lead to their related articles.

    Arguments (``-a NAME=VALUE``):

    - ``start_urls``: comma-separated home, section, feed, sitemap or article URLs;
    - ``site``: a profile name from ``sites.toml`` (SITES_FILE); ``start_urls`` overrides its URLs;
    - ``allowed_domains``: comma-separated hosts to stay on (default: the start URLs' hosts);
    - ``follow_offsite``: ``1`` to follow related links to other sites too;
    - ``follow_listings``: ``0`` to archive only the start pages and their related articles;
    - ``since``/``until``: ``YYYY-MM-DD``, backfill only articles published in that range;
    - ``discover``: comma-separated subset of ``links,feeds,sitemaps`` (default: all three):
      follow listing links, autodiscovered and profile feeds, robots.txt and profile sitemaps;
    - ``urls_file``: a file of start URLs, one a line (``#`` comments and blank lines skipped);
    - ``fetch_only``: ``1`` to fetch just the start URLs and archive those that are articles,
      following nothing (no links, related articles, feeds or sitemaps).

    An unknown argument stops the run with a suggestion; names starting with ``_`` (scrapyd's
    ``_job``) pass.
    """

    name = "news"

    def __init__(
        self,
        start_urls: str | list[str] | None = None,
        site: str | None = None,
        allowed_domains: str | list[str] | None = None,
        follow_offsite: str | bool = False,
        follow_listings: str | bool = True,
        sites_file: str | None = None,
        since: str | None = None,
        until: str | None = None,
        discover: str = "links,feeds,sitemaps",
        urls_file: str | None = None,
        fetch_only: str | bool = False,
        **kwargs: Any,
    ) -> None:
        _refuse_unknown_arguments(kwargs)
        super().__init__(**kwargs)
        self.crawl_args: dict[str, Any] = {
            key: value
            for key, value in {
                "start_urls": start_urls,
                "site": site,
                "allowed_domains": allowed_domains,
                "follow_offsite": follow_offsite,
                "follow_listings": follow_listings,
                "since": since,
                "until": until,
                "discover": discover,
                "urls_file": urls_file,
                "fetch_only": fetch_only or None,
            }.items()
            if value not in (None, "")
        }
        self._sites_file = sites_file
        self._site = site
        self.profile: SiteProfile | None = None
        self.start_urls = _split(start_urls) + _urls_from_file(urls_file)
        self.fetch_only = _flag(fetch_only, "fetch_only")
        self.follow_offsite = _flag(follow_offsite, "follow_offsite")
        self.follow_listings = _flag(follow_listings, "follow_listings")
        self._allowed_arg = _split(allowed_domains)
        self.since = _date_arg(since, "since")
        self.until = _date_arg(until, "until")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"news spider: -a since={since} is after -a until={until}")
        self.discover = set(_split(discover))
        unknown = self.discover - {"links", "feeds", "sitemaps"}
        if unknown:
            raise ValueError(
                f"news spider: -a discover takes links, feeds and sitemaps; got {', '.join(sorted(unknown))}"
            )

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # A descriptive User-Agent with a contact URL, unless the operator set their own.
        user_agent = settings.get("USER_AGENT") or ""
        if not user_agent or user_agent.startswith("Scrapy/"):
            contact = settings.get("CONTACT_URL") or "https://github.com/newscrawler/newscrawler"
            settings.set("USER_AGENT", f"newscrawler/{__version__} (+{contact})", priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure(crawler.settings)
        return spider

    def _configure(self, settings: BaseSettings) -> None:
        """Resolve the profile and the start URLs; fail early with a message that says what to pass."""
        if self._site:
            try:
                self.profile = load_profile(
                    self._site, self._sites_file or settings.get("SITES_FILE")
                )
            except SiteProfileError as exc:
                raise ValueError(f"news spider: {exc}") from exc
            if not self.start_urls:
                self.start_urls = list(self.profile.start_urls)
        if not self.start_urls:
            raise ValueError(
                "news spider: nothing to crawl; pass -a start_urls=URL[,URL...] or -a site=NAME"
            )
        for url in self.start_urls:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ValueError(f"news spider: start URL {url!r} is not an http(s) URL")
        self.skip_paywalled = settings.getbool("SKIP_PAYWALLED", True)
        self.related_max = settings.getint("RELATED_MAX_LINKS", 50)
        if self.related_max < 0:
            raise ValueError(f"RELATED_MAX_LINKS must be 0 or more, got {self.related_max}")
        self.sections_max = settings.getint("FOLLOW_SECTIONS_MAX", 25)
        self.sections_followed = 0
        labels = settings.getlist("RELATED_LABELS")
        self.related_labels: list[str] | None = (
            list(self.profile.related_labels)
            if self.profile and self.profile.related_labels
            else labels or None
        )
        self.selectors = dict(self.profile.selectors) if self.profile else {}
        if self._allowed_arg:
            domains = self._allowed_arg
        elif self.profile and self.profile.allowed_domains:
            domains = list(self.profile.allowed_domains)
        else:
            domains = sorted({urlsplit(url).hostname or "" for url in self.start_urls})
        if settings.getbool("FOLLOW_SUBDOMAINS", True):
            domains = registrable_hosts(domains)  # www.example.de: sport.example.de too
        # Scrapy's OffsiteMiddleware reads allowed_domains; without it every host is allowed.
        if not self.follow_offsite:
            self.allowed_domains = domains
        self.domains = [] if self.follow_offsite else [d.lower().lstrip(".") for d in domains]

    async def start(self) -> Any:
        for url in self.start_urls:
            yield Request(
                url, callback=self.parse, dont_filter=True, meta={"newscrawler_kind": "start"}
            )
        if self.fetch_only:
            return
        feeds = list(self.profile.feeds) if self.profile else []
        sitemaps = list(self.profile.sitemaps) if self.profile else []
        if "feeds" in self.discover:
            for url in feeds:
                yield Request(url, callback=self.parse, meta={"newscrawler_kind": "feed"})
        if "sitemaps" in self.discover:
            for url in sitemaps:
                yield Request(url, callback=self.parse, meta={"newscrawler_kind": "feed"})
            for root in dict.fromkeys(_site_root(url) for url in self.start_urls):
                yield Request(
                    root + "robots.txt",
                    callback=self.parse_robots,
                    errback=self._ignore_failure,
                    meta={"newscrawler_kind": "robots", "handle_httpstatus_list": [404]},
                )

    def _on_site(self, url: str) -> bool:
        """Is ``url`` on one of the crawl's hosts (subdomains included)? Always, with follow_offsite."""
        if not self.domains:
            return True
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    # -- callbacks --------------------------------------------------------------------------------

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        """Any page: a feed or sitemap, an article, or a listing that leads to articles.

        Asynchronous because an article awaits its extraction in a worker process (EXTRACT_WORKERS).
        With ``-a fetch_only=1`` only the items come out: nothing is followed.
        """
        if not self.fetch_only:
            async for output in self._parse_any(response):
                yield output
            return
        if isinstance(response, TextResponse) and page_kind(response, self.profile)[0] != "article":
            self.crawler.stats.inc_value("newscrawler/fetch_only/not_article")
            self.logger.warning(
                "%s is not an article page; -a fetch_only=1 follows nothing", response.url
            )
        async for output in self._parse_any(response):
            if isinstance(output, Request):
                self.crawler.stats.inc_value("newscrawler/fetch_only/not_followed")
            else:
                yield output

    async def _parse_any(self, response: Response) -> AsyncIterator[Any]:
        stats = self.crawler.stats
        if response.status == 304:
            for output in self.parse_not_modified(response):
                yield output
            return
        if not isinstance(response, TextResponse):
            stats.inc_value("newscrawler/pages/not_text")
            return
        kind = feed_kind(response.text[:500]) if _may_be_xml(response) else ""
        if kind:
            for output in self.parse_feed(response, kind):
                yield output
            return
        verdict, why = page_kind(response, self.profile)
        self.logger.debug("%s is %s a page: %s", response.url, verdict, why)
        start = response.meta.get("newscrawler_kind") == "start"
        if verdict == "article":
            if start and not self.fetch_only and not self._article_start_url(response.url):
                # A home or section page taken for an article: archive it, but say so, and
                # still follow its links so the run does not end with nothing.
                stats.inc_value(site_stat(response.url, "start_pages_as_article"))
                self.logger.warning(
                    "start page %s was taken for an article (%s); check it, or give a "
                    "profile's article_pattern",
                    response.url,
                    why,
                )
                for output in self.parse_listing(response):
                    yield output
            async for output in self.parse_article(response):
                yield output
        else:
            for output in self.parse_listing(response):
                yield output

    def _article_start_url(self, url: str) -> bool:
        """Did the operator start at an article (its URL has an article's shape)?"""
        if self.profile is not None and self.profile.article_pattern is not None:
            return bool(self.profile.article_pattern.search(urlsplit(url).path))
        return article_url_shape(url) or looks_like_article_url(url)

    def parse_not_modified(self, response: Response) -> Iterator[Any]:
        """A conditional re-check answered 304: nothing to parse, the page was seen."""
        stats = self.crawler.stats
        if response.meta.get("newscrawler_kind") == "feed":  # a feed or sitemap, not an article
            stats.inc_value("newscrawler/incremental/feed_not_modified")
            if self._archive() is not None:
                self._record_feed(response, kind="feed", entries=None)
            return
        stats.inc_value("newscrawler/incremental/not_modified")
        stats.inc_value(site_stat(response.url, "not_modified"))
        archive = self._archive()
        if archive is None:
            return
        url = canonicalize_url(response.url)
        archive.touch(url)
        # The page did not change, so neither did its related block: walk on from the archive.
        for target in archive.related_urls(url):
            if self._on_site(target):
                stats.inc_value("newscrawler/related/followed")
                yield response.follow(target, callback=self.parse)

    def parse_listing(self, response: TextResponse) -> Iterator[Request]:
        """Home, section, paging and tag pages: follow articles first, then sections, never junk.

        Each link is judged by :func:`newscrawler.spiders.links.classify_link`: articles are
        requested; paywall-marked teasers skipped (``SKIP_PAYWALLED``); sections and topics
        requested at a lower priority, at most ``FOLLOW_SECTIONS_MAX`` per run; junk refused.
        """
        stats = self.crawler.stats
        stats.inc_value("newscrawler/pages/listing")
        stats.inc_value(site_stat(response.url, "listing_pages"))
        if "feeds" in self.discover:
            for href in response.xpath(FEED_LINKS).getall():
                yield response.follow(href, callback=self.parse, meta={"newscrawler_kind": "feed"})
        if "links" not in self.discover:
            return
        if not self.follow_listings and response.meta.get("depth", 0) > 0:
            return
        followed = 0
        for request in self._chosen_links(response):
            followed += 1
            yield request
        if response.meta.get("newscrawler_kind") == "start" and not followed:
            stats.inc_value(site_stat(response.url, "start_pages_empty"))
            self.logger.warning(
                "start page %s led to no link to follow (no article or section link on the site)",
                response.url,
            )

    def _chosen_links(self, response: TextResponse) -> Iterator[Request]:
        stats = self.crawler.stats
        base_url = get_base_url(response)
        sections: list[LinkEvidence] = []
        for link in read_links(response.selector.root, base_url, response.encoding):
            if not self._on_site(link.url) or not self._in_range(date_in_url(link.url)):
                continue
            verdict = classify_link(link, base_url)
            if verdict == "paywalled" and self.skip_paywalled:
                stats.inc_value("newscrawler/links/paywalled_skipped")
                continue
            if verdict in ("article", "paywalled"):
                stats.inc_value("newscrawler/links/articles")
                yield Request(link.url, callback=self.parse)
            elif verdict == "section":
                sections.append(link)
            else:
                stats.inc_value(f"newscrawler/links/{verdict.replace(':', '/')}")
        # Sections near the root first (/politik/ before /politik/bundestag/), in page order.
        sections.sort(key=lambda link: urlsplit(link.url).path.rstrip("/").count("/"))
        for link in sections:
            if self.sections_followed >= self.sections_max:
                stats.inc_value("newscrawler/links/sections_over_bound")
                continue
            self.sections_followed += 1
            stats.inc_value("newscrawler/links/sections")
            yield Request(link.url, callback=self.parse, priority=SECTION_PRIORITY)

    def parse_feed(self, response: TextResponse, kind: str) -> Iterator[Request]:
        """RSS/Atom feeds and (news) sitemaps: every entry is a candidate article."""
        stats = self.crawler.stats
        stats.inc_value("newscrawler/pages/feed")
        _, entries = parse_entries(response.body, response.url)
        self._record_feed(response, kind=kind, entries=len(entries))
        for entry in entries:
            if entry.is_sitemap:
                yield response.follow(
                    entry.url, callback=self.parse, meta={"newscrawler_kind": "feed"}
                )
                continue
            when = to_date(entry.published) or date_in_url(entry.url) or to_date(entry.lastmod)
            if not self._in_range(when) or not self._on_site(entry.url):
                stats.inc_value("newscrawler/discovery/skipped_entries")
                continue
            stats.inc_value("newscrawler/discovery/entries")
            yield response.follow(
                entry.url,
                callback=self.parse,
                meta={"lastmod": entry.lastmod or entry.published, "discovery": _entry_meta(entry)},
            )

    def parse_robots(self, response: Response) -> Iterator[Request]:
        """robots.txt: its ``Sitemap:`` lines lead to sitemaps (Scrapy's robots check is separate)."""
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        for url in sitemaps_from_robots(response.text, response.url):
            yield Request(url, callback=self.parse, meta={"newscrawler_kind": "feed"})

    def _ignore_failure(self, failure: Any) -> None:
        self.logger.debug("optional request failed: %s", failure)

    def _archive(self) -> Any:
        extension = self.crawler.get_extension(ArchiveExtension)
        return extension.archive if extension is not None else None

    def _record_feed(self, response: Response, *, kind: str, entries: int | None) -> None:
        archive = self._archive()
        if archive is None:
            return
        headers = response.headers
        archive.record_feed_state(
            canonicalize_url(response.url),
            kind=kind,
            status=response.status,
            etag=_header(headers, b"ETag"),
            last_modified=_header(headers, b"Last-Modified"),
            entries=entries,
        )

    def _in_range(self, when: date | None) -> bool:
        """Inside ``since``/``until``? Unknown dates pass: the article's own date decides later."""
        if when is None:
            return True
        return not ((self.since and when < self.since) or (self.until and when > self.until))

    async def parse_article(self, response: TextResponse) -> AsyncIterator[Any]:
        """An article page: one item, and requests for its related articles.

        Extraction runs in the extraction pool (:mod:`newscrawler.workers.pool`) when there is one,
        so the reactor goes on downloading and parsing other pages meanwhile.
        """
        self._count_article(response)
        pool = self.crawler.get_extension(ExtractionPool)
        try:
            if pool is not None and pool.available:
                page = Page(response.url, response.status, response.body, response.encoding)
                result = await pool.extract(page, self.related_labels, self.selectors or None)
            else:
                start = time.thread_time()
                fields = self.extract_fields(response)
                result = JobResult(fields, {"extraction": time.thread_time() - start})
        except Exception:
            self._extraction_failed(response)
            return
        stats = self.crawler.stats
        seconds: Any = result.seconds  # Scrapy types inc_value's count as int; seconds add fine
        stats.inc_value("newscrawler/extract/cpu_seconds", seconds.get("extraction", 0.0))
        for stage, spent in seconds.items():  # what the worker did for the later stages
            if stage != "extraction":
                stats.inc_value(f"newscrawler/worker/{stage}/cpu_seconds", spent)
        for output in self.build_item(response, result.fields, worker=result.output):
            yield output

    def parse_article_sync(self, response: TextResponse) -> Iterator[Any]:
        """:meth:`parse_article` in this process, synchronously: what ``scrapy reextract`` runs."""
        self._count_article(response)
        try:
            fields = self.extract_fields(response)
        except Exception:
            self._extraction_failed(response)
            return
        yield from self.build_item(response, fields)

    def extract_fields(self, response: TextResponse) -> dict[str, Any] | None:
        """The extracted fields of an article page (in this process); ``None`` if it is not HTML."""
        return extract_article(
            response.text,
            response.url,
            related_labels=self.related_labels,
            selectors=self.selectors or None,
        )

    def _count_article(self, response: TextResponse) -> None:
        stats = self.crawler.stats
        stats.inc_value("newscrawler/pages/article")
        stats.inc_value(site_stat(response.url, "article_pages"))

    def _extraction_failed(self, response: TextResponse) -> None:
        # A page our extractor cannot handle must not end the crawl; count it, log the URL.
        stats = self.crawler.stats
        stats.inc_value("newscrawler/extract/errors")
        stats.inc_value(site_stat(response.url, "extract_failures"))
        self.logger.exception("extraction failed: %s", response.url)

    def build_item(
        self,
        response: TextResponse,
        extracted: dict[str, Any] | None,
        *,
        worker: WorkerOutput | None = None,
    ) -> Iterator[Any]:
        """The item of ``extracted`` fields and the requests for its related articles."""
        stats = self.crawler.stats
        if extracted is None:
            stats.inc_value("newscrawler/extract/not_html")
            self.logger.info("Not archived (not HTML, or no text to extract): %s", response.url)
            return
        fields = apply_fallbacks(
            extracted,
            discovery=response.meta.get("discovery"),
            profile_language=self.profile.language if self.profile else None,
        )
        published = fields["published_at"]
        if not self._in_range(to_date(published)):
            stats.inc_value("newscrawler/discovery/out_of_range")
            return
        related = web_links(fields.get("related") or [])
        if len(related) > self.related_max:  # one page must not take the whole run
            stats.inc_value("newscrawler/related/over_limit", len(related) - self.related_max)
            related = related[: self.related_max]
        item = ArticleItem(
            url=fields.get("url") or response.url,
            title=fields.get("title"),
            subtitle=fields.get("subtitle"),
            authors=fields["authors"],
            published_at=published,
            published_source=fields["published_source"],
            modified_at=fields.get("modified_at"),
            language=fields.get("language"),
            section=fields.get("section"),
            tags=fields["tags"],
            body=fields.get("body"),
            image=fields.get("image"),
            related=related_links(related),
            fetched_url=response.url,
            redirect_urls=list(response.meta.get("redirect_urls") or []),
            http_status=response.status,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            depth=response.meta.get("depth", 0),
            http_etag=_header(response.headers, b"ETag"),
            http_last_modified=_header(response.headers, b"Last-Modified"),
            worker=worker,  # for CleanPipeline, DedupPipeline and RawPagesMiddleware
        )
        stats.inc_value(site_stat(response.url, "items"))
        yield item
        for link in related:
            stats.inc_value("newscrawler/related/followed")
            yield response.follow(link["url"], callback=self.parse)


#: The spider's arguments (``-a NAME=VALUE``), for "did you mean" on a typo.
ARGUMENTS = (
    "start_urls", "site", "allowed_domains", "follow_offsite", "follow_listings", "sites_file",
    "since", "until", "discover", "urls_file", "fetch_only",
)  # fmt: skip


def _refuse_unknown_arguments(kwargs: dict[str, Any]) -> None:
    """A misspelt ``-a`` argument used to be ignored in silence: stop the run and say which."""
    unknown = sorted(name for name in kwargs if not name.startswith("_"))
    if not unknown:
        return
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, ARGUMENTS, n=1, cutoff=0.6)
        hints.append(f"-a {name}" + (f" (did you mean {close[0]}?)" if close else ""))
    raise ValueError(
        f"news spider: unknown argument {', '.join(hints)}; the arguments are {', '.join(ARGUMENTS)}"
    )


def _urls_from_file(path: str | None) -> list[str]:
    """Start URLs from a file, one a line; ``#`` starts a comment."""
    if not path:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(
            f"news spider: -a urls_file={path}: cannot read it ({exc.strerror})"
        ) from None
    return [
        line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()
    ]


def _split(value: str | list[str] | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [part.strip() for part in value if part and part.strip()]


def _flag(value: str | bool, name: str) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"news spider: -a {name}={value!r} is not a yes/no value (use 1 or 0)")


def _date_arg(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"news spider: -a {name}={value!r} is not a date (use YYYY-MM-DD)"
        ) from None


def looks_like_article_url(url: str) -> bool:
    """The generic dated/numbered article URL shape of :mod:`newscrawler.spiders.pagetypes`."""
    return bool(GENERIC_ARTICLE_URL.search(urlsplit(url).path))


def _site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _header(headers: Any, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None


def _may_be_xml(response: TextResponse) -> bool:
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return (
        "xml" in content_type
        or response.text[:100].lstrip().startswith("<?xml")
        or "html" not in content_type
    )


def _entry_meta(entry: Entry) -> dict[str, Any]:
    return {"published": entry.published, "title": entry.title, "keywords": entry.keywords}
