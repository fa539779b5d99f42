"""The article item: the one schema that the spider, the pipelines and the archive share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Attribute under which an item may carry the body cleaning an extraction worker already did
#: (a :class:`newscrawler.extract.clean.CleanedBody`). Not a field, so feed exports never see
#: it; CleanPipeline takes it off the item.
PRECLEANED = "_newscrawler_precleaned"
#: Likewise for the worker's :class:`newscrawler.dedup.minhash.BodyDigest` of the cleaned
#: body (content hash and MinHash signature), for DedupPipeline.
PREDIGESTED = "_newscrawler_predigested"
#: And for the response packed for the raw-pages file (a :class:`newscrawler.rawcodec.PackedPage`),
#: for RawPagesMiddleware.
PREPACKED = "_newscrawler_prepacked"


def take_from_worker(item: Any, name: str) -> Any:
    """Pop what a worker attached under ``name`` (an attribute, or a key of a dict item); ``None``."""
    holder = item if isinstance(item, dict) else getattr(item, "__dict__", {})
    return holder.pop(name, None)


@dataclass
class ArticleItem:
    """One article as extracted from one response.

    Field names follow :func:`newscrawler.extract.extract_article`; the crawl adds where and
    when the page was fetched, and the pipelines fill ``site``, ``content_hash``,
    ``word_count`` and ``source_attribution``.
    """

    url: str
    title: str | None = None
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    # Where the date came from: json-ld, meta, microdata, time, htmldate (extraction) or feed.
    published_source: str | None = None
    modified_at: str | None = None
    language: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    body: str | None = None
    image: str | None = None
    related: list[dict[str, Any]] = field(default_factory=list)
    # Where the page came from.
    fetched_url: str | None = None
    # Earlier URLs of the request when the site redirected (Scrapy's redirect_urls).
    redirect_urls: list[str] = field(default_factory=list)
    http_status: int | None = None
    fetched_at: str | None = None
    depth: int = 0
    # HTTP validators, for conditional re-checks of this article.
    http_etag: str | None = None
    http_last_modified: str | None = None
    # Id of the stored raw response this item came from (provenance; set by the raw-page store).
    raw_page_id: int | None = None
    # Filled by the pipelines.
    site: str | None = None
    source_attribution: str | None = None
    word_count: int | None = None
    content_hash: str | None = None
    duplicate_of: int | None = None
    # URL of the first copy when this article is a copy of another (resolved to an id on write).
    duplicate_of_url: str | None = None
    similarity: float | None = None
    # The page declares itself paywalled (JSON-LD isAccessibleForFree: false); set by
    # newscrawler.middlewares.PageSignalsMiddleware, read by the page-quality check.
    paywalled: bool | None = None
