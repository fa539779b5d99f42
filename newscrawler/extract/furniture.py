"""Body cleanup stage: drop the page furniture that sits inside the article container.

The container scorer keeps whatever shares a wrapper with the prose: datelines, bylines,
reading times, player labels, photo credits, a repeated headline and the link lists and
headings that trail the last paragraph. These are recognised by their text, which stays
the same across CMSs, where class names do not.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol, TypeVar

from .selectors import (
    AUTHOR_BIO_VERB_RE,
    BYLINE_LINE_RE,
    CAPTION_CREDIT_RE,
    CAPTION_MAX_CHARS,
    CONSENT_MAX_CHARS,
    CONSENT_RE,
    DATE_PART_RE,
    DATELINE_PLACE_RE,
    HEADING_TAGS,
    MEDIA_DURATION_RE,
    META_LEADING_PUNCT,
    META_LINE_MAX_CHARS,
    META_LINE_RE,
    META_PARTS_RE,
    SENTENCE_END_RE,
    STAMP_RE,
    TRAILING_BYLINE_RE,
    TRAILING_PROSE_CHARS,
)

_MAX_BYLINE_WORDS = 12
_MIN_TITLE_CHARS = 10
_TITLE_SLACK_CHARS = 40
_MIN_PULL_QUOTE_CHARS = 40
_PULL_QUOTE_MAX_CHARS = 400
_PULL_QUOTE_MIN_TOKENS = 6
_PULL_QUOTE_OVERLAP = 0.85  # share of a quote's words found in one paragraph that it repeats
_MAX_ATTRIBUTION_WORDS = 15
_AUTHOR_BIO_MAX_CHARS = 300
_AUTHOR_BIO_NAME_WITHIN = 40  # "Der Berliner Imam Anna Beispiel ist …": a short apposition first
_LEADING_LABEL_MAX_CHARS = 200
_MAX_LABEL_WORDS = 6
_STAMP_MAX_CHARS = 80
_MIN_STAMPS = 3  # a live blog's entries, not a name that happens to follow a time twice
_WORD_RE = re.compile(r"\w+")
# Blocks whose markup says they are entries of a list or rows of a table, never labels.
ITEM_BLOCK_TAGS = frozenset({"li", "tr", "dd", "dt"})


class BlockLike(Protocol):
    """What cleanup needs of a body block (body.Block): its tag and text."""

    tag: str
    text: str


B = TypeVar("B", bound=BlockLike)


def is_meta_line(text: str) -> bool:
    """Dateline, "Stand:" line, reading time, player label, copyright line or consent notice."""
    return is_consent_notice(text) or is_header_line(text)


def is_header_line(text: str) -> bool:
    """is_meta_line but for consent notices (which clean_blocks has judged already)."""
    if len(text) > META_LINE_MAX_CHARS:
        return False
    text = text.lstrip(META_LEADING_PUNCT)
    if META_LINE_RE.search(text) or is_dateline(text):
        return True
    parts = META_PARTS_RE.split(text)
    return len(parts) > 1 and all(is_meta_part(part) for part in parts)


def is_consent_notice(text: str) -> bool:
    """The placeholder of an embed that waits for consent to load third-party content."""
    return len(text) <= CONSENT_MAX_CHARS and bool(CONSENT_RE.search(text))


def is_label(block: BlockLike) -> bool:
    """A few words that are not a heading and not a sentence: a box title or button text."""
    return (
        block.tag not in HEADING_TAGS
        and len(block.text.split()) <= _MAX_LABEL_WORDS
        and not SENTENCE_END_RE.search(block.text)
    )


def is_meta_part(text: str) -> bool:
    """One piece of a "date | time | byline" header line."""
    return is_dateline(text) or is_byline(text) or bool(META_LINE_RE.search(text))


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
    """A short block ending in a photo credit ("Bildrechte: …", "(AFP / NAME)") or a clip length."""
    return len(text) <= CAPTION_MAX_CHARS and bool(
        CAPTION_CREDIT_RE.search(text) or MEDIA_DURATION_RE.search(text)
    )


def repeats_title(text: str, folded_titles: Sequence[str], *, partial: bool) -> bool:
    """The headline repeated inside the container, perhaps with a site suffix.

    folded_titles: the titles through fold_titles. With partial, a piece of the headline (its
    kicker) counts too: only safe above the first paragraph, since subheadings further down
    often quote words of the headline.
    """
    folded = fold_words(text)
    for t in folded_titles:
        if t in folded and len(folded) <= len(t) + _TITLE_SLACK_CHARS:
            return True
        if partial and folded in t and len(folded) >= _MIN_TITLE_CHARS:
            return True
    return False


def fold_titles(titles: Sequence[str]) -> list[str]:
    """The titles long enough to be recognised, folded once for repeats_title."""
    return [fold_words(title) for title in titles if len(title) >= _MIN_TITLE_CHARS]


def fold_words(text: str) -> str:
    """Lower-cased words only: "Kicker: Headline" and "Kicker Headline" compare equal."""
    return " ".join(_WORD_RE.findall(text.casefold()))


def strip_trailing_byline(block: B) -> B:
    """A copy of block without a byline glued to its last sentence ("… lebendig. Von A. B.")."""
    text = TRAILING_BYLINE_RE.sub("", block.text)
    if text == block.text or not text:
        return block
    stripped = copy.copy(block)
    stripped.text = text
    return stripped


def is_prose(block: BlockLike) -> bool:
    """A paragraph proper: long enough and ending a sentence."""
    return len(block.text) >= TRAILING_PROSE_CHARS and bool(SENTENCE_END_RE.search(block.text))


def is_trailing_furniture(block: BlockLike) -> bool:
    """After the last paragraph: headings, short lines that do not end a sentence, and
    lines announcing something that follows ("Mehr dazu in unserem Liveblog:") when nothing does."""
    if block.tag in HEADING_TAGS or block.text.rstrip().endswith(":"):
        return True
    if block.tag in ITEM_BLOCK_TAGS:
        return False  # the last entries of a list or table article (link lists went earlier)
    return len(block.text) < TRAILING_PROSE_CHARS and not SENTENCE_END_RE.search(block.text)


def clean_blocks(
    blocks: Sequence[B], titles: Sequence[str], authors: Sequence[str] = ()
) -> list[B]:
    """Drop furniture blocks anywhere, then trim the furniture that trails the article."""
    kept: list[B] = []
    seen_prose = False
    seen_texts: set[str] = set()
    folded_titles = fold_titles(titles)
    stamps = repeated_stamps(blocks)
    for block in blocks:
        block = strip_trailing_byline(block)
        text = block.text
        if stamps and stamp_name(text) in stamps:
            continue
        if text in seen_texts and len(text) >= _MIN_TITLE_CHARS:
            continue  # carousels and sticky bars repeat their items; an article does not
        seen_texts.add(text)
        if is_consent_notice(text):
            if kept and is_label(kept[-1]):
                kept.pop()  # the placeholder's own title ("Empfohlener redaktioneller Inhalt")
            continue
        if (
            is_header_line(text)
            or is_byline(text)
            or is_caption(text)
            or repeats_title(text, folded_titles, partial=not seen_prose)
        ):
            continue
        seen_prose = seen_prose or is_prose(block)
        kept.append(block)
    while kept and (is_trailing_furniture(kept[-1]) or is_author_bio(kept[-1].text, authors)):
        kept.pop()
    if len(kept) >= 2 and is_author_bio(kept[-2].text, authors):
        del kept[-2]  # the note about the author, before a closing call for feedback
    return drop_pull_quotes(drop_leading_labels(kept))


def repeated_stamps(blocks: Sequence[BlockLike]) -> frozenset[str]:
    """The names that follow the clock time in a live blog's entry stamps ("21:00 Jane Doe").

    Each entry of a live blog opens with the time and its reporter's name; the same name after
    many different times is the page's furniture, not a line of the story, in any language.
    A timetable's lines ("19:00 Opening ceremony") name something new each time.
    """
    names = Counter(stamp_name(block.text) for block in blocks)
    return frozenset(name for name, count in names.items() if name and count >= _MIN_STAMPS)


def stamp_name(text: str) -> str | None:
    """The name of a line that reads like a live-blog entry stamp, else None."""
    if not text[:1].isdigit() or len(text) > _STAMP_MAX_CHARS:
        return None
    match = STAMP_RE.match(text)
    return match.group(1) if match else None


def drop_leading_labels(blocks: list[B]) -> list[B]:
    """Before the first paragraph, lines that are neither headings nor sentences are header
    furniture: kicker, section label, a headline variant, "ku Frankfurt".

    Real subheadings (h2–h6) above the first paragraph stay, and so do list items and table
    rows: a list or table article may hold its first long paragraph after them.
    """
    first = next((i for i, b in enumerate(blocks) if is_prose(b)), 0)
    return [
        b
        for i, b in enumerate(blocks)
        if i >= first
        or b.tag in HEADING_TAGS
        or b.tag in ITEM_BLOCK_TAGS
        or len(b.text) > _LEADING_LABEL_MAX_CHARS
        or SENTENCE_END_RE.search(b.text)
    ]


def is_author_bio(text: str, authors: Sequence[str]) -> bool:
    """ "Anna Beispiel ist Reporterin für …", "Der Autor Anna Beispiel ist …" after the article:
    a note about its author, not part of the story."""
    if len(text) > _AUTHOR_BIO_MAX_CHARS:
        return False
    for name in authors:
        if len(name.split()) < 2:
            continue
        at = text.find(f"{name} ")
        if 0 <= at <= _AUTHOR_BIO_NAME_WITHIN and AUTHOR_BIO_VERB_RE.match(
            text, at + len(name) + 1
        ):
            return True
    return False


def drop_pull_quotes(blocks: list[B]) -> list[B]:
    """A short block repeating a sentence of a longer one is a pull quote or a teaser of it.

    A <blockquote> may shorten the sentence it repeats ("Wir wissen aber, dass" becomes
    "Wir wissen, dass"), so for those most of its words suffice; the short unpunctuated
    line after such a quote names the speaker and goes with it.
    """
    longer = [b.text for b in blocks if len(b.text) > _MIN_TITLE_CHARS]
    # b.text lies inside another (different) longer text exactly when it occurs in their join
    # more often than it is one of them: one scan in C instead of a loop over every pair.
    joined = "\0".join(longer)
    copies = Counter(longer)
    word_sets: list[set[str]] | None = None  # only blockquotes need them
    kept: list[B] = []
    dropped_quote = False
    for b in blocks:
        if dropped_quote and is_attribution(b):
            dropped_quote = False
            continue
        dropped_quote = False
        if _MIN_PULL_QUOTE_CHARS <= len(b.text) <= _PULL_QUOTE_MAX_CHARS:
            if joined.count(b.text) > copies[b.text]:
                continue
            if b.tag == "blockquote" and word_sets is None:
                word_sets = [set(fold_words(text).split()) for text in longer]
            if b.tag == "blockquote" and repeats_paragraph(b.text, longer, word_sets or []):
                dropped_quote = True
                continue
        kept.append(b)
    return kept


def repeats_paragraph(text: str, longer: list[str], word_sets: list[set[str]]) -> bool:
    """Most words of text occur in one longer paragraph (a pull quote, perhaps shortened)."""
    words = set(fold_words(text).split())
    if len(words) < _PULL_QUOTE_MIN_TOKENS:
        return False
    return any(
        len(other) > len(text) and len(words & others) >= _PULL_QUOTE_OVERLAP * len(words)
        for other, others in zip(longer, word_sets, strict=False)
    )


def is_attribution(block: BlockLike) -> bool:
    """ "Name, Funktion" under a quote: short, and not a sentence."""
    text = block.text
    return (
        block.tag not in HEADING_TAGS
        and len(text.split()) <= _MAX_ATTRIBUTION_WORDS
        and not SENTENCE_END_RE.search(text)
    )
