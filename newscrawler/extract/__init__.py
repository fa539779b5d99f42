"""Article extraction: HTML string in, plain article dict out (no Scrapy imports in this package)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from .authors import clean_author_names, find_authors
from .body import extract_blocks, find_body_container
from .dates import find_date_fallback, find_modified, find_published, normalize_date
from .headline import find_lead_element, find_subtitle, find_title, lead_text, metadata_titles
from .html import is_ancestor, looks_like_html, parse_html, prune_document
from .metadata import PageMetadata, jsonld_keywords, jsonld_text, normalize_space, read_metadata
from .overrides import apply_overrides, body_override, select
from .related import find_related
from .selectors import DEFAULT_RELATED_LABELS

__all__ = ["DEFAULT_RELATED_LABELS", "clean_author_names", "extract_article", "normalize_date"]


def extract_article(
    html: str,
    url: str,
    *,
    related_labels: Sequence[str] | None = None,
    selectors: Mapping[str, str] | None = None,
) -> dict[str, Any] | None:
    """Extract one article page into the fixed field vocabulary; None if it is not HTML at all.

    Structured data first, DOM heuristics second: the page's own statements (JSON-LD, meta)
    are precise for dates and names, while the visible DOM is the truth for title and body.
    """
    if isinstance(html, bytes) or not looks_like_html(html):
        return None
    root = parse_html(html)
    if root is None:
        return None
    # 1. Structured data, read before pruning removes the <script> and <meta> it lives in.
    meta = read_metadata(root, url)
    page_url = find_canonical_url(meta, url)
    # 2. Fields read from the intact DOM: headline, lead, byline, related block (pruning drops them).
    title, title_el = find_title(meta, root)
    titles = [title or "", *metadata_titles(meta, root)]
    lead_el = find_lead_element(root, title_el, titles)
    subtitle = find_subtitle(meta, lead_el)
    lead = lead_text(lead_el)
    authors = find_authors(meta, root)
    labels = tuple(related_labels) if related_labels is not None else DEFAULT_RELATED_LABELS
    related, related_nodes = find_related(root, url, page_url, labels)
    published, published_source = find_published(meta, root)
    if published is None:
        published = find_date_fallback(html)
        published_source = "htmldate" if published else None
    # 3. Site-profile selectors replace the generic results where they match (intact DOM too).
    profile = selectors or {}
    overridden = apply_overrides(root, profile, url, page_url)
    related_nodes += select(root, profile.get("related"))
    # 4. Prune boilerplate, then read the body from what is left.
    units = prune_document(root, related_nodes)
    reference = jsonld_text(meta.article.get("articleBody"))
    paragraphs = body_override(root, profile)
    container = None
    if not paragraphs:
        container = find_body_container(root, reference, units)
        paragraphs = [b.text for b in extract_blocks(container, titles, authors)]
    # The lead goes in front of the body when it stood outside it (a teaser in the header). One
    # the body stage had inside its container and left out, it judged furniture: that stands.
    left_out = container is not None and lead_el is not None and is_ancestor(container, lead_el)
    if lead and not left_out and not any(lead[:60] in p for p in paragraphs[:3]):
        paragraphs.insert(0, lead)
    article: dict[str, Any] = {
        "url": page_url,
        "title": title,
        "subtitle": subtitle,
        "authors": authors,
        "published_at": published,
        "published_source": published_source,
        "modified_at": find_modified(meta),
        "language": find_language(meta),
        "section": find_section(meta),
        "tags": find_tags(meta),
        "image": find_image(meta, page_url),
        "body": "\n\n".join(paragraphs) or None,
        "related": related,
    }
    article.update(overridden)
    return article


def find_canonical_url(meta: PageMetadata, url: str) -> str:
    """<link rel=canonical>, else og:url, else the fetched URL, always absolute."""
    for candidate in (meta.canonical, meta.first_meta("og:url")):
        if candidate and not candidate.startswith(("javascript:", "data:")):
            resolved = urljoin(url, candidate)
            if resolved.startswith(("http://", "https://")):
                return resolved
    return url


def find_language(meta: PageMetadata) -> str | None:
    """Primary language subtag from html@lang, content-language meta, JSON-LD or og:locale."""
    for value in (
        meta.html_lang,
        meta.first_meta("content-language", "language", "dc.language"),
        jsonld_text(meta.article.get("inLanguage")),
        meta.first_meta("og:locale"),
    ):
        if value:
            code = value.replace("_", "-").split("-")[0].strip().lower()
            if 2 <= len(code) <= 3 and code.isalpha():
                return code
    return None


def find_section(meta: PageMetadata) -> str | None:
    """Section/department as the page states it (JSON-LD articleSection or article:section)."""
    section = jsonld_text(meta.article.get("articleSection")) or meta.first_meta("article:section")
    return normalize_space(section) or None


def find_tags(meta: PageMetadata) -> list[str]:
    """Topic tags: article:tag metas, else JSON-LD keywords, else news_keywords/keywords meta."""
    tags = [normalize_space(t) for t in meta.meta.get("article:tag", []) if t.strip()]
    if not tags:
        tags = jsonld_keywords(meta.article.get("keywords"))
    if not tags:
        tags = jsonld_keywords(meta.first_meta("news_keywords", "keywords"))
    unique: dict[str, str] = {}
    for tag in tags:
        unique.setdefault(tag.casefold(), tag)
    return list(unique.values())


def find_image(meta: PageMetadata, page_url: str) -> str | None:
    """Lead image: og:image, else JSON-LD image, else twitter:image, made absolute."""
    image = (
        meta.first_meta("og:image", "og:image:url", "og:image:secure_url")
        or jsonld_text(meta.article.get("image"))
        or meta.first_meta("twitter:image", "twitter:image:src")
    )
    if not image:
        return None
    resolved = urljoin(page_url, image)
    return resolved if resolved.startswith(("http://", "https://")) else None
