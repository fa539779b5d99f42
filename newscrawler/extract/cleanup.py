"""Body cleanup stage: drop the page furniture that sits inside the article container.

The container scorer keeps whatever shares a wrapper with the prose: datelines, bylines,
reading times, player labels, photo credits, a repeated headline and the link lists and
headings that trail the last paragraph. These are recognised by their text, which stays
the same across CMSs, where class names do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .selectors import (
    BYLINE_LINE_RE,
    CAPTION_CREDIT_RE,
    CAPTION_MAX_CHARS,
    CONSENT_MAX_CHARS,
    CONSENT_RE,
    DATELINE_PLACE_RE,
    DATE_PART_RE,
    HEADING_TAGS,
    META_LINE_MAX_CHARS,
    META_LINE_RES,
    SENTENCE_END_RE,
    TRAILING_PROSE_CHARS,
)

_MAX_BYLINE_WORDS = 12
_MIN_TITLE_CHARS = 10
_TITLE_SLACK_CHARS = 40
_MIN_PULL_QUOTE_CHARS = 40
_PULL_QUOTE_MAX_CHARS = 400


class BlockLike(Protocol):
    """What cleanup needs of a body block (body.Block): its tag and text."""

    tag: str
    text: str


def is_meta_line(text: str) -> bool:
    """Dateline, "Stand:" line, reading time, player label, copyright line or consent notice."""
    if len(text) <= CONSENT_MAX_CHARS and CONSENT_RE.search(text):
        return True
    if len(text) > META_LINE_MAX_CHARS:
        return False
    if any(pattern.search(text) for pattern in META_LINE_RES):
        return True
    return is_dateline(text)


def is_dateline(text: str) -> bool:
    """Nothing but date and time parts ("23. April 2024", "09.09.2025, 14:55 Uhr")."""
    if not any(ch.isdigit() for ch in text):
        return False
    return not DATE_PART_RE.sub(" ", DATELINE_PLACE_RE.sub("", text)).strip()


def is_byline(text: str) -> bool:
    """A short "Von …"/"By …" line that does not read as a sentence."""
    words = text.split()
    return (
        bool(BYLINE_LINE_RE.match(text))
        and len(words) <= _MAX_BYLINE_WORDS
        and not text.rstrip().endswith((".", "!", "?", '"', "“", "”"))
    )


def is_caption(text: str) -> bool:
    """A short block ending in a photo credit ("Bildrechte: …", "(AFP / NAME)")."""
    return len(text) <= CAPTION_MAX_CHARS and bool(CAPTION_CREDIT_RE.search(text))


def repeats_title(text: str, titles: Sequence[str], *, partial: bool) -> bool:
    """The headline repeated inside the container, perhaps with a site suffix.

    With partial, a piece of the headline (its kicker) counts too: only safe above the first
    paragraph, since subheadings further down often quote words of the headline.
    """
    folded = text.casefold()
    for title in titles:
        if len(title) < _MIN_TITLE_CHARS:
            continue
        t = title.casefold()
        if t in folded and len(folded) <= len(t) + _TITLE_SLACK_CHARS:
            return True
        if partial and folded in t and len(folded) >= _MIN_TITLE_CHARS:
            return True
    return False


def is_prose(block: BlockLike) -> bool:
    """A paragraph proper: long enough and ending a sentence."""
    return len(block.text) >= TRAILING_PROSE_CHARS and bool(SENTENCE_END_RE.search(block.text))


def is_trailing_furniture(block: BlockLike) -> bool:
    """After the last paragraph: headings, short lines that do not end a sentence, and
    lines announcing something that follows ("Mehr dazu in unserem Liveblog:") when nothing does."""
    if block.tag in HEADING_TAGS or block.text.rstrip().endswith(":"):
        return True
    return len(block.text) < TRAILING_PROSE_CHARS and not SENTENCE_END_RE.search(block.text)


def clean_blocks(blocks: Sequence[BlockLike], titles: Sequence[str]) -> list[BlockLike]:
    """Drop furniture blocks anywhere, then trim the furniture that trails the article."""
    kept: list[BlockLike] = []
    seen_prose = False
    seen_texts: set[str] = set()
    for block in blocks:
        text = block.text
        if text in seen_texts and len(text) >= _MIN_TITLE_CHARS:
            continue  # carousels and sticky bars repeat their items; an article does not
        seen_texts.add(text)
        if (
            is_meta_line(text)
            or is_byline(text)
            or is_caption(text)
            or repeats_title(text, titles, partial=not seen_prose)
        ):
            continue
        seen_prose = seen_prose or is_prose(block)
        kept.append(block)
    while kept and is_trailing_furniture(kept[-1]):
        kept.pop()
    return drop_pull_quotes(kept)


def drop_pull_quotes(blocks: list[BlockLike]) -> list[BlockLike]:
    """A short block repeating a sentence of a longer one is a pull quote or a teaser of it."""
    longer = [b.text for b in blocks if len(b.text) > _MIN_TITLE_CHARS]
    return [
        b
        for b in blocks
        if len(b.text) > _PULL_QUOTE_MAX_CHARS
        or len(b.text) < _MIN_PULL_QUOTE_CHARS
        or not any(b.text in other and b.text != other for other in longer)
    ]
