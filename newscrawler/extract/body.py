"""Body stage: find the densest prose container in the pruned tree and read its paragraphs in order."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from lxml.html import HtmlElement

from .density import (
    ITEM_TAGS,
    NON_TEXT_TAGS,
    find_prose_units,
    has_block_child,
    link_chars,
    prose_by_element,
    text_size,
)
from .furniture import clean_blocks
from .html import is_ancestor, remove_element
from .metadata import normalize_space
from .selectors import BLOCK_TAGS, BODY_HINT_RE, HEADING_TAGS

_MAX_BLOCK_LINK_SHARE = 0.6
_HINT_BONUS = 1.1
_SPACED_TAGS = frozenset({"br", "td", "th"})
_CARD_MAX_CHARS = 300  # a nested <article> shorter than this is a teaser card
_CARD_MAX_LINK_DENSITY = 0.3
_ISLAND_MAX_CHARS = 500  # a lone unit this long is a paragraph, not a teaser summary
_ISLAND_WEIGHT = 0.5
_CARD_LINK_SHARE = 0.2  # the card's linked headline, against the summary's length
_CARD_DEPTH = 4
_CARD_SLACK_CHARS = 10
_MIN_REFERENCE_CHARS = 400  # a shorter articleBody is a summary, not the article
_MIN_REFERENCE_F1 = 0.5  # below this the stated text is not what the page shows
_WORD_DENSITY_MARGIN = 1.3  # a page's words run at most this much longer than its statement's
_WORD_RE = re.compile(r"\w+")
_JUNK_WEIGHT = 1.0  # how much a character of non-prose text costs a candidate container
_CANDIDATE_SHARE = 0.25  # containers holding less of the prose than this are not candidates
_LEAF_SKIP = frozenset({"h1"})
_MAX_LIST_LINK_SHARE = 0.5  # a list that is mostly link text is a link list, whatever its labels
_MAX_LIST_LABEL_WORDS = 6
_TEASER_CARD_SHARE = (
    0.25  # a nested <article> this small next to the body is another article's card
)


@dataclass
class Block:
    """One paragraph of output, with the tag it came from (headings stay paragraphs)."""

    tag: str
    text: str
    linked: int = 0  # characters of link text: teaser cards and link lists are mostly links


def find_body_container(
    root: HtmlElement,
    reference: str | None = None,
    units: dict[HtmlElement, int] | None = None,
) -> HtmlElement | None:
    """The element with the most paragraph text net of the non-paragraph text it also holds.

    Scoring prose minus the rest picks the article container over both a single chunk of a
    body split into many wrappers and the page-wide container that also holds leftovers.
    Where the page states its article text (JSON-LD articleBody), the candidate whose words
    agree best with that statement wins instead: the publisher's own account of where the
    article ends beats any guess from the markup.
    """
    sizes: dict[HtmlElement, int] = {}
    units = weigh_isolated_units(find_prose_units(root) if units is None else units, sizes)
    units = drop_repeated_teasers(units)
    if not units:
        return None
    prose = prose_by_element(units)
    top = max(prose.values())
    best: HtmlElement | None = None
    best_score = float("-inf")
    for el, size in prose.items():
        if size < _CANDIDATE_SHARE * top:
            continue
        hint = f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')}"
        bonus = _HINT_BONUS if BODY_HINT_RE.search(hint) else 1.0
        if size * bonus <= best_score:
            continue  # even with no junk at all it would not beat the best: no need to measure
        total = text_size(el, sizes)
        score = size - _JUNK_WEIGHT * max(total - size, 0)
        score *= bonus
        if score > best_score:
            best, best_score = el, score
    if reference is not None and len(reference) >= _MIN_REFERENCE_CHARS and best is not None:
        agreeing = agreeing_container(prose, top, reference, sizes)
        return best if agreeing is None else agreeing
    return best


def weigh_isolated_units(
    units: dict[HtmlElement, int], sizes: dict[HtmlElement, int] | None = None
) -> dict[HtmlElement, int]:
    """Discount short prose units that stand alone in a card next to a link.

    An article's paragraphs come in runs; a teaser card holds one short summary next to its
    linked headline, so a page of cards adds up to much prose in small islands. The card is
    the nearest wrapper holding more than the unit; it is an island when it holds no other
    prose and carries a link. A plain subheading with one paragraph has no link: not a card.
    Table cells and list items stand one to a row by nature, and keep their full weight.
    """
    prose = prose_by_element(units)
    sizes = {} if sizes is None else sizes
    weighed: dict[HtmlElement, int] = {}
    for unit, size in units.items():
        if size < _ISLAND_MAX_CHARS and unit.tag not in ITEM_TAGS:
            card = nearest_wrapper(unit, size, sizes)
            if (
                card is not None
                and prose.get(card, 0) == size
                and link_chars(card) >= _CARD_LINK_SHARE * size
            ):
                size = int(size * _ISLAND_WEIGHT)
        weighed[unit] = size
    return weighed


def drop_repeated_teasers(units: dict[HtmlElement, int]) -> dict[HtmlElement, int]:
    """The units without teasers of other stories: linked headlines the page shows twice.

    An article's paragraphs stand once on its page. A unit that opens with a linked headline
    and is printed again elsewhere (a ticker of other stories in the header and again in the
    footer, a "most read" list beside and below) is a teaser, and every copy of it is junk.
    Repetition says so on any site and in any language, whatever the markup is called; a list
    of linked entries printed once (a listicle, a list of sources) keeps its weight. Only
    units of equal length can be equal, so text is compared within those groups alone.
    """
    by_size: dict[int, list[HtmlElement]] = {}
    for unit, size in units.items():
        by_size.setdefault(size, []).append(unit)
    teasers: set[HtmlElement] = set()
    for group in by_size.values():
        if len(group) < 2:
            continue
        same_text: dict[str, list[HtmlElement]] = {}
        for unit in group:
            same_text.setdefault(normalize_space(unit.text_content()), []).append(unit)
        for text, same in same_text.items():
            if len(same) > 1 and opens_with_headline_link(same[0], text):
                teasers.update(same)
    if not teasers:
        return units
    return {unit: size for unit, size in units.items() if unit not in teasers}


def opens_with_headline_link(unit: HtmlElement, text: str) -> bool:
    """True when unit's text opens with a link of some length: a teaser's linked headline.

    "<a>Minister resigns</a> WASHINGTON: The minister …" is a teaser of another story; a
    paragraph with a link in its middle, or a caption repeated under every picture, is not.
    """
    link = unit.find(".//a[@href]")
    if link is None:
        return False
    headline = normalize_space(link.text_content())
    return len(headline) >= _CARD_LINK_SHARE * len(text) and text.startswith(headline)


def nearest_wrapper(
    el: HtmlElement, size: int, sizes: dict[HtmlElement, int]
) -> HtmlElement | None:
    """The nearest ancestor (at most a few levels up) holding text besides el's own."""
    for depth, ancestor in enumerate(el.iterancestors()):
        if depth >= _CARD_DEPTH or ancestor.tag in ("body", "html"):
            return None
        if text_size(ancestor, sizes) > size + _CARD_SLACK_CHARS:
            return ancestor
    return None


def agreeing_container(
    prose: dict[HtmlElement, int],
    top: int,
    reference: str,
    sizes: dict[HtmlElement, int] | None = None,
) -> HtmlElement | None:
    """The candidate whose words agree best (bag-of-words F1) with the stated article text.

    Counting a candidate's words is the cost here. Measured by length (kept in ``sizes``),
    those closest in length to the statement go first, and a candidate so much longer that
    even sharing every word it could not beat the best so far is passed over uncounted. Its
    words are guessed from its length and the statement's characters per word, with a margin
    (the development pages' text runs 0.94 to 1.08 times the statement's).
    """
    wanted = Counter(_WORD_RE.findall(reference.casefold()))
    size = sum(wanted.values())
    chars_per_word = len(reference) / max(size, 1)
    lengths = {} if sizes is None else sizes
    candidates = [el for el, chars in prose.items() if chars >= _CANDIDATE_SHARE * top]
    candidates.sort(key=lambda el: abs(text_size(el, lengths) - len(reference)))
    best: HtmlElement | None = None
    best_f1 = _MIN_REFERENCE_F1
    counted: dict[int, list[HtmlElement]] = {}  # wrappers of one text share their words
    for el in candidates:
        fewest = lengths[el] / (_WORD_DENSITY_MARGIN * chars_per_word)
        if fewest > size and 2 * size <= best_f1 * (size + fewest):
            continue
        same_length = counted.setdefault(lengths[el], [])
        if any(is_nested(el, other) for other in same_length):
            continue  # a wrapper around the same text: its score is known, and no better
        same_length.append(el)
        words = _WORD_RE.findall(el.text_content().casefold())
        if 2 * min(size, len(words)) <= best_f1 * (size + len(words)):
            continue  # even with every word in common it would not beat the best so far
        got = Counter(words)
        common = sum(min(count, got[word]) for word, count in wanted.items() if word in got)
        f1 = 2 * common / (size + len(words))
        if f1 > best_f1:
            best, best_f1 = el, f1
    return best


def is_nested(a: HtmlElement, b: HtmlElement) -> bool:
    """One of the two elements holds the other."""
    return is_ancestor(a, b) or is_ancestor(b, a)


def has_paragraph_break(el: HtmlElement) -> bool:
    """Two <br> in a row: the CMS's way of starting a new paragraph inside one <p>."""
    for br in el.iter("br"):
        following = br.getnext()
        if following is not None and following.tag == "br" and not (br.tail or "").strip():
            return True
    return False


def inline_text(el: HtmlElement) -> str:
    """Text of an inline run in document order (each tail after its element); <br> is a space."""
    parts: list[str] = []
    _collect_inline(el, parts)
    return normalize_space("".join(parts))


def _collect_inline(el: HtmlElement, parts: list[str]) -> None:
    """Depth-first text of el without its tail, comments and non-text elements skipped."""
    if el.tag in _SPACED_TAGS:
        parts.append(" ")  # a line break, or the edge of a table cell: words do not run on
    if el.tag == "br":
        pass
    elif isinstance(el.tag, str) and el.tag not in NON_TEXT_TAGS and el.text:
        parts.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _collect_inline(child, parts)
        if child.tail:
            parts.append(child.tail)


def walk_blocks(el: HtmlElement, out: list[Block], in_link: bool = False) -> None:
    """Emit one Block per leaf block element and per run of loose inline text, in order.

    in_link marks blocks inside a block-level <a> (a whole teaser card wrapped in one link).
    """
    buffer: list[str] = [el.text or ""]
    linked = [0]

    def flush() -> None:
        text = normalize_space("".join(buffer))
        if text:
            out.append(Block("div", text, len(text) if in_link else linked[0]))
        buffer.clear()
        linked[0] = 0

    for child in el:
        if not isinstance(child.tag, str):
            buffer.append(child.tail or "")
            continue
        if child.tag in BLOCK_TAGS:
            flush()
            if child.tag in _LEAF_SKIP:
                pass
            elif child.tag in ("ul", "ol") and is_link_list(child):
                if out and is_list_label(out[-1].text):
                    out.pop()  # "Auf dieser Seite:", "Mehr zum Thema:" announced the links
            elif has_block_child(child) or has_paragraph_break(child):
                walk_blocks(child, out, in_link)
            else:
                text = inline_text(child)
                if text:
                    out.append(Block(child.tag, text, len(text) if in_link else link_chars(child)))
        elif child.tag == "br":
            if buffer and buffer[-1] == "\n":
                flush()
            else:
                buffer.append("\n")
        elif has_block_child(child):
            flush()
            walk_blocks(child, out, in_link or (child.tag == "a" and child.get("href") is not None))
        else:
            buffer.append(inline_text(child) if len(child) else (child.text or ""))
            buffer.append(" " if len(child) else "")
            linked[0] += link_chars(child)
        if child.tail:
            buffer.append(child.tail)
    flush()


def drop_teaser_cards(container: HtmlElement) -> None:
    """Remove <article> elements nested in the body that read like cards of other articles.

    An <article> is a self-contained item; inside an article body that is a teaser
    ("Eskalation in Nahost – Aktuelle Entwicklungen im Liveblog") when it is small next to the
    body. Where one nested <article> holds the headline, it is the story and the others are
    cards of other stories. Where none does, the nested <article>s are the entries of a list
    article under its headline: only those that are mostly links or too short for a paragraph
    or two are cards.
    """
    cards = [
        el for el in container.iterdescendants("article") if el.find(".//a[@href]") is not None
    ]
    if not cards:
        return
    headed = any(card.find(".//h1") is not None for card in cards)
    total = len(normalize_space(container.text_content()))
    for card in cards:
        if card.getparent() is None:
            continue
        text = len(normalize_space(card.text_content()))
        if text >= _TEASER_CARD_SHARE * total:
            continue
        if headed or text < _CARD_MAX_CHARS or link_chars(card) > _CARD_MAX_LINK_DENSITY * text:
            remove_element(card)


def is_list_label(text: str) -> bool:
    """A few words ending in a colon: the title of the list that follows."""
    return text.endswith(":") and len(text.split()) <= _MAX_LIST_LABEL_WORDS


def is_link_list(el: HtmlElement) -> bool:
    """A list whose text is mostly links: "Topic: linked headline" items point to other articles."""
    text = len(normalize_space(el.text_content()))
    return text > 0 and link_chars(el) > _MAX_LIST_LINK_SHARE * text


def keep_block(block: Block, index: int, total: int) -> bool:
    """Drop fragments that are not prose: single words, "Anzeige", stray symbols, link lists."""
    if block.linked > _MAX_BLOCK_LINK_SHARE * len(block.text):
        return False  # a teaser headline, "read more" link or list of links
    if not any(ch.isalnum() for ch in block.text):
        return False  # a separator ("___", "* * *", "☼ ☼ ☼"): no letter, no digit
    if block.tag in HEADING_TAGS:
        return len(block.text) >= 3
    words = block.text.split()
    if block.tag == "tr":
        return len(words) >= 2  # a row of a data table ("1/1/2013 +13.1%") is short by nature
    return len(words) >= 3 or (len(block.text) >= 20)


def extract_blocks(
    container: HtmlElement | None, titles: Sequence[str] = (), authors: Sequence[str] = ()
) -> list[Block]:
    """Paragraph blocks of the article body (the container find_body_container chose) in page
    order, furniture lines removed."""
    if container is None:
        return []
    drop_teaser_cards(container)
    blocks: list[Block] = []
    walk_blocks(container, blocks)
    kept = [b for i, b in enumerate(blocks) if keep_block(b, i, len(blocks))]
    return clean_blocks(kept, titles, authors)
