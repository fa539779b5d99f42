"""Author stage: names from JSON-LD, microdata, meta tags or the byline, cleaned to bare names."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from .metadata import PageMetadata, jsonld_names, normalize_space
from .selectors import AGENCY_RE, AUTHOR_PREFIX_RE, AUTHOR_SPLIT_RE, XP_AUTHOR_NODES

# Byline noise after the names: dates, times, "| Stand: …", "Aktualisiert …", role descriptions.
_TAIL_RE = re.compile(
    r"\s*(?:[|•·]|\b(?:stand|aktualisiert|updated|veröffentlicht|published|am|on)\b\s*:?\s*\d|"
    r"\d{1,2}\.\d{1,2}\.|\d{4}-\d{2}|\d{1,2}:\d{2}).*$",
    re.I,
)
_NOT_A_NAME_RE = re.compile(r"https?://|www\.|@|\d|^(?:mehr|more|alle|all|artikel|articles)\b", re.I)
_MAX_NAME_WORDS = 6


def clean_author_names(raw: str | list[str], *, keep_agency: bool = False) -> list[str]:
    """Split a byline into names: "Von Max Muster und Erika Beispiel, dpa" -> two names.

    An agency credit ("dpa", "AFP", "dpa/lno") is dropped when it trails real names, because it
    credits the material, not the writer; when it is the whole byline it is the author.
    """
    texts = [raw] if isinstance(raw, str) else list(raw)
    names: list[str] = []
    for text in texts:
        text = normalize_space(text)
        text = _TAIL_RE.sub("", text)
        text = AUTHOR_PREFIX_RE.sub("", text)
        for part in AUTHOR_SPLIT_RE.split(text):
            part = AUTHOR_PREFIX_RE.sub("", part.strip(" .:-–—()[]")).strip(" .:-–—()[]")
            if part and not _NOT_A_NAME_RE.search(part) and len(part.split()) <= _MAX_NAME_WORDS:
                names.append(part)
    if not keep_agency and any(not AGENCY_RE.match(n) for n in names):
        names = [n for n in names if not AGENCY_RE.match(n)]
    return dedupe_names(names)


def dedupe_names(names: list[str]) -> list[str]:
    """Drop repeats case-insensitively, keeping the first spelling and page order."""
    seen: set[str] = set()
    unique: list[str] = []
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            unique.append(name)
    return unique


def authors_from_jsonld(meta: PageMetadata) -> list[str]:
    """Authors of the chosen JSON-LD article; entries are already separate, so agencies stay."""
    raw = jsonld_names(meta.article.get("author"), meta.graph)
    if not raw:
        raw = jsonld_names(meta.article.get("creator"), meta.graph)
    names: list[str] = []
    for entry in raw:
        names.extend(clean_author_names(entry, keep_agency=True))
    return dedupe_names(names)


def authors_from_microdata(meta: PageMetadata) -> list[str]:
    """itemprop=author elements: prefer their itemprop=name child, else their own text."""
    names: list[str] = []
    for el in meta.itemprops.get("author", []):
        name_el = next(iter(el.xpath('.//*[@itemprop="name"]')), None)
        if name_el is not None:
            text = name_el.get("content") or name_el.text_content()
        else:
            text = el.get("content") or el.text_content()
        names.extend(clean_author_names(text))
    return dedupe_names(names)


def authors_from_meta(meta: PageMetadata) -> list[str]:
    """<meta name=author> and article:author, ignoring profile URLs."""
    for key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"):
        values = [v for v in meta.meta.get(key, []) if v.strip() and "://" not in v]
        if values:
            return clean_author_names(values)
    return []


def authors_from_byline(root: HtmlElement) -> list[str]:
    """Visible byline: the first short element whose class says author/byline."""
    for el in XP_AUTHOR_NODES(root):
        text = normalize_space(el.text_content())
        if 2 < len(text) < 160:
            names = clean_author_names(text)
            if names:
                return names
    return []


def find_authors(meta: PageMetadata, root: HtmlElement) -> list[str]:
    """Structured sources first (they list names one by one), the visible byline last."""
    for source in (authors_from_jsonld, authors_from_microdata, authors_from_meta):
        names = source(meta)
        if names:
            return names
    return authors_from_byline(root)
