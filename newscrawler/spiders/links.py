"""Which links of a listing page to follow, and how eagerly: the choice an editor would make.

Pure functions over URLs and what a link's markup says (:class:`LinkEvidence`, read from the
DOM by :mod:`newscrawler.spiders.teasers`); no Scrapy here. Every link gets one verdict:

- ``article``: an article URL shape, or teaser markup with a headline-length anchor text;
- ``section``: any other page of the site (sections, topics, authors, paging), followed for
  discovery at a lower priority and within a per-run bound;
- ``paywalled``: an article whose teaser carries a paywall mark (skipped with ``SKIP_PAYWALLED``);
- ``junk:<category>``: never followed (:data:`JUNK_TABLE`).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

__all__ = [
    "DENY_EXTENSIONS",
    "DENY_PATTERNS",
    "JUNK_TABLE",
    "LISTING_FOLDERS",
    "LinkEvidence",
    "article_url_shape",
    "classify_link",
    "has_denied_extension",
    "headline_length",
    "junk_reason",
    "registrable_hosts",
]

# Crawler traps whatever the page: admin, comment feeds, search, print and share variants.
DENY_PATTERNS = (
    r"/wp-admin/",
    r"/wp-login",
    r"/wp-json/",
    r"/xmlrpc\.php",
    r"/comments/feed/",
    r"[?&](?:replytocom|share|print)=",
    r"/(?:login|logout|anmelden|abmelden|register|registrieren|suche|search)(?:/|$|\?)",
    r"/(?:impressum|datenschutz|kontakt|agb|privacy|imprint|contact|about)(?:/|$)",
)
DENY_EXTENSIONS = [
    "7z", "avi", "bmp", "css", "doc", "docx", "exe", "gif", "gz", "ico", "jpeg", "jpg", "js",
    "m4a", "mov", "mp3", "mp4", "pdf", "png", "ppt", "pptx", "rar", "svg", "tar", "tif",
    "tiff", "wav", "webm", "webp", "xls", "xlsx", "zip",
]  # fmt: skip
_DENY = re.compile("|".join(DENY_PATTERNS), re.IGNORECASE)
_DENY_EXTENSIONS = frozenset("." + ext for ext in DENY_EXTENSIONS)

#: Words that mark a page no news crawl wants, by category. A word counts as a whole token of a
#: host's first label (``shop.example.de``), of a folder (``/games/…``, ``/ueber-uns/…``) or of a
#: short last segment (``impressum.html``, ``impressum-195``, ``kontakt?channel=…``); never inside
#: an article's long slug (``…-kredit-fuer-die-ukraine-…`` is news).
JUNK_TABLE: dict[str, str] = {
    "legal": r"impressum|imprint|datenschutz\w*|privacy|agb|nutzungsbedingungen|terms|disclaimer|"
    r"cookies?|consent|barrierefreiheit|accessibility|widerruf|jugendschutz|netiquette|rechtliches",
    "contact": r"kontakt|contact|about|ueber|redaktion|mediadaten|jobs?|stellenmarkt|karriereportal",
    "account": r"login|logout|anmelden|abmelden|registrier\w*|register|signin|signup|konto|"
    r"accounts?|passwor[dt]|mein|meine|my|myaccount|kundencenter|profil",
    "newsletter": r"newsletters?",
    "subscription": r"abos?|abonnements?|abonnieren|aboshop|digitalabo|probeabo|jahresabo|subscribe|"
    r"subscriptions?|epaper|kiosk|webkiosk|plusabo",
    "games": r"games|spiele|raetsel|kreuzwortraetsel|sudoku|wordle|solitaire|mahjong|casino|"
    r"puzzles?|millionenklick|horoskope?",
    "commerce": r"shops?|onlineshop|gutscheine?|deals|angebote|kredite?|kreditkarten?|ratenkredit|"
    r"versicherung(?:en)?|vergleich|preisvergleich|vergleichswelt|tarife?|tarifvergleich|dsl|"
    r"dating|partnersuche|lotto|eurojackpot|gewinnspiele?|anzeigen|traueranzeigen|produkte?|"
    r"vorteile|vorteilswelt|cashback|sponsored|advertorials?|promo|mail|email|freemail",
    "service": r"hilfe|help|faq|support|services?|kundenservice|leserservice|sitemap|apps?|"
    r"download|downloads",
    "tracking": r"redirect|redir|clk|click|clicktracking|tracking|doubleclick|adition|adfarm\d*|"
    r"ad\d*|ads|adserver|pubads",
}
# Phrases that span tokens (``/in-eigener-sache/``, ``/ueber-uns/``), at the start of a segment.
_JUNK_PHRASES = {
    "contact": re.compile(r"^(?:in-eigener-sache|ueber-uns)(?:$|[-_.])"),
    "service": re.compile(r"^(?:tv-programm|fernsehprogramm)(?:$|[-_.])"),
}
_JUNK_WORD = {category: re.compile(rf"^(?:{words})$") for category, words in JUNK_TABLE.items()}
#: Junk words that never name news, wherever they stand in a folder's name
#: (``/zeitung-services/``, ``/digital-abo/``, ``/leser-newsletter/``).
_ANYWHERE_WORD = re.compile(
    r"^(?:impressum|imprint|datenschutz\w*|agb|nutzungsbedingungen|newsletters?|abos?|abonnements?|"
    r"abonnieren|aboshop|login|logout|registrier\w*|services|hilfe|faq|sitemap|shop|onlineshop|"
    r"gutscheine?|sudoku|kreuzwortraetsel|wordle)$"
)
#: Junk words that are also news topics: as a folder they refuse only pages without an article's
#: URL shape (``/panorama/lotto/`` is a service page, ``/panorama/lotto/jackpot-geknackt-40826110``
#: is news; ``/ratgeber/job-gehalt/…-40629882`` is advice, not a job ad).
_TOPIC_WORD = re.compile(
    r"^(?:redaktion|jobs?|lotto|eurojackpot|kredite?|versicherung(?:en)?|tarife?|vergleich|dating|"
    r"mail|email|angebote|produkte?|about|contact|kontakt)$"
)
# Junk words allowed in a host's first label only when the whole label is one (``ad.``, ``mail.``).
_TOKEN = re.compile(r"[a-z0-9]+")
_URL_VALUE = re.compile(r"^(?:https?:)?//|^https?%3a", re.IGNORECASE)

#: Folders whose pages list other pages: topics, tags, authors, categories, archives, paging.
LISTING_FOLDERS = frozenset(
    {"thema", "themen", "topic", "topics", "tag", "tags", "schlagwort", "schlagworte", "stichwort",
     "autor", "autoren", "author", "authors", "kategorie", "category", "categories", "ressort",
     "person", "personen", "page", "seite", "archiv", "archive", "suche", "search"}
)  # fmt: skip
_DATED = re.compile(r"/(?:19|20)\d{2}(?:/|-)(?:0?[1-9]|1[0-2])/(?:(?:0?[1-9]|[12]\d|3[01])/)?[^/]+")
_ID_TOKEN = re.compile(
    r"^(?:[a-z]{0,8}\d{5,}|[a-z]{0,8}[0-9a-f]{12,}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})$"
)
_UUID = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")
_SLUG_WORD = re.compile(r"[a-zà-ÿ]{2,}")
# A CMS's numbered article link: WordPress's /?p=4923, /index.php?id=12345, ?article=…
_ID_QUERY = re.compile(
    r"(?:^|&)(?:p|id|article|articleid|artikel|story|storyid|post|postid|nid)=\d{2,}(?:&|$)"
)
_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$")
#: Anchor texts of this many words read like a headline, not a section name.
HEADLINE_WORDS = 4


@dataclass(frozen=True)
class LinkEvidence:
    """One link target of a page and what its markup says about it (all occurrences merged)."""

    url: str
    text: str = ""  # the longest anchor text, whitespace folded
    headline: bool = False  # in or around a heading (h1-h6)
    teaser: bool = False  # in a teaser: an <article>, or a block with its own heading and text
    boilerplate: bool = True  # every occurrence in <nav>, <footer>, <aside> or the page's <header>
    paywalled: bool = False  # its teaser carries a paywall mark
    fragment_only: bool = False  # every occurrence is a "#…" link


def headline_length(text: str) -> bool:
    """Is ``text`` as long as a headline (four words or more), not a section's name?"""
    return len(_SLUG_WORD.findall(text.lower())) >= HEADLINE_WORDS


def _segments(path: str) -> list[str]:
    return [unquote(part).lower() for part in path.split("/") if part]


def article_url_shape(url: str) -> bool:
    """Does the URL look like one article's: a date, an id, or a long slug, outside listing folders?

    ``/2024/07/06/slug``, ``…-94104443.html``, ``/article6955c5…/slug.html``, ``…-a-<uuid>``,
    ``/magazine/…/slug-41736566``, ``/materialien/artikel/five-or-more-words-slug/``, ``/?p=4923``. Not
    ``/politik/``, ``/thema/krieg-in-der-ukraine/``, ``/autor/name-35429268``, ``/page/2/``.
    """
    split = urlsplit(url)
    path = split.path
    parts = _segments(path)
    if _ID_QUERY.search(split.query.lower()) and len(parts) <= 1:
        return True
    if not parts or any(part in LISTING_FOLDERS for part in parts[:-1]):
        return False
    if _DATED.search(path.lower()):
        return True
    last = _EXTENSION.sub("", parts[-1])
    if _UUID.search(last):
        return True
    tokens = re.split(r"[-_.]", last)
    if any(
        _ID_TOKEN.match(token) for token in tokens if not re.fullmatch(r"(?:19|20)\d{2}", token)
    ):
        return True
    folder_tokens = [token for part in parts[:-1] for token in re.split(r"[-_.]", part)]
    if any(_ID_TOKEN.match(token) for token in folder_tokens) and len(tokens) >= 2:
        return True  # /article6955c5…/slug.html, /id_100123456/slug.html
    return len([t for t in tokens if _SLUG_WORD.fullmatch(t)]) >= 5


def _junk_words(tokens: list[str], *, shaped: bool = False) -> str | None:
    for token in tokens:
        if shaped and _TOPIC_WORD.match(token):
            continue
        for category, word in _JUNK_WORD.items():
            if word.match(token):
                return category
    return None


def _junk_segment(segment: str, *, shaped: bool = False) -> str | None:
    """A folder or short last segment is junk by its first word (``newsletter-anmeldung``), not by
    a later one (``olympische-spiele`` is sport)."""
    for category, phrase in _JUNK_PHRASES.items():
        if phrase.match(segment):
            return category
    tokens = _TOKEN.findall(segment)
    later = [token for token in tokens[1:] if _ANYWHERE_WORD.match(token)]
    return _junk_words(tokens[:1] + later[:1], shaped=shaped)


def junk_reason(url: str, page_url: str = "") -> str | None:
    """The junk category of ``url`` (``legal``, ``games``, ``anchor``, …), or ``None``.

    ``page_url`` is the page the link is on: a link back to it is a same-page anchor.
    """
    parts = urlsplit(url)
    if page_url and _same_page(parts, urlsplit(page_url)):
        return "anchor"
    labels = (parts.hostname or "").lower().split(".")
    if len(labels) >= 3 and labels[0] != "www":
        category = _junk_words(re.split(r"[-_]", labels[0]))
        if category:
            return category
    for _name, value in parse_qsl(parts.query, keep_blank_values=True):
        if _URL_VALUE.match(value.strip()):
            return "tracking"  # /out?url=https://…: a redirect through a counter
    segments = _segments(parts.path)
    shaped = bool(segments) and article_url_shape(url)
    for segment in segments[:-1]:
        category = _junk_segment(segment, shaped=shaped)
        if category:
            return category
    if segments:
        last = _EXTENSION.sub("", segments[-1])
        words = [t for t in _TOKEN.findall(last) if not t.isdigit()]
        for category, phrase in _JUNK_PHRASES.items():
            if phrase.match(last):
                return category
        # an article's long slug may say anything; a short last segment is a page's name
        if words and len(words) <= 3 and (category := _junk_segment(last, shaped=shaped)):
            return category
    if _DENY.search(url):
        return "trap"
    return None


def _same_page(link: SplitResult, page: SplitResult) -> bool:
    # The page itself with or without a fragment (a skip link, "/#Inhalt"), never another page.
    return (
        (link.hostname or "") == (page.hostname or "")
        and (link.path or "/").rstrip("/") == (page.path or "/").rstrip("/")
        and link.query == page.query
    )


def has_denied_extension(url: str) -> bool:
    """A file no crawl of articles wants (images, documents, archives, media)."""
    return posixpath.splitext(urlsplit(url).path)[1].lower() in _DENY_EXTENSIONS


def classify_link(link: LinkEvidence, page_url: str = "") -> str:
    """``article``, ``section``, ``paywalled`` or ``junk:<category>`` for one link of a listing.

    Junk first (whatever the markup says); then an article needs its URL shape, or teaser
    markup (a heading, an <article>) with a headline-length anchor text; links only found in
    navigation, footer or aside with neither are sections at best.
    """
    if link.fragment_only:
        return "junk:anchor"
    reason = junk_reason(link.url, page_url)
    if reason:
        return f"junk:{reason}"
    teaser_like = (link.headline or link.teaser) and headline_length(link.text)
    shaped = article_url_shape(link.url) and not (link.boilerplate and not link.teaser)
    if shaped or teaser_like:
        return "paywalled" if link.paywalled else "article"
    return "section"


def registrable_hosts(hosts: list[str]) -> list[str]:
    """``hosts`` plus, for every ``www.`` host, the domain it stands for (whose subdomains follow).

    ``www.spiegel.de`` adds ``spiegel.de`` (so ``sport.spiegel.de`` is on the site); a host
    without ``www.`` is kept as it is.
    """
    out = [host.lower().lstrip(".") for host in hosts]
    for host in list(out):
        if host.startswith("www.") and host.count(".") >= 2 and host[4:] not in out:
            out.append(host[4:])
    return out
