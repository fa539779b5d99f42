"""Pruning stage: parse the document and drop what never holds article prose before text is taken."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from .density import find_prose_units, link_chars, prose_by_element, refresh_units
from .metadata import normalize_space
from .selectors import (
    BOILERPLATE_RE,
    CONSENT_BOX_RE,
    DROP_TAGS,
    HIDDEN_CLASS_TOKENS,
    HIDDEN_STYLES,
    ROLE_DROP_RE,
    WEAK_BOILERPLATE_RE,
    XP_HIDDEN,
    XP_NAMED,
    XP_PARAGRAPHS,
)

_STREAMED_SEGMENT_RE = re.compile(r"S:[0-9a-f]+")
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
# Every element an HtmlElement, chosen in C. lxml.html's own parser asks a Python function for
# each element proxy (to make <form> a FormElement, <input> an InputElement, …), a quarter of a
# million calls on 41 pages; the extractor uses none of those classes.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
# An element holding this share of all paragraph text is the article itself, whatever its class
# says ("article--comment" on an opinion piece, a page-wide <form> on ASP.NET sites).
_PROTECT_SHARE = 0.3
# No class name deletes the subtree that holds most of the page's prose: the article is built of
# prose units (paragraph-shaped text, few links), whatever its wrappers are called.
_MOST_PROSE_SHARE = 0.5
# A weak class token (a CMS wrapper name) removes a box only when the box reads like furniture:
# less prose than a short paragraph or two, or mostly link text.
_WEAK_MIN_PROSE_CHARS = 200
_WEAK_MAX_LINK_DENSITY = 0.35
# An image whose nearest wrapper with text holds no more than this is a figure or a teaser card:
# the text is its caption, credit or teaser headline, never a paragraph of the article.
_IMAGE_CARD_MAX_CHARS = 250
# Wrappers that are never a card: page sections, and text blocks whose image is inline
# (an emoji or icon <img> in a short paragraph).
_NEVER_IMAGE_CARDS = frozenset(
    {"html", "body", "main", "article", "p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
     "td", "dd", "dt", "pre", "span", "em", "strong", "b", "i", "q", "small", "label"}
)  # fmt: skip
# BEM state modifiers that hide a block ("alert--hidden", "prompt--hide").
_HIDDEN_MODIFIERS = ("--hidden", "--hide", "--is-hidden")
_DATA_TAGS = frozenset({"tr", "td", "th"})
_MAX_NUL_IN_HEAD = 8
_CONTROL_IN_HEAD = re.compile(r"[\x00-\x08\x0e-\x1f]")


def looks_like_html(html: str) -> bool:
    """Reject empty and binary input; anything with a tag in its head counts as HTML."""
    if not html or not html.strip():
        return False
    head = html[:4096]
    # A stray NUL in a page is a broken page, not a binary file: the NULs are removed before
    # parsing. Binary files (images, PDFs, archives) have many in their first 4 KB.
    if head.count("\x00") > _MAX_NUL_IN_HEAD:
        return False
    control = len(_CONTROL_IN_HEAD.findall(head))
    if control > len(head) * 0.01:
        return False
    return "<" in head and ">" in head


# C0 control characters other than tab and line breaks: never text, and lxml refuses them when a
# pruned element's tail is re-attached ("All strings must be XML compatible"). Deleted from the
# UTF-8 bytes, where they cannot be part of a multi-byte sequence (bytes.translate is C-fast).
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def parse_html(html: str) -> HtmlElement | None:
    """Parse to an lxml tree; bytes go through UTF-8 so encoding declarations cannot clash."""
    try:
        data = html.encode("utf-8", "surrogatepass").translate(None, _CONTROL_BYTES)
        root = lxml.html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError, UnicodeError):
        return None
    return root


def paragraph_lengths(root: HtmlElement) -> dict[HtmlElement, int]:
    """Text length of every <p>, used to protect article-sized containers from pruning."""
    return {p: len(normalize_space(p.text_content())) for p in XP_PARAGRAPHS(root)}


def contained_text(el: HtmlElement, lengths: dict[HtmlElement, int]) -> int:
    """Paragraph text inside el, from the precomputed table."""
    return sum(lengths.get(p, 0) for p in el.iter("p"))


_NONE, _WEAK, _STRONG, _DECLARED = range(4)


@lru_cache(maxsize=16384)
def name_verdict(classes: str, element_id: str, role: str) -> int:
    """What an element's names say, cached: a page repeats the same few hundred of them.

    _DECLARED: an ARIA role of furniture; _STRONG: a boilerplate name or a hiding class;
    _WEAK: a CMS wrapper name; _NONE: nothing.
    """
    if role and ROLE_DROP_RE.match(role.strip()):
        return _DECLARED
    if (classes and boilerplate_classes(classes)) or (element_id and boilerplate_value(element_id)):
        return _STRONG
    if (classes and weak_boilerplate_value(classes)) or (
        element_id and weak_boilerplate_value(element_id)
    ):
        return _WEAK
    return _NONE


def is_weak_boilerplate(el: HtmlElement) -> bool:
    """A CMS wrapper name (widget, sidebar, paywall, tag-…): a hint, not a verdict."""
    for attr in ("class", "id"):
        value = el.get(attr)
        if value and weak_boilerplate_value(value):
            return True
    return False


@lru_cache(maxsize=8192)
def weak_boilerplate_value(value: str) -> bool:
    """WEAK_BOILERPLATE_RE on one class or id value, cached."""
    return bool(WEAK_BOILERPLATE_RE.search(value))


def reads_like_furniture(el: HtmlElement, prose: int) -> bool:
    """Mostly links, or a little prose beside a link (a teaser): a box a weak name may remove.

    A CMS widget holding a subheading or a short paragraph of the article has no link in it;
    the sidebar's teaser has its headline link. Text with no prose and no link at all (a
    player's labels, a toolbar's buttons) is left to the later stages, which judge lines.
    """
    text = len(normalize_space(el.text_content()))
    if not text:
        return True
    links = link_chars(el)
    if links > _WEAK_MAX_LINK_DENSITY * text:
        return True
    return bool(links) and prose < _WEAK_MIN_PROSE_CHARS


def is_consent_box(el: HtmlElement) -> bool:
    """A consent manager's box, by its class or id."""
    return consent_name(el.get("class") or "") or consent_name(el.get("id") or "")


@lru_cache(maxsize=8192)
def consent_name(value: str) -> bool:
    """CONSENT_BOX_RE on one class or id value, cached."""
    return bool(CONSENT_BOX_RE.search(value))


def has_boilerplate_role(el: HtmlElement) -> bool:
    """An ARIA role the page declares for navigation, banners, dialogs, search, …"""
    role = el.get("role")
    return bool(role) and bool(ROLE_DROP_RE.match(role.strip()))


def is_boilerplate(el: HtmlElement) -> bool:
    """Class, id or role say this is navigation, sharing, comments, ads, related links, …"""
    if has_boilerplate_role(el):
        return True
    classes = el.get("class")
    if classes and boilerplate_classes(classes):
        return True
    value = el.get("id")
    return bool(value) and boilerplate_value(value)


@lru_cache(maxsize=8192)
def boilerplate_value(value: str) -> bool:
    """BOILERPLATE_RE on one class or id value, cached: a page repeats the same few hundred."""
    return bool(BOILERPLATE_RE.search(value))


@lru_cache(maxsize=8192)
def boilerplate_classes(classes: str) -> bool:
    """A boilerplate class token, or a class that hides the element."""
    return boilerplate_value(classes) or hidden_by_class(classes)


def is_hidden(el: HtmlElement) -> bool:
    """hidden, aria-hidden="true" or an inline style that hides the element.

    React's streaming renderer (Next.js and others) sends late parts of a page in
    ``<div hidden id="S:0">`` and a script moves them into place at once: shown, not hidden.
    """
    if el.get("hidden") is not None:
        return not _STREAMED_SEGMENT_RE.fullmatch(el.get("id") or "")
    if el.get("aria-hidden") == "true":
        return True
    style = (el.get("style") or "").lower().replace(" ", "")
    return any(rule in style for rule in HIDDEN_STYLES)


def hidden_by_class(classes: str | None) -> bool:
    """A "hidden"-style class token with no responsive override ("hidden md:block" is visible)."""
    if not classes:
        return False
    tokens = classes.split()
    hidden = any(t in HIDDEN_CLASS_TOKENS or t.endswith(_HIDDEN_MODIFIERS) for t in tokens)
    return hidden and not any(":" in t for t in tokens)


def image_cards(root: HtmlElement) -> list[HtmlElement]:
    """Wrappers that hold an image and only a caption's worth of text (figures without <figure>).

    Read before anything is removed, so a caption split from its image by pruning is still found.
    """
    cards: list[HtmlElement] = []
    seen: set[HtmlElement] = set()
    texts: dict[HtmlElement, str] = {}  # images share their wrappers: read each text once
    for image in root.iter("img", "picture", "video"):
        wrapper = image.getparent()
        while wrapper is not None and not _text_of(wrapper, texts).strip():
            wrapper = wrapper.getparent()
        if wrapper is None or wrapper in seen or wrapper.tag in _NEVER_IMAGE_CARDS:
            continue
        seen.add(wrapper)
        if len(normalize_space(_text_of(wrapper, texts))) <= _IMAGE_CARD_MAX_CHARS:
            cards.append(wrapper)
    return cards


def _text_of(el: HtmlElement, texts: dict[HtmlElement, str]) -> str:
    text = texts.get(el)
    if text is None:
        text = texts[el] = el.text_content() or ""
    return text


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


def first_unit_after_headline(
    root: HtmlElement, units: dict[HtmlElement, int]
) -> HtmlElement | None:
    """The first prose unit after the page's first <h1>: where the article starts.

    A box holding most of the prose but not this unit is a second text (a consent dialog's
    legal prose, a comment thread), not the article; without an <h1> there is no such anchor.
    """
    for headline in root.iter("h1"):
        if normalize_space(headline.text_content()):
            break
    else:
        return None
    for el in headline.iterdescendants():
        if el in units:
            return el
    node: HtmlElement | None = headline
    while node is not None:  # then what follows it in document order, nearest first
        for sibling in node.itersiblings():
            for el in sibling.iter():
                if el in units:
                    return el
        node = node.getparent()
    return None


def is_ancestor(el: HtmlElement, descendant: HtmlElement) -> bool:
    """el is descendant itself or one of its ancestors."""
    return el is descendant or any(a is el for a in descendant.iterancestors())


def inside_removed(el: HtmlElement, removed: set[HtmlElement]) -> bool:
    """el lies inside one of the removed subtrees (most named boxes nest in other named boxes)."""
    return bool(removed) and not removed.isdisjoint(el.iterancestors())


def prune_document(root: HtmlElement, extra: Iterable[HtmlElement] = ()) -> dict[HtmlElement, int]:
    """Drop boilerplate subtrees in place, sparing any that hold a large share of the prose.

    Order: elements handed in (the related block) first, then tag-, visibility- and class-based
    drops; all candidates are collected before removal so protection uses the original sizes.
    Returns the prose units still in the tree, so the body stage need not find them again
    (pruning removes whole subtrees, rarely a piece of a unit's own inline text).
    """
    lengths = paragraph_lengths(root)
    total = sum(lengths.values()) or 1
    units = find_prose_units(root)
    prose = prose_by_element(units)
    prose_total = max(prose.values(), default=0) or 1
    lead = first_unit_after_headline(root, units)
    for el in extra:
        remove_element(el)
    candidates: list[HtmlElement] = []
    for el in root.iter(*DROP_TAGS):
        candidates.append(el)
    candidates.extend(el for el in XP_HIDDEN(root) if is_hidden(el))
    candidates.extend(image_cards(root))
    # The page's own ARIA statement (role=dialog, role=navigation) is evidence, not a name guess.
    declared: set[HtmlElement] = set()
    named: set[HtmlElement] = set()
    in_code = {d for c in root.iter("pre", "code") for d in c.iter()}
    body = root.find("body")
    # Only elements with a class, id or role can be named; XPath finds them without a Python
    # loop over every element of the page.
    for el in XP_NAMED(body if body is not None else root):
        verdict = name_verdict(el.get("class") or "", el.get("id") or "", el.get("role") or "")
        if verdict == _NONE:
            continue  # most names say nothing: judged first, the checks below run for few
        if el.tag in _DATA_TAGS or el.tag in ("html", "body"):
            continue  # rows and cells of a data table are named after their data ("player-7")
        if el in in_code:
            continue  # a syntax highlighter's names ("hljs-comment") describe code, not boxes
        if verdict == _DECLARED:
            candidates.append(el)
            declared.add(el)
        elif verdict == _STRONG or (
            verdict == _WEAK and reads_like_furniture(el, prose.get(el, 0))
        ):
            candidates.append(el)
            named.add(el)
    removed: set[HtmlElement] = set()
    for el in candidates:
        if el.getparent() is None:
            continue
        if inside_removed(el, removed):
            continue  # nothing decided inside a subtree already gone can matter
        if el in named and is_consent_box(el) and el.find(".//h1") is None:
            remove_element(el)
            removed.add(el)
            continue
        # A declared dialog or navigation is spared only when it holds most of the prose.
        share = _MOST_PROSE_SHARE if el in declared else _PROTECT_SHARE
        if el.tag not in ("script", "style", "noscript", "template", "svg") and (
            contained_text(el, lengths) > share * total
            or (
                el not in declared
                and prose.get(el, 0) > _MOST_PROSE_SHARE * prose_total
                and (lead is None or is_ancestor(el, lead))
            )
        ):
            continue
        if el.tag == "figure" and el.find(".//blockquote") is not None:
            continue  # a pull quote: the quote is article text, its figcaption still goes
        if el.tag == "figure" and el.find(".//table") is not None:
            continue  # a table set as a figure (WordPress' table block): the table is text
        remove_element(el)
        removed.add(el)
    return refresh_units(units, root)
