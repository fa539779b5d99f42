"""Related-articles stage: the block headed "Ähnliche Themen:", "Related posts", … and its links."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from urllib.parse import urldefrag, urljoin

from lxml.html import HtmlElement

from .metadata import normalize_space
from .selectors import (
    RELATED_CONTAINER_CLASSES,
    RELATED_LABEL_TAGS,
    XP_LINKS,
    XP_RELATED_CONTAINERS,
)

_MAX_LABEL_CHARS = 60
_MAX_LIST_SEARCH = 3  # following siblings inspected for the list under a label
# XML's whitespace, the separators of class tokens (not NBSP and the other Unicode spaces).
_CLASS_SEPARATORS = re.compile(r"[ \t\r\n]+")


def normalize_label(text: str) -> str:
    """Compare labels case-insensitively, ignoring trailing colons, dots, arrows and spaces."""
    return normalize_space(text).rstrip(" :.…›»>→-–").strip().casefold()


@lru_cache(maxsize=32)
def _normalized_labels(labels: tuple[str, ...]) -> frozenset[str]:
    """The label set folded once per label tuple, not once per candidate element."""
    return frozenset(normalize_label(label) for label in labels)


def label_matches(text: str, labels: Sequence[str]) -> bool:
    """True when the text is exactly one of the labels, up to case and a trailing colon."""
    folded = normalize_label(text)
    return bool(folded) and folded in _normalized_labels(tuple(labels))


def same_page(link: str, page_url: str) -> bool:
    """Ignore fragments, trailing slashes and the scheme when comparing with the page itself."""

    def key(u: str) -> str:
        u = urldefrag(u)[0].rstrip("/")
        return u.split("://", 1)[-1]

    return key(link) == key(page_url)


def collect_links(container: HtmlElement, base_url: str, page_url: str) -> list[dict[str, str]]:
    """http(s) links of a block in page order, deduplicated, with their anchor text as title."""
    found: dict[str, dict[str, str]] = {}
    for anchor in XP_LINKS(container):
        href = urldefrag(urljoin(base_url, anchor.get("href", "").strip()))[0]
        if not href.startswith(("http://", "https://")) or same_page(href, page_url):
            continue
        title = normalize_space(anchor.text_content()) or normalize_space(anchor.get("title"))
        if href in found:
            if not found[href]["title"] and title:
                found[href]["title"] = title
            continue
        found[href] = {"url": href, "title": title}
    return [item for item in found.values() if item["title"]]


def find_labelled_block(label_el: HtmlElement) -> tuple[HtmlElement, list[HtmlElement]] | None:
    """The links under a label: a following sibling list, else the label's own small container.

    Returns the element holding the links and every element to prune with it (label included).
    """
    node: HtmlElement | None = label_el
    # climb out of inline wrappers such as <p><strong>Lesen Sie auch:</strong></p>
    while node is not None and node.getparent() is not None:
        parent = node.getparent()
        if normalize_space(parent.text_content()) != normalize_space(node.text_content()):
            break
        node = parent
    if node is None:
        return None
    sibling = node.getnext()
    for _ in range(_MAX_LIST_SEARCH):
        if sibling is None:
            break
        if XP_LINKS(sibling):
            return sibling, [node, sibling]
        if normalize_space(sibling.text_content()):
            break
        sibling = sibling.getnext()
    parent = node.getparent()
    if parent is not None and parent.tag not in ("body", "html", "article", "main"):
        links = XP_LINKS(parent)
        prose = len(normalize_space(parent.text_content()))
        link_text = sum(len(normalize_space(a.text_content())) for a in links)
        if links and link_text >= 0.5 * (prose - len(normalize_space(node.text_content()))):
            return parent, [parent]
    return None


def find_related(
    root: HtmlElement,
    base_url: str,
    page_url: str,
    labels: Sequence[str],
) -> tuple[list[dict[str, str]], list[HtmlElement]]:
    """Related links in page order, plus the block elements so the pruning stage can drop them."""
    blocks: list[HtmlElement] = []
    prune: list[HtmlElement] = []
    for el in label_candidates(root):
        text = el.text_content()
        if len(text) > _MAX_LABEL_CHARS * 3 or not label_matches(text, labels):
            continue
        if len(normalize_space(text)) > _MAX_LABEL_CHARS:
            continue
        if any(el is b or _is_inside(el, b) for b in blocks):
            continue
        hit = find_labelled_block(el)
        if hit is not None:
            blocks.append(hit[0])
            prune.extend(hit[1])
    if not blocks:
        for el in XP_RELATED_CONTAINERS(root):
            if not has_class_token(el, RELATED_CONTAINER_CLASSES):
                continue
            if not any(_is_inside(el, b) for b in blocks):
                blocks.append(el)
                prune.append(el)
    links: list[dict[str, str]] = []
    seen: set[str] = set()
    for block in blocks:
        for item in collect_links(block, base_url, page_url):
            if item["url"] not in seen:
                seen.add(item["url"])
                links.append(item)
    return links, prune


def label_candidates(root: HtmlElement) -> Iterator[HtmlElement]:
    """Headings, paragraphs, inline emphasis, captions and childless <div>s, in page order."""
    for el in root.iter(*RELATED_LABEL_TAGS):
        if el.tag != "div" or not len(el):
            yield el


def has_class_token(el: HtmlElement, tokens: frozenset[str]) -> bool:
    """One of tokens is a whole class of el."""
    return not tokens.isdisjoint(_CLASS_SEPARATORS.split(el.get("class") or ""))


def _is_inside(el: HtmlElement, container: HtmlElement) -> bool:
    return any(ancestor is container for ancestor in el.iterancestors())
