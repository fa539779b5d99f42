"""The article field vocabulary, written once: every field, its type, its missing value, who decides it.

:func:`newscrawler.extract.extract_article` returns the ``extract`` fields, the spider adds the
``crawl`` ones, the components named in ``stage`` fill the rest, and the archive stores the
``column`` ones in ``articles``. :class:`newscrawler.items.ArticleItem` and the archive's
columns are held against this table by ``tests/test_fields.py``; ``docs/fields.md`` shows it.

:func:`apply_fallbacks` is the one place where what the page did not say is filled from what
the crawl knew beside it (the feed or sitemap entry that led to the page, the site profile).
Pure: no Scrapy, no archive, no extraction imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COLUMN_FIELDS",
    "EXTRACTED_FIELDS",
    "FIELDS",
    "ITEM_FIELDS",
    "Field",
    "apply_fallbacks",
]


@dataclass(frozen=True)
class Field:
    """One article field."""

    name: str
    #: The Python type of a present value (``str``, ``list[str]``, …), as written in ArticleItem.
    type: str
    #: What "missing" looks like: ``None``, or ``[]`` for lists (never ``None``), ``0`` for depth.
    missing: Any
    #: Who decides it: ``extract`` (extract_article, after which apply_fallbacks may fill it),
    #: ``crawl`` (the spider, from the response), or the component that sets it.
    stage: str
    #: Stored as a column of the ``articles`` table (else elsewhere, or not at all).
    column: bool
    #: Carried by ArticleItem (``extractor_version`` is the archive pipeline's own).
    item: bool = True
    doc: str = ""


FIELDS: tuple[Field, ...] = (
    Field("url", "str", None, "extract", True, doc="canonical URL (link rel=canonical, og:url, else the fetched URL); canonicalised by DedupPipeline"),
    Field("title", "str", None, "extract", True, doc="visible headline; the feed entry's title when the page has none"),
    Field("subtitle", "str", None, "extract", True, doc="lead / standfirst"),
    Field("authors", "list[str]", [], "extract", True, doc="person names, cleaned and de-duplicated (JSON list in the archive)"),
    Field("published_at", "str", None, "extract", True, doc="ISO 8601 as the page states it; the feed or sitemap date when the page has none"),
    Field("published_source", "str", None, "extract", True, doc="where published_at came from: json-ld, meta, microdata, time, htmldate, feed (url in the archive's derived columns)"),
    Field("modified_at", "str", None, "extract", True, doc="ISO 8601 last modification the page states"),
    Field("language", "str", None, "extract", True, doc="primary language subtag; the site profile's language when the page has none"),
    Field("section", "str", None, "extract", True, doc="section / category the page states"),
    Field("tags", "list[str]", [], "extract", True, doc="keywords; the news sitemap's keywords when the page has none (JSON list)"),
    Field("body", "str", None, "extract", True, doc="article text, paragraphs separated by a blank line; cleaned by CleanPipeline"),
    Field("image", "str", None, "extract", True, doc="lead image URL"),
    Field("related", "list[dict[str, Any]]", [], "extract", False, doc="the related-articles block: {url, title} each; stored in related_links"),
    Field("fetched_url", "str", None, "crawl", True, doc="the URL the response came from"),
    Field("redirect_urls", "list[str]", [], "crawl", False, doc="earlier URLs of the request when the site redirected; stored as aliases"),
    Field("http_status", "int", None, "crawl", True, doc="HTTP status of the response"),
    Field("fetched_at", "str", None, "crawl", False, doc="UTC time of the fetch (the archive keeps first_seen_at / last_seen_at)"),
    Field("depth", "int", 0, "crawl", False, doc="hops from a start page"),
    Field("http_etag", "str", None, "crawl", True, doc="ETag, for conditional re-checks"),
    Field("http_last_modified", "str", None, "crawl", True, doc="Last-Modified, for conditional re-checks"),
    Field("raw_page_id", "int", None, "RawPagesMiddleware", True, doc="id of the stored raw response (provenance)"),
    Field("site", "str", None, "DedupPipeline", True, doc="host without www."),
    Field("source_attribution", "str", None, "CleanPipeline", True, doc="agency or outlet the text credits (\"berichtet UNIAN\")"),
    Field("word_count", "int", None, "CleanPipeline", True, doc="words in the cleaned body"),
    Field("content_hash", "str", None, "DedupPipeline", True, doc="SHA-256 of the normalised body: exact copies"),
    Field("duplicate_of", "int", None, "ArchivePipeline", True, doc="id of the first copy (resolved from duplicate_of_url on write)"),
    Field("duplicate_of_url", "str", None, "DedupPipeline", False, doc="URL of the first copy of this text"),
    Field("similarity", "float", None, "DedupPipeline", True, doc="share of the shorter text found in the first copy (1.0 exact)"),
    Field("paywalled", "bool", None, "PageSignalsMiddleware", False, doc="the page declares itself paywalled (JSON-LD isAccessibleForFree: false)"),
    Field("extractor_version", "str", None, "ArchivePipeline", True, item=False, doc="newscrawler version that extracted the stored fields"),
)  # fmt: skip

#: The keys of :func:`newscrawler.extract.extract_article`'s result.
EXTRACTED_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.stage == "extract")
#: The fields of :class:`newscrawler.items.ArticleItem`.
ITEM_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.item)
#: The ``articles`` columns an article record fills.
COLUMN_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.column)


def apply_fallbacks(
    fields: Mapping[str, Any],
    *,
    discovery: Mapping[str, Any] | None = None,
    profile_language: str | None = None,
) -> dict[str, Any]:
    """``fields`` of :func:`extract_article`, with what the page left out filled from beside it.

    ``discovery`` is what the feed or sitemap entry that led to the page said (``published``,
    ``title``, ``keywords``); ``profile_language`` the site profile's language. The page's own
    values always win. The spider and ``scrapy reextract`` both call this, so a re-extraction
    decides the same way the crawl did. (A date in the URL is not a publication time: the
    archive derives ``published_day`` from it, with ``published_source = 'url'``, and leaves
    ``published_at`` empty.)
    """
    found = discovery or {}
    result = dict(fields)
    if result.get("published_at"):
        result["published_source"] = result.get("published_source")
    elif found.get("published"):
        result["published_at"] = found["published"]
        result["published_source"] = "feed"
    else:
        result["published_at"] = None
        result["published_source"] = None
    result["title"] = result.get("title") or found.get("title")
    result["language"] = result.get("language") or profile_language
    result["tags"] = list(result.get("tags") or found.get("keywords") or [])
    result["authors"] = list(result.get("authors") or [])
    return result
