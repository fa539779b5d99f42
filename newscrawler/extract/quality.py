"""Page quality: is an extracted page really an article, or something that only looks like one?

Error pages, soft 404s ("Seite nicht gefunden" served with status 200), cookie-consent
interstitials, paywall teasers, imprints and listing pages often carry an article template,
a headline and enough words to pass the length check. :func:`page_problem` names what such a
page is, from the extracted fields alone (URL, status, title, body), or returns ``None`` for an
article. No Scrapy here; ``ValidatePipeline`` turns each reason into a drop.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

__all__ = ["REASONS", "page_problem", "paywall_declared"]

#: Every reason :func:`page_problem` can return.
REASONS = (
    "http_error",
    "not_found",
    "error_page",
    "consent_wall",
    "paywall_teaser",
    "imprint",
    "listing",
)

_FLAGS = re.IGNORECASE | re.UNICODE

# Headlines of "not found" pages (soft 404s); anchored, so "Vermisster Wanderer nicht gefunden" passes.
_NOT_FOUND_TITLE = re.compile(
    r"^\W*(?:(?:fehler|error)\s*)?404\b|\b404\W*$|^\W*(?:diese\s+|die\s+)?seite\s+(?:wurde\s+)?nicht\s+gefunden"
    r"|^\W*(?:page|seite|inhalt|artikel)\s+(?:not\s+found|nicht\s+(?:gefunden|verfügbar))"
    r"|^\W*(?:oops|hoppla|ups)\b|^\W*nicht\s+gefunden\W*$",
    _FLAGS,
)
# Opening sentences of "not found" pages.
_NOT_FOUND_TEXT = re.compile(
    r"(?:die|diese)\s+(?:von\s+ihnen\s+)?(?:aufgerufene|gesuchte|angeforderte|gewünschte)\s+seite\s+"
    r"(?:existiert\s+nicht|(?:wurde|konnte)\s+nicht\s+gefunden|ist\s+nicht\s+(?:mehr\s+)?verfügbar)"
    r"|the\s+page\s+you\s+(?:are\s+looking\s+for|requested)\s+(?:could\s+not\s+be\s+found|does\s+not\s+exist)",
    _FLAGS,
)
# Headlines of server error and maintenance pages.
_ERROR_TITLE = re.compile(
    r"^\W*(?:fehler|error)\s*5\d\d\b|\b(?:internal\s+server\s+error|interner\s+serverfehler|"
    r"service\s+(?:temporarily\s+)?unavailable|bad\s+gateway|gateway\s+time-?out)\b"
    r"|^\W*(?:es\s+ist\s+ein\s+fehler\s+aufgetreten|ein\s+fehler\s+ist\s+aufgetreten|something\s+went\s+wrong"
    r"|wartungsarbeiten|wir\s+sind\s+gleich\s+zurück)",
    _FLAGS,
)
# A cookie/consent interstitial: several of these on a short page, or one of them as the headline.
_CONSENT_MARKERS = re.compile(
    r"\b(?:cookies?|einwilligung\w*|zustimm\w*|alle\s+akzeptieren|akzeptieren\s+und\s+weiter|"
    r"datenschutzeinstellungen|privatsphäre-?einstellungen|consent|tracking|werbepartner\w*|"
    r"personalisierte\w*\s+werbung|accept\s+all|ohne\s+werbung)\b",
    _FLAGS,
)
_CONSENT_TITLE = re.compile(
    r"^\W*(?:bevor\s+sie\s+(?:fortfahren|weiterlesen)|datenschutzeinstellungen|privatsphäre|"
    r"cookie|ihre\s+zustimmung|wir\s+brauchen\s+ihre\s+zustimmung|before\s+you\s+continue|privacy\s+settings)",
    _FLAGS,
)
# The paywall box under a teaser.
_PAYWALL = re.compile(
    r"\b(?:(?:nur|exklusiv)\s+(?:für|mit)\s+(?:\w+[-\s])?(?:abonnent\w*|abo|plus)|"
    r"jetzt\s+(?:weiter|mehr\s+)?lesen\s+mit|weiterlesen\s+mit\s+(?:\w+\s+)?(?:plus|abo)|"
    r"(?:artikel|beitrag|text)\s+(?:ist\s+)?(?:nur\s+)?(?:mit|für)\s+(?:einem\s+)?(?:\w+[-\s])?abo|"
    r"jetzt\s+(?:gratis\s+|kostenlos\s+)?(?:testen|abonnieren)\s+und\s+weiterlesen|"
    r"subscribe\s+to\s+(?:continue|keep)\s+reading|this\s+(?:article|story)\s+is\s+(?:only\s+)?for\s+subscribers)",
    _FLAGS,
)
# Imprint, privacy, contact and terms pages, by headline or path segment.
_IMPRINT_WORDS = (
    r"impressum|imprint|datenschutz(?:erklärung|hinweise)?|privacy(?:\s+policy)?|kontakt|contact(?:\s+us)?|"
    r"agb|nutzungsbedingungen|terms(?:\s+of\s+(?:use|service))?|über\s+uns|about(?:\s+us)?|mediadaten|"
    r"barrierefreiheit|cookie-?richtlinie"
)
_IMPRINT_TITLE = re.compile(rf"^\W*(?:{_IMPRINT_WORDS})\W*$", _FLAGS)
_IMPRINT_PATH = re.compile(
    r"/(?:impressum|imprint|datenschutz(?:erklaerung)?|privacy(?:-policy)?|kontakt|contact|agb|"
    r"nutzungsbedingungen|terms|ueber-uns|about|mediadaten)(?:/|\.html?$|$)",
    _FLAGS,
)
# Listing pages: WordPress archive headlines, paging and archive paths, teaser lists. The word
# must be followed by a colon or a spaced dash ("Monat: Juli 2024", "Tag – Politik"): a hyphen
# that joins it to the next word is a compound of a real headline ("Month-end budget vote …",
# "Year-end review", "Day-care centres …").
_LISTING_TITLE = re.compile(
    r"^\W*(?:kategorie|category|schlagwort|tag|autor(?:in)?|author|archiv(?:e)?|monat|jahr|day|month|"
    r"year|beiträge\s+(?:von|vom|zu|mit)|alle\s+(?:artikel|beiträge)|suchergebnisse|search\s+results)"
    r"(?:\s*:|\s+[–—-]\s)",
    _FLAGS,
)
#: An article's evidence against a listing headline: this many paragraphs of running prose.
_PROSE_PARAGRAPHS = 4
_PROSE_CHARS = 150
_LISTING_PATH = re.compile(
    r"/(?:page|seite)/\d+/?$|/(?:category|kategorie|tag|schlagwort|author|autor)/", _FLAGS
)
_READ_MORE = re.compile(
    r"(?:weiterlesen|mehr\s+lesen|read\s+more|zum\s+artikel|continue\s+reading)\W*$", _FLAGS
)
# The longest phrase with generous whitespace and trailing punctuation ("… weiterlesen »").
_READ_MORE_WINDOW = 80

#: Pages shorter than this (in words) may be interstitials or teasers; real articles run longer.
_SHORT_PAGE = 250


def page_problem(
    *,
    url: str | None,
    title: str | None,
    body: str | None,
    http_status: int | None = None,
    paywalled: bool | None = None,
) -> str | None:
    """Why this extracted page is not an article (one of :data:`REASONS`), or ``None``.

    The checks go from the most certain signal to the least: the HTTP status, then the
    headline, then the text. Each is written to leave real articles alone: a headline that
    merely contains "nicht gefunden" passes, and an article with a cookie banner or an
    "abonnieren" line under a full text is still an article.

    >>> page_problem(url="https://x.de/a/", title="Seite nicht gefunden", body="Leider ...")
    'not_found'
    >>> page_problem(url="https://x.de/2024/07/06/a/", title="Gipfel in Rom", body="Text " * 300) is None
    True
    """
    title = (title or "").strip()
    body = body or ""
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    words = len(body.split())
    path = unquote(urlsplit(url or "").path)

    if http_status is not None and http_status >= 400:
        return "http_error"
    if _NOT_FOUND_TITLE.search(title) or any(_NOT_FOUND_TEXT.search(p) for p in paragraphs[:3]):
        return "not_found"
    if _ERROR_TITLE.search(title):
        return "error_page"
    if _CONSENT_TITLE.search(title):
        return "consent_wall"
    if words < _SHORT_PAGE:
        consent_hits = {m.group(0).casefold() for m in _CONSENT_MARKERS.finditer(body)}
        if len(consent_hits) >= 3 and len(consent_hits) * 40 >= words:
            return "consent_wall"
        if paywalled or any(_PAYWALL.search(p) for p in paragraphs[-3:]):
            return "paywall_teaser"
    if _IMPRINT_TITLE.search(title) or _IMPRINT_PATH.search(path):
        return "imprint"
    if _LISTING_PATH.search(path):
        return "listing"
    if _LISTING_TITLE.search(title) and not _has_prose(paragraphs):
        return "listing"
    if len(paragraphs) >= 3 and sum(1 for p in paragraphs if _reads_more(p)) >= 3:
        return "listing"
    return None


def _has_prose(paragraphs: list[str]) -> bool:
    """Several paragraphs of running prose, none a "read more" teaser: an article's body,
    whatever word its headline starts with ("Archiv: Wie die Stasi ihre Akten vernichtete")."""
    prose = [p for p in paragraphs if len(p) >= _PROSE_CHARS and not _reads_more(p)]
    return len(prose) >= _PROSE_PARAGRAPHS


def _reads_more(paragraph: str) -> bool:
    """Does the paragraph end in a "read more" link text? Only its end is searched (the pattern
    is anchored there), so a long paragraph costs no more than a short one."""
    return bool(_READ_MORE.search(paragraph, max(0, len(paragraph) - _READ_MORE_WINDOW)))


_NOT_FREE = re.compile(
    r'"isAccessibleForFree"\s*:\s*(?:false\b|"false"|"no"|0\b)'
    r'|itemprop=["\']isAccessibleForFree["\'][^>]*content=["\'](?:false|no)["\']',
    re.IGNORECASE,
)


def paywall_declared(html: str) -> bool:
    """Does the page's structured data say the article is not free (``isAccessibleForFree: false``)?

    The paywall box itself is pruned with the other boilerplate, so the extracted text of a
    teaser looks like a short article; this statement is what gives it away.

    It runs on the crawl's reactor thread for every article page, so a plain substring test
    (the schema.org property is case-sensitive) rules out the usual page before the regex reads it.
    """
    start = html.find("ccessibleForFree")
    if start < 0:
        lowered = html.lower() if "ccessiblefor" in html or "CCESSIBLEFOR" in html else ""
        start = lowered.find("ccessibleforfree")
        if start < 0:
            return False
    return bool(_NOT_FREE.search(html, max(0, start - 40)))
