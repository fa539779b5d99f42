"""What kind of page a response is: an article, or a page that only leads to articles.

The spider asks :func:`looks_like_article`; the link-following constants live here too, so the
rules about pages are in one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape as html_unescape
from urllib.parse import urlsplit

from scrapy.http import TextResponse

from newscrawler.sites import SiteProfile

__all__ = [
    "ARTICLE_TYPES",
    "DENY_EXTENSIONS",
    "DENY_PATTERNS",
    "FEED_LINKS",
    "GENERIC_ARTICLE_URL",
    "looks_like_article",
]

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
# Links no crawl should follow from a listing page: accounts, admin, feeds of comments, search.
DENY_PATTERNS = (
    r"/wp-admin/",
    r"/wp-login",
    r"/wp-json/",
    r"/xmlrpc\.php",
    r"/comments/feed/",
    r"[?&](?:replytocom|share|print)=",
    r"/(?:login|logout|anmelden|abmelden|register|registrieren|suche|search)(?:/|$|\?)",
    r"/(?:impressum|datenschutz|kontakt|agb|privacy|imprint|contact|about)(?:/|$)",
)
DENY_EXTENSIONS = [
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
