"""Author stage: names from JSON-LD, microdata, meta tags or the byline, cleaned to bare names."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from .metadata import PageMetadata, jsonld_names, normalize_space
from .selectors import (
    AGENCY_RE,
    AUTHOR_PREFIX_RE,
    AUTHOR_SPLIT_RE,
    BYLINE_EXCLUDE_RE,
    NAME_PARTICLES,
    ORG_WORD_RE,
    WRITTEN_BY_LABELS,
    XP_AUTHOR_NODES,
)

# Byline noise after the names: dates, times, "| Stand: …", "Aktualisiert …", role descriptions.
_TAIL_RE = re.compile(
    r"\s*(?:[|•·]|\b(?:stand|aktualisiert|updated|veröffentlicht|published|am|on)\b\s*:?\s*\d|"
    r"\d{1,2}\.\d{1,2}\.|\d{4}-\d{2}|\d{1,2}:\d{2}).*$",
    re.I,
)
_NOT_A_NAME_RE = re.compile(
    r"https?://|www\.|@|\d|^(?:mehr|more|alle|all|artikel|articles)\b", re.I
)
_MAX_NAME_WORDS = 6
_NAME_TOKEN_RE = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(?:[-'’][^\W\d_]+)*\.?$")
_INITIALS_RE = re.compile(r"^(?:[^\W\d_]\.){1,3}$")
_BYLINE_ANCESTOR_DEPTH = 6


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
    """<meta name=author> and article:author (no profile URLs), then Yoast's "Written by" pair."""
    for key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"):
        values = [v for v in meta.meta.get(key, []) if v.strip() and "://" not in v]
        if values:
            names = clean_author_names(values)
            if names:
                return names
    return clean_author_names(written_by_meta(meta))


def written_by_meta(meta: PageMetadata) -> list[str]:
    """twitter:misc:Written by, or twitter:dataN whose twitter:labelN says "Written by"."""
    values = [v for v in meta.meta.get("twitter:misc:written by", []) if v.strip()]
    for index in range(1, 5):
        label = (meta.first_meta(f"twitter:label{index}") or "").strip(" :").casefold()
        data = meta.first_meta(f"twitter:data{index}")
        if label in WRITTEN_BY_LABELS and data:
            values.append(data)
    return values


def looks_like_person(name: str) -> bool:
    """2–4 capitalised name tokens (plus particles like von/van/de), no digits, no org words.

    Used to tell a person from a desk, brand or domain ("Redaktion", "mdr.de", "MDR THÜRINGEN").
    """
    if ORG_WORD_RE.search(name) or AGENCY_RE.match(name):
        return False
    tokens = name.split()
    core = [t for t in tokens if t not in NAME_PARTICLES]
    if not 2 <= len(core) <= 4 or len(tokens) > _MAX_NAME_WORDS:
        return False
    for token in core:
        if not token[0].isupper():
            return False
        if not (_NAME_TOKEN_RE.match(token) or _INITIALS_RE.match(token)):
            return False
    # All-capital tokens throughout read as an organisation or acronym, not a person.
    return not all(t.isupper() and len(t) > 2 for t in core)


def publisher_names(meta: PageMetadata) -> set[str]:
    """Casefolded names the page gives for itself: JSON-LD publisher and og:site_name."""
    names = {n.casefold() for n in jsonld_names(meta.article.get("publisher"), meta.graph)}
    site = meta.first_meta("og:site_name", "application-name")
    if site:
        names.add(normalize_space(site).casefold())
    return names


def in_excluded_context(el: HtmlElement) -> bool:
    """Author nodes of teasers, quotes and comments name other people than the writer."""
    for node in (el, *list(el.iterancestors())[:_BYLINE_ANCESTOR_DEPTH]):
        if node.tag == "a" and node is not el:
            return True
        if BYLINE_EXCLUDE_RE.search(f"{node.get('class', '')} {node.get('id', '')}"):
            return True
    return False


def is_author_node(el: HtmlElement) -> bool:
    """itemprop/rel "author", or an author/byline class in any letter case."""
    if el.get("itemprop") == "author" or el.get("rel") == "author":
        return True
    classes = (el.get("class") or "").lower()
    return "author" in classes or "byline" in classes


def authors_from_byline(root: HtmlElement) -> list[str]:
    """Visible byline: the first author/byline-classed element naming people, else any names."""
    fallback: list[str] = []
    for el in XP_AUTHOR_NODES(root):
        if not is_author_node(el) or in_excluded_context(el):
            continue
        text = normalize_space(el.text_content())
        if 2 < len(text) < 160:
            names = clean_author_names(text)
            persons = [n for n in names if looks_like_person(n)]
            if persons:
                return persons
            fallback = fallback or names
    return fallback


def find_authors(meta: PageMetadata, root: HtmlElement) -> list[str]:
    """Structured sources first (they list names one by one), the visible byline last.

    A source naming only organisations (the publisher as JSON-LD author, "mdr.de" as meta
    author) yields to a later source that names people; it is the answer only when none does.
    """
    publisher = publisher_names(meta)
    first: list[str] = []
    for source in (authors_from_jsonld, authors_from_microdata, authors_from_meta):
        names = source(meta)
        if any(looks_like_person(n) and n.casefold() not in publisher for n in names):
            if source is authors_from_jsonld:
                return names  # stated one by one: keep co-credited desks and agencies
            return [n for n in names if looks_like_person(n)]
        first = first or names
    byline = authors_from_byline(root)
    if any(looks_like_person(n) for n in byline):
        return byline
    return first or byline
