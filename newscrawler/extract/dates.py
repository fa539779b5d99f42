"""Date stage: publication/modification dates as ISO 8601, keeping the page's own UTC offset."""

from __future__ import annotations

import datetime as dt
import re

from lxml.html import HtmlElement

from .metadata import PageMetadata, itemprop_value, jsonld_text
from .selectors import XP_TIME

PUBLISHED_META_KEYS = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "article:published", "datepublished", "date", "pubdate", "publishdate", "publish-date",
    "publish_date", "dc.date.issued", "dc.date", "dcterms.date", "dcterms.issued",
    "dcterms.created", "sailthru.date", "parsely-pub-date", "article.published",
    "cxenseparse:recs:publishtime", "last-modified",
)  # fmt: skip
MODIFIED_META_KEYS = (
    "article:modified_time", "og:updated_time", "article:modified", "datemodified",
    "dcterms.modified", "last-modified", "article.updated",
)  # fmt: skip
_NUMERIC_OFFSET_RE = re.compile(r"([+-]\d{2})(\d{2})$")
_ISO_PREFIX_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
_GERMAN_DATE_RE = re.compile(
    r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:\D{1,12}?(\d{1,2})[:.](\d{2}))?"
)


def normalize_date(value: str | None) -> str | None:
    """Turn an ISO-like or German (06.07.2024, 10:15 Uhr) date string into ISO 8601.

    Keeps the stated offset (never converts to UTC: the page's local day is what readers saw),
    drops fractions of seconds, and returns a bare date when no time is given.
    """
    if not value:
        return None
    text = value.strip()
    match = _ISO_PREFIX_RE.search(text)
    if match:
        day, clock, zone = match.groups()
        if not clock:
            return _valid_day(day)
        clock = clock.replace(",", ".")
        if len(clock.split(":")[0]) == 1:
            clock = "0" + clock
        zone = zone or ""
        if zone == "Z":
            zone = "+00:00"
        zone = _NUMERIC_OFFSET_RE.sub(r"\1:\2", zone)
        try:
            parsed = dt.datetime.fromisoformat(f"{day}T{clock}{zone}")
        except ValueError:
            return _valid_day(day)
        return parsed.replace(microsecond=0).isoformat()
    match = _GERMAN_DATE_RE.search(text)
    if match:
        d, m, y, hh, mm = match.groups()
        try:
            if hh:
                return dt.datetime(int(y), int(m), int(d), int(hh), int(mm)).isoformat()
            return dt.date(int(y), int(m), int(d)).isoformat()
        except ValueError:
            return None
    return None


def _valid_day(day: str) -> str | None:
    try:
        return dt.date.fromisoformat(day).isoformat()
    except ValueError:
        return None


def has_offset(value: str | None) -> bool:
    """True when an ISO string carries a UTC offset, so it pins down the local day."""
    return bool(value) and bool(re.search(r"[+-]\d{2}:\d{2}$", value or ""))


def pick_best(candidates: list[str | None]) -> str | None:
    """First candidate with time and offset; else the first with a time; else the first date.

    Structured data sometimes gives a bare day while a meta tag gives the full stamp of the same
    day: the more precise one wins, but only if it agrees on the day with the first source.
    """
    values = [v for v in (normalize_date(c) for c in candidates) if v]
    if not values:
        return None
    first = values[0]
    same_day = [v for v in values if v[:10] == first[:10]]
    for value in same_day:
        if has_offset(value):
            return value
    for value in same_day:
        if "T" in value:
            return value
    return first


def find_published(meta: PageMetadata, root: HtmlElement) -> tuple[str | None, str | None]:
    """Publication date and where it came from (``json-ld``, ``meta``, ``microdata``, ``time``).

    JSON-LD first, then article:* meta, then microdata, then <time> elements; the source is that
    of the candidate :func:`pick_best` chose, so analysts can weigh a date by its origin.
    """
    sourced: list[tuple[str | None, str]] = [
        (jsonld_text(meta.article.get("datePublished")), "json-ld"),
        (jsonld_text(meta.article.get("dateCreated")), "json-ld"),
    ]
    sourced += [(meta.first_meta(key), "meta") for key in PUBLISHED_META_KEYS[:-1]]
    for prop in ("datePublished", "dateCreated"):
        sourced += [(itemprop_value(el), "microdata") for el in meta.itemprops.get(prop, [])[:1]]
    if not any(normalize_date(value) for value, _ in sourced):
        sourced += [(el.get("datetime"), "time") for el in XP_TIME(root)[:3]]
    best = pick_best([value for value, _ in sourced])
    if best is None:
        return None, None
    source = next(src for value, src in sourced if normalize_date(value) == best)
    return best, source


def find_modified(meta: PageMetadata) -> str | None:
    """Last-modified date from the same sources, without any fallback guessing."""
    candidates: list[str | None] = [jsonld_text(meta.article.get("dateModified"))]
    candidates += [meta.first_meta(key) for key in MODIFIED_META_KEYS]
    candidates += [itemprop_value(el) for el in meta.itemprops.get("dateModified", [])[:1]]
    return pick_best(candidates)


def find_date_fallback(html: str) -> str | None:
    """Last resort: htmldate's heuristics over the whole page (slow, so only when all else fails).

    It gets the raw string, not our tree, because htmldate prunes the tree it is given.
    """
    try:
        from htmldate import find_date
    except ImportError:  # pragma: no cover - htmldate is a declared dependency
        return None
    try:
        found = find_date(html, original_date=True, extensive_search=True)
    except Exception:  # htmldate raises assorted errors on odd markup; a missing date is fine
        return None
    return normalize_date(found) if found else None
