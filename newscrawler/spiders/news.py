"""The ``news`` spider: generic article crawling, driven by optional site profiles.

    scrapy crawl news -a start_urls=https://example.org/,https://example.org/politik/
    scrapy crawl news -a site=tagesschau

Listing pages (home, sections, feeds, sitemaps) only lead to articles; article pages are
extracted with :func:`newscrawler.extract.extract_article` and lead on through their
related-articles block, up to ``DEPTH_LIMIT`` hops from a start page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.settings import BaseSettings
from scrapy.utils.sitemap import Sitemap

from newscrawler import __version__
from newscrawler.extract import extract_article
from newscrawler.extract.fingerprint import canonicalize_url
from newscrawler.items import ArticleItem
from newscrawler.sites import SiteProfile, SiteProfileError, load_profile

__all__ = ["NewsSpider", "looks_like_article"]

#: JSON-LD types that mean "this page is one article".
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
    }
)
# URL shapes of articles on sites without a profile: /2024/07/06/slug, /slug-123456.html, /article123.html
GENERIC_ARTICLE_URL = re.compile(
    r"/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/[^/?#]+|"
    r"[-_/](?:article|artikel|a)?\d{5,}(?:\.html?)?/?$|/[a-z0-9-]{20,}\.html?$",
    re.IGNORECASE,
)
_JSONLD_TYPE = re.compile(r'"@type"\s*:\s*(\[[^\]]*\]|"[^"]*")')
# Links no crawl should follow from a listing page: accounts, admin, feeds of comments, search.
_DENY = (
    r"/wp-admin/",
    r"/wp-login",
    r"/wp-json/",
    r"/xmlrpc\.php",
    r"/comments/feed/",
    r"[?&](?:replytocom|share|print)=",
    r"/(?:login|logout|anmelden|abmelden|register|registrieren|suche|search)(?:/|$|\?)",
    r"/(?:impressum|datenschutz|kontakt|agb|privacy|imprint|contact|about)(?:/|$)",
)
_DENY_EXTENSIONS = [
    "7z", "avi", "bmp", "css", "doc", "docx", "exe", "gif", "gz", "ico", "jpeg", "jpg", "js",
    "m4a", "mov", "mp3", "mp4", "pdf", "png", "ppt", "pptx", "rar", "svg", "tar", "tif",
    "tiff", "wav", "webm", "webp", "xls", "xlsx", "zip",
]  # fmt: skip


def looks_like_article(response: TextResponse, profile: SiteProfile | None = None) -> bool:
    """Is this page one article (rather than a listing, a section or an imprint)?

    A profile's ``article_pattern`` decides alone when given. Otherwise: JSON-LD of an
    article type, ``og:type=article``, or a dated/numbered article URL shape — and never a
    page that calls itself ``og:type=website`` without article structured data.
    """
    path = urlsplit(response.url).path
    if profile is not None and profile.article_pattern is not None:
        return bool(profile.article_pattern.search(path))
    types: set[str] = set()
    for script in response.xpath('//script[@type="application/ld+json"]/text()').getall():
        for match in _JSONLD_TYPE.finditer(script):
            raw = match.group(1)
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            types.update(value if isinstance(value, list) else [value])
    if types & ARTICLE_TYPES:
        return True
    og_type = (response.xpath('//meta[@property="og:type"]/@content').get() or "").strip().lower()
    if og_type == "article":
        return True
    if og_type in {"website", "profile", "video.other", "product"}:
        return False
    return bool(GENERIC_ARTICLE_URL.search(path))


class NewsSpider(Spider):
    """Crawl news sites: listings lead to articles, articles lead to their related articles.

    Arguments (``-a NAME=VALUE``):

    - ``start_urls``: comma-separated home, section, feed, sitemap or article URLs;
    - ``site``: a profile name from ``sites.toml`` (SITES_FILE); ``start_urls`` overrides its URLs;
    - ``allowed_domains``: comma-separated hosts to stay on (default: the start URLs' hosts);
    - ``follow_offsite``: ``1`` to follow related links to other sites too;
    - ``follow_listings``: ``0`` to archive only the start pages and their related articles.
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
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.crawl_args: dict[str, Any] = {
            key: value
            for key, value in {
                "start_urls": start_urls,
                "site": site,
                "allowed_domains": allowed_domains,
                "follow_offsite": follow_offsite,
                "follow_listings": follow_listings,
            }.items()
            if value not in (None, "")
        }
        self._sites_file = sites_file
        self._site = site
        self.profile: SiteProfile | None = None
        self.start_urls = _split(start_urls)
        self.follow_offsite = _flag(follow_offsite, "follow_offsite")
        self.follow_listings = _flag(follow_listings, "follow_listings")
        self._allowed_arg = _split(allowed_domains)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # A descriptive User-Agent with a contact URL, unless the operator set their own.
        user_agent = settings.get("USER_AGENT") or ""
        if not user_agent or user_agent.startswith("Scrapy/"):
            contact = settings.get("CONTACT_URL") or "https://github.com/newscrawler/newscrawler"
            settings.set(
                "USER_AGENT", f"newscrawler/{__version__} (+{contact})", priority="spider"
            )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure(crawler.settings)
        return spider

    def _configure(self, settings: BaseSettings) -> None:
        """Resolve the profile and the start URLs; fail early with a message that says what to pass."""
        if self._site:
            try:
                self.profile = load_profile(self._site, self._sites_file or settings.get("SITES_FILE"))
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
        labels = settings.getlist("RELATED_LABELS")
        self.related_labels: list[str] | None = (
            list(self.profile.related_labels) if self.profile and self.profile.related_labels else labels or None
        )
        self.selectors = dict(self.profile.selectors) if self.profile else {}
        if self._allowed_arg:
            domains = self._allowed_arg
        elif self.profile and self.profile.allowed_domains:
            domains = list(self.profile.allowed_domains)
        else:
            domains = sorted({urlsplit(url).hostname or "" for url in self.start_urls})
        # Scrapy's OffsiteMiddleware reads allowed_domains; without it every host is allowed.
        if not self.follow_offsite:
            self.allowed_domains = domains
        self.domains = [] if self.follow_offsite else [d.lower().lstrip(".") for d in domains]
        self.listing_links = LinkExtractor(
            deny=_DENY,
            deny_extensions=_DENY_EXTENSIONS,
            unique=True,
        )

    async def start(self) -> Any:
        for url in self.start_urls:
            yield Request(url, callback=self.parse, dont_filter=True)

    def _on_site(self, url: str) -> bool:
        """Is ``url`` on one of the crawl's hosts (subdomains included)? Always, with follow_offsite."""
        if not self.domains:
            return True
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    # -- callbacks --------------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Any page: a feed or sitemap, an article, or a listing that leads to articles."""
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("newscrawler/pages/not_text")
            return
        if _is_xml_feed_or_sitemap(response):
            yield from self.parse_feed(response)
        elif looks_like_article(response, self.profile):
            yield from self.parse_article(response)
        else:
            yield from self.parse_listing(response)

    def parse_listing(self, response: TextResponse) -> Iterator[Request]:
        """Home, section, paging and tag pages: follow links on the site."""
        self.crawler.stats.inc_value("newscrawler/pages/listing")
        if not self.follow_listings and response.meta.get("depth", 0) > 0:
            return
        for link in self.listing_links.extract_links(response):
            if self._on_site(link.url):
                yield response.follow(link.url, callback=self.parse)

    def parse_feed(self, response: TextResponse) -> Iterator[Request]:
        """RSS/Atom feeds and (news) sitemaps: every entry is a candidate article."""
        self.crawler.stats.inc_value("newscrawler/pages/feed")
        for url in _feed_urls(response):
            yield response.follow(url, callback=self.parse)

    def parse_article(self, response: TextResponse) -> Iterator[Any]:
        """An article page: one item, and requests for its related articles."""
        stats = self.crawler.stats
        stats.inc_value("newscrawler/pages/article")
        try:
            fields = extract_article(
                response.text,
                response.url,
                related_labels=self.related_labels,
                selectors=self.selectors or None,
            )
        except Exception:
            # A page our extractor cannot handle must not end the crawl; count it, log the URL.
            stats.inc_value("newscrawler/extract/errors")
            self.logger.exception("extraction failed: %s", response.url)
            return
        if fields is None:
            stats.inc_value("newscrawler/extract/not_html")
            return
        related = [
            link
            for link in fields.get("related") or []
            if urlsplit(link.get("url", "")).scheme in ("http", "https")
        ]
        item = ArticleItem(
            url=fields.get("url") or response.url,
            title=fields.get("title"),
            subtitle=fields.get("subtitle"),
            authors=list(fields.get("authors") or []),
            published_at=fields.get("published_at"),
            modified_at=fields.get("modified_at"),
            language=fields.get("language") or (self.profile.language if self.profile else None),
            section=fields.get("section"),
            tags=list(fields.get("tags") or []),
            body=fields.get("body"),
            image=fields.get("image"),
            related=[{"url": canonicalize_url(link["url"]), "title": link.get("title")} for link in related],
            fetched_url=response.url,
            redirect_urls=list(response.meta.get("redirect_urls") or []),
            http_status=response.status,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            depth=response.meta.get("depth", 0),
        )
        yield item
        for link in related:
            stats.inc_value("newscrawler/related/followed")
            yield response.follow(link["url"], callback=self.parse)


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


def _is_xml_feed_or_sitemap(response: TextResponse) -> bool:
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    head = response.text[:500].lstrip().lower()
    if "html" in content_type and not head.startswith("<?xml"):
        return False
    return any(tag in head for tag in ("<rss", "<feed", "<urlset", "<sitemapindex", "<rdf:rdf"))


def _feed_urls(response: TextResponse) -> list[str]:
    """Entry URLs of an RSS/Atom feed, or page and child-sitemap URLs of a sitemap."""
    head = response.text[:500].lower()
    if "<urlset" in head or "<sitemapindex" in head:
        sitemap = Sitemap(response.body)
        return [entry["loc"] for entry in sitemap if entry.get("loc")]
    selector = response.selector
    selector.remove_namespaces()
    urls = selector.xpath("//item/link/text()").getall()
    urls += selector.xpath("//entry/link[not(@rel) or @rel='alternate']/@href").getall()
    return [url.strip() for url in urls if url.strip()]
