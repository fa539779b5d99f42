"""The article item: the one schema that the spider, the pipelines and the archive share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newscrawler.dedup.minhash import BodyDigest
    from newscrawler.extract.clean import CleanedBody
    from newscrawler.rawcodec import PackedPage

#: The one ArticleItem attribute that is not an article field (see :class:`WorkerOutput`).
WORKER_FIELD = "worker"


@dataclass
class WorkerOutput:
    """What an extraction worker did beside extracting, for the components that take it over.

    Each part is for one component, which takes it (and sets it to ``None``, so nothing large
    travels on) and uses it only if it was made of what the item still holds.
    """

    #: The body cleaning, for CleanPipeline.
    cleaned: CleanedBody | None = None
    #: The cleaned body's content hash and MinHash signature, for DedupPipeline.
    digest: BodyDigest | None = None
    #: The response packed for the raw-pages file, for RawPagesMiddleware.
    packed: PackedPage | None = None


@dataclass
class ArticleItem:
    """One article as extracted from one response.

    The fields are those of :mod:`newscrawler.fields` (``tests/test_fields.py`` holds them
    together): :func:`newscrawler.extract.extract_article`'s, then where and when the page
    was fetched, then what the pipelines fill. ``worker`` is not an article field: feed
    exports leave it out (``FEED_EXPORT_FIELDS``) and the archive never stores it.
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
    # What an extraction worker already did for later components (not exported, not stored).
    worker: WorkerOutput | None = field(default=None, repr=False, compare=False)
