"""Boilerplate in the text: tails after the article, inserts inside it, and the source attribution.

DOM pruning (``html.py``) removes most boilerplate before text is taken; this stage catches
what is left in the text itself, for pages whose template puts related lists, sidebars and
comment forms inside the article element. The phrases are configuration, per language, and
can be replaced with the ``CLEAN_TAIL_MARKERS`` / ``CLEAN_INSERT_MARKERS`` settings.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

from newscrawler.extract.text import split_paragraphs

__all__ = [
    "INSERT_MARKERS",
    "TAIL_MARKERS",
    "extract_source_attribution",
    "strip_boilerplate",
    "strip_boilerplate_tail",
    "strip_credits",
    "strip_inserts",
]

#: A paragraph that is exactly one of these (case-insensitive, trailing ":" ignored) starts the
#: boilerplate tail: it and everything after it are dropped.
TAIL_MARKERS: Mapping[str, tuple[str, ...]] = {
    "de": (
        "Ähnliche Themen",
        "Ähnliche Beiträge",
        "Ähnliche Artikel",
        "Ähnliche Nachrichten",
        "Verwandte Themen",
        "Verwandte Artikel",
        "Mehr zum Thema",
        "Weitere Nachrichten",
        "Weitere Artikel",
        "Das könnte Sie auch interessieren",
        "Das könnte dich auch interessieren",
        "Schreibe einen Kommentar",
        "Kommentar verfassen",
        "Kommentare",
        "Antworten",
        "Beitrags-Navigation",
        "Beitragsnavigation",
        "Teilen",
        "Teilen mit",
        "Diesen Artikel teilen",
        "Newsletter abonnieren",
    ),
    "en": (
        "Related",
        "Related posts",
        "Related articles",
        "Related stories",
        "Read more",
        "More on this topic",
        "More stories",
        "You may also like",
        "Leave a Reply",
        "Leave a comment",
        "Post navigation",
        "Share this",
        "Share this article",
        "Comments",
    ),
}

#: A paragraph that starts with one of these is an editorial insert pointing elsewhere
#: ("Lesen Sie auch: …") and is dropped wherever it is.
INSERT_MARKERS: Mapping[str, tuple[str, ...]] = {
    "de": (
        # Pointers to other articles.
        "Lesen Sie auch",
        "Lesen Sie dazu",
        "Lesen Sie mehr",
        "Auch interessant",
        "Mehr dazu",
        "Zum Thema",
        "Hören Sie auch",
        "Sehen Sie auch",
        # Newsletter, follow and share prompts.
        "Jetzt Newsletter abonnieren",
        "Newsletter abonnieren",
        "Abonnieren Sie unseren Newsletter",
        "Melden Sie sich für unseren Newsletter an",
        "Folgen Sie uns",
        "Folgen Sie",
        "Teilen Sie diesen Artikel",
        "Diesen Artikel teilen",
        "Artikel teilen",
    ),
    "en": (
        "Read also",
        "Read more",
        "See also",
        "Related:",
        "Also read",
        "Sign up for our newsletter",
        "Subscribe to our newsletter",
        "Follow us",
        "Share this article",
    ),
}

# A short paragraph that only credits a picture: "Foto: dpa", "Bild: Maximilian von Lachner",
# "© Reuters/Annegret Hilse", "Photo: AP". "Quelle: …" is not here: it credits the text.
_CREDIT = re.compile(
    r"^(?:(?:Foto|Fotos|Bild|Bilder|Grafik|Illustration|Video|Titelbild|Symbolbild|Photo|Photos|"
    r"Image|Picture|Credit|Credits)\s*:|©|\(c\)\s)",
    re.IGNORECASE,
)
_CREDIT_MAX_WORDS = 12

# Where the story comes from, in the words agencies and republishers use. Group "src" is the
# agency or outlet. Checked in order; the first hit in the text wins.
_AGENCY = r"(?P<src>dpa|epd|dts|sda|kna|[A-ZÄÖÜ][\w.&-]*(?:\s[A-ZÄÖÜ][\w.&-]*){0,3})"
# Agencies by name: where the phrasing alone ("laut X", "nach Angaben von X") would also fit a
# police spokesman or a study, only these or an outlet named as such count.
_KNOWN_AGENCIES = (
    r"dpa|AFP|AP|Reuters|KNA|epd|dts|SID|APA|sda|Keystone-SDA|EFE|ANSA|UNIAN|Ukrinform|Interfax|"
    r"TASS|RIA Nowosti|Xinhua|Kyodo|Yonhap|Bloomberg|DW|BBC|CNN"
)
_OUTLET = rf"(?:(?:die|der|dem|des)\s+)?(?:(?:Nachrichtenagentur|Agentur|Zeitung|Zeitschrift|Portal|Sender|Magazin)\s+{_AGENCY}|(?P<known>{_KNOWN_AGENCIES})\b)"
# Each with the words it cannot match without (case-sensitive, like the patterns): a pattern
# that opens with \b is tried at every position of the text, so it runs only when one is there.
_ATTRIBUTION_PATTERNS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(p, re.MULTILINE), needles)
    for p, needles in (
        (
            rf"\b(?:berichtet|berichtete|meldet|meldete|schreibt|schrieb)\s+(?:die\s+|der\s+|das\s+)?(?:Nachrichtenagentur\s+|Agentur\s+|Zeitung\s+|Portal\s+)?{_AGENCY}\s*[.,;]",
            ("berichtet", "meldet", "schreibt", "schrieb"),
        ),
        (
            rf"\b(?:Quelle|Quellen|Mit Material von|Material von)\s*:\s*{_AGENCY}",
            ("Quelle", "Material von"),
        ),
        (
            rf"\bwie\s+{_OUTLET}\s+(?:meldet|meldete|berichtet|berichtete|schreibt|schrieb|mitteilt|mitteilte|unter Berufung)",
            ("wie ",),
        ),
        (rf"\b[Ll]aut\s+{_OUTLET}", ("laut ", "Laut ")),
        (rf"\b[Nn]ach Angaben\s+(?:von\s+)?{_OUTLET}", ("ach Angaben",)),
        (
            rf"\b(?:according to|reports|reported|told)\s+(?:the\s+)?{_AGENCY}\s*[.,;]",
            ("according to", "report", "told"),
        ),
        (rf"(?:^|[.!?]\s+)(?:The\s+)?{_AGENCY}\s+(?:reported|reports)\b", ("report",)),
        (
            r"\((?P<src>dpa|AFP|AP|Reuters|KNA|epd|dts|SID|APA|sda|Keystone-SDA|EFE|ANSA|UNIAN|DW)\)",
            ("(",),
        ),
        (r"^(?P<src>dpa|AFP|AP|Reuters|KNA|epd|dts|SID|APA|sda)\s*/", ("/",)),
        (r"(?:^|\s)[\w.-]+\s?/\s?(?P<src>dpa|AFP|AP|Reuters|KNA|epd|dts|SID|APA|sda)\b", ("/",)),
    )
)


def _markers(markers: Mapping[str, Iterable[str]] | Iterable[str]) -> frozenset[str]:
    if isinstance(markers, Mapping):
        phrases: Iterable[str] = (p for group in markers.values() for p in group)
    else:
        phrases = markers
    return _folded(tuple(phrases))


@functools.lru_cache(maxsize=16)
def _folded(phrases: tuple[str, ...]) -> frozenset[str]:
    # Every article is cleaned with the same few lists: fold each list once, not per article.
    return frozenset(_fold(p) for p in phrases)


def _fold(phrase: str) -> str:
    return " ".join(phrase.split()).rstrip(":").strip().casefold()


def strip_boilerplate_tail(
    text: str, markers: Mapping[str, Iterable[str]] | Iterable[str] = TAIL_MARKERS
) -> str:
    """Cut the text at the first paragraph that is a tail marker.

    ``"Text.\\n\\nÄhnliche Themen:\\n\\nWeitere Nachrichten" -> "Text."``. A marker is matched
    only as a whole paragraph, never inside a sentence, and never as the first paragraph
    (a page whose text starts with "Kommentare" is not all boilerplate).
    """
    folded = _markers(markers)
    paragraphs = split_paragraphs(text)
    for index, paragraph in enumerate(paragraphs):
        if index > 0 and _fold(paragraph) in folded:
            return "\n\n".join(paragraphs[:index])
    return "\n\n".join(paragraphs)


def strip_inserts(
    text: str, markers: Mapping[str, Iterable[str]] | Iterable[str] = INSERT_MARKERS
) -> str:
    """Drop "Lesen Sie auch: …" paragraphs: ``"A\\n\\nLesen Sie auch: X\\n\\nB" -> "A\\n\\nB"``."""
    prefixes = tuple(_markers(markers))
    kept = [
        p
        for p in split_paragraphs(text)
        if not (p.casefold().startswith(prefixes) and len(p) < 300)
    ]
    return "\n\n".join(kept)


def strip_credits(text: str) -> str:
    """Drop picture-credit paragraphs: ``"Text.\n\nFoto: dpa\n\nMehr." -> "Text.\n\nMehr."``.

    Only short paragraphs that start like a credit; a sentence that mentions a photo stays.
    """
    kept = [
        p
        for p in split_paragraphs(text)
        if not (_CREDIT.match(p) and len(p.split()) <= _CREDIT_MAX_WORDS)
    ]
    return "\n\n".join(kept)


def strip_boilerplate(
    text: str,
    tail_markers: Mapping[str, Iterable[str]] | Iterable[str] = TAIL_MARKERS,
    insert_markers: Mapping[str, Iterable[str]] | Iterable[str] = INSERT_MARKERS,
) -> str:
    """All stages: credits and inserts first, so one right before the tail cannot hide its marker."""
    return strip_boilerplate_tail(strip_inserts(strip_credits(text), insert_markers), tail_markers)


def extract_source_attribution(text: str) -> str | None:
    """The agency or outlet the text credits: ``"…, berichtet UNIAN." -> "UNIAN"``.

    Returns ``None`` when the text names none. Only the body is searched, so a byline agency
    is the extraction's business, not this one's.
    """
    for pattern, needles in _ATTRIBUTION_PATTERNS:
        if not any(needle in text for needle in needles):
            continue
        match = pattern.search(text)
        if match:
            found = match.groupdict()
            return (found.get("src") or found.get("known") or "").strip(" .,") or None
    return None
