"""Headline stage: the visible title (h1 minus kicker, confirmed by metadata) and the lead/subtitle."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from lxml.html import HtmlElement

from .density import own_text
from .furniture import is_caption
from .html import is_hidden
from .metadata import PageMetadata, jsonld_text, normalize_space
from .selectors import (
    BREADCRUMB_RE,
    BYLINE_START_RE,
    KICKER_CLASS_RE,
    LEAD_CANDIDATE_TAGS,
    LEAD_CLASS_RE,
    MAX_LEAD_CANDIDATES,
    NOT_LEAD_CLASS_RE,
    OVERLAY_CLASS_RE,
    TITLE_SUFFIX_RE,
    XP_H1,
    XP_HEADLINE_ALT,
    XP_TITLE,
)

_HEADLINE_CHILD_CLASS = ("headline", "title")
_NOT_LEAD_ANCESTORS = frozenset(
    {"figure", "figcaption", "a", "nav", "aside", "footer", "button", "h1", "h2", "h3", "h4", "h5"}
)
_MIN_LEAD_CHARS = 30
_BREADCRUMB_DEPTH = 3
_MIN_PLAIN_LEAD_CHARS = 60
_MAX_LEAD_CHARS = 1200


def strip_site_suffix(title: str) -> str:
    """ "Headline | Site" -> "Headline" (only one trailing segment, never the whole string)."""
    stripped = TITLE_SUFFIX_RE.sub("", title).strip()
    return stripped if len(stripped) >= 10 else title


def metadata_titles(meta: PageMetadata, root: HtmlElement) -> list[str]:
    """Headline variants the page states in structured data, most trusted first."""
    raw = [
        jsonld_text(meta.article.get("headline")),
        jsonld_text(meta.article.get("name")),
        meta.first_meta("og:title"),
        meta.first_meta("twitter:title"),
        normalize_space(XP_TITLE(root)[0].text_content()) if XP_TITLE(root) else None,
    ]
    titles: list[str] = []
    for value in raw:
        if value:
            value = normalize_space(value)
            for variant in (value, strip_site_suffix(value)):
                if variant and variant not in titles:
                    titles.append(variant)
    return titles


def is_breadcrumb(el: HtmlElement) -> bool:
    """An <h1> that only repeats the headline inside a breadcrumb trail (an SEO copy).

    The trail's marker may sit a few wrappers up (a scroll container inside the breadcrumb bar).
    """
    for node in (el, *list(el.iterancestors())[:_BREADCRUMB_DEPTH]):
        attrs = " ".join(f"{k} {v}" for k, v in node.attrib.items())
        if BREADCRUMB_RE.search(attrs):
            return True
    return False


def headline_text(el: HtmlElement) -> str:
    """Text of a headline element without its kicker/topic label or screen-reader parts."""
    for child in el.iter():
        if child is el or not isinstance(child.tag, str):
            continue
        classes = (child.get("class") or "").lower()
        if any(word in classes for word in _HEADLINE_CHILD_CLASS) and not KICKER_CLASS_RE.search(
            classes
        ):
            text = normalize_space(child.text_content())
            if len(text) >= 10:
                return text
    parts: list[str] = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and not KICKER_CLASS_RE.search(child.get("class") or ""):
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return normalize_space(" ".join(parts)).strip(" :|–-")


def headline_variants(el: HtmlElement) -> list[str]:
    """The headline without kicker first, then with it ("Kicker: Headline"), then as rendered.

    Pages disagree on whether the kicker belongs to the headline; metadata decides which one.
    """
    variants = [headline_text(el)]
    texts: list[str] = []
    for part in el.xpath("./text() | ./*"):
        raw = part if isinstance(part, str) else part.text_content()
        text = normalize_space(raw).strip(" :")
        if text:
            texts.append(text)
    if len(texts) >= 2:
        variants.append(f"{texts[0]}: {' '.join(texts[1:])}")
    variants.append(normalize_space(el.text_content()))
    return [v for i, v in enumerate(variants) if v and v not in variants[:i]]


def find_title(meta: PageMetadata, root: HtmlElement) -> tuple[str | None, HtmlElement | None]:
    """Visible headline and its element: an h1 the metadata confirms, else a confirmed alternative.

    og:title and <title> are often SEO variants, so they only arbitrate between visible
    candidates; they become the answer only when the page has no usable visible headline.
    """
    known = [t.casefold() for t in metadata_titles(meta, root)]
    h1s = [el for el in XP_H1(root) if headline_text(el) and not in_overlay(el)]
    real = [el for el in h1s if not is_breadcrumb(el)]
    for el in real:
        text = confirmed_variant(el, known)
        if text:
            return text, el
    for el in XP_HEADLINE_ALT(root):
        text = confirmed_variant(el, known)
        if text and len(text) >= 10 and not in_overlay(el):
            return text, el
    # A breadcrumb h1 counts only when it repeats the most trusted stated headline exactly.
    for el in h1s:
        text = confirmed_variant(el, known[:1])
        if text:
            return text, el
    if real:
        return headline_text(real[0]), real[0]
    stated = metadata_titles(meta, root)
    if stated:
        return stated[0], (h1s[0] if h1s else None)
    return (headline_text(h1s[0]), h1s[0]) if h1s else (None, None)


def confirmed_variant(el: HtmlElement, known: list[str]) -> str | None:
    """The variant of el's headline that matches the most trusted stated title, if any."""
    best: tuple[int, str] | None = None
    for text in headline_variants(el):
        folded = text.casefold()
        if folded in known:
            rank = known.index(folded)
            if best is None or rank < best[0]:
                best = (rank, text)
    return best[1] if best else None


def in_overlay(el: HtmlElement) -> bool:
    """Headings of modals, dialogs and consent layers are not the page's headline."""
    for node in (el, *list(el.iterancestors())[:4]):
        if node.tag == "dialog" or OVERLAY_CLASS_RE.search(
            f"{node.get('class', '')} {node.get('id', '')}"
        ):
            return True
    return False


def find_lead_element(
    root: HtmlElement, anchor: HtmlElement | None, titles: list[str]
) -> HtmlElement | None:
    """The teaser paragraph: the first prose-like block after the headline, or a lead-classed one.

    Position beats class names: many sites style the lead with utility classes only, while
    "teaser" classes just as often mark boxes linking to other articles.
    """
    if anchor is None:
        anchor = next(iter(XP_H1(root)), None)
    if anchor is None:
        return None
    verdicts: dict[HtmlElement, bool] = {}  # candidates share their ancestors
    for el in following_blocks(anchor):
        classes = f"{el.get('class', '')} {el.get('id', '')}"
        if not_lead_name(classes) or is_hidden(el) or _inside_non_lead(el, verdicts):
            continue
        text, linked = own_text(el)
        hinted = bool(LEAD_CLASS_RE.search(classes)) and not KICKER_CLASS_RE.search(classes)
        if len(text) < (_MIN_LEAD_CHARS if hinted else _MIN_PLAIN_LEAD_CHARS):
            continue
        if len(text) > _MAX_LEAD_CHARS or linked > 0.3 * len(text):
            continue
        if BYLINE_START_RE.match(text) or (el.tag == "h2" and not hinted):
            continue
        if is_caption(text):
            continue  # a photo caption often sits between headline and lead
        folded = text.casefold()
        if any(t.casefold() in folded for t in titles if len(t) >= 10):
            continue  # a repeated headline (kicker + title) is not the lead
        return el
    return None


def following_blocks(anchor: HtmlElement) -> Iterator[HtmlElement]:
    """The first blocks after anchor in document order (XPath's following axis), lazily.

    The loop above stops at the lead, mostly within a few blocks; an XPath would collect the
    whole rest of the page first.
    """
    count = 0
    node: HtmlElement | None = anchor
    while node is not None:
        for sibling in node.itersiblings():
            for el in sibling.iter(*LEAD_CANDIDATE_TAGS):
                yield el
                count += 1
                if count >= MAX_LEAD_CANDIDATES:
                    return
        node = node.getparent()


@lru_cache(maxsize=8192)
def not_lead_name(names: str) -> bool:
    """NOT_LEAD_CLASS_RE on an element's "class id", cached: a page repeats its names."""
    return bool(NOT_LEAD_CLASS_RE.search(names))


def _inside_non_lead(el: HtmlElement, verdicts: dict[HtmlElement, bool]) -> bool:
    """Captions, links and teaser boxes between the headline and the element disqualify it."""
    parent = el.getparent()
    return False if parent is None else _non_lead_from(parent, verdicts)


def _non_lead_from(node: HtmlElement, verdicts: dict[HtmlElement, bool]) -> bool:
    """node or its nearest decisive ancestor is a non-lead box (up to article, main or body)."""
    verdict = verdicts.get(node)
    if verdict is None:
        if node.tag in _NOT_LEAD_ANCESTORS or is_hidden(node):
            verdict = True  # a hidden box (a collapsed teaser, an unused variant) is not the lead
        elif node.tag in ("article", "main", "body"):
            verdict = False
        elif not_lead_name(f"{node.get('class', '')} {node.get('id', '')}"):
            verdict = True
        else:
            parent = node.getparent()
            verdict = False if parent is None else _non_lead_from(parent, verdicts)
        verdicts[node] = verdict
    return verdict


def lead_text(lead: HtmlElement | None) -> str | None:
    """Text of the lead element without nested blocks (bylines, captions sit in those)."""
    if lead is None:
        return None
    return own_text(lead)[0] or None


def find_subtitle(meta: PageMetadata, lead: HtmlElement | None) -> str | None:
    """The lead as shown on the page, else the description the page gives for sharing."""
    if lead is not None:
        return lead_text(lead)
    for value in (
        jsonld_text(meta.article.get("description")),
        meta.first_meta("og:description", "description", "twitter:description"),
    ):
        if value:
            return normalize_space(value)
    return None
