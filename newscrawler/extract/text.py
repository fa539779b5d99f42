"""Text repair: named rules that undo what broken CMS templates leave in article text.

Each rule is a pure ``str -> str`` function with a before/after example in its docstring and a
test in ``tests/test_text.py``. :func:`repair_text` runs them in a fixed order; the order
matters where one rule creates the input of another (say why next to the step).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

import ftfy

__all__ = [
    "RULES",
    "collapse_whitespace",
    "drop_lone_fragments",
    "fix_mojibake",
    "fix_space_before_punctuation",
    "fold_spaces",
    "join_hyphenation",
    "normalize_unicode",
    "repair_text",
    "repair_text_counted",
    "split_paragraphs",
    "strip_invisible_characters",
    "strip_tag_remnants",
]

# Zero-width space/joiners, word joiner, BOM and the soft hyphen: invisible in a browser,
# but they split words for full-text search and break exact-match deduplication.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")

# Inline and block tag names that show up as text when a CMS escapes or mangles markup
# ("< strong>", "&lt;br&gt;", "</ em>"). Only known tag names, so "a < b" is left alone.
_TAG_NAMES = (
    "a|abbr|b|blockquote|br|cite|div|em|figcaption|figure|font|h[1-6]|hr|i|img|li|mark|ol|p|"
    "small|span|strong|sub|sup|u|ul"
)
# Attributes only as name=value, so prose such as "a < b und c > d" is never taken for a tag.
_ATTRIBUTES = r"""(?:\s+[\w:-]+\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s<>"']+))*"""
_TAG_REMNANT = re.compile(rf"<\s*/?\s*(?:{_TAG_NAMES})\b{_ATTRIBUTES}\s*/?\s*>", re.IGNORECASE)
_ESCAPED_TAG = re.compile(r"&(?:lt|#0*60|#x0*3c);\s*/?\s*(?:" + _TAG_NAMES + r")\b", re.IGNORECASE)

_OPENING_QUOTES = "„‚«»‹›“\"'"
_CLOSING_OR_END = re.compile(r"[.!?:;…“”\"'»«)\]]$")
_WORD = re.compile(r"\w+")
_BLANK_LINE = re.compile(r"\n\s*\n")

# A space before ".,;:!?" that follows a word or a closing quote/bracket ("Südkorea ." -> "Südkorea.").
# An ellipsis or a lone punctuation paragraph is left alone.
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=[\w“”\"»)\]])[ \t\u00a0]+([.,;:!?])(?=\s|$|[“”\"»)])")
# What the rule needs at all, found without a lookbehind at every position of the text.
_SPACE_THEN_PUNCT = re.compile(r"[ \t\u00a0][.,;:!?]")

# "Verteidi- gung" (a line-break hyphen kept as text) -> "Verteidigung"; but German keeps the
# hyphen in coordinated compounds ("Ein- und Ausfuhr", "Nord- oder Südkorea").
_HYPHENATION = re.compile(
    r"(?<=[a-zäöüß])- (?!(?:und|oder|bzw|sowie|als|wie|noch|bis|and|or|to)\b)([a-zäöüß]{2,})"
)


def strip_invisible_characters(text: str) -> str:
    """Remove zero-width characters and soft hyphens: ``"Ver\\u00adteidigung" -> "Verteidigung"``."""
    # A search first: most texts have none, and a search is ten times cheaper than str.translate.
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


# What UTF-8 read as Latin-1/Windows-1252 looks like: a lead byte (Â…ô) followed by a
# continuation byte (as Latin-1, or as the Windows-1252 punctuation it maps to). German text
# without mojibake ("Größe", "Ärger") never has that pair, so ftfy (2 ms a page) is skipped.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1 (``"fÃ¼r" -> "für"``) with ftfy, keeping typographic quotes.

    ftfy is told not to straighten quotes or touch anything but encoding errors: the
    publisher's „…“ are part of the text.
    """
    if text.isascii() or not _MOJIBAKE_HINT.search(text):
        return text
    return ftfy.fix_text(
        text,
        uncurl_quotes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        fix_line_breaks=False,
        normalization=None,
        unescape_html=False,
        remove_terminal_escapes=False,
        explain=False,
    )


def strip_tag_remnants(text: str) -> str:
    """Drop HTML tags that reached the text: ``"berichtet< strong> Selenskyj" -> "berichtet Selenskyj"``.

    Escaped tags (``"&lt;br&gt;"``) are unescaped first so one pattern handles both. A removed
    tag becomes a space so the words around it stay apart; whitespace is collapsed later.
    """
    if _ESCAPED_TAG.search(text):
        text = html.unescape(text)
    return _TAG_REMNANT.sub(" ", text)


def normalize_unicode(text: str) -> str:
    """Unicode NFC, so "ü" is one code point whatever the page used: ``"u\\u0308" -> "ü"``."""
    return unicodedata.normalize("NFC", text)


def collapse_whitespace(text: str) -> str:
    """One space between words, one blank line between paragraphs, no line breaks inside one.

    ``"a  b\\n c\\n\\n\\n d" -> "a b c\\n\\nd"``. Non-breaking and other Unicode spaces count as spaces.
    """
    return "\n\n".join(split_paragraphs(text))


def split_paragraphs(text: str) -> list[str]:
    """Split on blank lines and fold whitespace inside each paragraph; empty ones are dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # str.split() splits on exactly the characters re's \s matches (str.isspace).
    paragraphs = (fold_spaces(chunk) for chunk in _BLANK_LINE.split(text))
    return [p for p in paragraphs if p]


def fold_spaces(chunk: str) -> str:
    """One ASCII space between the words of chunk, none at its ends."""
    # An extracted body's paragraphs are folded already: no whitespace but single ASCII spaces
    # (every other whitespace character is unprintable), so nothing need be split and joined.
    if chunk.isprintable() and "  " not in chunk:
        return chunk.strip(" ")
    return " ".join(chunk.split())


def drop_lone_fragments(text: str) -> str:
    """Drop paragraphs that are a broken caption or quote stub: ``"„NATO"`` or ``"“"``.

    A fragment is a paragraph of at most three words that opens a quote it never closes and
    does not end like a sentence, or one with no word character at all. Real one-word
    paragraphs such as a subheading ("Hintergrund") are kept.
    """
    kept = []
    for paragraph in split_paragraphs(text):
        if not _WORD.search(paragraph):
            continue
        if paragraph[0] in _OPENING_QUOTES and len(_WORD.findall(paragraph)) <= 3:
            closes = any(q in paragraph[1:] for q in "“”\"»«‘’'") or _CLOSING_OR_END.search(
                paragraph
            )
            if not closes:
                continue
        kept.append(paragraph)
    return "\n\n".join(kept)


def fix_space_before_punctuation(text: str) -> str:
    """Remove the space before ``. , ; : ! ?``: ``"auszuweiten Südkorea ." -> "auszuweiten Südkorea."``."""
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text) if _SPACE_THEN_PUNCT.search(text) else text


def join_hyphenation(text: str) -> str:
    """Join words split by a hyphen and a space: ``"Verteidi- gung" -> "Verteidigung"``.

    Coordinated compounds keep their hyphen: ``"Ein- und Ausfuhr"`` is unchanged.
    """
    return _HYPHENATION.sub(r"\1", text) if "- " in text else text


#: The rules in the order :func:`repair_text` applies them.
RULES: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("strip_invisible_characters", strip_invisible_characters),
    # Mojibake before NFC: ftfy needs the raw byte-like sequences to recognise them.
    ("fix_mojibake", fix_mojibake),
    ("normalize_unicode", normalize_unicode),
    # Tags before whitespace and punctuation: removing one leaves spaces behind.
    ("strip_tag_remnants", strip_tag_remnants),
    ("collapse_whitespace", collapse_whitespace),
    ("join_hyphenation", join_hyphenation),
    ("fix_space_before_punctuation", fix_space_before_punctuation),
    # Fragments last: they are only recognisable once the paragraph is otherwise clean.
    ("drop_lone_fragments", drop_lone_fragments),
)


def repair_text(text: str, *, skip: frozenset[str] = frozenset()) -> str:
    """Run every rule of :data:`RULES` except those named in ``skip``, until nothing changes.

    One rule can make work for an earlier one (collapsing ``"Â\\r0"`` to ``"Â 0"`` lets ftfy
    see mojibake), so the rules repeat until the text is stable (at most three rounds): cleaning
    a cleaned text changes nothing.
    """
    return repair_text_counted(text, skip=skip)[0]


def repair_text_counted(text: str, *, skip: frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """:func:`repair_text`, and the names of the rules that changed something (in rule order)."""
    fired: list[str] = []
    for _ in range(3):
        before = text
        for name, rule in RULES:
            if name in skip:
                continue
            repaired = rule(text)
            if repaired != text:
                text = repaired
                if name not in fired:
                    fired.append(name)
        if text == before:
            break
    return text, fired


def repair_line(text: str | None) -> str | None:
    """Repair a one-line field (title, subtitle, author): no paragraphs, same rules otherwise."""
    if text is None:
        return None
    text = strip_tag_remnants(normalize_unicode(fix_mojibake(strip_invisible_characters(text))))
    text = fix_space_before_punctuation(" ".join(text.split()))
    return text or None
