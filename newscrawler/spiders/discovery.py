"""Article discovery from feeds and sitemaps, keeping the metadata Scrapy's own parser drops.

Scrapy's ``Sitemap`` keeps ``loc`` and ``lastmod`` only; Google News sitemaps also state the
publication date, title and keywords (``news:`` namespace), RSS and Atom a date and a title.
We keep them as fallbacks for the article and for "changed since" decisions. No Scrapy here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree

from newscrawler.urls import date_in_url

__all__ = [
    "Entry",
    "FeedKind",
    "date_in_url",
    "feed_kind",
    "parse_entries",
    "sitemaps_from_robots",
    "to_date",
]

FeedKind = str  # "rss", "atom", "urlset", "sitemapindex" or ""

_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


@dataclass
class Entry:
    """One URL a feed or sitemap points at, with what it says about it."""

    url: str
    lastmod: str | None = None  # ISO 8601: sitemap lastmod, Atom updated
    published: str | None = None  # ISO 8601: news:publication_date, pubDate, Atom published
    title: str | None = None
    keywords: list[str] = field(default_factory=list)
    is_sitemap: bool = False  # a child sitemap of a sitemap index


def feed_kind(head: str) -> FeedKind:
    """What kind of XML document starts with ``head`` (the first few hundred characters)."""
    lowered = head.lower()
    for tag, kind in (("<sitemapindex", "sitemapindex"), ("<urlset", "urlset"), ("<rss", "rss"),
                      ("<rdf:rdf", "rss"), ("<feed", "atom")):  # fmt: skip
        if tag in lowered:
            return kind
    return ""


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _iso(value: str | None) -> str | None:
    """ISO 8601 from the date formats feeds use (W3C datetime, RFC 822); ``None`` if unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed.isoformat()


def _children(element: etree._Element) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for child in element.iter():
        name = _local(child.tag)
        if name and name not in found:
            found[name] = child
    return found


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def parse_entries(body: bytes, base_url: str) -> tuple[FeedKind, list[Entry]]:
    """The entries of an RSS/Atom feed, a sitemap or a sitemap index (absolute URLs)."""
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError:
        return "", []
    if root is None:
        return "", []
    kind = _local(root.tag)
    entries: list[Entry] = []
    if kind in ("urlset", "sitemapindex"):
        for node in root:
            if _local(node.tag) not in ("url", "sitemap"):
                continue
            fields = _children(node)
            loc = _text(fields.get("loc"))
            if not loc:
                continue
            keywords = _text(fields.get("keywords"))
            entries.append(
                Entry(
                    url=urljoin(base_url, loc),
                    lastmod=_iso(_text(fields.get("lastmod"))),
                    published=_iso(_text(fields.get("publication_date"))),
                    title=_text(fields.get("title")),
                    keywords=[k.strip() for k in keywords.split(",") if k.strip()]
                    if keywords
                    else [],
                    is_sitemap=kind == "sitemapindex",
                )
            )
        return kind, entries
    if kind in ("rss", "rdf"):
        for node in root.iter():
            if _local(node.tag) != "item":
                continue
            fields = _children(node)
            link = _text(fields.get("link")) or (
                fields["link"].get("href") if "link" in fields else None
            )
            if not link:
                continue
            entries.append(
                Entry(
                    url=urljoin(base_url, link),
                    published=_iso(_text(fields.get("pubdate")) or _text(fields.get("date"))),
                    title=_text(fields.get("title")),
                    keywords=[
                        _text(c) or "" for c in node if _local(c.tag) == "category" and _text(c)
                    ],
                )
            )
        return "rss", entries
    if kind == "feed":
        for node in root:
            if _local(node.tag) != "entry":
                continue
            links = [
                c
                for c in node
                if _local(c.tag) == "link" and c.get("rel", "alternate") == "alternate"
            ]
            if not links or not links[0].get("href"):
                continue
            fields = _children(node)
            entries.append(
                Entry(
                    url=urljoin(base_url, links[0].get("href", "")),
                    lastmod=_iso(_text(fields.get("updated"))),
                    published=_iso(_text(fields.get("published"))),
                    title=_text(fields.get("title")),
                )
            )
        return "atom", entries
    return "", []


def sitemaps_from_robots(text: str, base_url: str) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, absolute."""
    urls = []
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "sitemap" and value.strip():
            urls.append(urljoin(base_url, value.strip()))
    return urls


def to_date(value: str | None) -> date | None:
    """The calendar date of an ISO 8601 string (in its own offset), or ``None``."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return parsed.date() if parsed.tzinfo else parsed.replace(tzinfo=UTC).date()
