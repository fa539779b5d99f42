"""One article record through the crawl's clean and validate stages, as pure functions.

The item pipelines (:class:`~newscrawler.pipelines.CleanPipeline`,
:class:`~newscrawler.pipelines.ValidatePipeline`) and ``scrapy reextract`` both run these, so a
re-extraction decides exactly as the crawl did. No Scrapy here: a record is a plain mapping of
the fields in :mod:`newscrawler.fields`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from newscrawler.dedup.hashing import content_hash
from newscrawler.extract import extract_article
from newscrawler.extract.boilerplate import INSERT_MARKERS, TAIL_MARKERS
from newscrawler.extract.clean import CleanedBody, clean_body
from newscrawler.extract.quality import page_problem, paywall_declared
from newscrawler.extract.text import repair_line
from newscrawler.fields import apply_fallbacks
from newscrawler.sites import SiteProfile
from newscrawler.urls import canonicalize_url

__all__ = [
    "QUALITY_REASONS",
    "Problem",
    "cleaned_fields",
    "find_problem",
    "related_links",
    "web_links",
]

#: Fields whose one line of text is repaired like the body (mojibake, stray spaces).
_LINE_FIELDS = ("title", "subtitle", "section")
_LIST_FIELDS = ("authors", "tags")


def web_links(links: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The related links that lead to web pages (http or https), as the page wrote them."""
    return [
        link for link in links if urlsplit(str(link.get("url", ""))).scheme in ("http", "https")
    ]


def related_links(links: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The related links an article record keeps: web links, canonical URLs, anchor texts."""
    return [
        {"url": canonicalize_url(str(link["url"])), "title": link.get("title")}
        for link in web_links(links)
    ]


def cleaned_fields(record: Mapping[str, Any], cleaned: CleanedBody) -> dict[str, Any]:
    """The fields cleaning sets: the cleaned body and its measures, repaired lines and lists.

    Only fields the record has are returned (a dict item may lack some), besides the body's.
    """
    changes: dict[str, Any] = {
        "body": cleaned.body,
        "source_attribution": cleaned.source_attribution,
        "word_count": cleaned.word_count,
    }
    for name in _LINE_FIELDS:
        if name in record:
            changes[name] = repair_line(record.get(name))
    for name in _LIST_FIELDS:
        if name in record:
            values = (repair_line(value) for value in record.get(name) or [])
            changes[name] = list(dict.fromkeys(v for v in values if v))
    return changes


#: Drop reason of each page-quality verdict of :func:`newscrawler.extract.quality.page_problem`.
QUALITY_REASONS = {
    "http_error": "ErrorPage",
    "not_found": "NotFoundPage",
    "error_page": "ErrorPage",
    "consent_wall": "ConsentWall",
    "paywall_teaser": "PaywallTeaser",
    "imprint": "NotAnArticle",
    "listing": "NotAnArticle",
}


@dataclass(frozen=True)
class Problem:
    """Why a record is not an article to keep: the drop reason and a one-line message."""

    #: The drop reason, named like the pipeline's DropItem subclass: ``MissingTitle``,
    #: ``EmptyBody``, ``TooShort`` or one of :data:`QUALITY_REASONS`.
    reason: str
    message: str


def find_problem(
    record: Mapping[str, Any], *, min_words: int, page_quality: bool = True
) -> Problem | None:
    """What makes ``record`` no article (no title, no text, not an article page, too short)."""
    url = record.get("url")
    if not (record.get("title") or "").strip():
        return Problem("MissingTitle", f"no title: {url}")
    body = (record.get("body") or "").strip()
    # Before the length checks, so a short error or consent page is counted as what it is. A
    # page whose body the extractor left empty is judged on the lead it showed: a consent
    # wall's text is furniture to the body stage, but it says what the page is.
    shown = body or (record.get("subtitle") or "").strip()
    if page_quality and shown:
        problem = page_problem(
            url=url,
            title=record.get("title"),
            body=shown,
            http_status=record.get("http_status"),
            paywalled=record.get("paywalled"),
        )
        if problem is not None:
            return Problem(QUALITY_REASONS[problem], f"not an article ({problem}): {url}")
    if not body:
        return Problem("EmptyBody", f"empty body: {url}")
    words = len(body.split())
    if words < min_words:
        return Problem("TooShort", f"{words} words < VALIDATE_MIN_WORDS={min_words}: {url}")
    return None


@dataclass(frozen=True)
class Recipe:
    """How the crawl makes a record of a page: the settings that extraction and cleaning read."""

    related_labels: tuple[str, ...] | None = None
    tail_markers: Mapping[str, Any] | None = None
    insert_markers: Mapping[str, Any] | None = None
    min_words: int = 25
    page_quality: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> Recipe:
        """The recipe of a Scrapy ``Settings`` (or anything with its typed getters)."""
        labels = settings.getlist("RELATED_LABELS")
        return cls(
            related_labels=tuple(labels) if labels else None,
            tail_markers=settings.getdict("CLEAN_TAIL_MARKERS") or None,
            insert_markers=settings.getdict("CLEAN_INSERT_MARKERS") or None,
            min_words=settings.getint("VALIDATE_MIN_WORDS", 25),
            page_quality=settings.getbool("VALIDATE_PAGE_QUALITY", True),
        )


@dataclass
class Outcome:
    """What the crawl would do with a page: the record it would store, or why it would not."""

    #: The cleaned record (``None`` when nothing could be extracted: not HTML, extractor error).
    record: dict[str, Any] | None
    #: Why the crawl would drop it (``NotExtracted`` when there is no record); else ``None``.
    problem: Problem | None


def article_record(
    text: str,
    url: str,
    *,
    status: int = 200,
    fetched_at: str | None = None,
    recipe: Recipe | None = None,
    profile: SiteProfile | None = None,
) -> Outcome:
    """The record the crawl would store of a fetched page, after every stage it runs on one.

    Extraction (with the profile's labels and selectors), the fallbacks, the related links,
    the declared paywall, body cleaning, the record's cleaning and validation, the content
    hash: ``scrapy reextract`` and ``scrapy extract`` call this, so they decide as the crawl.
    """
    recipe = recipe or Recipe()
    labels = (
        list(profile.related_labels)
        if profile and profile.related_labels
        else (list(recipe.related_labels) if recipe.related_labels else None)
    )
    try:
        fields = extract_article(
            text,
            url,
            related_labels=labels,
            selectors=dict(profile.selectors) if profile and profile.selectors else None,
        )
    except Exception:  # as in the crawl: a page the extractor cannot handle is not an article
        fields = None
    if fields is None:
        return Outcome(None, Problem("NotExtracted", f"nothing extracted: {url}"))
    record = apply_fallbacks(fields, profile_language=profile.language if profile else None)
    record.update(
        url=fields.get("url") or url,
        related=related_links(fields.get("related") or []),
        fetched_url=url,
        fetched_at=fetched_at,
        http_status=status,
        paywalled=paywall_declared(text),
    )
    cleaned = clean_body(
        record.get("body") or "",
        recipe.tail_markers or TAIL_MARKERS,
        recipe.insert_markers or INSERT_MARKERS,
    )
    record.update(cleaned_fields(record, cleaned))
    problem = find_problem(record, min_words=recipe.min_words, page_quality=recipe.page_quality)
    record["content_hash"] = content_hash(record.get("body") or "")
    return Outcome(record, problem)
