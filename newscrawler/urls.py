"""URLs: the canonical form of a URL, the site it belongs to, the date it carries.

One canonicalisation serves the request fingerprinter (so a tracking-parameter variant of a
known URL is never fetched) and the archive (so it is never stored twice). A leaf module: it
imports w3lib and the standard library only, so every component can canonicalise a URL
without loading extraction, lxml or Scrapy.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize_url

__all__ = ["TRACKING_PARAMETERS", "canonicalize_url", "date_in_url", "site_of"]

#: Query parameters that identify a campaign or a visitor, never a different page.
TRACKING_PARAMETERS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_gl",
        "ocid",
        "cmpid",
        "wt_mc",
        "wt_zmc",
        "ref",
        "ref_src",
        "referrer",
        "share",
        "replytocom",
        "amp",
        "outputtype",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "hsa_", "__twitter")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?:/|$)")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(_TRACKING_PREFIXES)


@functools.lru_cache(maxsize=8192)
def canonicalize_url(url: str) -> str:
    """The one form of ``url`` that the crawler and the archive key on.

    Lower-cased scheme and host, no default port, no fragment, tracking parameters
    (``utm_*``, ``fbclid``, ``gclid``, …) removed, remaining parameters sorted and
    percent-encoding normalised by w3lib. The path is kept as the site wrote it: a trailing
    slash can be significant.

    >>> canonicalize_url("HTTPS://Example.com:443/a/?utm_source=x&b=2&a=1#top")
    'https://example.com/a/?a=1&b=2'

    Memoized (a bounded LRU cache, a few MB at most): the crawl asks for the same URL several
    times over (the related link, its request's fingerprint, the dedup stage), and the same
    popular targets recur on every page that links them.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # an IPv6 address: urlsplit drops its brackets, a URL needs them
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    )
    cleaned = urlunsplit((scheme, netloc, parts.path or "/", query, ""))
    return _w3lib_canonicalize_url(cleaned, keep_fragments=False)


def site_of(url: str) -> str:
    """The host an article belongs to, without a leading ``www.``: the archive's ``site`` column."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def date_in_url(url: str) -> date | None:
    """The date of a ``/YYYY/MM/DD/`` URL, if it has one."""
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
