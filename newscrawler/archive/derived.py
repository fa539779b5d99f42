"""Columns derived from an article for analysts: dates that sort and facet across sites.

``published_at`` keeps the page's own offset (the local day readers saw), which sorts wrongly
across time zones and cannot be faceted by day. The archive therefore also stores the UTC
instant, the original offset, the local day and where the date came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from newscrawler.urls import date_in_url

__all__ = ["ANALYST_COLUMNS", "DATE_SOURCES", "analyst_columns", "to_utc"]

#: Columns :func:`analyst_columns` fills (added by migration ``m004_analyst_columns``).
ANALYST_COLUMNS = (
    "published_utc",
    "published_offset",
    "published_day",
    "published_source",
    "modified_utc",
)
#: Values of ``published_source``: what the extraction read the date from (JSON-LD, meta,
#: microdata, a <time> element, htmldate's heuristics), a feed or sitemap entry, the URL, or
#: ``page`` for rows archived before the extraction said where its date came from.
DATE_SOURCES = ("json-ld", "meta", "microdata", "time", "htmldate", "feed", "url", "page")

_OFFSET = re.compile(r"([+-]\d{2}:\d{2}|Z)$")


def to_utc(value: str | None) -> str | None:
    """ISO 8601 with an offset -> the same instant in UTC (``...+00:00``); else ``None``.

    A bare day or a time without offset is not an instant: converting it would invent a zone.
    """
    if not value or "T" not in value or not _OFFSET.search(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(microsecond=0).isoformat()


def _url_day(url: str | None) -> str | None:
    day = date_in_url(url or "")
    return day.isoformat() if day else None


def analyst_columns(record: Mapping[str, Any]) -> dict[str, str | None]:
    """The derived date columns of one article record (``published_at``, ``modified_at``, ``url``)."""
    published = record.get("published_at") or None
    url_day = _url_day(record.get("url")) or _url_day(record.get("fetched_url"))
    source = record.get("published_source")
    if published is None and url_day is not None:
        # No date on the page, but the URL states one: better than nothing, and labelled.
        published, source = url_day, "url"
    elif published is not None and not source:
        source = "page"
    offset = _OFFSET.search(published or "") if published and "T" in published else None
    return {
        "published_utc": to_utc(published),
        "published_offset": None if offset is None else offset.group(1).replace("Z", "+00:00"),
        "published_day": published[:10] if published else None,
        "published_source": source if published else None,
        "modified_utc": to_utc(record.get("modified_at")),
    }
