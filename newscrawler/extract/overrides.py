"""Site-profile stage: CSS selectors from a site profile that replace generic results when they match."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from lxml.html import HtmlElement

from .authors import clean_author_names
from .body import Block, inline_text, walk_blocks
from .dates import normalize_date
from .metadata import itemprop_value, normalize_space
from .related import collect_links

OVERRIDE_FIELDS = ("title", "body", "authors", "published_at", "related")
_TRANSLATOR = HTMLTranslator()


@lru_cache(maxsize=256)
def compile_css(css: str) -> etree.XPath | None:
    """CSS to a compiled XPath, cached per selector; an invalid selector is ignored, not fatal."""
    try:
        return etree.XPath(_TRANSLATOR.css_to_xpath(css))
    except (SelectorError, etree.XPathSyntaxError):
        return None


def select(root: HtmlElement, css: str | None) -> list[HtmlElement]:
    """Elements matching a CSS selector (empty for a missing or broken selector)."""
    if not css:
        return []
    xpath = compile_css(css)
    if xpath is None:
        return []
    return [el for el in xpath(root) if isinstance(el, HtmlElement)]


def apply_overrides(
    root: HtmlElement, selectors: Mapping[str, str], url: str, page_url: str
) -> dict[str, Any]:
    """Fields a site profile pins down; read from the intact DOM, body excepted (see body_override)."""
    found: dict[str, Any] = {}
    titles = select(root, selectors.get("title"))
    if titles:
        text = normalize_space(titles[0].text_content())
        if text:
            found["title"] = text
    author_nodes = select(root, selectors.get("authors"))
    if author_nodes:
        names = clean_author_names([normalize_space(el.text_content()) for el in author_nodes])
        if names:
            found["authors"] = names
    date_nodes = select(root, selectors.get("published_at"))
    for el in date_nodes:
        value = normalize_date(itemprop_value(el)) or normalize_date(el.text_content())
        if value:
            found["published_at"] = value
            break
    related_nodes = select(root, selectors.get("related"))
    if related_nodes:
        links: list[dict[str, str]] = []
        for el in related_nodes:
            for item in collect_links(el, url, page_url):
                if all(item["url"] != seen["url"] for seen in links):
                    links.append(item)
        found["related"] = links
    return found


def body_override(root: HtmlElement, selectors: Mapping[str, str]) -> list[str] | None:
    """Paragraphs of the profile's body selector, read after pruning; None when it matches nothing."""
    nodes = select(root, selectors.get("body"))
    if not nodes:
        return None
    blocks: list[Block] = []
    for el in nodes:
        if len(el):
            walk_blocks(el, blocks)
        else:
            text = inline_text(el)
            if text:
                blocks.append(Block(el.tag, text))
    return [b.text for b in blocks] or None
