"""The links of a listing page as an editor sees them: in a teaser or a menu, under a headline, paywalled.

Reads a parsed page (an lxml tree, e.g. ``response.selector.root``) into one
:class:`~newscrawler.spiders.links.LinkEvidence` per link target. A link's *teaser* is the
largest block around it that links to nothing else: the card with its image, headline, lead
and flags. No Scrapy here.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

from newscrawler.spiders.links import LinkEvidence, has_denied_extension

__all__ = ["PAYWALL_MARK", "paywall_marked", "read_links"]

#: Schemes a link may have (as Scrapy's link extractor: the safety middleware refuses the rest).
_SCHEMES = frozenset({"http", "https", "file", "ftp"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BOILERPLATE = frozenset({"nav", "footer", "aside"})
#: How far up a teaser may reach from its link.
_MAX_TEASER_DEPTH = 8
#: A paywall mark in a teaser's markup: a class, data attribute or icon naming the paid tier
#: ("is-premium", "plus-paid", data-paywall, an icon titled "… Plus", "paid-content").
PAYWALL_MARK = re.compile(
    r"(?:^|[^a-z])(?:paywall\w*|premium|paid|\w*plus|locked|subscribers?(?:-only)?|abonnenten)(?:$|[^a-z])",
    re.IGNORECASE,
)
_MARK_WORD = re.compile(r"paywall|premium|paid|plus|locked|subscriber|abonnenten", re.IGNORECASE)
# Attributes that carry a name of the teaser's kind, not text or addresses.
_SKIP_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "data-src", "data-srcset", "style", "d", "viewbox", "content",
     "points", "transform", "fill", "width", "height", "sizes", "loading", "decoding"}
)  # fmt: skip
_TEXT_ATTRIBUTES = frozenset({"title", "alt", "aria-label"})
#: Text attributes longer than this are a headline or a caption, not a flag.
_FLAG_WORDS = 4


def read_links(root: Any, base_url: str, encoding: str = "utf-8") -> list[LinkEvidence]:
    """One :class:`LinkEvidence` per link target of the page (fragment ignored), in page order."""
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    resolved: dict[str, str | None] = {}
    targets = _targets_below(elements, base_url, encoding, resolved)
    paywalls: dict[Any, bool] = {}
    found: dict[str, dict[str, Any]] = {}
    for el in elements:
        if el.tag not in ("a", "area") or el.get("href") is None:
            continue
        href = strip_html5_whitespace(el.get("href") or "")
        url = resolved.get(href)
        if url is None:
            continue
        key = _without_fragment(url)
        container = _teaser_of(el, key, targets)
        ancestors = list(el.iterancestors())
        text = " ".join(el.text_content().split())
        for name in ("title", "aria-label"):
            extra = " ".join((el.get(name) or "").split())
            if len(extra) > len(text):
                text = extra
        headline = any(a.tag in _HEADINGS for a in ancestors[:4]) or any(
            True for _ in el.iter(*_HEADINGS)
        )
        teaser = _has_heading(container) or any(a.tag == "article" for a in ancestors)
        boilerplate = _in_boilerplate(ancestors)
        if container not in paywalls:
            paywalls[container] = paywall_marked(container)
        seen = found.get(key)
        if seen is None:
            found[key] = {
                "url": url if "#" not in url else key,
                "text": text,
                "headline": headline,
                "teaser": teaser,
                "boilerplate": boilerplate,
                "paywalled": paywalls[container],
                "fragment_only": href.startswith("#"),
            }
            continue
        if len(text) > len(seen["text"]):
            seen["text"] = text
        seen["headline"] |= headline
        seen["teaser"] |= teaser
        seen["boilerplate"] &= boilerplate
        seen["paywalled"] |= paywalls[container]
        seen["fragment_only"] &= href.startswith("#")
    return [LinkEvidence(**fields) for fields in found.values()]


def paywall_marked(element: Any) -> bool:
    """Does the markup of ``element`` (a teaser) carry a paywall mark?"""
    for el in element.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            name = name.lower()
            if name in _SKIP_ATTRIBUTES or name.startswith("data-internal"):
                continue
            if name in _TEXT_ATTRIBUTES and len(value.split()) > _FLAG_WORDS:
                continue
            if _marked(value) or (name.startswith("data-") and _marked(name)):
                return True
        if (
            el.tag == "title"
            and el.text
            and len(el.text.split()) <= _FLAG_WORDS
            and _marked(el.text)
        ):
            return True
    return False


def _marked(value: str) -> bool:
    return _MARK_WORD.search(value) is not None and PAYWALL_MARK.search(value) is not None


def _resolve(href: str, base_url: str, encoding: str) -> str | None:
    if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        url = urljoin(base_url, safe_url_string(href, encoding=encoding))
    except ValueError:
        return None
    if urlsplit(url).scheme not in _SCHEMES or has_denied_extension(url):
        return None
    return url


def _without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def _targets_below(
    elements: list[Any], base_url: str, encoding: str, resolved: dict[str, str | None]
) -> dict[Any, frozenset[str]]:
    """For every element, up to two distinct link targets in its subtree (two means "several").

    Fills ``resolved`` (raw href -> absolute URL, ``None`` for links not to follow) on the way.
    """
    targets: dict[Any, frozenset[str]] = {}
    for el in reversed(elements):
        found: set[str] = set()
        if el.tag in ("a", "area") and el.get("href") is not None:
            href = strip_html5_whitespace(el.get("href") or "")
            if href not in resolved:
                resolved[href] = _resolve(href, base_url, encoding)
            url = resolved[href]
            if url is not None:
                found.add(_without_fragment(url))
        for child in el:
            if len(found) >= 2:
                break
            found |= targets.get(child, frozenset())
        targets[el] = frozenset(list(found)[:2]) if len(found) > 2 else frozenset(found)
    return targets


def _teaser_of(link: Any, target: str, targets: dict[Any, frozenset[str]]) -> Any:
    """The largest block around ``link`` that links to ``target`` only."""
    block = link
    for _ in range(_MAX_TEASER_DEPTH):
        parent = block.getparent()
        if parent is None or parent.tag in ("body", "html", "main"):
            break
        if len(targets.get(parent, frozenset()) - {target}) > 0:
            break
        block = parent
    return block


def _has_heading(block: Any) -> bool:
    return block.tag in _HEADINGS or any(True for _ in block.iter(*_HEADINGS))


def _in_boilerplate(ancestors: list[Any]) -> bool:
    for index, ancestor in enumerate(ancestors):
        if ancestor.tag in _BOILERPLATE:
            return True
        # the page's own <header> (masthead), not a teaser's or an article's header
        if ancestor.tag == "header" and not any(a.tag == "article" for a in ancestors[index:]):
            return True
    return False
