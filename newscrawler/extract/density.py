"""Density stage helpers: prose units, link text and the prose each element holds.

Shared by pruning (html.py), which must not delete a subtree holding the article's prose, and by
the body stage (body.py), which picks the container with the most prose net of the rest.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from .metadata import normalize_space
from .selectors import BLOCK_TAGS

MIN_PARAGRAPH_CHARS = 40  # shorter <p> are bylines, labels, teaser snippets
MAX_LINK_DENSITY = 0.5
UNIT_TAGS = (
    "p",
    "div",
    "section",
    "td",
    "dd",
    "blockquote",
    "article",
    "span",
    "font",
    "li",
    "th",
    "dt",
    "pre",  # a code listing is the text of a technical post
)
# Items of lists and cells of tables are the text of list and table articles (a checklist, a
# ranking): shorter than paragraphs, they count once they hold a phrase rather than a label.
MIN_ITEM_CHARS = 20
ITEM_TAGS = frozenset({"li", "td", "th", "dt", "dd", "tr"})
_MIN_ROW_CELLS = 2
# Unit tags that are inline: their text is also the own text of the block around them.
_INLINE_UNIT_TAGS = frozenset({"span", "font"})
NON_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button"})
# Everything inside a link: a teaser card wrapped in one big <a> holds no prose unit.
_XP_IN_LINK = etree.XPath("descendant-or-self::a//*")


def own_text(el: HtmlElement) -> tuple[str, int]:
    """Inline text of el without its block children, and how much of it is link text.

    Inline pieces join as a browser shows them ("<b>BERLIN</b>: Die …" reads "BERLIN: Die"),
    a line break or a skipped block as a space. This makes <p> and CMS "paragraph" <div>s
    alike prose units, whatever the nesting.
    """
    parts: list[str] = [el.text or ""]
    linked = 0
    for child in el:
        if child.tag in NON_TEXT_TAGS:
            pass
        elif child.tag == "br" or child.tag in BLOCK_TAGS:
            parts.append(" ")  # a line break or a block ends the words before it
        elif isinstance(child.tag, str):
            if not len(child):  # a leaf (most inline children): no walk needed
                text = child.text or ""
                parts.append(text)
                if child.tag == "a" and text:
                    linked += len(normalize_space(text))
                parts.append(child.tail or "")
                continue
            if has_block_child(child):
                parts.append(" ")
                parts.append(child.tail or "")
                continue  # a custom-element wrapper of blocks: its text belongs to those blocks
            text = visible_text(child)
            parts.append(text)
            if child.tag == "a":
                linked += len(normalize_space(text))
            else:
                linked += sum(len(normalize_space(a.text_content())) for a in child.iter("a"))
        parts.append(child.tail or "")
    return normalize_space("".join(parts)), linked


def text_size(el: HtmlElement, sizes: dict[HtmlElement, int]) -> int:
    """Characters of el's whitespace-normalised text, remembered in ``sizes``.

    Stages that measure the same ancestors over and over (each unit's wrappers, each image's)
    share one table for as long as the tree is not changed.
    """
    size = sizes.get(el)
    if size is None:
        size = sizes[el] = len(normalize_space(el.text_content()))
    return size


def has_block_child(el: HtmlElement) -> bool:
    """True when el contains block-level descendants, so it must be walked, not read whole."""
    return any(isinstance(d.tag, str) and d.tag in BLOCK_TAGS for d in el.iterdescendants())


def link_chars(el: HtmlElement) -> int:
    """Characters of link text inside el (el itself included); <a name> anchors are not links."""
    links = [el] if el.tag == "a" else el.iter("a")
    return sum(len(normalize_space(a.text_content())) for a in links if a.get("href") is not None)


def visible_text(el: HtmlElement) -> str:
    """text_content() without what a browser never shows: scripts, styles, templates.

    A chart embed's configuration script inside an inline wrapper is not a line of the article.
    """
    if not any(d.tag in NON_TEXT_TAGS for d in el.iterdescendants()):
        return str(el.text_content())
    parts: list[str] = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in NON_TEXT_TAGS:
            parts.append(visible_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def find_prose_units(root: HtmlElement) -> dict[HtmlElement, int]:
    """Elements whose own inline text reads like a paragraph: long enough, not mostly links."""
    units: dict[HtmlElement, int] = {}
    in_link = set(_XP_IN_LINK(root))
    for el in root.iter(*UNIT_TAGS):
        if el in in_link:
            continue  # teaser cards wrapped in one big link
        if len(el):
            size = unit_size(el)
        else:  # a leaf: its text is all its own text, with no link in it
            text = el.text
            least = MIN_ITEM_CHARS if el.tag in ITEM_TAGS else MIN_PARAGRAPH_CHARS
            if not text or len(text) < least:
                continue  # a short leaf (most <span>s): no unit, whatever its spacing
            size = len(normalize_space(text))
            if size < least:
                continue
        if size and not (el.tag in _INLINE_UNIT_TAGS and counted_in_parent_unit(el, units)):
            units[el] = size
    add_table_rows(root, units)
    return units


def counted_in_parent_unit(el: HtmlElement, units: dict[HtmlElement, int]) -> bool:
    """True when an enclosing unit's own text already holds el's text (<p><span>…</span></p>).

    Inline text belongs to the nearest block around it; counting the <span> as a unit of its
    own would count its words twice and make any block of wrapped text look twice as long.
    Ancestors come first in document order, so the enclosing unit is already known.
    """
    cur = el
    while not has_block_child(cur):
        parent = cur.getparent()
        if parent is None:
            return False
        if parent in units:
            return True
        if parent.tag in BLOCK_TAGS:
            return False
        cur = parent
    return False


def unit_size(el: HtmlElement) -> int:
    """Length of el's own text if it reads like a paragraph (or a list entry), else 0."""
    if not has_own_text(el):
        return 0  # a wrapper of blocks (most <div>s): nothing of its own to measure
    text, linked = own_text(el)
    least = MIN_ITEM_CHARS if el.tag in ITEM_TAGS else MIN_PARAGRAPH_CHARS
    if len(text) >= least and linked <= MAX_LINK_DENSITY * len(text):
        return len(text)
    return 0


def has_own_text(el: HtmlElement) -> bool:
    """Some text of el's own: its text, a tail or an inline child; a quick test before own_text."""
    if el.text and not el.text.isspace():
        return True
    for child in el:
        if isinstance(child.tag, str) and child.tag not in BLOCK_TAGS:
            return True
        if child.tail and not child.tail.isspace():
            return True
    return False


def refresh_units(units: dict[HtmlElement, int], root: HtmlElement) -> dict[HtmlElement, int]:
    """The units still in root's tree after pruning, measured again (an inline piece of their
    own text may have gone); cheaper than finding them anew in the whole tree."""
    fresh: dict[HtmlElement, int] = {}
    alive = set(root.iter(*UNIT_TAGS))  # one pass in C, not a walk up from every unit
    for unit, size in units.items():
        if unit not in alive:
            continue  # inside a removed subtree
        if unit.tag == "tr":
            continue  # rows are found again below: their cells may have gone
        size = unit_size(unit)
        if size:
            fresh[unit] = size
    add_table_rows(root, fresh)
    return fresh


def add_table_rows(root: HtmlElement, units: dict[HtmlElement, int]) -> None:
    """Rows of data tables (a ranking, a timetable) whose cells are each too short to count.

    The row reads as one line ("1 Kyle Busch 5040 5 1"); it counts when none of its cells
    counts already, so a layout table's text is not counted twice.
    """
    for row in root.iter("tr"):
        cells = [c for c in row if c.tag in ("td", "th")]
        if len(cells) < _MIN_ROW_CELLS or any(c in units for c in cells):
            continue
        if any(len(c) and has_block_child(c) for c in cells):
            continue  # a layout row: its blocks are units of their own
        text = normalize_space(" ".join(c.text_content() for c in cells))
        linked = sum(link_chars(c) for c in cells)
        if len(text) >= MIN_ITEM_CHARS and linked <= MAX_LINK_DENSITY * len(text):
            units[row] = len(text)


def prose_by_element(units: dict[HtmlElement, int]) -> dict[HtmlElement, int]:
    """Prose characters inside every element that holds a prose unit (the unit's own included)."""
    prose: dict[HtmlElement, int] = {}
    for unit, size in units.items():
        prose[unit] = prose.get(unit, 0) + size
        for ancestor in unit.iterancestors():
            prose[ancestor] = prose.get(ancestor, 0) + size
    return prose
