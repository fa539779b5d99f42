"""Pruning stage: parse the document and drop what never holds article prose before text is taken."""

from __future__ import annotations

import re

from collections.abc import Iterable

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from .metadata import normalize_space
from .selectors import (
    BOILERPLATE_RE,
    DROP_TAGS,
    HIDDEN_CLASS_TOKENS,
    ROLE_DROP_RE,
    XP_HIDDEN,
    XP_PARAGRAPHS,
)

_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
# An element holding this share of all paragraph text is the article itself, whatever its class
# says ("article--comment" on an opinion piece, a page-wide <form> on ASP.NET sites).
_PROTECT_SHARE = 0.3
_CONTROL_CHARS = frozenset(range(0, 9)) | frozenset(range(14, 32))


def looks_like_html(html: str) -> bool:
    """Reject empty and binary input; anything with a tag in its head counts as HTML."""
    if not html or not html.strip():
        return False
    head = html[:4096]
    if "\x00" in head:
        return False
    control = sum(1 for ch in head if ord(ch) in _CONTROL_CHARS)
    if control > len(head) * 0.01:
        return False
    return "<" in head and ">" in head


# C0 control characters other than tab and line breaks: never text, and lxml refuses them when a
# pruned element's tail is re-attached ("All strings must be XML compatible").
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_html(html: str) -> HtmlElement | None:
    """Parse to an lxml tree; bytes go through UTF-8 so encoding declarations cannot clash."""
    html = _CONTROL_CHARACTERS.sub("", html)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except (etree.ParserError, ValueError, UnicodeError):
        return None
    return root


def paragraph_lengths(root: HtmlElement) -> dict[HtmlElement, int]:
    """Text length of every <p>, used to protect article-sized containers from pruning."""
    return {p: len(normalize_space(p.text_content())) for p in XP_PARAGRAPHS(root)}


def contained_text(el: HtmlElement, lengths: dict[HtmlElement, int]) -> int:
    """Paragraph text inside el, from the precomputed table."""
    return sum(lengths.get(p, 0) for p in el.iter("p"))


def is_boilerplate(el: HtmlElement) -> bool:
    """Class, id or role say this is navigation, sharing, comments, ads, related links, …"""
    role = el.get("role")
    if role and ROLE_DROP_RE.match(role.strip()):
        return True
    for attr in ("class", "id"):
        value = el.get(attr)
        if value and BOILERPLATE_RE.search(value):
            return True
    return hidden_by_class(el.get("class"))


def hidden_by_class(classes: str | None) -> bool:
    """A "hidden"-style class token with no responsive override ("hidden md:block" is visible)."""
    if not classes:
        return False
    tokens = classes.split()
    return any(t in HIDDEN_CLASS_TOKENS for t in tokens) and not any(":" in t for t in tokens)


def remove_element(el: HtmlElement) -> None:
    """Remove el but keep its tail text, which belongs to the parent's flow."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def prune_document(root: HtmlElement, extra: Iterable[HtmlElement] = ()) -> None:
    """Drop boilerplate subtrees in place, sparing any that hold a large share of the prose.

    Order: elements handed in (the related block) first, then tag-, visibility- and class-based
    drops; all candidates are collected before removal so protection uses the original sizes.
    """
    lengths = paragraph_lengths(root)
    total = sum(lengths.values()) or 1
    for el in extra:
        remove_element(el)
    candidates: list[HtmlElement] = []
    for el in root.iter(*DROP_TAGS):
        candidates.append(el)
    candidates.extend(XP_HIDDEN(root))
    body = root.find("body")
    for el in (body if body is not None else root).iter():
        if isinstance(el.tag, str) and el.tag not in ("html", "body") and is_boilerplate(el):
            candidates.append(el)
    for el in candidates:
        if el.getparent() is None:
            continue
        if el.tag not in ("script", "style", "noscript", "template", "svg"):
            if contained_text(el, lengths) > _PROTECT_SHARE * total:
                continue
        if el.tag == "figure" and el.find(".//blockquote") is not None:
            continue  # a pull quote: the quote is article text, its figcaption still goes
        remove_element(el)
