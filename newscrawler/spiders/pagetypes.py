"""What kind of page a response is: an article, or a listing that only leads to articles.

The spider asks :func:`page_kind`, which weighs evidence (:class:`PageEvidence`): a site's root,
a JSON-LD ``ItemList`` or many ``Article`` items, or dozens of teasers make a listing whatever
one meta tag says; an article needs agreeing signals. :func:`looks_like_article` is one of
them: what the page declares about itself (structured data, ``og:type``) and its URL shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape as html_unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import TextResponse

from newscrawler.sites import SiteProfile
from newscrawler.spiders.links import DENY_EXTENSIONS, DENY_PATTERNS, article_url_shape

__all__ = [
    "ARTICLE_TYPES",
    "DENY_EXTENSIONS",
    "DENY_PATTERNS",
    "FEED_LINKS",
    "GENERIC_ARTICLE_URL",
    "LISTING_TYPES",
    "MANY_TEASERS",
    "PageEvidence",
    "decide_kind",
    "looks_like_article",
    "page_evidence",
    "page_kind",
]

#: JSON-LD types of a page that lists others.
LISTING_TYPES = frozenset({"ItemList", "CollectionPage", "SearchResultsPage", "Blog"})
#: A page with this many teasers (``<article>`` blocks, headings that link) is a listing,
#: unless its own structured data says it is one article (article pages carry related teasers).
MANY_TEASERS = 30
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
# <link rel="alternate"> to the site's RSS or Atom feed, not to a comments feed.
FEED_LINKS = (
    '//link[@rel="alternate"][contains(@type, "rss") or contains(@type, "atom")]'
    '[not(contains(@href, "comments"))]/@href'
)
_JSONLD_TYPE = re.compile(r'"@type"\s*:\s*(\[[^\]]*\]|"[^"]*")')
_SCRIPT_TAG = re.compile(
    r"""<script\b[^>]*\btype\s*=\s*["']?application/ld\+json["'\s>]""", re.IGNORECASE
)
_OG_TYPE_META = re.compile(
    r"""<meta\b(?=[^>]*\b(?:property|name)\s*=\s*["']?og:type["'\s/>])"""
    r"""[^>]*\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
    re.IGNORECASE,
)


def looks_like_article(response: TextResponse, profile: SiteProfile | None = None) -> bool:
    """Is this page one article (rather than a listing, a section or an imprint)?

    A profile's ``article_pattern`` decides alone when given. Otherwise: JSON-LD of an
    article type, ``og:type=article``, or a dated/numbered article URL shape — and never a
    page that calls itself ``og:type=website`` without article structured data.
    """
    path = urlsplit(response.url).path
    if profile is not None and profile.article_pattern is not None:
        return bool(profile.article_pattern.search(path))
    html = response.text
    types: set[str] = set()
    for script in _json_ld_scripts(html):
        for match in _JSONLD_TYPE.finditer(script):
            raw = match.group(1)
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            types.update(value if isinstance(value, list) else [value])
    if types & ARTICLE_TYPES:
        return True
    og_type = (_og_type(html) or "").strip().lower()
    if og_type == "article":
        return True
    if og_type in {"website", "profile", "video.other", "product"}:
        return False
    return bool(GENERIC_ARTICLE_URL.search(path))


# The two questions above are asked of every page on the reactor thread, before extraction
# (which parses the page in a worker process). Parsing 80 KB into a DOM here would cost the
# reactor about a millisecond per page; finding the few tags by substring costs a few µs.


def _enclosing_tag(html: str, index: int) -> tuple[int, int]:
    """Start and end (after ``>``) of the tag around ``index``; ``(-1, -1)`` when not in a tag."""
    start, end = html.rfind("<", 0, index), html.find(">", index)
    if start < 0 or end < 0 or html.rfind(">", start, index) >= 0:
        return -1, -1
    return start, end + 1


def _json_ld_scripts(html: str) -> Iterator[str]:
    """The text of every ``<script type="application/ld+json">``."""
    position = 0
    while (found := html.find("application/ld+json", position)) >= 0:
        start, end = _enclosing_tag(html, found)
        position = found + 1
        if start < 0 or not _SCRIPT_TAG.match(html, start, end):
            continue
        close = html.find("</script", end)
        if close < 0:
            close = html.lower().find("</script", end)
        close = len(html) if close < 0 else close
        yield html[end:close]
        position = close


def _og_type(html: str) -> str | None:
    """The ``content`` of the first ``<meta property="og:type">``."""
    position = 0
    while (found := html.find("og:type", position)) >= 0:
        start, end = _enclosing_tag(html, found)
        position = found + 1
        if start >= 0 and (tag := _OG_TYPE_META.match(html, start, end)):
            return html_unescape(next(value for value in tag.groups() if value is not None))
    return None


# -- page kind from evidence -------------------------------------------------------------------

_NOT_ARTICLE_OG = frozenset({"website", "profile", "video.other", "product"})
_NESTING_KEYS = frozenset({"itemListElement", "hasPart", "item", "about", "mentions", "relatedLink",
                           "significantLink", "isPartOf", "subjectOf", "workExample"})  # fmt: skip
_ARTICLE_TAG = re.compile(r"<article\b", re.IGNORECASE)
# Headings, and the link inside (or around) one: a teaser's headline.
_HEADING = re.compile(r"<h[1-6]\b", re.IGNORECASE)
_LINK_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_HEADING_WINDOW = 600
_H1 = re.compile(r"<h1\b", re.IGNORECASE)
_CANONICAL = re.compile(
    r"""<link\b(?=[^>]*\brel\s*=\s*["']?canonical["'\s/>])[^>]*\bhref\s*=\s*["']?([^"'\s>]+)""",
    re.IGNORECASE,
)
_ROOT_PATHS = re.compile(
    r"^/?(?:(?:index|home|default|start|startseite)(?:\.\w+)?)?$", re.IGNORECASE
)


@dataclass(frozen=True)
class PageEvidence:
    """What a page shows about its kind; :func:`decide_kind` weighs it."""

    site_root: bool = False  # the path is "/" (or /index.html, /startseite)
    og_type: str = ""
    url_shape: bool = False  # a dated or numbered article URL
    own_article_data: bool = False  # JSON-LD of an article type about this very page
    article_items: int = 0  # JSON-LD article objects about other pages (teasers)
    listing_data: bool = False  # JSON-LD ItemList/CollectionPage as the page's own type
    headlines: int = 0  # <h1> elements
    teasers: int = 0  # <article> blocks plus distinct links in or around headings


def page_evidence(html: str, url: str, base_url: str | None = None) -> PageEvidence:
    """Collect :class:`PageEvidence` from the page's text, without building a DOM."""
    path = urlsplit(url).path
    own_paths = {_norm_path(path)}
    if base_url:
        own_paths.add(_norm_path(urlsplit(base_url).path))
    if canonical := _CANONICAL.search(html):
        own_paths.add(_norm_path(urlsplit(urljoin(url, html_unescape(canonical.group(1)))).path))
    own, items, listing = _json_ld_evidence(html, url, own_paths)
    teasers = len(_ARTICLE_TAG.findall(html)) + _heading_links(html)
    return PageEvidence(
        site_root=bool(_ROOT_PATHS.match(path)),
        og_type=(_og_type(html) or "").strip().lower(),
        url_shape=bool(GENERIC_ARTICLE_URL.search(path)) or article_url_shape(url),
        own_article_data=own,
        article_items=items,
        listing_data=listing,
        headlines=len(_H1.findall(html)),
        teasers=teasers,
    )


def decide_kind(evidence: PageEvidence) -> tuple[str, str]:
    """``("article" | "listing", why)``: a root or a page of teasers is a listing; an article
    needs its own structured data, or ``og:type=article`` with its URL shape or one headline, or
    its URL shape with nothing against it."""
    e = evidence
    if e.site_root:
        return "listing", "the site's root"
    if e.own_article_data:
        return "article", "its own article structured data"
    if e.listing_data or e.article_items >= 3:
        return "listing", f"structured data lists {e.article_items} articles"
    if e.og_type == "article" and e.url_shape:
        return "article", "og:type=article and an article URL"
    if e.teasers >= MANY_TEASERS:
        return "listing", f"{e.teasers} teasers"
    if e.og_type in _NOT_ARTICLE_OG:
        return "listing", f"og:type={e.og_type}"
    if e.og_type == "article":
        if e.headlines:
            return "article", "og:type=article and a headline"
        return "listing", "og:type=article alone"
    if e.url_shape:
        return "article", "an article URL"
    return "listing", "no article signal"


def page_kind(response: TextResponse, profile: SiteProfile | None = None) -> tuple[str, str]:
    """``("article" | "listing", why)`` for a response; a profile's ``article_pattern`` decides alone."""
    if profile is not None and profile.article_pattern is not None:
        matched = bool(profile.article_pattern.search(urlsplit(response.url).path))
        return ("article" if matched else "listing"), "the profile's article_pattern"
    base = _base_href(response.text)
    return decide_kind(page_evidence(response.text, response.url, base))


def _heading_links(html: str) -> int:
    """Distinct link targets in a heading, or in a link that wraps one (searched near each heading)."""
    targets: set[str] = set()
    for heading in _HEADING.finditer(html):
        start = heading.end()
        window = html[start : start + _HEADING_WINDOW]
        close = window.find("</h")
        if close < 0:
            close = window.find("</H")
        inside = window if close < 0 else window[:close]
        if link := _LINK_HREF.search(inside):
            targets.add(link.group(1))
            continue
        before = html[max(0, heading.start() - _HEADING_WINDOW) : heading.start()]
        opened = max(before.rfind("<a "), before.rfind("<A "))
        if (
            opened >= 0
            and "</a" not in before[opened:].lower()
            and (link := _LINK_HREF.match(before, opened))
        ):
            targets.add(link.group(1))
    return len(targets)


def _base_href(html: str) -> str | None:
    match = re.search(r"""<base\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)""", html[:8192], re.IGNORECASE)
    return html_unescape(match.group(1)) if match else None


def _norm_path(path: str) -> str:
    return path.rstrip("/").lower() or "/"


def _json_ld_evidence(html: str, url: str, own_paths: set[str]) -> tuple[bool, int, bool]:
    """(an article object about this page, article objects about other pages, a listing type)."""
    own = False
    others: set[str] = set()
    unnamed_top = 0
    listing = False
    for script in _json_ld_scripts(html):
        try:
            data = json.loads(script.strip().removeprefix("<![CDATA[").removesuffix("]]>"))
        except ValueError:
            continue
        stack: list[tuple[Any, bool]] = [(data, True)]
        while stack:
            node, top = stack.pop()
            if isinstance(node, list):
                stack.extend((item, top) for item in node)
                continue
            if not isinstance(node, dict):
                continue
            kind = node.get("@type")
            kinds = set(kind if isinstance(kind, list) else [kind]) - {None}
            kinds = {k for k in kinds if isinstance(k, str)}
            if top and kinds & LISTING_TYPES:
                listing = True
            if kinds & ARTICLE_TYPES:
                target = _node_url(node)
                if target is None:
                    unnamed_top += top
                elif _norm_path(urlsplit(urljoin(url, target)).path) in own_paths:
                    own = True
                else:
                    others.add(target)
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append((value, top and key == "@graph"))
    if not own and 0 < unnamed_top + len(others) < 3:
        own = True  # one or two article objects that name another URL: canonical, AMP, syndication
        others.clear()
    return own, len(others), listing


def _node_url(node: dict[str, Any]) -> str | None:
    for key in ("url", "mainEntityOfPage", "@id"):
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, list) and value and isinstance(value[0], str):
            value = value[0]
        if isinstance(value, str) and value and not value.startswith("#"):
            return value.split("#")[0] or None
    return None
